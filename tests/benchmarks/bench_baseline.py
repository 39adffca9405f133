"""Benchmark: the weekly run (`--baseline` last week's report, `--waivers`) against the same
check without them.

Generates 100,000 accounts (the playbook's own stage profiles, as bench_check.py), writes last
week's JSON report of them (with its index, as every `--format json --output` run does), then
times, in fresh processes side by side, (a) `check --format json --output` and (b) the same
with `--baseline` last week's report and a waivers file, and reports the peak memory of each.
Targets (issue 23): (b) ≤ 1.5 × the time and ≤ 2 × the memory of (a). It also times (c) the
same as (b) with the report's index removed (a report from before the index, or copied without
its dates: read line by line).

    .venv/bin/python tests/benchmarks/bench_baseline.py [--accounts N] [--runs R]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench_logs import timed  # the same process timing as the log benchmark

from checker.playbook.model import load_playbook
from checker.sample import sample_csv

LAST_WEEK, THIS_WEEK = date(2026, 10, 24), date(2026, 10, 31)


def best(runs: int, command: list[str], before=lambda: None) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        before()
        results.append(timed(command))
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        export, last, report = root / "accounts.csv", root / "last.json", root / "report.json"
        export.write_text(sample_csv(load_playbook(), THIS_WEEK, args.accounts, seed=1, verify=False), encoding="utf-8")
        waivers = root / "waivers.yaml"
        waivers.write_text("waivers:\n  - account: ACC-00007\n    kind: stage-mismatch\n    reason: benchmark\n    by: bench\n    until: 2027-03-31\n", encoding="utf-8")
        check = [sys.executable, "-m", "checker", "check", str(export), "--format", "json", "--fail-on", "never"]
        timed([*check, "--as-of", LAST_WEEK.isoformat(), "--output", str(last)])
        index = last.with_name(last.name + ".idx")
        print(f"{args.accounts:,} accounts; last week's report {last.stat().st_size / 1e6:.0f} MB, its index {index.stat().st_size / 1e6:.1f} MB")

        def remove_report() -> None:
            report.unlink(missing_ok=True)

        this_week = [*check, "--as-of", THIS_WEEK.isoformat(), "--output", str(report)]
        plain = best(args.runs, this_week, remove_report)
        weekly = best(args.runs, [*this_week, "--baseline", str(last), "--waivers", str(waivers)], remove_report)
        index.unlink()
        lines = best(args.runs, [*this_week, "--baseline", str(last), "--waivers", str(waivers)], remove_report)
        print(f"check → JSON:                            {plain[0]:6.2f} s  {plain[1]:6.0f} MB")
        print(f"  with --baseline and --waivers (index): {weekly[0]:6.2f} s  {weekly[1]:6.0f} MB   "
              f"{weekly[0] / plain[0]:.2f}× the time (target ≤ 1.5×), {weekly[1] / plain[1]:.2f}× the memory (target ≤ 2×)")
        print(f"  the same, no index (line by line):     {lines[0]:6.2f} s  {lines[1]:6.0f} MB   "
              f"{lines[0] / plain[0]:.2f}× the time, {lines[1] / plain[1]:.2f}× the memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
