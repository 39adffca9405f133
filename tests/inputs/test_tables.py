"""Logs as tables of the engine (checker/inputs/tables.py): on DuckDB, tables of a database file
(`--database FILE.duckdb --activities-table NAME`), read as the files are, with the same signals.

Differential: each CRM fixture's logs written into a DuckDB file (as text, and with the types
DuckDB detects: dates, numbers, booleans) give `signals --format json` identical to the files'
(the logs' names aside: a table is named by its table name). Bad input: a missing table, a table
without the columns the log needs, tables without --database, --database on Spark, a file that is
no DuckDB database: one message each, exit 2.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import run

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
LOGS = ("--activities", "--deals", "--contacts")
CANONICAL = EXPORTS / "canonical"


def fixture_args(folder: str) -> tuple[list[str], str]:
    """The fixture's arguments with its preset named (detection from the tables is tested on its own), and its --as-of."""
    spec = yaml.safe_load((EXPORTS / folder / "expected.yaml").read_text(encoding="utf-8"))
    args = [str(a) for a in spec["args"]]
    if "--preset" in args and args[args.index("--preset") + 1] == "auto":
        args[args.index("--preset") + 1] = spec["detected"]
    return args, str(spec["as_of"])


def as_tables(folder: Path, args: list[str], database: Path, typed: bool, accounts: bool = False) -> tuple[list[str], dict[str, str]]:
    """The logs of `args` (and the account export, with `accounts`) written as tables of `database` (named after their files);
    the arguments naming the tables, and file → table."""
    db = duckdb.connect(str(database))
    converted, names = [], {}
    options = "" if typed else ", all_varchar=true"
    for i, arg in enumerate(args):
        if i == 0 and accounts:
            table = "crm_" + Path(arg).stem.lower()
            db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{folder / arg}'{options})")
            converted += ["--accounts-table", table]
            names[arg] = table
        elif i and args[i - 1] in LOGS:
            table = Path(arg).stem.lower()
            db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{folder / arg}'{options})")
            converted[-1] = f"{args[i - 1]}-table"
            names[arg] = table
            converted.append(table)
        else:
            converted.append(str(folder / arg) if arg.endswith((".csv", ".yaml")) else arg)
    db.close()
    return [*converted, "--database", str(database)], names


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
@pytest.mark.parametrize("folder", ["canonical", "hubspot", "pipedrive", "salesforce", "zoho", "dynamics"])
def test_logs_as_duckdb_tables_give_the_signals_of_the_files(folder, typed, tmp_path, capsys):
    args, as_of = fixture_args(folder)
    files = [str(EXPORTS / folder / a) if a.endswith((".csv", ".yaml")) else a for a in args]
    code, expected, expected_err = run(capsys, "signals", *files, "--format", "json", "--as-of", as_of)
    assert code == 0, expected_err
    tables, names = as_tables(EXPORTS / folder, args, tmp_path / "crm.duckdb", typed)
    assert any(a.endswith("-table") for a in tables)
    code, found, found_err = run(capsys, "signals", *tables, "--format", "json", "--as-of", as_of)
    assert code == 0, found_err
    for file, table in names.items():  # the one difference: the logs' names
        expected, expected_err = expected.replace(file, table), expected_err.replace(file, table)
    assert found == expected
    assert found_err == expected_err  # the same counts and warnings, row for row


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
@pytest.mark.parametrize("folder", ["canonical", "hubspot", "zoho"])
def test_the_accounts_as_a_duckdb_table_give_the_signals_and_findings_of_the_file(folder, typed, tmp_path, capsys):
    args, as_of = fixture_args(folder)
    files = [str(EXPORTS / folder / a) if a.endswith((".csv", ".yaml")) else a for a in args]
    tables, names = as_tables(EXPORTS / folder, args, tmp_path / "crm.duckdb", typed, accounts=True)
    assert tables[0] == "--accounts-table"
    for command in ("signals", "check"):
        code, expected, expected_err = run(capsys, command, *files, "--format", "json", "--as-of", as_of, "--fail-on", "never")[:3] \
            if command == "check" else run(capsys, command, *files, "--format", "json", "--as-of", as_of)
        assert code == 0, expected_err
        code, found, found_err = run(capsys, command, *tables, "--format", "json", "--as-of", as_of, *(["--fail-on", "never"] if command == "check" else []))
        assert code == 0, found_err
        for file, table in names.items():
            expected, expected_err = expected.replace(file, table), expected_err.replace(file, table)
        assert found == expected
        assert found_err == expected_err


