"""Generic tasks: one rule for every preset. A CRM's generic "Task" says nothing of what
happened, and real teams log calls as tasks, so its subject decides (as for a blank type); one
the subject does not classify either is unclassified, counted as the keyword file says. The
coverage line shows how many rows went each way.

Fixtures are made up, shaped like each CRM's activity export (HubSpot's combined export with
`TASK`, HubSpot's own tasks file with `Task Title` and no type column, Dynamics' `Task`)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.check import Inputs, run_check
from checker.inputs.columns import decode
from checker.inputs.mappings import presets
from checker.reports.text import log_lines

AS_OF = date(2026, 10, 31)
COMPANIES = "Record ID,Company name,Company owner,Relationship stage\n18453920100,Koivuranta Metals Oy,Aino K.,Cooperation\n"
MAPPING = "kind: mapping\nextends: hubspot\naccounts:\n  declared_stage: [Relationship stage]\n"
ACTIVITIES = ("Record ID,Activity type,Activity date,Activity assigned to,Subject,Task Status,Associated Contact IDs,Associated Company IDs\n"
              "61200000001,TASK,2026-10-01 09:00,Aino K.,Call with the buyer about volumes,COMPLETED,51234000001,18453920100\n"
              "61200000002,TASK,2026-10-02 09:00,Aino K.,Follow up,COMPLETED,51234000001,18453920100\n"
              "61200000003,TASK,2026-10-03 09:00,Aino K.,Newsletter October,COMPLETED,51234000001,18453920100\n"
              "61200000004,CALL,2026-10-04 09:00,Aino K.,Weekly call,COMPLETED,51234000001,18453920100\n"
              "61200000005,NOTE,2026-10-05 09:00,Aino K.,Internal memo,,51234000001,18453920100\n")
TASKS_FILE = ("Record ID,Task Title,Due date,Task Status,Associated Company IDs\n"
              "71200000001,Soitin ostajalle,2026-10-01,COMPLETED,18453920100\n"
              "71200000002,Muistutus,2026-10-02,COMPLETED,18453920100\n")


def inputs(tmp_path: Path, activities: str) -> Inputs:
    (tmp_path / "companies.csv").write_text(COMPANIES, encoding="utf-8")
    (tmp_path / "activities.csv").write_text(activities, encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    return Inputs(tmp_path / "companies.csv", [tmp_path / "activities.csv"], [], "auto", tmp_path / "m.yaml")


def check(tmp_path: Path, playbook, activities: str, lang: str = "en"):
    return run_check(inputs(tmp_path, activities), playbook, AS_OF, lang, "http://h")


def interactions(result) -> float:
    return decode(result.table.columns.get("interactions_90d")[0], result.playbook.signals["interactions_90d"])


def test_a_generic_task_is_classified_by_its_subject_and_counted_each_way(tmp_path, playbook):
    result = check(tmp_path, playbook, ACTIVITIES)
    # The call-like task and the vague one count (the keyword file: unclassified is an
    # interaction); the newsletter task is a mass e-mail and the note an internal note: not.
    assert interactions(result) == 3
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_generic_type"], log["rows_generic_type_unclassified"], log["rows_unclassified_type"]) == (3, 1, 1)
    line = log_lines(result)[0]
    assert "3 generic tasks (2 classified by their subject, 1 not)" in line
    assert "1 of no recognised type (counted as an interaction)" in line


def test_hubspots_own_tasks_file_is_generic_too(tmp_path, playbook):
    result = check(tmp_path, playbook, TASKS_FILE)
    assert interactions(result) == 2  # "Soitin" is a call by its subject; "Muistutus" is unclassified, still an interaction
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_generic_type"], log["rows_generic_type_unclassified"]) == (2, 1)


def test_the_coverage_line_is_in_finnish_too(tmp_path, playbook):
    fi = check(tmp_path, playbook, ACTIVITIES, "fi")
    assert "3 yleistä tehtävää (aiheen perusteella luokiteltu 2, luokittelematta 1)" in log_lines(fi)[0]


@pytest.mark.parametrize("preset", sorted(presets()))
def test_every_preset_leaves_a_generic_task_to_its_subject(preset):
    """One rule for all presets: any task value a preset lists is generic (null), never a note."""
    mapping = presets()[preset]
    tasks = {k: v for k, v in mapping.vocabulary("activity_type").items() if k in ("task", "tehtävä")}
    assert all(v is None for v in tasks.values())
    implied = {c: t for c, t in mapping.type_from_columns.items() if "task" in c.casefold() or "tehtävä" in c.casefold()}
    assert all(mapping.vocabulary("activity_type").get(t.casefold(), "missing") is None for t in implied.values())
