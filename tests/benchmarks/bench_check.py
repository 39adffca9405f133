"""Benchmark: a full `playbook check --format json` against merely parsing the same file.

Generates a canonical export of N accounts (default 100,000) from the playbook's own
stage profiles, then times, in the same run, (a) reading it with Python's csv module and
(b) the whole check to JSON, and prints the ratio. Target: at most 5× (issue 23; it was 8×).

Both are timed twice: inside this process (the check after a first run, so like the csv
pass it runs in an interpreter that is up), and as commands in fresh processes
(interpreter start included; for the check also imports and loading the playbooks: what
ops wait for). The report file is removed before each run, so that no run pays for
deleting the last one.

    .venv/bin/python tests/benchmarks/bench_check.py [--accounts N]
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from checker import cli
from checker.playbook.model import load_playbook
from checker.sample import sample_csv

AS_OF = date(2026, 10, 31)


def best_of(runs: int, fn, before=lambda: None) -> float:
    times = []
    for _ in range(runs):
        before()  # untimed
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu_of(runs: int, fn, before=lambda: None) -> float:
    """The least processor time of `runs` runs in this process (all threads: DuckDB's too). On a
    shared machine it moves less than the wall time, which waits for the neighbours."""
    times = []
    for _ in range(runs):
        before()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
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

        command = ["check", str(export), "--format", "json", "--output", str(report), "--as-of", AS_OF.isoformat(), "--fail-on", "never"]

        def fresh() -> None:
            done = subprocess.run([sys.executable, "-m", "checker", *command], capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr)

        def in_process() -> None:
            with contextlib.redirect_stderr(io.StringIO()):
                if cli.main(command) != 0:
                    raise SystemExit("check failed")

        def parse_command() -> None:  # the same pass as a command: interpreter start included, like the check's
            script = "import csv, sys\nwith open(sys.argv[1], encoding='utf-8', newline='') as f:\n    for _ in csv.reader(f): pass"
            subprocess.run([sys.executable, "-c", script, str(export)], check=True)

        parse_s = best_of(args.runs, parse)
        parse_command_s = best_of(args.runs, parse_command)
        def remove_report() -> None:
            report.unlink(missing_ok=True)

        fresh_s = best_of(args.runs, fresh, remove_report)
        in_process()  # the first run in this process imports what a check needs
        inside_s = best_of(args.runs, in_process, remove_report)
        parse_cpu, inside_cpu = cpu_of(args.runs, parse), cpu_of(args.runs, in_process, remove_report)
        print(f"load average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"report: {report.stat().st_size / 1e6:.0f} MB")
        print(f"csv.reader only, in process:     {parse_s:8.2f} s")
        print(f"csv.reader only, command:        {parse_command_s:8.2f} s")
        print(f"check --format json, in process: {inside_s:8.2f} s  ratio {inside_s / parse_s:5.1f}x (target: at most 5x, issue 23)")
        print(f"check --format json, command:    {fresh_s:8.2f} s  ratio {fresh_s / parse_command_s:5.1f}x to the csv command "
              f"({fresh_s / parse_s:.1f}x to the csv pass in process)")
        print(f"processor time in process: check {inside_cpu:.2f} s (DuckDB's threads included), csv.reader {parse_cpu:.2f} s: ratio {inside_cpu / parse_cpu:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
