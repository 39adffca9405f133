"""`check --output-table NAME`: the findings as a table of the engine (DuckDB: of --database FILE.duckdb).

The table holds findings.parquet's rows and columns in the same order; the summary goes to stdout
(or --summary FILE); an existing table is refused without --replace and, with it, replaced only
when it is a findings table, in one transaction; every bad combination is one message, exit 2,
before anything is read or written. Spark's saveAsTable: tests/engines/test_spark.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.playbook.schemas import validator


def _table(database: Path, name: str = "findings", order: str = "") -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"SELECT * FROM {name} {order}").fetchall()


def test_the_table_holds_the_parquet_files_rows_in_its_order_and_the_summary_goes_to_stdout(capsys, tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"  # not there yet: created
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--database", str(database), "--output-table", "findings", "--fail-on", "never")
    assert code == 0, err
    assert "wrote the table findings in" in err and str(database) in err
    summary = json.loads(stdout)
    assert [e.message for e in validator("findings-summary.schema.json").iter_errors(summary)] == []
    assert summary["findings_table"] == "findings" and "findings_file" not in summary
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")[0] == 0
    with duckdb.connect() as con:
        expected = con.execute("SELECT * FROM read_parquet(?)", [str(tmp_path / "f.parquet")]).fetchall()
        columns = [c[0] for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(tmp_path / "f.parquet")]).fetchall()]
    assert _table(database) == expected and len(expected) == summary["summary"]["findings"] > 300  # the same rows, in the same order
    with duckdb.connect(str(database), read_only=True) as con:
        assert [c[0] for c in con.execute("DESCRIBE findings").fetchall()] == columns == summary["columns"]
    written = json.loads((tmp_path / "f.summary.json").read_text(encoding="utf-8"))
    assert summary["summary"] == written["summary"]


def test_an_existing_table_is_refused_without_replace_and_replaced_with_it(capsys, tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    common = ["check", str(SAMPLE), "--database", str(database), "--output-table", "weekly.findings", "--fail-on", "never"]
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA weekly")
        con.execute("CREATE TABLE weekly.other AS SELECT 1 AS x")
    assert run(capsys, *common, "--as-of", "2026-10-31")[0] == 0
    before = _table(database, "weekly.findings")
    code, stdout, err = run(capsys, *common, "--as-of", "2026-11-30")
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "weekly.findings already exists" in err and "--replace" in err and "Traceback" not in err
    assert _table(database, "weekly.findings") == before  # refused before anything was read: the table as it was
    code, stdout, err = run(capsys, *common, "--as-of", "2026-11-30", "--replace", "--summary", str(tmp_path / "s.json"))
    assert code == 0 and stdout == "", err  # the summary to the file named
    after = _table(database, "weekly.findings")
    assert after != before and json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["summary"]["findings"] == len(after)
    # --replace replaces a findings table only: a mistyped name does not overwrite another table
    code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--database", str(database), "--output-table", "weekly.other", "--replace")
    assert code == 2 and "not a findings table" in err and len(err.strip().splitlines()) == 1
    assert _table(database, "weekly.other") == [(1,)]


def test_a_write_the_engine_refuses_leaves_the_earlier_table(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction: a failing CREATE OR REPLACE rolls back to last week's table; the message names engine and table."""
    from checker.engines import findings

    database = tmp_path / "crm.duckdb"
    common = ["check", str(SAMPLE), *AS_OF, "--database", str(database), "--output-table", "findings", "--fail-on", "never"]
    assert run(capsys, *common)[0] == 0
    before = _table(database)
    monkeypatch.setattr(findings, "ORDER", "account_index, no_such_column")
    code, stdout, err = run(capsys, *common, "--replace")
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "duckdb could not write the table findings in" in err and "no_such_column" in err and "nothing was written" in err
    assert _table(database) == before


@pytest.mark.parametrize(("args", "fragment"), [
    (["--database", "x.duckdb", "--output-table", "findings; DROP TABLE x"], "not a table name"),
    (["--database", "x.duckdb", "--output-table", "a.b.c"], "not a table name"),
    (["--database", "x.duckdb", "--output-table", "1st"], "not a table name"),
    (["--database", "x.duckdb", "--output-table", "f" * 58], f"{'f' * 58}_rules is longer than 63 characters"),
    (["--database", "x.duckdb", "--output-table", "s" * 64 + ".findings"], "at most 57"),
    (["--database", "x.duckdb", "--output-table", "findings", "--output", "f.parquet"], "only one of them"),
    (["--output-table", "findings"], "--database FILE.duckdb"),
    (["--database", "x.duckdb", "--output-table", "findings", "--format", "json"], "--format json"),
    (["--output", "f.parquet", "--replace"], "--replace"),
    (["--database", "no-such-folder/x.duckdb", "--output-table", "findings"], "no-such-folder"),
    (["--database", "x.duckdb", "--output-table", "findings", "--scores"], "--scores"),
    (["--engine", "postgresql://me:secret@127.0.0.1:1/crm", "--output-table", "findings"], "postgresql://me:***@127.0.0.1:1/crm"),  # unreachable (or no [postgres] extra): one line, masked
    (["--engine", "snowflake://me:secret@acme/crm", "--output-table", "findings"], "snowflake://me:***@acme/crm: the checker does not run in this kind"),
], ids=["injection", "three-parts", "digit-first", "long-table", "long-schema", "with-output", "no-database", "format", "replace-alone", "no-folder", "scores", "warehouse-unreachable",
        "other-warehouse"])
