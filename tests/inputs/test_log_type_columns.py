"""A custom activity-type column (a Salesforce org's `Activity_Type__c`): when rows are of no
recognised type, the coverage note names the column, its values there and the mapping line
that reads it; with that line in the mapping the rows are classified.

The fixture is made up, shaped like a Salesforce Data Export's Task.csv of an org that added
its own picklist: `Type` left blank, `TaskSubtype` "Task", Spanish subjects that say little,
and Salesforce's own `CallType` (empty on these tasks) and `RecordTypeId`."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from checker.check import Inputs, run_check
from checker.inputs.log_type_columns import candidates
from checker.reports.text import log_lines

AS_OF = date(2026, 6, 30)
ACCOUNTS = '"Id","Name","Type"\n"001000000000001AAA","Esimerkki Oy","basic"\n'
HEAD = '"Id","WhoId","Subject","ActivityDate","Status","Type","AccountId","TaskSubtype","CallType","RecordTypeId","Activity_Type__c"\n'
ROW = '"00T00000000000{n}AAA","003000000000001AAA","{subject}","2026-06-0{n}","Completed","","001000000000001AAA","Task","","012000000000001AAA","{kind}"\n'
TASKS = HEAD + "".join(ROW.format(n=n, subject=s, kind=k) for n, s, k in (
    (1, "Seguimiento", "Visita cliente"), (2, "Revisión pedido", "Visita cliente"), (3, "Pendientes", "Demo"),
    (4, "Llamada con cliente", "Llamada"), (5, "Varios", "")))


def run(tmp_path: Path, playbook, extra: str = ""):
    (tmp_path / "Account.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "Task.csv").write_text(TASKS, encoding="utf-8")
    (tmp_path / "m.yaml").write_text("kind: mapping\nextends: salesforce\naccounts:\n  declared_stage: [Type]\n" + extra, encoding="utf-8")
    return run_check(Inputs(tmp_path / "Account.csv", [tmp_path / "Task.csv"], [], "auto", tmp_path / "m.yaml"), playbook, AS_OF, "en", "http://h")


def test_the_note_names_the_custom_type_column_and_the_mapping_line(tmp_path, playbook):
    result = run(tmp_path, playbook)
    log = result.summary()["sources"]["logs"][0]
    assert log["rows_unclassified_type"] == 4  # all but the "Llamada" one
    # Only the custom column: CallType is empty on these rows, RecordTypeId is an id.
    assert log["type_column_candidates"] == {"Activity_Type__c": {
        "rows": 3, "examples": ["Visita cliente", "Demo"], "mapping_line": "type: [[Activity_Type__c, Type, TaskSubtype]]"}}
    note = next(line for line in log_lines(result) if "Activity_Type__c" in line)
    assert "fills 3 of the rows of no recognised type ('Visita cliente', 'Demo')" in note
    assert "add `type: [[Activity_Type__c, Type, TaskSubtype]]` under `activities:`" in note


def test_with_the_line_in_the_mapping_the_rows_are_classified(tmp_path, playbook):
    extra = ("activities:\n  type: [[Activity_Type__c, Type, TaskSubtype]]\n"
             "values:\n  activity_type:\n    Visita cliente: visit\n    Demo: meeting\n")
    log = run(tmp_path, playbook, extra).summary()["sources"]["logs"][0]
    assert log["rows_unclassified_type"] == 1  # "Varios", with nothing in any column
    assert log["type_column_candidates"] == {}


def test_no_note_when_every_row_is_classified(tmp_path, playbook):
    log = run(tmp_path, playbook, "values:\n  activity_type:\n    Task: call\n").summary()["sources"]["logs"][0]
    assert log["rows_unclassified_type"] == 0 and log["type_column_candidates"] == {}


def test_candidates_are_type_like_names_not_read_and_not_ids():
    header = ["Id", "Type", "Activity_Type__c", "RecordTypeId", "Kategoria", "Subject", "Category"]
    assert [c.header for c in candidates(header, kept={1, 5})] == ["Activity_Type__c", "Kategoria", "Category"]
