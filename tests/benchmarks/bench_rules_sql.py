"""Benchmark: the findings computed by the rules as SQL (DuckDB) against the numpy evaluator, and
`check --output findings.parquet` against `check --format json`, on N accounts (default 100,000).

Generates a canonical export from the playbook's stage profiles (as bench_check.py does), reads
it once, then times in this process (best of --runs): (a) the numpy evaluator
(`Evaluator.evaluate`), (b) the same findings in SQL (`checker.engines.findings.sql_check`: the
columns handed to DuckDB, the per-account table, the findings' view) written to Parquet, and
(c) the same SQL counted into the summary instead. Then both commands in fresh processes, with their peak memory
(bench_logs' `timed`), and the size of what each writes. Prints the ratios.

    .venv/bin/python tests/benchmarks/bench_rules_sql.py [--accounts N] [--runs R]
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_logs import timed  # the same process timing as the log benchmark

from checker.check import Inputs, read_signals
from checker.engines.findings import sql_check
from checker.evaluate import Evaluator
from checker.playbook.model import load_playbook
from checker.sample import sample_csv

AS_OF = date(2026, 10, 31)


def best_of(runs: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    playbook = load_playbook()
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "accounts.csv"
        export.write_text(sample_csv(playbook, AS_OF, args.accounts, seed=1, verify=False), encoding="utf-8")
        gc.collect()
        # The commands first, while this process is small: a child's peak memory counts the pages
        # it shares with this process when it is started (before it runs the command).
        json_out, parquet = Path(folder) / "report.json", Path(folder) / "findings.parquet"
        base = [sys.executable, "-m", "checker", "check", str(export), "--as-of", AS_OF.isoformat(), "--fail-on", "never", "--preset", "canonical"]
        runs: dict[str, list[tuple[float, float]]] = {"json": [], "parquet": []}
        for _ in range(args.runs):  # interleaved, so that the machine's load falls on both alike
            runs["json"].append(timed([*base, "--format", "json", "--output", str(json_out)]))
            runs["parquet"].append(timed([*base, "--output", str(parquet)]))
        (js, jm), (ps, pm) = min(runs["json"]), min(runs["parquet"])
        table, _ = read_signals(Inputs(export), playbook, AS_OF, "en")
        numpy_s, evaluation = best_of(args.runs, lambda: Evaluator(playbook, AS_OF, "en", "http://h").evaluate(table))
        # The findings are a view: computed as the COPY reads them, so the two are timed together.
        sql_s, _ = best_of(args.runs, lambda: sql_check(table, playbook, AS_OF, "en").write_parquet(parquet))
        counted_s, _ = best_of(args.runs, lambda: sql_check(table, playbook, AS_OF, "en").summary())
        findings = sum(len(f) for f in evaluation.findings)
        print(f"{args.accounts:,} accounts, {findings:,} findings")
        print(f"numpy evaluator:              {numpy_s:6.2f} s")
        print(f"rules as SQL to Parquet:      {sql_s:6.2f} s   {sql_s / numpy_s:.2f} × the evaluator ({parquet.stat().st_size / 1e6:.1f} MB)")
        print(f"rules as SQL, summary only:   {counted_s:6.2f} s   {counted_s / numpy_s:.2f} × the evaluator")
        print(f"check --format json:          {js:6.2f} s, peak {jm:5.0f} MB, report {json_out.stat().st_size / 1e6:.1f} MB")
        print(f"check --output .parquet:      {ps:6.2f} s, peak {pm:5.0f} MB, findings {parquet.stat().st_size / 1e6:.1f} MB"
              f"   ({ps / js:.2f} × the time, {pm / jm:.2f} × the memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
