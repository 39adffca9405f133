"""Benchmark: a full `playbook check --format json` against merely parsing the same file.

Generates a canonical export of N accounts (default 100,000) from the playbook's own
stage profiles, then times, in the same run, (a) reading it with Python's csv module and
(b) the whole check to JSON, and prints the ratio. Target: at most 8×.

    .venv/bin/python tests/benchmarks/bench_check.py [--accounts N]
"""
from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from checker.model import load_playbook
from checker.sample import sample_csv

AS_OF = date(2026, 10, 31)


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "accounts.csv"
        report = Path(folder) / "report.json"
        start = time.perf_counter()
        export.write_text(sample_csv(load_playbook(), AS_OF, args.accounts, seed=1, verify=False), encoding="utf-8")
        print(f"generated {args.accounts:,} accounts ({export.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")

        def parse() -> None:
            with export.open(encoding="utf-8", newline="") as f:
                for _ in csv.reader(f):
                    pass

        def check() -> None:
            done = subprocess.run([sys.executable, "-m", "checker", "check", str(export), "--format", "json",
                                   "--output", str(report), "--as-of", AS_OF.isoformat(), "--fail-on", "never"],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr)

        parse_s = best_of(args.runs, parse)
        check_s = best_of(args.runs, check)
        print(f"csv.reader only:        {parse_s:8.2f} s")
        print(f"check --format json:    {check_s:8.2f} s  (includes interpreter start and loading the playbooks)")
        print(f"ratio: {check_s / parse_s:.1f}x (target: at most 8x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
