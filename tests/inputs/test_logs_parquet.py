"""Logs as Parquet files (issue 25): read as the CSVs are, through the engine, with the same signals."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml

from checker.check import Inputs, read_signals
from checker.cli import main

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
LOG_OPTIONS = ("--activities", "--deals")


def case(folder: str) -> tuple[list[str], date]:
    spec = yaml.safe_load((EXPORTS / folder / "expected.yaml").read_text(encoding="utf-8"))
    return [str(a) for a in spec["args"]], date.fromisoformat(str(spec["as_of"]))


def as_parquet(csv: Path, target: Path, typed: bool) -> Path:
    """The CSV written as Parquet: every column as text, or with the types DuckDB detects (dates, numbers, booleans)."""
    out = target / (csv.stem + ".parquet")
    options = "" if typed else ", all_varchar=true"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{csv}'{options})) TO '{out}' (FORMAT parquet)")
    return out


def inputs_of(folder: Path, args: list[str]) -> Inputs:
    logs = {option: [folder / args[i + 1] for i, a in enumerate(args) if a == option] for option in LOG_OPTIONS}
    mapping = folder / args[args.index("--mapping") + 1] if "--mapping" in args else None
    preset = args[args.index("--preset") + 1] if "--preset" in args else "auto"
    return Inputs(folder / args[0], logs["--activities"], logs["--deals"], preset, mapping)


def signals(inputs: Inputs, playbook, as_of: date) -> tuple[dict[str, np.ndarray], list[dict]]:
    table, sources = read_signals(inputs, playbook, as_of, "en")
    counts = [{k: [str(p) for p in v] if k in ("warnings", "first_problems") else v for k, v in vars(s).items() if k != "name"} for s in sources.logs]
    return {name: table.columns.get(name) for name in sources.derived}, counts


@pytest.mark.parametrize("typed", [False, True], ids=["text", "typed"])
@pytest.mark.parametrize("folder", ["canonical", "hubspot", "pipedrive"])
def test_logs_written_as_parquet_give_the_signals_and_counts_of_the_csvs(folder, typed, tmp_path, playbook):
    args, as_of = case(folder)
    expected = signals(inputs_of(EXPORTS / folder, args), playbook, as_of)
    for f in (EXPORTS / folder).iterdir():
        shutil.copy(f, tmp_path)
    converted = [as_parquet(tmp_path / a, tmp_path, typed).name if args[i - 1] in LOG_OPTIONS else a for i, a in enumerate(args)]
    assert converted != args
    found = signals(inputs_of(tmp_path, converted), playbook, as_of)
    assert found[0].keys() == expected[0].keys()
    for name, column in expected[0].items():
        np.testing.assert_array_equal(found[0][name], column, err_msg=name)  # NaN (unknown) where the CSV's is
    for got, want in zip(found[1], expected[1], strict=True):
        assert {k: v for k, v in got.items() if got[k] != want[k]} == {}


def test_a_damaged_parquet_log_is_one_message_naming_it_and_exit_2(tmp_path, capsys):
    shutil.copy(EXPORTS / "canonical" / "accounts.csv", tmp_path)
    (tmp_path / "activities.parquet").write_bytes(b"PAR1 not really a parquet file")
    code = main(["check", str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.parquet"), "--as-of", "2026-10-31"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "activities.parquet" in err and "Traceback" not in err


def test_a_parquet_log_without_the_account_and_date_columns_says_which_columns_it_has(tmp_path, capsys):
    shutil.copy(EXPORTS / "canonical" / "accounts.csv", tmp_path)
    duckdb.execute(f"COPY (SELECT 'x' AS Kunde, 'y' AS Datum) TO '{tmp_path / 'activities.parquet'}' (FORMAT parquet)")
    code = main(["check", str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.parquet"), "--preset", "canonical",
                 "--as-of", "2026-10-31"])
    err = capsys.readouterr().err
    assert code == 2 and "activities.parquet" in err and "Kunde, Datum" in err and "Traceback" not in err