def test_the_preset_is_detected_from_an_account_table(tmp_path, capsys):
    """Its column names are the header detect_preset reads."""
    args, as_of = fixture_args("hubspot")
    args[args.index("--preset") + 1] = "auto"
    tables, _ = as_tables(EXPORTS / "hubspot", args, tmp_path / "crm.duckdb", typed=False, accounts=True)
    code, out, err = run(capsys, "signals", *tables, "--format", "json", "--as-of", as_of)
    assert code == 0, err
    assert '"preset": "hubspot"' in out


def test_the_preset_is_detected_from_a_log_table(tmp_path, capsys):
    """`--preset auto` reads the log tables' column names as it reads the files' headers: HubSpot's activity columns
    tell the CRM where the account export's do not (canonical names), and the report names the table that told it."""
    database = tmp_path / "crm.duckdb"
    db = duckdb.connect(str(database))
    db.execute(f"CREATE TABLE hs_activities AS SELECT * FROM read_csv('{EXPORTS / 'hubspot' / 'activities.csv'}', all_varchar=true)")
    db.close()
    common = [str(CANONICAL / "accounts.csv"), "--format", "json", "--as-of", "2026-10-31"]
    code, expected, expected_err = run(capsys, "signals", *common, "--activities", str(EXPORTS / "hubspot" / "activities.csv"))
    assert code == 0, expected_err
    code, found, err = run(capsys, "signals", *common, "--activities-table", "hs_activities", "--database", str(database))
    assert code == 0, err
    assert '"preset": "hubspot"' in found and found == expected.replace('"activities.csv"', '"hs_activities"')
    assert "preset 'hubspot' (headers 'Record ID', 'Activity date', 'Associated Company IDs' of --activities-table hs_activities)" in err
    code, _, err = run(capsys, "signals", *common, "--activities-table", "nothing_here", "--database", str(database))
    assert code == 2 and err.count("\n") == 1 and "--activities-table nothing_here: the duckdb engine has no such table" in err


def test_an_account_table_without_the_required_columns_names_the_option_the_table_and_the_engine(tmp_path, capsys):
    database = _database(tmp_path)
    code, out, err = run(capsys, "check", "--accounts-table", "visits", "--database", str(database), "--as-of", "2026-10-31")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("playbook: --accounts-table visits (duckdb): line 1: missing required column(s) 'account_id'")
    assert "Found: Kunde, Datum" in err and str(tmp_path) not in err.replace(str(database), "")  # the work folder's copy is never named


def test_a_missing_account_table_is_one_message(tmp_path, capsys):
    database = _database(tmp_path)
    code, out, err = run(capsys, "signals", "--accounts-table", "accounts", "--database", str(database), "--as-of", "2026-10-31")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--accounts-table accounts: the duckdb engine has no such table" in err


@pytest.mark.parametrize("accounts", [[], ["{accounts}", "--accounts-table", "accounts"]], ids=["neither", "both"])
def test_one_account_export_a_file_or_a_table(accounts, tmp_path, capsys):
    shutil.copy(CANONICAL / "accounts.csv", tmp_path)
    argv = [a.replace("{accounts}", str(tmp_path / "accounts.csv")) for a in accounts]
    code, out, err = run(capsys, "check", *argv, "--as-of", "2026-10-31")
    assert code == 2 and out == "" and "name one account export: a file (ACCOUNTS) or a table of the engine" in err


