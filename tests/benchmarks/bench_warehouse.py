"""Benchmark: the log signals in PostgreSQL (`--engine postgresql://…`) against the embedded DuckDB (issue 25).

Generates bench_logs.py's canonical exports (default 20,000 accounts, 200,000 activities,
30,000 deals), loads the logs into PostgreSQL as text tables (a schema of their own,
`playbook_bench`, dropped at the end; the load is timed apart, it is not the checker's), then
times `playbook signals --format json` in its own process on the files with `--engine duckdb`
and on the tables with the URL, each one's peak resident memory (this machine's process only:
the server's work is not in it), and prints the ratio. It also checks the two outputs are the
same (the tables' names written as the files'). Also the canonical fixture, the same way.

Needs a PostgreSQL the URL reaches (a user that may create a schema there) and the extra:

    .venv/bin/pip install -e '.[postgres]'
    .venv/bin/python tests/benchmarks/bench_warehouse.py postgresql://user:pw@127.0.0.1:5432/postgres [--activities N] [--runs N]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_logs import AS_OF, generate, timed  # a sibling script, not a package

CANONICAL = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "canonical"


def load(url: str, tables: dict[str, Path]) -> float:
    """The CSV files as text tables of the schema playbook_bench; the seconds it took."""
    import adbc_driver_postgresql.dbapi

    start = time.perf_counter()
    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS playbook_bench CASCADE")
        cursor.execute("CREATE SCHEMA playbook_bench")
        for table, source in tables.items():
            arrow = duckdb.sql(f"SELECT * FROM read_csv('{source}', header=true, all_varchar=true)").to_arrow_table()
            cursor.adbc_ingest(table, arrow, mode="create", db_schema_name="playbook_bench")
            cursor.execute(f"ANALYZE playbook_bench.{table}")
    return time.perf_counter() - start


def drop(url: str) -> None:
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS playbook_bench CASCADE")


def compare(url: str, accounts: Path, activities: Path, deals: Path, folder: Path, runs: int, preset: str) -> tuple[float, float, float, float]:
    """(DuckDB seconds, its peak MB, PostgreSQL seconds, its peak MB): the best of `runs`; the outputs must agree."""
    common = ["signals", str(accounts), "--format", "json", "--as-of", AS_OF, "--preset", preset]
    duck_out, pg_out = folder / "duck.json", folder / "pg.json"
    duck = min(timed([sys.executable, "-m", "checker", *common, "--activities", str(activities), "--deals", str(deals), "--output", str(duck_out)])
               for _ in range(runs))
    pg = min(timed([sys.executable, "-m", "checker", *common, "--engine", url, "--activities-table", "playbook_bench.activities",
                    "--deals-table", "playbook_bench.deals", "--output", str(pg_out)]) for _ in range(runs))
    named = pg_out.read_text(encoding="utf-8").replace("playbook_bench.activities", activities.name).replace("playbook_bench.deals", deals.name)
    if json.loads(named) != json.loads(duck_out.read_text(encoding="utf-8")):
        raise SystemExit("the PostgreSQL signals differ from DuckDB's")
    return duck[0], duck[1], pg[0], pg[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="postgresql://user:pw@host:port/database")
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--deals", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="playbook-bench-warehouse-") as work:
        folder = Path(work)
        try:
            seconds = load(args.url, {"activities": CANONICAL / "activities.csv", "deals": CANONICAL / "deals.csv"})
            duck_s, duck_mb, pg_s, pg_mb = compare(args.url, CANONICAL / "accounts.csv", CANONICAL / "activities.csv", CANONICAL / "deals.csv", folder, args.runs, "canonical")
            print(f"canonical fixture (7 accounts, 117 activities, 19 deals; load {seconds:.1f} s): duckdb {duck_s:.2f} s ({duck_mb:.0f} MB), "
                  f"postgresql {pg_s:.2f} s ({pg_mb:.0f} MB): {pg_s / duck_s:.1f} × DuckDB")
            accounts, activities, deals = generate(folder, args.accounts, args.activities, args.deals)
            seconds = load(args.url, {"activities": activities, "deals": deals})
            duck_s, duck_mb, pg_s, pg_mb = compare(args.url, accounts, activities, deals, folder, args.runs, "canonical")
            print(f"generated ({args.accounts:,} accounts, {args.activities:,} activities, {args.deals:,} deals; load {seconds:.1f} s): "
                  f"duckdb {duck_s:.2f} s ({duck_mb:.0f} MB), postgresql {pg_s:.2f} s ({pg_mb:.0f} MB): {pg_s / duck_s:.1f} × DuckDB; the same signals")
        finally:
            drop(args.url)


if __name__ == "__main__":
    main()
