"""What an activity or a deal is: types from subjects, mass e-mails, keyword classes, deal status.

Fixtures are made up, shaped like a Salesforce Data Export (quoted API-name headers, blank
`Type`, ISO-8859-1) and like the subjects real teams write."""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from checker.check import Inputs, run_check
from checker.inputs.columns import decode
from checker.inputs.engine import DuckEngine
from checker.inputs.log_classes import ACTIVITY_TYPES, classify_activities, row_kinds
from checker.inputs.mappings import presets

AS_OF = date(2026, 6, 30)
ACCOUNTS = '"Id","Name","Type"\n"001000000000001AAA","Esimerkki Oy","basic"\n"001000000000002AAA","Muuan Ab","basic"\n'
TASKS = ('"Id","WhoId","WhatId","Subject","ActivityDate","Status","OwnerId","Type","AccountId","TaskSubtype"\n'
         '"00T000000000001AAA","003000000000001AAA","000000000000000AAA","Email: Propuesta de campaña","2026-06-01","Completed","005000000000001AAA","","001000000000001AAA","Task"\n'
         '"00T000000000002AAA","003000000000001AAA","000000000000000AAA","Llamada con cliente","2026-06-02","Completed","005000000000001AAA","","001000000000001AAA","Task"\n'
         '"00T000000000003AAA","003000000000001AAA","000000000000000AAA","Seguimiento","2026-06-03","Completed","005000000000001AAA","","001000000000001AAA","Task"\n'
         '"00T000000000004AAA","003000000000001AAA","000000000000000AAA","Email de lista: Boletín junio","2026-06-04","Completed","005000000000001AAA","","001000000000001AAA","Task"\n'
         '"00T000000000005AAA","003000000000001AAA","000000000000000AAA","June newsletter","2026-06-05","Completed","005000000000001AAA","","001000000000001AAA","ListEmail"\n'
         '"00T000000000006AAA","003000000000001AAA","000000000000000AAA","Internal prep","2026-06-06","Completed","005000000000001AAA","Other","001000000000001AAA","Task"\n')


def run(tmp_path: Path, playbook, tasks: str = TASKS, deals: str | None = None):
    (tmp_path / "Account.csv").write_bytes(ACCOUNTS.encode("latin-1"))
    (tmp_path / "Task.csv").write_bytes(tasks.encode("latin-1"))
    paths = []
    if deals:
        (tmp_path / "Opportunity.csv").write_text(deals, encoding="utf-8")
        paths = [tmp_path / "Opportunity.csv"]
    (tmp_path / "m.yaml").write_text("kind: mapping\nextends: salesforce\naccounts:\n  declared_stage: [Type]\n", encoding="utf-8")
    inputs = Inputs(tmp_path / "Account.csv", [tmp_path / "Task.csv"], paths, "auto", tmp_path / "m.yaml")
    return run_check(inputs, playbook, AS_OF, "en", "http://h")


def value(result, account: str, signal: str) -> object:
    return decode(result.table.columns.get(signal)[result.table.ids.index(account)], result.playbook.signals[signal])


def test_a_blank_type_is_classified_from_the_subject_and_mass_emails_are_no_interaction(tmp_path, playbook):
    result = run(tmp_path, playbook)
    # E-mail and call by their subjects, "Seguimiento" unclassified (counted, as the keyword file
    # decides); the list e-mail (by subject, and by Salesforce's ListEmail subtype) and the note are not.
    assert value(result, "001000000000001AAA", "interactions_90d") == 3
    log = result.summary()["sources"]["logs"][0]
    assert log["rows_unclassified_type"] == 1 and log["rows_used"] == 6


def test_salesforce_generic_task_subtype_leaves_the_type_to_the_subject_and_is_not_unrecognised(tmp_path, playbook):
    # Every blank-typed row above has TaskSubtype "Task": classified by its subject as before,
    # and not listed as an activity type to map.
    result = run(tmp_path, playbook)
    assert value(result, "001000000000001AAA", "interactions_90d") == 3
    assert result.summary()["sources"]["logs"][0]["unrecognised_activity_types"] == {}
    odd = TASKS.replace('"Seguimiento","2026-06-03","Completed","005000000000001AAA","",', '"Seguimiento","2026-06-03","Completed","005000000000001AAA","Visita rara",')
    assert run(tmp_path, playbook, odd).summary()["sources"]["logs"][0]["unrecognised_activity_types"] == {"Visita rara": 1}


def test_an_unclassified_activity_is_no_interaction_when_the_keyword_file_says_so(tmp_path, playbook):
    keywords = {**playbook.activity_keywords, "unclassified_is_interaction": False}
    result = run(tmp_path, dataclasses.replace(playbook, activity_keywords=keywords))
    assert value(result, "001000000000001AAA", "interactions_90d") == 2


