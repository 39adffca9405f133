"""The account table parsed on Spark's executors (checker/engines/spark_accounts.py) against read_accounts.

Differential: every account fixture the Spark tests use (the sample, every CRM fixture's account
export) and bad-input cases, each written as a Parquet file of text cells, read by `read_accounts`
in this process and by `parse_accounts` on Spark: the same rows, ids, texts, stages, numbers
(NaN for unknown), data notes (codes, columns and message values) and unusable rows. Uses
test_spark.py's session fixture (one local Spark per test run).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from checker.check import Inputs, choose_mapping
from checker.inputs.accounts import DataNote, read_accounts
from checker.inputs.files import InputError, read_table, strip_footer, unzip_data_export
from checker.playbook.messages import Problem
from checker.playbook.model import load_playbook
from tests.engines.test_spark import CRM_FIXTURES, FIXTURES, SAMPLE, spark, spark_engine  # noqa: F401  (the shared session fixture)

PLAYBOOK = load_playbook()


def _args(name: str) -> dict[str, Any]:
    """A CRM fixture's account file and the options that choose its mapping."""
    folder = FIXTURES / "exports" / name
    args = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["args"]
    options = {a.lstrip("-").replace("-", "_"): args[k + 1] for k, a in enumerate(args) if a in ("--preset", "--mapping", "--date-format")}
    if "mapping" in options:
        options["mapping"] = folder / options["mapping"]
    return {"accounts": folder / args[0]} | options


def _as_parquet(source: Path, target: Path, footers: list[str]) -> Path:
    """The cells of a CSV or XLSX export (its footer stripped, as read_accounts strips it) as a Parquet file of text."""
    table = strip_footer(read_table(source), footers)
    width = len(table.header)
    rows = [(cells + [""] * width)[:width] for cells in table.rows]
    pq.write_table(pa.table({h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(table.header)}), target)
    return target


def _plain(value: Any) -> Any:
    """Notes as comparable values: a message Problem (no equality of its own) as its key and values."""
    if isinstance(value, Problem):
        return ("problem", value.key, _plain(value.values))
    if isinstance(value, DataNote):
        return (value.code, value.column, _plain(value.values))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _both(engine: Any, path: Path, mapping: Any, date_format: str | None = None) -> tuple[Any, Any]:
    from checker.engines.spark_accounts import collected, parse_accounts

    here = read_accounts(path, PLAYBOOK, mapping, date_format=date_format)
    there = parse_accounts(engine, engine.spark.read.parquet(str(path)), path.name, PLAYBOOK, mapping, date_format)
    return here, there, collected(there)


def _same(engine: Any, path: Path, mapping: Any, date_format: str | None = None) -> Any:
    here, there, got = _both(engine, path, mapping, date_format)
    assert got["account_index"] == list(range(len(here)))
    assert (got["row"], got["account_id"], got["account_name"], got["owner"]) == (here.rows, here.ids, here.names, here.owners)
    assert (got["declared_raw"], got["declared_stage"]) == (here.declared_raw, here.declared)
    assert set(there.present) == set(here.columns.present)
    for signal in here.columns.present:
        mine = here.columns.get(signal).tolist()
        assert all((a is None and math.isnan(b)) or a == b for a, b in zip(got[signal], mine, strict=True)), signal
    assert _plain(got["notes"]) == _plain([here.notes.get(i, []) for i in range(len(here))])
    assert [(u.row, u.code, u.values) for u in there.unusable] == [(u.row, u.code, u.values) for u in here.unusable]
    assert (there.rows_read, there.size, there.noted) == (here.rows_read, len(here), len(here.notes))
    assert (there.header.ignored, there.header.unmatched) == (here.ignored_columns, here.mapping_unmatched)
    return here


@pytest.mark.parametrize("name", ["canonical", *CRM_FIXTURES])
def test_every_crm_fixtures_accounts_parsed_on_spark_are_read_accounts(spark_engine: Any, tmp_path: Path, name: str) -> None:  # noqa: F811
    options = _args(name)
    if options["accounts"].suffix.lower() == ".zip":
        options["accounts"] = unzip_data_export(options["accounts"], tmp_path)["accounts"][0]
        options.setdefault("preset", "salesforce")
    inputs = Inputs(**options)
    mapping, _ = choose_mapping(inputs)
    path = _as_parquet(inputs.accounts, tmp_path / "accounts.parquet", mapping.footers)
    assert len(_same(spark_engine, path, mapping, inputs.date_format))


