"""Benchmark: the log signals on a local Spark against the embedded DuckDB (issue 25).

Generates bench_logs.py's canonical exports (default 100,000 accounts, 2,000,000 activities,
300,000 deals), then times `playbook signals --format json` in its own process with
`--engine duckdb` and with `--engine spark` (local[2]: Spark's start included), each one's peak
resident memory, and prints the ratio. For the Spark run that is the Python process's: the JVM
pyspark starts is not waited for by it, so its memory is not in the figure (its heap is capped
at Spark's default driver memory, 1 GB). It also checks the two outputs are the same.
Spark's start alone is timed on an export with a one-row log.

    .venv/bin/pip install -e '.[spark]'
    .venv/bin/python tests/benchmarks/bench_spark.py [--activities N] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_logs import AS_OF, generate, timed  # a sibling script, not a package


def signals(paths: tuple[Path, ...], output: Path, engine: str) -> tuple[float, float]:
    return timed([sys.executable, "-m", "checker", "signals", str(paths[0]), "--activities", str(paths[1]), "--deals", str(paths[2]),
                  "--format", "json", "--output", str(output), "--as-of", AS_OF, "--preset", "canonical", "--engine", engine])


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--deals", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each timing; the best counts (peak memory: the highest)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        tiny = folder / "tiny"
        tiny.mkdir()
        start_s = min(signals(generate(tiny, 1, 1, 1), tiny / "out.json", "spark")[0] for _ in range(args.runs))
        paths = generate(folder, args.accounts, args.activities, args.deals)
        print(f"generated {args.accounts:,} accounts, {args.activities:,} activities, {args.deals:,} deals "
              f"({sum(p.stat().st_size for p in paths) / 1e6:.0f} MB); load average {os.getloadavg()[0]:.1f}")
        results = {}
        for engine in ("duckdb", "spark"):
            runs = [signals(paths, folder / f"{engine}.json", engine) for _ in range(args.runs)]
            results[engine] = (min(s for s, _ in runs), max(mb for _, mb in runs))
        duck, spark = results["duckdb"], results["spark"]
        print(f"Spark's start (a one-row log):     {start_s:7.2f} s")
        print(f"signals --engine duckdb:           {duck[0]:7.2f} s   peak memory {duck[1]:,.0f} MB")
        print(f"signals --engine spark (local[2]): {spark[0]:7.2f} s   peak memory {spark[1]:,.0f} MB   {spark[0] / duck[0]:.1f}x DuckDB")
        equal = same(*(json.loads((folder / f"{e}.json").read_text(encoding="utf-8")) for e in ("duckdb", "spark")))
        print(f"same signals on both engines: {'yes' if equal else 'NO'}; load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
