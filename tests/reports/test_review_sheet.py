"""`playbook review-sheet`: the accounts that lack evidence; filled in by the test, it is an assessments file."""
from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from checker.reports.review_sheet import sheet_signals
from tests.conftest import run

EXPORT = ("account_id,account_name,owner,declared_stage,customer_contacts_12m,open_books,share_of_wallet,revenue_12m\n"
          "A1,Alpha Oy,Anna,,2,,,5000\n"
          "A2,=HYPERLINK(\"x\"),Anna,cooperation,,yes,0.37,9000\n"
          "A3,Gamma Ab,Mikko,,,,,100\n"
          "A4,Beta Ltd,Anna,,,,,9000\n"
          "A5,Delta,Anna,integrated,12,yes,0.85,20000\n")


def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def answer(signal, lang: str, rng: random.Random, playbook) -> tuple[object, object]:
    """A made-up answer: what a person types or picks in the sheet, and the value it means."""
    options = signal.data.get("ask", {}).get("options")
    if options:
        option = rng.choice(options)
        return option["label"][lang], option["value"]
    if signal.type == "boolean":
        yes = rng.random() < 0.5
        return playbook.text("check.yes" if yes else "check.no", lang), yes
    if signal.type == "date":
        day = date(2026, rng.randint(1, 9), rng.randint(1, 28))
        return datetime(day.year, day.month, day.day), day  # a date cell, as Excel stores it
    if signal.type == "amount":
        n = rng.randint(0, 50000)
        return n, float(n)
    n = rng.randint(0, 12)
    return n, n


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_sheet_filled_in_round_trips_through_check(tmp_path, capsys, playbook, lang):
    sheet = tmp_path / "sheet.xlsx"
    code, _, err = run(capsys, "review-sheet", str(export(tmp_path)), "--output", str(sheet), "--as-of", "2026-11-01", "--lang", lang)
    assert code == 0, err
    book = openpyxl.load_workbook(sheet)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:2] == [playbook.text("review.column.account_id", lang), playbook.text("review.column.account_name", lang)]
    fields = ["account_id", "account_name", "owner", "reviewed_on", "reviewer", "declared_stage", *sheet_signals(playbook)]
    assert len(header) == len(fields)
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert "A5" not in ids  # its evidence settles its stage
    # The hostile name is text, never a formula.
    names = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(2, ws.max_row + 1)}
    assert names["A2"].data_type == "s" and names["A2"].value.startswith("=HYPERLINK")
    # Drop-downs: the stages, yes/no and every asked signal with options.
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789") for v in ws.data_validations.dataValidation if v.type == "list"}
    from openpyxl.utils import get_column_letter
    want = {get_column_letter(fields.index(f) + 1) for f in fields if f == "declared_stage" or (f in playbook.signals and (
        playbook.signals[f].type == "boolean" or playbook.signals[f].data.get("ask", {}).get("options")))}
    assert lists == want
    # Fill it in as a person would, keeping what the CRM filled.
    rng = random.Random(19)
    meant: dict[str, dict[str, object]] = {}
    for r in range(2, ws.max_row + 1):
        account = ws.cell(row=r, column=1).value
        ws.cell(row=r, column=fields.index("reviewed_on") + 1).value = datetime(2026, 10, r)
        ws.cell(row=r, column=fields.index("reviewer") + 1).value = "Test Reviewer"
        meant[account] = {}
        for signal_id in sheet_signals(playbook):
            cell = ws.cell(row=r, column=fields.index(signal_id) + 1)
            if cell.value not in (None, ""):
                continue
            shown, value = answer(playbook.signals[signal_id], lang, rng, playbook)
            cell.value = shown
            meant[account][signal_id] = value
    book.save(sheet)
    code, out, err = run(capsys, "signals", str(export(tmp_path)), "--assessments", str(sheet), "--as-of", "2026-11-01", "--format", "json")
    assert code == 0, err
    accounts = {a["account_id"]: a for a in json.loads(out)["accounts"]}
    for account, values in meant.items():
        for signal_id, value in values.items():
            got = accounts[account]["signals"][signal_id]
            assert got == (value.isoformat() if isinstance(value, date) else value), (account, signal_id)
            assert accounts[account]["from"][signal_id]["review"]["reviewer"] == "Test Reviewer"
    # What the CRM filled in reads back the same: no review disagrees with it.
    code, out, err = run(capsys, "check", str(export(tmp_path)), "--assessments", str(sheet), "--as-of", "2026-11-01", "--format", "json")
    report = json.loads(out)
    assert report["summary"]["findings_by_kind"]["review-disagrees"] == 0
    assert report["summary"]["coverage"]["reviews"]["accounts_reviewed"] == len(meant)


def test_order_owner_and_csv(tmp_path, capsys, playbook):
    out = tmp_path / "sheet.csv"
    code, _, err = run(capsys, "review-sheet", str(export(tmp_path)), "--output", str(out), "--owner", "anna", "--as-of", "2026-11-01")
    assert code == 0 and "owner anna" in err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    ids = [r[0] for r in rows[1:]]
    assert "A3" not in ids  # Mikko's
    # Thin evidence, by revenue (highest first) then name: Beta Ltd and =HYPERLINK have 9000.
    assert ids[:3] == ["A2", "A4", "A1"] or ids[:3] == ["A4", "A2", "A1"]
    by_name = sorted([("'=HYPERLINK(\"x\")", "A2"), ("Beta Ltd", "A4")], key=lambda p: p[0].lstrip("'").casefold())
    assert ids[:2] == [a for _, a in by_name]
    assert rows[ids.index("A2") + 1][1].startswith("'=")  # neutralised in CSV
    code, _, _ = run(capsys, "review-sheet", str(export(tmp_path)), "--output", str(out), "--as-of", "2026-11-01")
    everything = [r[0] for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))][1:]
    assert sorted(everything) == ["A1", "A2", "A3", "A4"]  # A5's evidence settles its stage
    # An unfilled sheet read back: every row counted as not filled, nothing used.
    code, out_text, err = run(capsys, "check", str(export(tmp_path)), "--assessments", str(out), "--as-of", "2026-11-01", "--format", "json")
    assert "4 row(s) of the assessments file(s) have no reviewed_on and no reviewer" in err
    assert json.loads(out_text)["summary"]["coverage"]["reviews"]["accounts_reviewed"] == 0


def test_a_wrong_output_name_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "review-sheet", str(export(tmp_path)), "--output", str(tmp_path / "sheet.pdf"))
    assert code == 2 and "give a .xlsx or .csv file" in err
