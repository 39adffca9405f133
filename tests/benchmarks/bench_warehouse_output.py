"""Benchmark: the findings written into PostgreSQL (`check --engine postgresql://… --output-table NAME`) against
`check --output findings.parquet`, on N generated accounts (default 600,000: some 1.1 million findings).

Generates a canonical export from the playbook's stage profiles (as bench_rules_sql.py does), then
runs, interleaved (so that the machine's load falls on both alike), best of --runs, each in its own
process with its peak resident memory (bench_logs' `timed`; this process only, not the server's):
the Parquet output, the table made (dropped before each run), and the table replaced in place
(`--replace` on last run's table: its rows deleted, the new ones added, one transaction). Checks
the table holds as many rows as the file. The table goes to the schema `playbook_bench_out`,
dropped at the end.

    .venv/bin/python tests/benchmarks/bench_warehouse_output.py postgresql://user:pw@127.0.0.1:5432/postgres [--accounts N] [--runs R]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb
from bench_logs import timed  # a sibling script, not a package

from checker.playbook.model import load_playbook
from checker.sample import sample_csv

AS_OF = date(2026, 10, 31)
SCHEMA = "playbook_bench_out"


def sql(url: str, *statements: str) -> list[tuple]:
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return cursor.fetchall() if cursor.description else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--accounts", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        export, parquet = Path(folder) / "accounts.csv", Path(folder) / "findings.parquet"
        export.write_text(sample_csv(load_playbook(), AS_OF, args.accounts, seed=1, verify=False), encoding="utf-8")
        base = [sys.executable, "-m", "checker", "check", str(export), "--as-of", AS_OF.isoformat(), "--fail-on", "never", "--preset", "canonical"]
        table = [*base, "--engine", args.url, "--output-table", f"{SCHEMA}.findings", "--summary", str(Path(folder) / "summary.json")]
        sql(args.url, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE", f"CREATE SCHEMA {SCHEMA}")
        runs: dict[str, list[tuple[float, float]]] = {"parquet": [], "made": [], "replaced": []}
        try:
            for _ in range(args.runs):
                runs["parquet"].append(timed([*base, "--output", str(parquet)]))
                sql(args.url, f"DROP TABLE IF EXISTS {SCHEMA}.findings")
                runs["made"].append(timed(table))
                runs["replaced"].append(timed([*table, "--replace"]))
            rows = sql(args.url, f"SELECT count(*) FROM {SCHEMA}.findings")[0][0]
            size = sql(args.url, f"SELECT pg_total_relation_size('{SCHEMA}.findings')")[0][0]
        finally:
            sql(args.url, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        (count,) = duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchall()[0]
        if rows != count:
            raise SystemExit(f"the table holds {rows:,} rows, the file {count:,}")
        print(f"{args.accounts:,} accounts, {count:,} findings (best of {args.runs}); the file {parquet.stat().st_size / 1e6:.1f} MB, "
              f"the table {size / 1e6:.0f} MB (with the rows --replace deleted)")
        seconds, memory = min(runs["parquet"])
        labels = {"parquet": "--output findings.parquet", "made": "--output-table (a new table)", "replaced": "--output-table --replace"}
        for key, label in labels.items():
            s, mb = min(runs[key])
            print(f"check {label:30} {s:6.1f} s, peak {mb:5.0f} MB   ({s / seconds:.2f} × the file's time, {mb / memory:.2f} × its memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
