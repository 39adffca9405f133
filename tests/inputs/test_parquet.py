"""A Parquet account export reads as the CSV it was made from: the same report, byte for byte
but the file's name; its typed values as their text; a bad file gets one message."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import AS_OF, FIXTURES, SAMPLE, run

from checker.check import Inputs, choose_mapping
from checker.inputs.accounts import read_accounts


def to_parquet(csv: Path, target: Path, typed: bool = True) -> Path:
    """The CSV as DuckDB writes it to Parquet: columns typed as it detects them, or all text."""
    with duckdb.connect() as db:
        db.execute(f"COPY (SELECT * FROM read_csv('{csv}', all_varchar = {not typed})) TO '{target}' (FORMAT parquet)")
    return target


def _report(capsys, path: Path, out: Path, *args: str) -> tuple[bytes, dict]:
    code, _, err = run(capsys, "check", str(path), "--format", "json", "--output", str(out), "--fail-on", "never", *AS_OF, *args)
    assert code == 0, err
    index = json.loads(Path(f"{out}.idx").read_bytes())
    del index["report"]  # the report's size and time
    return out.read_bytes().replace(f'"input": "{path.name}"'.encode(), b'"input": "-"'), index


@pytest.mark.parametrize("typed", [True, False], ids=["typed columns", "text columns"])
def test_the_sample_as_parquet_gives_the_csv_report(capsys, tmp_path, typed):
    parquet = to_parquet(SAMPLE, tmp_path / "accounts.parquet", typed)
    if typed:  # DuckDB made numbers, dates and yes/no columns of it: their values are read from its text of them
        with duckdb.connect() as db:
            kinds = {t for _, t, *_ in db.execute(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()}
        assert {"BIGINT", "DOUBLE", "DATE", "BOOLEAN", "VARCHAR"} <= kinds
    assert _report(capsys, parquet, tmp_path / "p.json") == _report(capsys, SAMPLE, tmp_path / "c.json")


def test_a_parquet_export_goes_through_the_preset_and_mapping(capsys, tmp_path):
    folder = FIXTURES / "exports" / "hubspot"
    parquet = to_parquet(folder / "companies.csv", tmp_path / "companies.parquet", typed=False)
    args = ("--preset", "auto", "--mapping", str(folder / "mapping.yaml"))
    assert choose_mapping(Inputs(parquet))[0].id == "hubspot"  # recognised from the Parquet file's column names
    assert _report(capsys, parquet, tmp_path / "p.json", *args) == _report(capsys, folder / "companies.csv", tmp_path / "c.json", *args)


# Typed values a warehouse writes, against the text a CSV export would hold for them.
TYPED = """SELECT * FROM (VALUES
    ('A1', 'Alpha', 'basic', 3.0::DOUBLE, 0.25::FLOAT, TIMESTAMP '2026-10-01 10:00:00', true, 1200.50::DECIMAL(10, 2), TIMESTAMPTZ '2026-09-01 12:00:00+00'),
    ('A2', 'Beta', 'cooperation', NULL, NULL, NULL, NULL, NULL, NULL),
    ('A3', 'Gamma', 'integrated', 2.5::DOUBLE, 1.5::FLOAT, TIMESTAMP '2026-02-28 00:00:00', false, -3.00::DECIMAL(10, 2), NULL)
) AS t(account_id, account_name, declared_stage, purchases_12m, share_of_wallet, last_interaction, open_books, revenue_12m, last_health_check)"""
AS_CSV = ("account_id,account_name,declared_stage,purchases_12m,share_of_wallet,last_interaction,open_books,revenue_12m,last_health_check\n"
          "A1,Alpha,basic,3.0,0.25,2026-10-01,true,1200.50,2026-09-01\n"
          "A2,Beta,cooperation,,,,,,\n"
          "A3,Gamma,integrated,2.5,1.5,2026-02-28,false,-3.00,\n")


def test_typed_values_read_as_the_csv_text_of_them(tmp_path, playbook):
    parquet, csv = tmp_path / "typed.parquet", tmp_path / "typed.csv"
    with duckdb.connect() as db:
        db.execute(f"COPY ({TYPED}) TO '{parquet}' (FORMAT parquet)")
    csv.write_text(AS_CSV, encoding="utf-8")
    mapping, _ = choose_mapping(Inputs(csv))
    a, b = read_accounts(parquet, playbook, mapping), read_accounts(csv, playbook, mapping)
    assert (a.ids, a.names, a.declared, a.rows, a.encoding) == (b.ids, b.names, b.declared, b.rows, b.encoding)
    assert a.columns.present == b.columns.present
    for name in b.columns.present:
        assert np.array_equal(a.columns.get(name), b.columns.get(name), equal_nan=True), name
    notes = {row: [(n.code, n.column, n.values.get("value"), n.values.get("reason")) for n in found] for row, found in a.notes.items()}
    # 2.5 orders and a share of 1.5 cannot be used, as in the CSV: a data note each, never a guess
    assert notes == {2: [("data.invalid_value", "purchases_12m", "2.5", "reason.count"), ("data.invalid_value", "share_of_wallet", "1.5", "reason.share_ambiguous")]}
    assert notes == {row: [(n.code, n.column, n.values.get("value"), n.values.get("reason")) for n in found] for row, found in b.notes.items()}


def test_signals_reads_a_parquet_export_as_its_csv(capsys, tmp_path):
    parquet = to_parquet(SAMPLE, tmp_path / "accounts.parquet")
    outputs = []
    for path in (parquet, SAMPLE):
        code, out, err = run(capsys, "signals", str(path), *AS_OF)
        assert code == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 300


@pytest.mark.parametrize("case", ["truncated", "csv named .parquet", "empty", "parquet log under a .csv name"])
def test_a_bad_parquet_file_gets_one_message(capsys, tmp_path, case):
    good = to_parquet(SAMPLE, tmp_path / "good.parquet")
    bad = tmp_path / "accounts.parquet"
    args: list[str] = []
    if case == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif case == "csv named .parquet":
        bad.write_bytes(SAMPLE.read_bytes())
    elif case == "empty":
        bad.write_bytes(b"")
    else:
        log = tmp_path / "activities.csv"
        log.write_bytes(good.read_bytes())
        bad, args = SAMPLE, ["--activities", str(log), "--preset", "canonical"]
    code, _, err = run(capsys, "check", str(bad), *args, *AS_OF)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    if case == "parquet log under a .csv name":
        assert "activities.csv" in err and "this is a Parquet file" in err and "rename it" in err
    else:
        assert str(bad) in err and "cannot read it as a Parquet file" in err and "export it as CSV or XLSX" in err


def test_the_review_sheet_of_a_parquet_export_is_that_of_its_csv(capsys, tmp_path):
    parquet = to_parquet(SAMPLE, tmp_path / "accounts.parquet")
    sheets = []
    for path in (parquet, SAMPLE):
        out = tmp_path / f"{path.stem}-{path.suffix[1:]}.csv"
        code, _, err = run(capsys, "review-sheet", str(path), "--output", str(out), *AS_OF)
        assert code == 0, err
        sheets.append(out.read_bytes())
    assert sheets[0] == sheets[1] and sheets[0].count(b"\n") > 100