def classes_of(playbook, subjects: list[str]) -> dict[str, dict[str, bool]]:
    engine = DuckEngine()
    db = engine.db
    db.execute("CREATE TABLE activities (type VARCHAR, topic VARCHAR)")
    db.executemany("INSERT INTO activities VALUES ('', ?)", [[s] for s in subjects])
    classify_activities(engine, playbook.activity_keywords, presets()["canonical"], ACTIVITY_TYPES)
    names = [c[0] for c in db.execute("DESCRIBE kinds").fetchall() if c[0].startswith("c_")]
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in db.execute(f"SELECT topic, {', '.join(names)} FROM kinds").fetchall()}


@pytest.mark.parametrize(("subject", "not_class"), [
    ("Pilot proposal for the trial licence", "c_development"),  # a sales trial
    ("Quote sent for 20 units", "c_price"),
    ("Tarjous lähetetty", "c_price"),
    ("Kustannussäästöprojektin työpaja", "c_price"),  # shared savings work
    ("Cost reduction workshop", "c_price"),
    ("Laitteen luovutus asiakkaalle", "c_handover"),  # a delivery handover
    ("Käyttäjien perehdytys", "c_handover"),  # user training
    ("QBR Q2", "c_joint_planning"),
    ("Quarterly business review", "c_joint_planning"),
])
def test_keywords_leave_everyday_subjects_out_of_the_classes(playbook, subject, not_class):
    assert classes_of(playbook, [subject])[subject][not_class] is False


@pytest.mark.parametrize(("subject", "cls"), [
    ("Joint pilot: remote monitoring", "c_development"),
    ("Hintaneuvottelu 2027", "c_price"),
    ("Discount request", "c_price"),
    ("Yhteyshenkilön vaihto: uusi ostaja", "c_handover"),
    ("Annual plan 2027 with the customer", "c_joint_planning"),
])
def test_keywords_still_recognise_their_classes(playbook, subject, cls):
    assert classes_of(playbook, [subject])[subject][cls] is True


DEALS = ('"Id","AccountId","Name","StageName","Amount","CloseDate","IsClosed","IsWon","CurrencyIsoCode"\n'
         '"006000000000001AAA","001000000000001AAA","A","Firmas","100","2026-05-01","1","1","EUR"\n'
         '"006000000000002AAA","001000000000001AAA","B","Negociación","100","2026-05-02","0","0","EUR"\n'
         '"006000000000003AAA","001000000000001AAA","C","Perdida","100","2026-05-03","1","0","EUR"\n')


def test_is_won_and_is_closed_decide_a_deals_status(tmp_path, playbook):
    result = run(tmp_path, playbook, deals=DEALS)
    assert value(result, "001000000000001AAA", "purchases_12m") == 1  # "Firmas" is won by IsWon
    assert result.summary()["sources"]["logs"][1]["unrecognised_deal_statuses"] == {}


def test_a_deal_status_that_maps_to_nothing_is_reported_not_taken_as_open(tmp_path, playbook):
    without_flags = "\n".join(",".join(line.split(",")[:6] + line.split(",")[8:]) for line in DEALS.splitlines()) + "\n"
    result = run(tmp_path, playbook, deals=without_flags)
    assert value(result, "001000000000001AAA", "purchases_12m") == 0
    assert result.summary()["sources"]["logs"][1]["unrecognised_deal_statuses"] == {"Firmas": 1, "Negociación": 1, "Perdida": 1}


def test_each_type_topic_and_status_is_one_kind_with_its_status_read_once(playbook):
    engine = DuckEngine()
    db = engine.db
    db.execute("CREATE TABLE activities (type VARCHAR, topic VARCHAR, status VARCHAR)")
    db.executemany("INSERT INTO activities VALUES (?, ?, ?)", [
        ["call", "Weekly", "Completed"], ["call", "Weekly", " completed "], ["call", "Weekly", None], ["call", "Weekly", ""],
        ["call", "Weekly", "Waiting on someone else"], ["complaint", "Late delivery", "Avoin"], [None, "Weekly", "Completed"]])
    classify_activities(engine, playbook.activity_keywords, presets()["canonical"], ACTIVITY_TYPES)
    row_kinds(engine, presets()["canonical"], "activities")
    kinds = {(t, s): (c, k, complaint) for t, s, c, k, complaint in db.execute(
        "SELECT type, status_text, cstatus, kind_id, c_complaint FROM row_kinds WHERE topic IN ('Weekly', 'Late delivery')").fetchall()}
    # An empty status and a missing one are one kind, read as no status (as a row's own lookup read them)
    assert kinds[("call", "")][0] is None
    assert len([k for k in kinds if k[0] == "call"]) == 4  # Completed, ' completed ', '' (and NULL), Waiting…
    assert kinds[("call", "Completed")][0] == kinds[("call", " completed ")][0] == "closed"
    assert kinds[("call", "Waiting on someone else")][0] == "open"
    assert kinds[("complaint", "Avoin")][0] == "open"  # the Finnish word
    assert kinds[("complaint", "Avoin")][2] is True  # the pair's classes kept
    assert kinds[("", "Completed")][0] == "closed"  # a missing type is the empty one, as in `kinds`
    assert len({k for _, k, _ in kinds.values()}) == len(kinds)  # one number each
