"""Benchmark: build the whole handbook as `make handbook` does, both languages and their PDFs.

Times, over a few runs, `mkdocs build --strict` of both languages (side by side, each a
fresh process, so start-up and playbook validation are included) and then the learner and
trainer PDFs of both (`python -m checker.handbook.pdf`, one process per PDF), and prints
the best and median wall-clock totals, and the processor time they took (which the load of
other programs on the machine does not inflate). Target: under 10 s, PDFs included.

    .venv/bin/python tests/benchmarks/bench_handbook.py [--runs N]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fi")
TARGET_S = 10.0
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(site: Path) -> float:
    """Seconds for the strict builds of every language into site/<lang>/, side by side."""
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "docs" / f"{lang}.yml"), "-d", str(site / lang)],
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for lang in LANGS]
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode:
            sys.exit(f"{' '.join(proc.args)} failed:\n{err}")
    return time.perf_counter() - start


def pdfs(site: Path) -> float:
    """Seconds for the PDFs of every language in site/ (`make handbook`'s last step)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "checker.handbook.pdf", str(site)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"PDFs failed:\n{result.stderr}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to build (default: 3)")
    args = parser.parse_args(argv)
    parts: dict[str, list[float]] = {"mkdocs (en, fi)": [], "PDFs": [], "processor time": []}
    totals: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-handbook-") as tmp:
        for run in range(args.runs):
            site, cpu = Path(tmp) / f"site{run}", _cpu()
            times = [build(site), pdfs(site)]
            for name, seconds in zip(parts, [*times, _cpu() - cpu], strict=True):
                parts[name].append(seconds)
            totals.append(sum(times))
    for name, times in parts.items():
        print(f"{name}: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
    best = min(totals)
    print(f"handbook with its PDFs: best {best:.2f} s, median {statistics.median(totals):.2f} s over {args.runs} run(s) on {os.cpu_count()} processors "
          f"(load average {os.getloadavg()[0]:.1f}); target < {TARGET_S:.0f} s: {'met' if best < TARGET_S else 'MISSED'}")
    return 0 if best < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
