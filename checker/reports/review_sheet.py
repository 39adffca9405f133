"""`playbook review-sheet`: the accounts that lack evidence, as a sheet for the account review meeting.

One row per account whose evidence is thin (no best fit, or one --propose-stages marks
"review"), by revenue (highest first) then name. What the CRM knows is filled in; the questions the
handbook's review page asks (signals with `ask:` in the catalogue) are blank where the CRM
does not know them. Headers are in the chosen language; XLSX cells get drop-downs for the
stages, yes/no and the plain ranges and choices of the catalogue, with the options' labels
(the assessments reader turns a label back into its value). Filled in, the sheet is an
assessments file: `playbook check --assessments sheet.xlsx` reads it as it is.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from checker.check import CheckResult
from checker.inputs.columns import decode
from checker.inputs.values import canonical_text
from checker.playbook.model import Playbook, Signal
from checker.reports.csv import neutralise
from checker.reports.proposals import propose

IDENTITY = ["account_id", "account_name", "owner", "reviewed_on", "reviewer", "declared_stage"]
#: Shown for context (and read back like any signal): the sheet is ordered by it.
CONTEXT = ["revenue_12m"]


def sheet_signals(playbook: Playbook) -> list[str]:
    """The sheet's signal columns: the asked ones in catalogue order, then the context ones."""
    asked = [s for s, signal in playbook.signals.items() if "ask" in signal.data]
    return asked + [s for s in CONTEXT if s in playbook.signals and s not in asked]


def accounts(result: CheckResult, owners: list[str]) -> list[int]:
    """The accounts of the sheet: of these owners (all when none), those whose evidence is thin
    (no best fit, or a proposal marked review), by revenue (highest first) then name."""
    table = result.table
    wanted = {o.casefold().strip() for o in owners}
    revenue = table.columns.get("revenue_12m")
    rows = []
    for i in range(len(table)):
        if wanted and table.owners[i].casefold().strip() not in wanted:
            continue
        if propose(result, i).thin:
            money = revenue[i] if revenue[i] == revenue[i] else float("-inf")
            rows.append((-money, table.names[i].casefold(), table.ids[i], i))
    return [row[-1] for row in sorted(rows)]


def _option_label(signal: Signal, value: object, lang: str) -> str | None:
    for option in signal.data.get("ask", {}).get("options", []):
        if option["value"] == value:
            return option["label"][lang]
    return None


def _cell(result: CheckResult, signal_id: str, index: int) -> str:
    """What the CRM knows, as the sheet shows it: a yes/no word, an option's label, else the canonical text."""
    signal = result.playbook.signals[signal_id]
    value = decode(result.table.columns.get(signal_id)[index], signal)
    if value is None:
        return ""
    if signal.type == "boolean":
        return result.text("check.yes" if value else "check.no")
    return _option_label(signal, value, result.lang) or canonical_text(value)


def rows(result: CheckResult, picked: list[int]) -> tuple[list[str], list[list[object]]]:
    """The header (in the run's language) and the rows of the sheet."""
    playbook, lang, table = result.playbook, result.lang, result.table
    signals = sheet_signals(playbook)
    header = [playbook.text(f"review.column.{c}", lang) for c in IDENTITY] + [playbook.signals[s].name[lang] for s in signals]
    body = []
    for i in picked:
        declared = table.declared[i]
        stage = playbook.phases[declared].name[lang] if declared else ""
        body.append([table.ids[i], table.names[i], table.owners[i], "", "", stage, *(_cell(result, s, i) for s in signals)])
    return header, body


def to_csv(header: list[str], body: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue()


def to_xlsx(result: CheckResult, header: list[str], body: list[list[object]]) -> bytes:
    """The sheet as a workbook: the review sheet first (what the reader reads), the drop-down lists in a hidden second sheet."""
    import openpyxl  # only this output needs it
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    playbook, lang = result.playbook, result.lang
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = playbook.text("sheet.title", lang)[:31]
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    sheet.append(header)
    for row in body:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text from the export stays text: `=…` is never a formula
    last = max(len(body) + 1, 2)
    yes_no = [playbook.text("check.yes", lang), playbook.text("check.no", lang)]
    choices: dict[str, list[str] | str] = {"declared_stage": [p.name[lang] for p in playbook.phases.values()]}
    for s in sheet_signals(playbook):
        signal = playbook.signals[s]
        options = signal.data.get("ask", {}).get("options")
        if options:
            choices[s] = [o["label"][lang] for o in options]
        elif signal.type == "boolean":
            choices[s] = yes_no
        elif signal.type == "count":
            choices[s] = "whole"
        elif signal.type == "date":
            choices[s] = "date"
    fields = IDENTITY + sheet_signals(playbook)
    choices["reviewed_on"] = "date"
    list_columns = 0
    for n, name in enumerate(fields, start=1):
        kind = choices.get(name)
        column = get_column_letter(n)
        sheet.column_dimensions[column].width = max(12, min(40, len(header[n - 1]) + 2))
        if kind is None:
            continue
        if isinstance(kind, list):
            list_columns += 1
            list_column = get_column_letter(list_columns)
            for r, label in enumerate(kind, start=1):
                lists[f"{list_column}{r}"] = label
            rule = DataValidation(type="list", formula1=f"=lists!${list_column}$1:${list_column}${len(kind)}", allow_blank=True)
        elif kind == "whole":
            rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        else:
            rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        rule.errorStyle = "warning"  # a value outside the list is allowed (the reader says what it cannot use)
        rule.error = playbook.text("sheet.invalid_choice", lang)
        sheet.add_data_validation(rule)
        rule.add(f"{column}2:{column}{last + 200}")
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def review_sheet(result: CheckResult, owners: list[str], path: Path) -> tuple[str | bytes, str]:
    """The sheet (XLSX bytes for a .xlsx path, else CSV text), and what it holds in a line for stderr."""
    picked = accounts(result, owners)
    header, body = rows(result, picked)
    sheet = to_xlsx(result, header, body) if path.suffix.lower() == ".xlsx" else to_csv(header, body)
    owner = result.text("sheet.owner", owner=", ".join(owners)) if owners else ""
    return sheet, result.text("sheet.wrote", path=path, n=len(picked), total=len(result.table), owner=owner)

