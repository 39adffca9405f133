"""Benchmark: build the whole handbook, both languages, with `mkdocs build --strict`.

Times each language's build as `make handbook` runs it (one after the other, each a
fresh process, so start-up and playbook validation are included), over a few runs, and
prints the best and median totals. Target: both languages in under 10 s.

    .venv/bin/python tests/benchmarks/bench_handbook.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fi")
TARGET_S = 10.0


def build(lang: str, site: Path) -> float:
    """Seconds for one strict build of `lang` into site/<lang>/."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "docs" / f"{lang}.yml"), "-d", str(site / lang)],
                            cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"mkdocs build ({lang}) failed:\n{result.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to build (default: 3)")
    args = parser.parse_args(argv)
    totals: list[float] = []
    per_lang: dict[str, list[float]] = {lang: [] for lang in LANGS}
    with tempfile.TemporaryDirectory(prefix="bench-handbook-") as tmp:
        for _ in range(args.runs):
            times = {lang: build(lang, Path(tmp) / "site") for lang in LANGS}
            for lang, seconds in times.items():
                per_lang[lang].append(seconds)
            totals.append(sum(times.values()))
    for lang, times in per_lang.items():
        print(f"{lang}: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
    best = min(totals)
    print(f"both languages: best {best:.2f} s, median {statistics.median(totals):.2f} s over {args.runs} run(s); "
          f"target < {TARGET_S:.0f} s: {'met' if best < TARGET_S else 'MISSED'}")
    return 0 if best < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
