"""What other CRMs write in their logs, and the silent errors it caused (issue 20).

Each case is a made-up export in tests/fixtures/log-cases/<case>/ shaped like the CRM's own
behaviour (see the README there): Salesforce group events written once per invitee, HubSpot
record ids that coincide across objects, won opportunities without an amount, log files
without an account column, big accounts with many occasional contacts."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from checker.check import Inputs, run_check
from checker.inputs.columns import decode
from checker.reports.text import log_lines

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "log-cases"


def value(result, account: str, signal: str) -> object:
    return decode(result.table.columns.get(signal)[result.table.ids.index(account)], result.playbook.signals[signal])


def log_of(result, kind: str) -> dict:
    return next(log for log in result.summary()["sources"]["logs"] if log["kind"] == kind)


def accounted(log: dict) -> int:
    return (log["rows_used"] + log["rows_rejected"] + log["rows_without_account"] + log["rows_unknown_account"] + log["rows_bad_date"]
            + log["rows_no_date"] + log["rows_child_copies"] + log["rows_skipped_file"])


def check(playbook, case: str, accounts: str, as_of: date, lang: str = "en", activities: tuple[str, ...] = (), deals: tuple[str, ...] = (),
          contacts: tuple[str, ...] = (), preset: str = "auto"):
    folder = CASES / case
    mapping = folder / "mapping.yaml"
    inputs = Inputs(folder / accounts, [folder / f for f in activities], [folder / f for f in deals], preset,
                    mapping if mapping.exists() else None, contacts=[folder / f for f in contacts])
    return run_check(inputs, playbook, as_of, lang, "http://h")


# --- 1. Salesforce group events -------------------------------------------------------------------


def test_a_salesforce_group_event_counts_once_and_its_copies_are_told(playbook):
    result = check(playbook, "salesforce-group-event", "Account.csv", date(2026, 10, 31), activities=("Event.csv", "Task.csv"))
    assert value(result, "0017Q000001a1AAA", "interactions_90d") == 2  # the group review once, and the planning meeting
    assert value(result, "0017Q000001a2AAA", "interactions_90d") == 3  # the kick-off once, two calls (Task.csv has no IsChild)
    assert value(result, "0017Q000001a1AAA", "our_contacts_12m") == 1  # the invitees' copies carry other owners
    log = log_of(result, "activities")
    assert (log["rows_read"], log["rows_child_copies"], log["rows_used"]) == (9, 4, 5)
    assert accounted(log) == log["rows_read"]
    assert "4 invitees' copies of group events left out (each event counts once)" in log_lines(result)[0]
    fi = check(playbook, "salesforce-group-event", "Account.csv", date(2026, 10, 31), "fi", activities=("Event.csv",))
    assert "4 ryhmätapahtumien osallistujakopiota jätetty pois" in log_lines(fi)[0]


def test_without_an_ischild_column_every_event_counts(playbook, tmp_path):
    folder = CASES / "salesforce-group-event"
    lines = (folder / "Event.csv").read_text(encoding="utf-8").splitlines()
    cut = lines[0].split(",").index('"IsChild"')
    (tmp_path / "Event.csv").write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != cut) for line in lines) + "\n", encoding="utf-8")
    inputs = Inputs(folder / "Account.csv", [tmp_path / "Event.csv"], [], "auto", folder / "mapping.yaml")
    result = run_check(inputs, playbook, date(2026, 10, 31), "en", "http://h")
    assert value(result, "0017Q000001a1AAA", "interactions_90d") == 5
    assert log_of(result, "activities")["rows_child_copies"] == 0
    assert "copies of group events" not in " ".join(log_lines(result))


# --- 2. an unknown account id is no contact id ------------------------------------------------------


def test_an_unexported_company_id_is_never_read_as_a_contact_id(playbook):
    result = check(playbook, "hubspot-unexported-company", "companies.csv", date(2026, 6, 30), activities=("activities.csv",), contacts=("contacts.csv",))
    # The review names a company not exported whose id is also Pirkko's (a contact of Muuan Ab):
    # its own contact, Maija of Esimerkki Oy, decides.
    assert value(result, "18400000001", "interactions_90d") == 2
    assert value(result, "18400000002", "interactions_90d") == 0
    log = log_of(result, "activities")
    assert (log["rows_used"], log["rows_linked_via_contact"], log["rows_unknown_account"], log["rows_unknown_account_contact"]) == (2, 1, 2, 1)
    assert log["unknown_account_examples"] == ["18400000099"]
    assert "2 for unknown accounts (e.g. '18400000099'), 1 of them linked to a contact whose account is not in the account export" in log_lines(result)[0]


# --- 3. an empty amount is unknown -----------------------------------------------------------------


def test_a_won_deal_without_an_amount_makes_revenue_unknown_with_a_note(playbook):
    result = check(playbook, "salesforce-empty-amount", "Account.csv", date(2026, 10, 31), deals=("Opportunity.csv",))
    b1, b2, b3 = "0017Q000002a1AAA", "0017Q000002a2AAA", "0017Q000002a3AAA"
    assert value(result, b1, "revenue_12m") is None and value(result, b1, "purchases_12m") == 2
    assert value(result, b1, "revenue_prev_12m") == 0  # nothing won in that window
    assert value(result, b2, "revenue_12m") == 4000  # the empty amount is on a lost deal
    assert value(result, b3, "revenue_12m") == 1000 and value(result, b3, "revenue_prev_12m") is None
    notes = {a: [n for n in result.table.notes.get(result.table.ids.index(a), []) if n.code == "data.deal_without_amount"] for a in (b1, b2, b3)}
    assert [len(notes[a]) for a in (b1, b2, b3)] == [1, 0, 1]
    findings = [f for f in result.evaluation.findings[result.table.ids.index(b1)] if f.rule == "data-deal-without-amount"]
    assert findings and "1 won deal of the account has no amount, so its revenue is unknown, not zero" in findings[0].message
    log = log_of(result, "deals")
    assert log["rows_won_without_amount"] == 2
    assert "2 won deals without an amount (their accounts' revenue is unknown)" in log_lines(result)[0]
    fi = check(playbook, "salesforce-empty-amount", "Account.csv", date(2026, 10, 31), "fi", deals=("Opportunity.csv",))
    assert "2 voitettua kauppaa ilman summaa" in log_lines(fi)[0]


# --- 5. a log file without an account column -------------------------------------------------------


def test_a_deals_snapshot_without_associations_is_skipped_with_one_note_and_the_others_count(playbook):
    result = check(playbook, "hubspot-no-account-column", "companies.csv", date(2026, 10, 31), deals=("deals.csv", "deals-snapshot.csv"))
    assert value(result, "18400000001", "purchases_12m") == 1 and value(result, "18400000002", "revenue_12m") == 800
    log = log_of(result, "deals")
    assert (log["rows_read"], log["rows_skipped_file"], log["rows_used"]) == (5, 3, 2)
    assert accounted(log) == log["rows_read"]
    skipped = [w for w in log["warnings"] if "skipped" in w]
    assert len(skipped) == 1 and len(log["problems"]) == 0
    assert skipped[0].startswith("WARNING: deals-snapshot.csv was skipped: it has no column for account_id, date, and without a date")
    assert "3 in skipped files" in log_lines(result)[0]
    fi = check(playbook, "hubspot-no-account-column", "companies.csv", date(2026, 10, 31), "fi", deals=("deals-snapshot.csv",))
    assert log_of(fi, "deals")["warnings"][0].startswith("VAROITUS: deals-snapshot.csv ohitettiin: siinä ei ole saraketta kentälle account_id, date")
    assert "purchases_12m" not in fi.sources.derived  # nothing read: unknown, never zero


def test_an_activity_export_without_a_company_column_is_read_through_its_contacts(playbook):
    result = check(playbook, "hubspot-no-account-column", "companies.csv", date(2026, 10, 31), activities=("activities.csv",), contacts=("contacts.csv",))
    assert value(result, "18400000001", "last_interaction") == date(2026, 6, 1)
    log = log_of(result, "activities")
    assert (log["rows_read"], log["rows_linked_via_contact"], log["rows_without_account"], log["rows_skipped_file"]) == (3, 2, 1, 0)
    # Without the contacts export nothing could link its rows: skipped, saying what would.
    alone = check(playbook, "hubspot-no-account-column", "companies.csv", date(2026, 10, 31), activities=("activities.csv",), deals=("deals.csv",))
    log = log_of(alone, "activities")
    assert (log["rows_read"], log["rows_skipped_file"]) == (3, 3)
    assert "give it with --contacts" in log["warnings"][0]
    assert "interactions_90d" not in alone.sources.derived and value(alone, "18400000001", "purchases_12m") == 1


# --- 8. a lost contact was a regular one -----------------------------------------------------------


def test_occasional_contacts_of_a_big_account_raise_no_contact_change(playbook):
    result = check(playbook, "occasional-contacts", "accounts.csv", date(2026, 10, 31), activities=("activities.csv",), preset="canonical")
    # 15 contacts: 7 regulars still in touch, 3 regulars new this year, 5 seen once at a supplier day in 2025.
    assert value(result, "C1", "customer_contacts_12m") == 10
    assert value(result, "C1", "contact_changes_unhandled_12m") == 0
    assert value(result, "C2", "contact_changes_unhandled_12m") == 1  # the regular buyer left, a new one came, no handover
    assert value(result, "C3", "contact_changes_unhandled_12m") == 0  # the same, with the handover logged
    fired = {a: {f.rule for f in result.evaluation.findings[result.table.ids.index(a)]} for a in ("C1", "C2", "C3")}
    assert "warning-signs-contact-change-no-handover" not in fired["C1"] | fired["C3"]
    assert "warning-signs-contact-change-no-handover" in fired["C2"]


def test_how_regular_a_lost_contact_must_be_is_read_from_the_keyword_file(playbook):
    import copy

    strict = copy.copy(playbook)
    strict.activity_keywords = {**playbook.activity_keywords, "contact_change": {**playbook.activity_keywords["contact_change"], "regular_activities": 20}}
    result = check(strict, "occasional-contacts", "accounts.csv", date(2026, 10, 31), activities=("activities.csv",), preset="canonical")
    assert value(result, "C2", "contact_changes_unhandled_12m") == 0  # 12 calls in a year: not regular enough for 20


# --- 9. the day the stage was declared -------------------------------------------------------------


def test_abrupt_not_buying_counts_only_purchases_after_the_ending_was_declared(playbook):
    result = check(playbook, "stage-declared-on", "Account.csv", date(2026, 10, 31), deals=("Opportunity.csv",))
    fired = {a: {f.rule for f in result.evaluation.findings[i]} for i, a in enumerate(result.table.ids)}
    harju, ilola, jokela, kivela = result.table.ids
    assert value(result, harju, "stage_declared_on") == date(2026, 10, 15)
    assert "abrupt-not-buying" not in fired[harju]  # its last order was won before the end: in delivery, not still buying
    assert "abrupt-not-buying" in fired[ilola]  # one order, but after the end: no grace needed once the date is known
    assert "abrupt-not-buying" in fired[jokela]  # no date: the test as written (two orders in the year, the last 11 days ago)
    assert "abrupt-not-buying" in fired[kivela]
    assert "stage_declared_on" not in result.sources.derived  # a value of the account export, never derived from the logs


def test_a_data_exports_field_history_gives_the_day_the_stage_was_declared(playbook, tmp_path):
    import zipfile

    folder = CASES / "salesforce-field-history"
    archive = tmp_path / "WE_00D7Q000009XyZ_1.ZIP"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("Account.csv", "AccountHistory.csv", "Opportunity.csv"):
            z.write(folder / name, name)
    result = run_check(Inputs(archive, mapping=folder / "mapping.yaml"), playbook, date(2026, 10, 31), "en", "http://h")
    lahti, makela = result.table.ids
    assert value(result, lahti, "stage_declared_on") == date(2026, 10, 15)  # the stage field's latest change, not the phone's
    assert value(result, makela, "stage_declared_on") is None  # no change of the stage field in the history
    fired = {a: {f.rule for f in result.evaluation.findings[i]} for i, a in enumerate(result.table.ids)}
    assert "abrupt-not-buying" not in fired[lahti] and "abrupt-not-buying" in fired[makela]
    assert result.sources.origins["stage_declared_on"] == ["AccountHistory.csv"]


def test_the_new_coverage_lines_are_in_every_format(capsys):
    from conftest import run

    folder = CASES / "hubspot-no-account-column"
    args = ["check", str(folder / "companies.csv"), "--deals", str(folder / "deals.csv"), "--deals", str(folder / "deals-snapshot.csv"),
            "--mapping", str(folder / "mapping.yaml"), "--as-of", "2026-10-31", "--fail-on", "never"]
    for fmt in ("table", "markdown", "json", "html"):
        _, out, _ = run(capsys, *args, "--format", fmt)
        flat = " ".join(out.split()).replace("\\", "")
        assert "deals-snapshot.csv was skipped" in flat, fmt
        assert ("3 in skipped files" in flat) or ('"rows_skipped_file": 3' in out) or ('"rows_skipped_file":3' in out), fmt
    _, _, err = run(capsys, *args, "--format", "csv")
    assert "WARNING: deals-snapshot.csv was skipped" in err  # CSV rows are findings: the note goes to stderr


def test_the_field_history_of_an_unzipped_export_is_given_with_stage_history(capsys):
    import json

    from conftest import run

    folder = CASES / "salesforce-field-history"
    args = ["check", str(folder / "Account.csv"), "--deals", str(folder / "Opportunity.csv"), "--mapping", str(folder / "mapping.yaml"),
            "--as-of", "2026-10-31", "--fail-on", "never", "--format", "json"]
    _, out, _ = run(capsys, *args)
    without = {a["account_id"]: {f["rule"] for f in a["findings"]} for a in json.loads(out)["accounts"]}
    _, out, _ = run(capsys, *args, "--stage-history", str(folder / "AccountHistory.csv"))
    report = json.loads(out)
    fired = {a["account_id"]: {f["rule"] for f in a["findings"]} for a in report["accounts"]}
    assert "abrupt-not-buying" in without["0017Q000006a1AAA"] and "abrupt-not-buying" not in fired["0017Q000006a1AAA"]
    assert "abrupt-not-buying" in fired["0017Q000006a2AAA"]
    assert "stage_declared_on" in report["summary"]["sources"]["signals_from_logs"]


def test_a_file_that_is_no_field_history_is_one_clear_message(capsys, tmp_path):
    from conftest import run

    folder = CASES / "salesforce-field-history"
    code, _, err = run(capsys, "check", str(folder / "Account.csv"), "--mapping", str(folder / "mapping.yaml"), "--as-of", "2026-10-31",
                       "--stage-history", str(folder / "Opportunity.csv"))
    assert code == 2 and "Opportunity.csv: line 1: not a field history: no column for CreatedDate, Field" in err and "Traceback" not in err
    broken = tmp_path / "AccountHistory.csv"
    broken.write_text((folder / "AccountHistory.csv").read_text(encoding="utf-8").replace("2026-10-15T12:40:00.000Z", "15.10.2026"), encoding="utf-8")
    code, _, err = run(capsys, "check", str(folder / "Account.csv"), "--mapping", str(folder / "mapping.yaml"), "--as-of", "2026-10-31",
                       "--stage-history", str(broken), "--lang", "fi")
    assert code == 2 and "rivi 3: CreatedDate '15.10.2026' ei ole päivämäärä" in err


def test_a_task_export_without_an_account_column_is_linked_by_its_deals_name(playbook):
    # A task export (canonical layout) with no account column whose tasks name the deal they are
    # about, in whatever case the user typed it: the deals log's names link them.
    result = check(playbook, "tasks-by-deal-name", "accounts.csv", date(2026, 10, 31), activities=("tasks.csv",), deals=("deals.csv",), preset="canonical")
    assert value(result, "F1", "interactions_90d") == 1 and value(result, "F2", "interactions_90d") == 1
    log = log_of(result, "activities")
    assert (log["rows_read"], log["rows_linked_via_deal"], log["rows_without_account"], log["rows_skipped_file"]) == (3, 2, 1, 0)
