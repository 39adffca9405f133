"""`playbook signals`: the account table the checker judges, written as a canonical export."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import AS_OF, FIXTURES, SAMPLE, run

from checker.options import _parser
from checker.playbook.schemas import validator

EXPORTS = FIXTURES / "exports"
CASES = sorted(p.parent for p in EXPORTS.glob("*/expected.yaml") if p.parent.name != "bad")
#: Notes about a cell the checker could not read: the signals file has that cell empty (unknown),
#: so a check of it does not repeat them; they stay in the check's own report.
CELL_NOTES = {"data-invalid-value", "data-ragged-short", "data-ragged-long"}


def _args(folder: Path) -> list[str]:
    args = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["args"]
    return [str(folder / a) if (folder / a).exists() else a for a in args]


def _findings(report: str) -> dict[str, tuple[str | None, list[str]]]:
    return {a["account_id"]: (a["best_fit_stage"], sorted(f["rule"] for f in a["findings"] if f["rule"] not in CELL_NOTES))
            for a in json.loads(report)["accounts"]}


@pytest.mark.parametrize("args", [[str(SAMPLE)], *map(_args, CASES)], ids=["sample", *(c.name for c in CASES)])
def test_the_signals_csv_checked_again_gives_the_same_findings(capsys, tmp_path, args):
    code, original, err = run(capsys, "check", *args, "--format", "json", "--fail-on", "never", *AS_OF)
    assert code == 0, err
    signals = tmp_path / "signals.csv"
    code, _, err = run(capsys, "signals", *args, "--output", str(signals), *AS_OF)
    assert code == 0, err
    code, again, err = run(capsys, "check", str(signals), "--preset", "canonical", "--format", "json", "--fail-on", "never", *AS_OF)
    assert code == 0, err
    assert _findings(again) == _findings(original)
    code, out, _ = run(capsys, "signals", *args, "--format", "json", *AS_OF)
    table = json.loads(out)
    assert list(validator("signal-table.schema.json").iter_errors(table)) == []
    assert [a["account_id"] for a in table["accounts"]] == list(_findings(original))


def _made_up(tmp_path: Path) -> list[str]:
    (tmp_path / "accounts.csv").write_text(
        "account_id,account_name,declared_stage,share_of_wallet,interactions_90d,portfolio_class\n"
        "A1,=HYPERLINK(\"http://x\"),Yhteistyövaihe,45 %,7,+-\n"
        "A2,Beta Oy,cooperatoin,,,\n", encoding="utf-8")
    (tmp_path / "activities.csv").write_text(
        "account_id,date,type,topic,customer_contact,our_contact,status\n"
        "A1,2026-10-01,call,follow-up,Liisa,Eero,closed\n"
        "A2,2026-10-02,meeting,review,Pekka,Eero,closed\n"
        "A2,2026-10-03,call,price,Pekka,Eero,closed\n", encoding="utf-8")
    return [str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--preset", "canonical"]


def test_the_signals_csv_has_one_row_per_account_and_one_column_per_signal(capsys, tmp_path, playbook):
    code, out, _ = run(capsys, "signals", *_made_up(tmp_path), *AS_OF)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["account_id", "account_name", "declared_stage", *playbook.signals]
    assert [r["account_id"] for r in rows] == ["A1", "A2"]
    assert rows[0]["declared_stage"] == "cooperation"  # the normalised id
    assert rows[1]["declared_stage"] == "cooperatoin"  # no stage: as the file wrote it, so a check of it says so again
    assert (rows[0]["share_of_wallet"], rows[0]["interactions_90d"], rows[1]["interactions_90d"]) == ("0.45", "7", "2")  # A1's own value wins
    assert rows[1]["share_of_wallet"] == "" and rows[0]["open_books"] == ""  # unknown stays empty, never 0


def test_the_signals_csv_is_neutralised_against_formula_injection(capsys, tmp_path):
    _, out, _ = run(capsys, "signals", *_made_up(tmp_path), *AS_OF)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["account_name"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["portfolio_class"] == "'+-"  # read back as +- by check (a spreadsheet's text marker)


def test_the_signals_json_says_where_each_value_came_from(capsys, tmp_path):
    code, out, _ = run(capsys, "signals", *_made_up(tmp_path), "--format", "json", *AS_OF)
    assert code == 0
    report = json.loads(out)
    assert list(validator("signal-table.schema.json").iter_errors(report)) == []
    assert report["logs"] == ["activities.csv"]
    a1, a2 = report["accounts"]
    assert a1["signals"]["share_of_wallet"] == 0.45 and a1["signals"]["open_books"] is None
    assert a1["from"]["share_of_wallet"] == {"file": "accounts.csv", "column": "share_of_wallet"}
    assert a1["from"]["interactions_90d"] == {"file": "accounts.csv", "column": "interactions_90d"}  # the export's own value
    assert a2["from"]["interactions_90d"] == {"logs": ["activities.csv"]} and a2["signals"]["interactions_90d"] == 2
    assert a2["signals"]["last_interaction"] == "2026-10-03"
    assert "open_books" not in a1["from"]  # unknown: from nowhere
    assert (a2["declared_stage"], a2["declared_stage_raw"]) == (None, "cooperatoin")


def test_signals_reads_its_inputs_with_the_same_options_as_check():
    def inputs(command: str) -> set[str]:
        sub = next(a for a in _parser()._actions if a.dest == "command").choices[command]
        return {o for a in sub._actions for o in a.option_strings} | {a.dest for a in sub._actions if not a.option_strings}

    shared = {"accounts", "--activities", "--deals", "--preset", "--mapping", "--date-format", "--sheet", "--as-of", "--output", "--lang", "--playbooks"}
    assert shared <= inputs("signals") and shared <= inputs("check")


def test_signals_writes_its_file_whole_and_refuses_to_overwrite_the_export(capsys, tmp_path):
    args = _made_up(tmp_path)
    code, _, err = run(capsys, "signals", *args, "--output", str(tmp_path / "signals.json"), "--format", "json", *AS_OF)
    assert code == 0 and "the signals of 2 accounts" in err
    assert len(json.loads((tmp_path / "signals.json").read_text(encoding="utf-8"))["accounts"]) == 2
    code, _, err = run(capsys, "signals", *args, "--output", args[0], *AS_OF)
    assert code == 2 and "--output must not be the input file" in err
