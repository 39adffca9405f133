"""The PostgreSQL warehouse engine (`--engine postgresql://…`, checker/engines/warehouse.py) against the embedded DuckDB.

A throwaway PostgreSQL cluster for the whole test session (initdb and pg_ctl in a temp folder,
a free port on 127.0.0.1, password authentication; as root, run as the `postgres` user). Its
default collation is ICU's Finnish, where `a` < `B` and `Å` < `Ä` sort as Finns sort them: the
engine must still compare and order by code point, as DuckDB does. Skipped with the reason when
PostgreSQL or the `[postgres]` extra is missing, unless REQUIRE_POSTGRES=1 (CI: .ci/run installs
both), which makes them fail instead.

Differential: the CRM fixtures' logs loaded as PostgreSQL tables, every column text or typed as
DuckDB infers them, give `signals --format json` and `check --format json` byte for byte as the
files give on DuckDB. Targeted: dates, NULLs and empty cells, the order of texts, regular
expressions (RE2 in DuckDB, Tcl's in PostgreSQL) — each engine method run on both engines.
Bad input: one message naming the engine (password masked), the table and the column; exit 2.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

from checker.cli import main
from checker.engines.choose import engine_problem
from checker.inputs.engine import DuckEngine, EngineError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
PASSWORD = "s3cret-pw"
#: The CRM fixtures run in PostgreSQL besides the canonical one (test_transpile.py translates every statement of all of them).
REPRESENTATIVE = {
    "hubspot-fi": "Finnish subjects matched by lemma (\\p{L} words, flatten(list(…)), ordered string_agg)",
    "pipedrive": "deals in several currencies (the sorted list of currencies), amounts with commas",
    "zoho": "three activity files and a contacts export linking activities by contact, named dates ('06 Oct, 2026')",
    "dynamics": "activities naming the account by its name, not its id (the lookup by name)",
}


def _binaries() -> Path | None:
    """PostgreSQL's server programs (Debian keeps them out of the PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def need_postgres() -> None:
    """Skip the test where PostgreSQL or the extra is missing, unless REQUIRE_POSTGRES=1 (CI), where that fails it."""
    problem = engine_problem("postgresql://localhost/postgres")
    reason = str(problem) if problem else None
    if reason is None and _binaries() is None:
        reason = "no PostgreSQL server programs (initdb, pg_ctl): apt-get install postgresql"
    if reason is None and os.geteuid() == 0:
        try:
            subprocess.run(["runuser", "-u", "postgres", "--", "true"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            reason = "running as root without a postgres user to run the server as"
    if reason is not None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"no PostgreSQL: {reason}")


def _as_server(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL (ICU Finnish collation, password authentication) for the test session."""
    need_postgres()
    bin_dir = _binaries()
    assert bin_dir is not None
    work = Path(tempfile.mkdtemp(prefix="playbook-pg-tests-"))
    data = work / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://playbook:{PASSWORD}@127.0.0.1:{port}/postgres"
    try:
        (work / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(work, "postgres")
            shutil.chown(work / "pw", "postgres")
        subprocess.run(_as_server(str(bin_dir / "initdb"), "-D", str(data), "-U", "playbook", f"--pwfile={work / 'pw'}", "--auth=scram-sha-256",
                                  "-E", "UTF8", "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=fi"),
                       check=True, capture_output=True)
        subprocess.run(_as_server(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(work / "server.log"), "-w", "-o",
                                  f"-p {port} -k {work} -c listen_addresses=127.0.0.1 -c fsync=off", "start"),
                       check=True, capture_output=True)
        yield url
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_server(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"), capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def _sql(url: str, *statements: str) -> None:
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _load(url: str, schema: str, table: str, source: Path, typed: bool) -> str:
    """A CSV file as the table `schema.table`: every column text, or typed as DuckDB infers it (dates, numbers, booleans)."""
    import adbc_driver_postgresql.dbapi

    options = "" if typed else ", all_varchar=true"
    arrow = duckdb.sql(f"SELECT * FROM read_csv('{source}', header=true, quote='\"', escape='\"'{options})").to_arrow_table()
    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        cursor.execute(f"DROP TABLE IF EXISTS {schema}.{table}")
        cursor.adbc_ingest(table, arrow, mode="create", db_schema_name=schema)
    return f"{schema}.{table}"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _fixture(url: str, name: str, typed: bool) -> tuple[list[str], list[str], dict[str, str]]:
    """The fixture's arguments on files (DuckDB) and with its logs as tables (PostgreSQL), and each table's file name."""
    spec = yaml.safe_load((FIXTURES / name / "expected.yaml").read_text(encoding="utf-8"))
    folder, args = FIXTURES / name, spec["args"]
    files, tables, names = [], [], {}
    schema = f"{name.replace('-', '_')}_{'typed' if typed else 'text'}"
    i = 0
    while i < len(args):
        if args[i] in ("--activities", "--deals", "--contacts"):
            source = folder / args[i + 1]
            table = _load(url, schema, f"{args[i][2:]}_{source.stem.lower().replace('-', '_')}", source, typed)
            files += [args[i], str(source)]
            tables += [f"{args[i]}-table", table]
            names[table] = source.name
            i += 2
        else:
            value = str(folder / args[i]) if (folder / args[i]).exists() else args[i]
            files.append(value)
            tables.append(value)
            i += 1
    return [*files, "--as-of", str(spec["as_of"])], [*tables, "--as-of", str(spec["as_of"])], names


def _both(capsys, tmp_path: Path, command: str, on_files: list[str], on_tables: list[str], url: str, names: dict[str, str]) -> tuple[str, str]:
    """The JSON of `command` on the files (DuckDB) and on the tables (PostgreSQL), the tables' names written as the files'."""
    outputs = []
    for engine, args in (("duckdb", on_files), (url, on_tables)):
        target = tmp_path / f"{command}-{'pg' if '://' in engine else 'duck'}.json"
        extra = ["--fail-on", "never"] if command == "check" else []
        code, _, err = _run(capsys, command, *args, "--format", "json", "--output", str(target), "--engine", engine, *extra)
        assert code == 0, err
        assert PASSWORD not in err
        text = target.read_text(encoding="utf-8")
        for table, file in sorted(names.items(), key=lambda n: -len(n[0])):
            text = text.replace(table, file)
        outputs.append(text)
    return outputs[0], outputs[1]


# --- the same signals and findings ------------------------------------------------------------

@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
def test_the_canonical_fixture_gives_the_same_signals_and_findings_in_postgres(postgres, capsys, tmp_path, typed):
    on_files, on_tables, names = _fixture(postgres, "canonical", typed)
    for command in ("signals", "check"):
        duck, pg = _both(capsys, tmp_path, command, on_files, on_tables, postgres, names)
        assert pg == duck
    assert json.loads(duck)["summary"]["findings"] > 5


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
@pytest.mark.parametrize("name", sorted(REPRESENTATIVE))
def test_a_crm_fixture_gives_the_same_signals_and_findings_in_postgres(postgres, capsys, tmp_path, name, typed):
    on_files, on_tables, names = _fixture(postgres, name, typed)
    for command in ("signals", "check"):
        duck, pg = _both(capsys, tmp_path, command, on_files, on_tables, postgres, names)
        assert pg == duck


def test_the_accounts_as_a_postgres_table_give_the_findings_of_the_file(postgres, capsys, tmp_path):
    """The account table typed (numbers, booleans), collected through Arrow into a Parquet file: the same report."""
    on_files, on_tables, names = _fixture(postgres, "canonical", typed=False)
    accounts = _load(postgres, "canonical_accounts", "accounts", FIXTURES / "canonical" / "accounts.csv", typed=True)
    names[accounts] = "accounts.csv"
    duck, pg = _both(capsys, tmp_path, "check", on_files, ["--accounts-table", accounts, *on_tables[1:]], postgres, names)
    assert pg == duck


def test_tables_named_as_the_pipelines_own_views_are_the_users(postgres, capsys, tmp_path):
    """`--activities-table activities` in the default schema: the pipeline makes temp views named `activities` and `deals` too;
    a name without a schema is still the user's table (and a mixed-case name quoted as PostgreSQL reads it)."""
    on_files, _, _ = _fixture(postgres, "canonical", typed=False)
    _load(postgres, "public", "activities", CANONICAL / "activities.csv", False)
    _load(postgres, "public", "Deals", CANONICAL / "deals.csv", False)
    on_tables = [on_files[0], "--preset", "canonical", "--activities-table", "activities", "--deals-table", '"Deals"', *on_files[-2:]]
    for command in ("signals", "check"):
        duck, pg = _both(capsys, tmp_path, command, on_files, on_tables, postgres, {})
        assert pg == duck.replace('"activities.csv"', '"activities"').replace('"deals.csv"', '"\\"Deals\\""')
    from checker.engines.warehouse import WarehouseEngine

    engine = WarehouseEngine.connect(postgres)  # the session's own view of that name exists when the table is read: still the user's
    try:
        engine.run("CREATE VIEW activities AS SELECT 1 AS x")
        assert engine.table_header("activities")[:3] == ["account_id", "date", "type"] and engine.rows("SELECT * FROM activities") == [(1,)]
    finally:
        engine.close()


def test_a_generated_set_gives_the_same_signals_and_findings(postgres, capsys, tmp_path):
    """2,000 accounts, 20,000 activities, 3,000 deals (test_spark.py's generator): bad dates, unknown accounts, NULL amounts."""
    from tests.engines.test_spark import _close, _generate

    args = _generate(tmp_path, 2_000, 20_000, 3_000)
    names = {_load(postgres, "generated", "activities", Path(args[2]), False): "activities.csv",
             _load(postgres, "generated", "deals", Path(args[4]), False): "deals.csv"}
    on_tables = [args[0], "--activities-table", "generated.activities", "--deals-table", "generated.deals", *args[5:]]
    for command in ("signals", "check"):
        duck, pg = _both(capsys, tmp_path, command, args, on_tables, postgres, names)
        assert _close(json.loads(pg), json.loads(duck))
    assert sum(len(a["findings"]) for a in json.loads(duck)["accounts"]) > 100


def _relations(url: str) -> set[tuple[str, str, str]]:
    """Every table, view, function and aggregate outside PostgreSQL's own schemas and the sessions' temporary ones."""
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname::text, c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
                       "UNION ALL SELECT n.nspname::text, p.proname::text, p.prokind::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                       "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'")
        return set(cursor.fetchall())


def test_nothing_is_written_outside_the_sessions_temporary_schema_and_the_findings_file_is_the_same(postgres, capsys, tmp_path):
    """`check --output findings.parquet` on the warehouse's logs: the rules run here on the signals that came back; the warehouse
    holds afterwards exactly the tables it held before (the pipeline's tables, views and functions were the session's, gone with it)."""
    import pyarrow.parquet as pq

    on_files, on_tables, _ = _fixture(postgres, "canonical", typed=False)
    before = _relations(postgres)
    assert ("canonical_text", "activities_activities", "r") in before
    rows = []
    for engine, args in (("duckdb", on_files), (postgres, on_tables)):
        target = tmp_path / f"findings-{'pg' if '://' in engine else 'duck'}.parquet"
        code, _, err = _run(capsys, "check", *args, "--output", str(target), "--engine", engine, "--fail-on", "never")
        assert code == 0, err
        rows.append(sorted(map(repr, pq.read_table(target).to_pylist())))
    assert rows[1] == rows[0] and len(rows[0]) > 5
    assert _relations(postgres) == before


# --- where engines differ by nature: each method on both engines ----------------------------

@pytest.fixture
def both(postgres, tmp_path):
    from checker.engines.warehouse import WarehouseEngine

    duck, pg = DuckEngine(tmp_path), WarehouseEngine.connect(postgres)
    yield duck, pg
    duck.close()
    pg.close()


def _same(both, sql: str) -> list[tuple]:
    duck, pg = both
    expected = duck.rows(sql)
    assert pg.rows(sql) == expected, sql
    return expected


def test_dates_are_read_as_duckdb_reads_them(both):
    texts = ["2026-10-31", " 2026-10-31 ", "2026-1-5", "2026/10/31", "2026-10-31T23:30:00-05:00", "2026-10-31 23:30", "2026-10-31T00:30:00+03:00",
             "2026-02-30", "2024-02-29", "2025-02-29", "2026-13-01", "31.10.2026", "2026.10.31", "2026-10/31", "20261031", "2026-10-31 x", "+2026-10-31",
             "2026 10 31", "2026-10-31T10:00:00Z", "2026-10-31 10:00:00.123+02:00", "2026-10-31 10:00:00 UTC", "2026-10-31 10:00:00 Europe/Helsinki",
             "", "  ", None]
    for engine in both:
        engine.table("t", {"s": texts}, {"s": "VARCHAR"})
    rows = _same(both, "SELECT s, TRY_CAST(s AS DATE) AS d FROM t ORDER BY s")
    assert ("2026-02-30", None) in rows and ("2026/10/31", date(2026, 10, 31)) in rows
    for pattern, extra in (("%d.%m.%Y", ["1.2.2026", " 01.02.2026 ", "31.2.2026", "1.2.2026x"]), ("%d %b %Y", ["16 Apr 2021", "16 apr 2021", "16 APRIL 2021", "6  Apr 2021"]),
                           ("%m/%d/%Y", ["2/3/2026", "02/03/2026", "13/1/2026"]), ("%d.%m.%Y %H:%M", ["1.2.2026 10:30", "1.2.2026 1:3", "1.2.2026 25:00"])):
        for engine in both:
            engine.table("p", {"s": [*extra, None]}, {"s": "VARCHAR"})
        _same(both, f"SELECT s, try_strptime(s, '{pattern}')::DATE FROM p ORDER BY s")
    _same(both, "SELECT count(*) FILTER (WHERE TRY_CAST(s AS DATE) > '2026-10-30'::DATE - INTERVAL 1 DAY), max(TRY_CAST(s AS DATE)) FROM t")
    duck, pg = both
    got = pg.arrays("SELECT max(TRY_CAST(s AS DATE)) AS d, min(TRY_CAST(s AS DATE)) FILTER (WHERE s IS NULL) AS none, count(*) AS n FROM t")
    expected = duck.arrays("SELECT max(TRY_CAST(s AS DATE)) AS d, min(TRY_CAST(s AS DATE)) FILTER (WHERE s IS NULL) AS none, count(*) AS n FROM t")
    assert list(got) == list(expected) == ["d", "none", "n"]
    assert got["d"].astype("datetime64[D]")[0] == expected["d"].astype("datetime64[D]")[0]
    assert np.ma.getmaskarray(got["none"])[0] and int(got["n"][0]) == len(texts)  # unknown, never day 0


def test_typed_columns_are_read_as_their_text_and_times_as_their_day_in_utc(postgres, both):
    _sql(postgres, "CREATE SCHEMA IF NOT EXISTS typed",
         "DROP TABLE IF EXISTS typed.cells",
         "CREATE TABLE typed.cells (d date, ts timestamp, tz timestamptz, n numeric(10,2), f float8, b boolean, i int, t text)",
         "INSERT INTO typed.cells VALUES ('2026-10-31', '2026-10-31 23:59', '2026-10-31 23:30:00-05', 1200.50, 0.25, true, 7, ' x '), "
         "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '')")
    _, pg = both
    assert pg.table_header("typed.cells") == ["d", "ts", "tz", "n", "f", "b", "i", "t"]
    pg.read_table("cells", "typed.cells", list(range(8)))
    assert pg.rows("SELECT * FROM cells ORDER BY c0") == [("2026-10-31", "2026-10-31", "2026-11-01", "1200.50", "0.25", "true", "7", " x "), (None,) * 7 + ("",)]


def test_nulls_stay_unknown_and_empty_cells_are_read_alike(both):
    for engine in both:
        engine.table("log", {"id": [f"A{i:02}" for i in range(16)],
                             "amount": ["", "12.5", " ", None, " +.5 ", "1.", "-1.5e-3", "1E5", "Inf", "-infinity", "1e400", "-1e400", "1e-400", "1..2", "e5", "1 000"],
                             "note": ['""', "x", None, "1e3", "0x1A", "12e", "1,5", "5.", "", "nan?", " 7 ", "-0", "+3", ".", "1e", "١٢"]},
                     {"id": "VARCHAR", "amount": "VARCHAR", "note": "VARCHAR"})
    _same(both, "SELECT id, amount IS NULL, nullif(trim(amount), '') IS NULL, TRY_CAST(amount AS DOUBLE), TRY_CAST(note AS DOUBLE) FROM log ORDER BY id")
    _same(both, "SELECT sum(TRY_CAST(amount AS DOUBLE)), count(TRY_CAST(amount AS DOUBLE)), max(amount), count(*) FILTER (WHERE amount = '12.5') / nullif(count(*) FILTER (WHERE false), 0) FROM log WHERE id < 'A08'")  # finite: inf - inf is NaN, never equal
    _same(both, "SELECT id, coalesce(amount, '?') || '|' || coalesce(note, '?'), amount IS DISTINCT FROM note FROM log ORDER BY id")


def test_texts_are_ordered_by_code_point_whatever_the_database_collation(both):
    """The test cluster sorts as Finnish by default (a < B, Å < Ä): the engine's text still sorts as DuckDB's, by code point."""
    names = ["Öljy Oy", "oy", "Åland", "Z-Tuote", "ääni", "Älä", "a", "B", "É", "_x", "10", "9", None]
    for engine in both:
        engine.table("t", {"name": names, "n": list(range(len(names)))}, {"name": "VARCHAR", "n": "BIGINT"})
    rows = _same(both, "SELECT name FROM t ORDER BY 1")
    assert rows.index(("B",)) < rows.index(("a",)) and rows.index(("Älä",)) < rows.index(("Åland",))  # code point order: Ä (C4) < Å (C5)
    _same(both, "SELECT min(name), max(name), count(*) FILTER (WHERE name < 'a') FROM t")
    _same(both, "SELECT lower(name), upper(name) FROM t ORDER BY 1")  # Unicode case mapping: ÖLJY → öljy
    _same(both, "SELECT string_agg(DISTINCT name, ',' ORDER BY name) FROM t")
    _same(both, "SELECT lower(name) AS l, count(*) FROM t GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5")


def test_regular_expressions_match_alike_in_re2_and_postgres(both):
    texts = ["Hinnat 2027: korotus!", "reklamaatio – toimitus", "000000000000000AAA", "000000000000000AAA\n", "a\nb", "Price  list", "ÄÖ-å", "tab\there", "", "  ", None]
    for engine in both:
        engine.table("t", {"s": texts}, {"s": "VARCHAR"})
    _same(both, "SELECT s, regexp_full_match(s, '0{15}(AAA)?|0{18}'), regexp_full_match(s, ' *') FROM t ORDER BY s")  # a final line break is no match
    _same(both, "SELECT s, trim(regexp_replace(lower(s), '[^[:alnum:]]+', ' ', 'g')) FROM t ORDER BY s")  # POSIX classes: ASCII in RE2
    _same(both, "SELECT s, regexp_matches(lower(s), 'price\\s+list|reklamaatio|^a$'), regexp_matches(s, 'a.b') FROM t ORDER BY s")
    _same(both, r"SELECT s, regexp_extract_all(lower(s), '\p{L}+') FROM t ORDER BY s")  # Unicode letters: the Finnish words
    _same(both, r"SELECT s, regexp_extract(s, '^\s*(\d{4})', 1), regexp_extract(s, '[[:upper:]]+'), regexp_replace(s, '\s', '_', 'g') FROM t ORDER BY s")
    _same(both, "SELECT s, ['one', 'two', NULL][list_position(['hinnat 2027: korotus!', 'a\nb', 'x'], lower(s))] FROM t ORDER BY s")


def test_a_rebuilt_table_replaces_itself_and_views_read_the_tables(both):
    for engine in both:
        engine.table("t", {"k": ["a", "b", "c"], "v": [1, 2, 3]}, {"k": "VARCHAR", "v": "BIGINT"})
        engine.run("CREATE OR REPLACE TEMP TABLE t AS SELECT * EXCLUDE (v), v * 10 AS v FROM t WHERE k <> 'b'")
        engine.run("CREATE VIEW w AS SELECT k, any_value(v) AS v, arg_min(k, v) AS first FROM t GROUP BY k")
    _same(both, "SELECT * FROM w ORDER BY k")
    for engine in both:
        engine.run("DROP VIEW IF EXISTS w")
        engine.run("DROP TABLE t")
    with pytest.raises(EngineError, match="postgresql://playbook:\\*\\*\\*@"):
        both[1].rows("SELECT * FROM t")


# --- bad input: one message naming the engine, table and column; exit 2 -----------------------

CANONICAL = FIXTURES / "canonical"


def _signals(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    return _run(capsys, "signals", str(CANONICAL / "accounts.csv"), "--preset", "canonical", "--as-of", "2026-10-31", "--engine", url, *extra)


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and PASSWORD not in err, err
    return err


def test_a_wrong_password_an_unreachable_server_and_a_missing_table_are_one_message(postgres, capsys):
    activities = _load(postgres, "bad", "activities", CANONICAL / "activities.csv", False)
    wrong = postgres.replace(PASSWORD, "not-it")
    err = _one_line(*_signals(capsys, wrong, "--activities-table", activities))
    assert "password authentication failed" in err and "postgresql://playbook:***@127.0.0.1" in err and "not-it" not in err
    closed = postgres.rsplit(":", 1)[0] + ":1/postgres"  # a port nothing listens on
    err = _one_line(*_signals(capsys, closed, "--activities-table", activities))
    assert "could not connect to postgresql://playbook:***@127.0.0.1:1/postgres" in err and "refused" in err
    err = _one_line(*_signals(capsys, postgres, "--activities-table", "bad.no_such_table"))
    assert "--activities-table bad.no_such_table: the postgresql://playbook:***@" in err and "has no such table" in err


def test_a_table_without_an_account_column_is_named_with_its_columns(postgres, capsys):
    _sql(postgres, "CREATE SCHEMA IF NOT EXISTS bad", "DROP TABLE IF EXISTS bad.no_account", 'CREATE TABLE bad.no_account ("Kind" text, "Notes" text)')
    err = _one_line(*_signals(capsys, postgres, "--activities-table", "bad.no_account"))
    assert "--activities-table bad.no_account (the postgresql://playbook:***@" in err and "no column for account_id, date" in err and "Kind" in err


def test_the_password_may_come_from_pgpassword(postgres, capsys, monkeypatch, tmp_path):
    activities = _load(postgres, "bad", "activities", CANONICAL / "activities.csv", False)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    code, _, err = _signals(capsys, postgres.replace(f":{PASSWORD}@", "@"), "--activities-table", activities, "--output", str(tmp_path / "s.csv"))
    assert code == 0, err
    assert "117 rows read, 117 used" in err and PASSWORD not in err


def test_what_the_warehouse_refuses_is_one_message(postgres, capsys):
    """A user who may not make temporary tables (the pipeline makes nothing else): PostgreSQL's words, the engine named."""
    activities = _load(postgres, "bad", "activities", CANONICAL / "activities.csv", False)
    _sql(postgres, "DROP DATABASE IF EXISTS notemp", "DROP ROLE IF EXISTS reader", f"CREATE ROLE reader LOGIN PASSWORD '{PASSWORD}'",
         "CREATE DATABASE notemp", "REVOKE TEMPORARY ON DATABASE notemp FROM PUBLIC")
    reader = postgres.replace("playbook:", "reader:").rsplit("/", 1)[0] + "/notemp"
    err = _one_line(*_signals(capsys, reader, "--activities-table", activities))
    assert "postgresql://reader:***@" in err and "permission denied to create temporary tables" in err


def test_log_files_with_a_warehouse_are_refused_in_one_line(capsys):
    """No server needed: refused before any connection (other warehouses and a missing extra: test_choose.py)."""
    url = f"postgresql://me:{PASSWORD}@db.example:5432/crm"
    err = _one_line(*_signals(capsys, url, "--activities", str(CANONICAL / "activities.csv")))
    if "not installed" not in err:  # without the extra, that is said first
        assert "activities.csv: --engine postgresql://me:***@db.example:5432/crm reads the logs from the warehouse's own tables" in err
        assert "--activities-table NAME" in err


def test_no_traceback_when_the_server_goes_away_in_a_subprocess(postgres, tmp_path):
    """The whole program in its own process: an address nothing listens on, exit 2, one line on stderr."""
    activities = _load(postgres, "bad", "activities", CANONICAL / "activities.csv", False)
    closed = postgres.rsplit(":", 1)[0] + ":1/postgres"
    done = subprocess.run([sys.executable, "-m", "checker", "check", str(CANONICAL / "accounts.csv"), "--preset", "canonical", "--as-of", "2026-10-31",
                           "--engine", closed, "--activities-table", activities], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 2 and "Traceback" not in done.stderr and PASSWORD not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_urls_are_shown_without_their_password():
    from checker.engines.warehouse import masked

    assert masked("postgresql://me:pw@host:5432/db") == "postgresql://me:***@host:5432/db"
    assert masked("postgresql://me@host/db") == "postgresql://me@host/db"
    assert masked("postgresql://me:p%40ss@host/db?sslmode=require") == "postgresql://me:***@host/db?sslmode=require"
