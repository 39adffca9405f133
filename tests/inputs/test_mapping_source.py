"""`source:` entries in a --mapping file (checker/inputs/mapping_source.py): the exports as tables of the engine,
named once in the mapping instead of on every command line.

On DuckDB: a mapping naming the account, activity and deal tables and the database file gives the report the
options give; an option wins over the entry for its export; a misspelled key, a database file that is not there
and a missing table are one message each, exit 2. (On Spark: tests/engines/test_spark_tables.py.)
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run

CANONICAL = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "canonical"
CHECK = ["--format", "json", "--as-of", "2026-10-31", "--fail-on", "never"]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The canonical fixture's three exports as tables of crm.duckdb (all text, as the CSVs are read)."""
    path = tmp_path / "crm.duckdb"
    db = duckdb.connect(str(path))
    for name in ("accounts", "activities", "deals"):
        db.execute(f"CREATE TABLE crm_{name} AS SELECT * FROM read_csv('{CANONICAL / name}.csv', all_varchar=true)")
    db.close()
    return path


def _mapping(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "our-crm.yaml"
    path.write_text(f"kind: mapping\nextends: canonical\nsource:\n{source}", encoding="utf-8")
    return path


def test_source_entries_name_the_tables_as_the_options_do(database, tmp_path, capsys):
    mapping = _mapping(tmp_path, "  accounts: crm_accounts\n  activities: [crm_activities]\n  deals: crm_deals\n  database: crm.duckdb\n")
    code, expected, err = run(capsys, "check", "--accounts-table", "crm_accounts", "--activities-table", "crm_activities", "--deals-table", "crm_deals",
                              "--database", str(database), "--preset", "canonical", *CHECK)
    assert code == 0, err
    code, found, err = run(capsys, "check", "--mapping", str(mapping), "--preset", "canonical", *CHECK)  # the database relative to the mapping's folder
    assert code == 0, err
    assert found == expected and '"crm_activities"' in found and '"crm_deals"' in found
    code, files, _ = run(capsys, "check", str(CANONICAL / "accounts.csv"), "--activities", str(CANONICAL / "activities.csv"),
                         "--deals", str(CANONICAL / "deals.csv"), "--preset", "canonical", *CHECK)
    assert found == files.replace('"accounts.csv"', '"crm_accounts"').replace('"activities.csv"', '"crm_activities"').replace('"deals.csv"', '"crm_deals"')


def test_an_option_wins_over_the_entry_for_its_export(database, tmp_path, capsys):
    """ACCOUNTS given: the file, not the mapping's account table; --activities given: the file, not its table; deals from the mapping."""
    mapping = _mapping(tmp_path, f"  accounts: no_such_accounts\n  activities: no_such_activities\n  deals: crm_deals\n  database: {database}\n")
    code, found, err = run(capsys, "signals", str(CANONICAL / "accounts.csv"), "--activities", str(CANONICAL / "activities.csv"),
                           "--mapping", str(mapping), "--format", "json", "--as-of", "2026-10-31")
    assert code == 0, err
    assert '"activities.csv"' in found and '"crm_deals"' in found and "no_such" not in found + err
    assert "crm_deals: 19 rows read, 19 used" in err


def test_a_misspelled_source_key_is_one_message_naming_the_line_and_the_key_meant(tmp_path, capsys):
    mapping = _mapping(tmp_path, "  accounts: crm_accounts\n  activites: crm_activities\n")
    code, out, err = run(capsys, "check", "--mapping", str(mapping), *CHECK)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"{mapping}:5: 'activites' is not a key under source: (did you mean 'activities'?); the keys there are accounts, activities, deals, contacts, database" in err
    code, _, err = run(capsys, "check", "--mapping", str(mapping), *CHECK, "--lang", "fi")
    assert code == 2 and "'activites' ei ole sallittu avain kohdassa source: (tarkoititko 'activities'?)" in err


def test_a_misspelled_key_of_the_mapping_itself_names_the_key_meant(tmp_path, capsys):
    mapping = tmp_path / "our-crm.yaml"
    mapping.write_text("kind: mapping\nextend: hubspot\nsources:\n  accounts: x\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(CANONICAL / "accounts.csv"), "--mapping", str(mapping), *CHECK)
    assert code == 2 and err.count("\n") == 1
    assert f"{mapping}:2: 'extend' is not a key of a mapping file (did you mean 'extends'?)" in err
    assert f"{mapping}:3: 'sources' is not a key of a mapping file (did you mean 'source'?)" in err  # every problem, in one line


@pytest.mark.parametrize(("source", "says"), [
    ("  accounts: crm_accounts\n  database: elsewhere.duckdb\n", "our-crm.yaml:5: source: database elsewhere.duckdb: no such file (a relative path is read from the mapping file's folder"),
    ("  accounts: crm_acounts\n  database: crm.duckdb\n", "--accounts-table crm_acounts: the duckdb engine has no such table"),
    ("  activities: crm_activities\n  database: crm.duckdb\n", "name one account export: a file (ACCOUNTS) or a table of the engine"),
    ("  accounts: 12\n", "our-crm.yaml:4: 12 is not of type 'string'"),
])
def test_a_source_that_cannot_be_read_is_one_message(source, says, database, tmp_path, capsys):
    code, out, err = run(capsys, "check", "--mapping", str(_mapping(tmp_path, source)), *CHECK)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert says in err


def test_no_preset_names_a_source():
    """Tables are a company's own: the bundled presets never name any."""
    from checker.inputs.mappings import PRESET_DIR, source_entries

    assert [source_entries(path) for path in sorted(PRESET_DIR.glob("*.yaml"))] == [None] * len(list(PRESET_DIR.glob("*.yaml")))