def test_the_sample_parsed_on_spark_is_read_accounts(spark_engine: Any, tmp_path: Path) -> None:  # noqa: F811
    mapping, _ = choose_mapping(Inputs(SAMPLE))
    assert len(_same(spark_engine, _as_parquet(SAMPLE, tmp_path / "sample.parquet", []), mapping)) > 100


def _written(tmp_path: Path, header: list[str], rows: list[list[str | None]]) -> Path:
    target = tmp_path / "bad.parquet"
    pq.write_table(pa.table({h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}), target)
    return target


HEADER = ["account_id", "account_name", "owner", "declared_stage", "revenue_12m", "last_purchase", "open_books", "competitive_tenders_12m", "share_of_wallet"]


def test_bad_cells_blank_and_repeated_ids_and_unknown_stages_are_read_alike(spark_engine: Any, tmp_path: Path) -> None:  # noqa: F811
    """Bad numbers, Finnish `1 200,50` and yes/no, slashed dates, blank and repeated ids, blank rows, unknown and empty stages, no name."""
    rows = [
        ["A1", "Alpha", "Aino", "basic", "1 200,50", "3/14/2026", "kyllä", "2", "40 %"],
        ["A2", "", "Aino", "integrated", "lots", "4/1/2026", "maybe", "two", "0,4"],
        ["", "Nameless", "Eero", "basic", "5", "", "", "", ""],
        [None, None, None, None, None, None, None, None, None],
        ["  ", " ", "", "", "", "", "", "", ""],
        ["A1", "Alpha again", "Eero", "basic", "7", "", "", "", ""],
        ["A3", "Gamma", None, "Integratd", "12.5", "12/31/2025", "no", "1.5", "140%"],
        ["A4", "Delta", "Eero", "", "1,5 M€", "2026-13-01", "yes", "-1", "n/a"],
        [" A2 ", "Beta twice", "Eero", "basic", "", "", "", "", ""],
        ["A5", "Epsilon", "Aino", "kumppani", "x" * 90, "1/2/2026", "", "0", ""],
    ]
    mapping, _ = choose_mapping(Inputs(SAMPLE, preset="canonical"))
    here = _same(spark_engine, _written(tmp_path, HEADER, rows), mapping)
    assert {u.code for u in here.unusable} == {"data.no_account_id", "data.duplicate_account"} and here.rows_read == 8  # two blank rows are none
    assert {n.code for notes in here.notes.values() for n in notes} >= {"data.invalid_value", "data.unknown_stage", "data.no_stage", "data.no_name"}


def _same_message(engine: Any, path: Path) -> None:
    """The export refused by read_accounts and by parse_accounts with the same message."""
    from checker.engines.spark_accounts import parse_accounts

    mapping, _ = choose_mapping(Inputs(SAMPLE, preset="canonical"))
    with pytest.raises(InputError) as here:
        read_accounts(path, PLAYBOOK, mapping)
    with pytest.raises(InputError) as there:
        parse_accounts(engine, engine.spark.read.parquet(str(path)), str(path), PLAYBOOK, mapping)
    assert _plain(there.value) == _plain(here.value)


def test_an_ambiguous_slashed_date_column_is_the_same_message_on_spark(spark_engine: Any, tmp_path: Path) -> None:  # noqa: F811
    rows = [["A1", "Alpha", "Aino", "basic", "", "3/4/2026", "", "", ""], ["A2", "Beta", "Aino", "basic", "", "5/6/2026", "", "", ""]]
    _same_message(spark_engine, _written(tmp_path, HEADER, rows))
    rows[0][5] = "13/4/2026"  # a first part above 12: day first, decided once for the column
    _same(spark_engine, _written(tmp_path, HEADER, rows), choose_mapping(Inputs(SAMPLE, preset="canonical"))[0])


def test_a_missing_column_is_the_same_message_on_spark(spark_engine: Any, tmp_path: Path) -> None:  # noqa: F811
    _same_message(spark_engine, _written(tmp_path, ["account_id", "owner"], [["A1", "Aino"]]))