def test_a_table_in_a_schema_with_typed_columns(tmp_path, capsys):
    """`schema.table`; dates, amounts and booleans typed by the database are read as their text, as a CSV's."""
    folder = EXPORTS / "canonical"
    db = duckdb.connect(str(tmp_path / "w.duckdb"))
    db.execute(f"CREATE SCHEMA crm; CREATE TABLE crm.deals AS SELECT * FROM read_csv('{folder / 'deals.csv'}')")
    assert {t for _, t, *_ in db.execute("DESCRIBE crm.deals").fetchall()} >= {"DATE", "DOUBLE", "BOOLEAN"}
    db.close()
    common = [str(folder / "accounts.csv"), "--preset", "canonical", "--format", "json", "--as-of", "2026-10-31"]
    _, expected, _ = run(capsys, "signals", *common, "--deals", str(folder / "deals.csv"))
    code, found, err = run(capsys, "signals", *common, "--deals-table", "crm.deals", "--database", str(tmp_path / "w.duckdb"))
    assert code == 0, err
    assert found == expected.replace('"deals.csv"', '"crm.deals"')
    assert "crm.deals: 19 rows read, 19 used" in err


def _database(tmp_path: Path) -> Path:
    shutil.copy(EXPORTS / "canonical" / "accounts.csv", tmp_path)
    database = tmp_path / "crm.duckdb"
    db = duckdb.connect(str(database))
    db.execute("CREATE TABLE visits AS SELECT 'ACC-101' AS Kunde, DATE '2026-01-05' AS Datum")
    db.close()
    return database


def test_a_missing_table_is_one_message_naming_the_engine_the_table_and_the_database(tmp_path, capsys):
    database = _database(tmp_path)
    code, out, err = run(capsys, "check", str(tmp_path / "accounts.csv"), "--activities-table", "visit", "--database", str(database), "--as-of", "2026-10-31")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "--activities-table visit" in err and "duckdb" in err and str(database) in err and "Traceback" not in err


def test_a_table_without_the_columns_of_a_log_names_the_engine_the_table_and_its_columns(tmp_path, capsys):
    database = _database(tmp_path)
    code, _, err = run(capsys, "check", str(tmp_path / "accounts.csv"), "--preset", "canonical", "--contacts-table", "visits",
                       "--activities", str(EXPORTS / "canonical" / "activities.csv"), "--database", str(database), "--as-of", "2026-10-31")
    assert code == 2
    assert err.count("\n") == 1 and "--contacts-table visits (the duckdb engine): no column for" in err and "Kunde, Datum" in err


def test_the_finnish_message_for_a_missing_table(tmp_path, capsys):
    database = _database(tmp_path)
    code, _, err = run(capsys, "check", str(tmp_path / "accounts.csv"), "--deals-table", "kaupat", "--database", str(database), "--lang", "fi", "--as-of", "2026-10-31")
    assert code == 2 and "--deals-table kaupat: duckdb-moottorissa ei ole tätä taulua" in err and "tietokantatiedostossa" in err


@pytest.mark.parametrize(("extra", "says"), [
    ([], "name it with --database FILE.duckdb"),
    (["--database", "missing.duckdb"], "--database missing.duckdb: no such file"),
    (["--database", "{accounts}"], "DuckDB cannot open it"),
    (["--database", "{accounts}", "--engine", "spark"], "--database names a DuckDB file"),
])
def test_tables_without_a_database_to_read_them_from_are_one_message(extra, says, tmp_path, capsys):
    shutil.copy(EXPORTS / "canonical" / "accounts.csv", tmp_path)
    accounts = str(tmp_path / "accounts.csv")
    extra = [a.replace("{accounts}", accounts) for a in extra]
    if "--engine" in extra:
        from checker.engines.choose import engine_problem

        if engine_problem("spark") is not None:  # the engine's own problem comes first
            pytest.skip("no local Spark")
    code, out, err = run(capsys, "check", accounts, "--activities-table", "visits", *extra, "--as-of", "2026-10-31")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def test_a_log_table_without_a_date_column_is_skipped_by_its_option_and_name(tmp_path, capsys):
    """The skipped-log warning names a table as the option and table that gave it, not as a file."""
    database = tmp_path / "crm.duckdb"
    db = duckdb.connect(str(database))
    db.execute(f"CREATE TABLE undated AS SELECT * EXCLUDE (date) FROM read_csv('{CANONICAL / 'activities.csv'}', all_varchar=true)")
    db.close()
    code, _, err = run(capsys, "signals", str(CANONICAL / "accounts.csv"), "--activities-table", "undated", "--database", str(database),
                       "--preset", "canonical", "--format", "json", "--as-of", "2026-10-31")
    assert code == 0, err
    assert "--activities-table undated was skipped" in err