def test_what_an_output_table_cannot_be_is_one_message_before_anything_is_written(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                                  args: list[str], fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, *args)
    assert code == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []  # no database made, no file


def test_a_database_that_is_no_duckdb_file_or_is_held_by_another_program_is_one_message(capsys, tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n", encoding="utf-8")
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--database", str(text), "--output-table", "findings")
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1 and "notes.duckdb" in err and "cannot open it for writing" in err
    assert text.read_text(encoding="utf-8") == "not a database\n"
    held = tmp_path / "held.duckdb"
    duckdb.connect(str(held)).close()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(held)!r}); print('ready', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--database", str(held), "--output-table", "findings")
        assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1 and "held.duckdb" in err and "another program" in err
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_a_read_only_database_file_is_one_message(capsys, tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    duckdb.connect(str(database)).close()
    database.chmod(0o444)
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--database", str(database), "--output-table", "findings")
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1 and "crm.duckdb" in err


def test_the_table_is_narrowed_as_the_parquet_file_and_reads_the_database_it_writes(capsys, tmp_path: Path) -> None:
    """--owner and --waivers on a table as on a file; the accounts read from a table of the very database the findings go to."""
    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE accounts AS SELECT * FROM read_csv(?, all_varchar = true)", [str(SAMPLE)])
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - {account: ACC-00003, rule: basic-buys, reason: known, until: "2027-01-31"}\n', encoding="utf-8")
    narrowing = ["--owner", "Oskari", "--waivers", str(waivers), "--fail-on", "never"]
    code, stdout, err = run(capsys, "check", "--accounts-table", "accounts", "--database", str(database), *AS_OF, *narrowing, "--output-table", "findings")
    assert code == 0, err
    assert run(capsys, "check", str(SAMPLE), *AS_OF, *narrowing, "--output", str(tmp_path / "f.parquet"))[0] == 0
    with duckdb.connect() as con:
        expected = con.execute("SELECT * FROM read_parquet(?)", [str(tmp_path / "f.parquet")]).fetchall()
    assert _table(database) == expected and {r[3] for r in expected} == {"Oskari"}
    assert json.loads(stdout)["summary"]["changes"]["waived"] == 1


def test_a_findings_output_duckdb_cannot_compute_is_one_message_and_nothing_written(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB out of its memory for the findings (here a limit far too small): one line naming the engine, no file, no table."""
    from checker.engines import findings

    monkeypatch.setattr(findings, "MEMORY_LIMIT", "1MB")
    for output in (["--output", str(tmp_path / "f.parquet")], ["--database", str(tmp_path / "crm.duckdb"), "--output-table", "findings"]):
        code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, *output)
        assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
        assert err.startswith("playbook: duckdb could not compute or write the findings: ") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no Parquet file, summary or database


def test_the_rules_table_goes_beside_the_findings_in_the_same_transaction_and_an_existing_one_is_refused(capsys, tmp_path: Path,
                                                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """NAME_rules (checker/engines/rules_table.py) holds the rules file's rows; an existing one is refused without --replace and,
    with it, replaced only when it is a rules table, before the rules run; a failing rules write leaves both tables as they were."""
    from checker.engines import findings
    from checker.engines.rules_table import RULE_COLUMNS

    database = tmp_path / "crm.duckdb"
    common = ["check", str(SAMPLE), *AS_OF, "--database", str(database), "--output-table", "findings", "--fail-on", "never"]
    code, stdout, err = run(capsys, *common)
    assert code == 0 and json.loads(stdout)["rules_table"] == "findings_rules", err
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")[0] == 0
    with duckdb.connect() as con:
        expected = con.execute("SELECT * FROM read_parquet(?)", [str(tmp_path / "f.rules.parquet")]).fetchall()
    assert _table(database, "findings_rules") == expected and len(expected) > 50  # the rules file's rows, in its order
    with duckdb.connect(str(database), read_only=True) as con:
        assert tuple(c[0] for c in con.execute("DESCRIBE findings_rules").fetchall()) == RULE_COLUMNS
    before = _table(database), _table(database, "findings_rules")
    monkeypatch.setattr(findings, "register_rules", lambda *a, **k: "SELECT error('the rules, refused') AS rule")
    code, stdout, err = run(capsys, *common, "--replace")
    assert code == 2 and "the rules, refused" in err and len(err.strip().splitlines()) == 1
    assert (_table(database), _table(database, "findings_rules")) == before  # one transaction: the findings' rows not replaced either
    monkeypatch.setattr(findings, "sql_check", lambda *a, **k: pytest.fail("the rules ran"))
    with duckdb.connect(str(database)) as con:
        con.execute("DROP TABLE findings")
    code, stdout, err = run(capsys, *common)
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1, err
    assert "findings_rules already exists" in err and "--replace" in err and "findings" in err and "Traceback" not in err
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE OR REPLACE TABLE findings_rules AS SELECT 1 AS x")
    code, stdout, err = run(capsys, *common, "--replace")
    assert code == 2 and "findings_rules" in err and "not a rules table" in err and len(err.strip().splitlines()) == 1, err
    assert _table(database, "findings_rules") == [(1,)]
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'findings'").fetchone() == (0,)
