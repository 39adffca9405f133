"""Signals from activity and deal logs (DuckDB), checked on small hand-made logs and on random ones."""
from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import write_encoded

from checker.check import Inputs, run_check
from checker.cli import main
from checker.inputs.columns import decode
from checker.inputs.files import InputError

AS_OF = date(2026, 10, 31)
ACCOUNTS = "account_id,account_name,declared_stage\nA1,Acme,integrated\nA2,Beta,cooperation\nA3,Gamma,paused\n"
ACTIVITIES = """account_id,date,type,topic,customer_contact,our_contact,status
A1,2026-10-20,meeting,Quarterly business review,Liisa,Eero,closed
A1,2026-09-01,call,Price discussion,Liisa,Eero,closed
A1,2026-05-01,health-check,Terveystarkastus,Liisa,Kaisa,closed
A1,2026-06-01,development,Pilot line,Matti,Kaisa,open
A1,2025-03-01,development,Workshop,Matti,Kaisa,closed
A1,2024-12-01,call,old contact,Zeta,Eero,closed
A2,2026-10-01,complaint,Late deliveries,Pekka,Eero,open
A2,2026-09-01,complaint,Late deliveries,Pekka,Eero,closed
A2,2026-07-01,call,check in,Pekka,Eero,closed
A2,2026-06-01,call,check in,Pekka,Eero,closed
A2,2026-06-02,call,check in,Pekka,Eero,closed
A2,2026-06-03,call,check in,Pekka,Eero,closed
A2,2026-06-04,email,check in,Anna,Eero,closed
A3;A2,2026-12-01,meeting,Review the pause,Olli,Eero,open
A9,2026-10-01,call,unknown account,X,Y,closed
,2026-10-01,call,no account,X,Y,closed
A1,31.2.2026,call,bad date,X,Y,closed
A1,2026-10-10,lunch,Lunch with the team,Liisa,Eero,closed
"""
DEALS = """account_id,date,amount,status,competitive
A1,2026-08-01,"12 000,50",won,yes
A1,2026-03-01,5000,won,no
A1,2025-03-01,2000,won,no
A2,2026-10-25,3000,won,no
A2,2026-10-26,9000,lost,yes
"""


def files(tmp_path: Path, accounts: str = ACCOUNTS, activities: str = ACTIVITIES, deals: str = DEALS) -> Inputs:
    for name, text in (("accounts.csv", accounts), ("activities.csv", activities), ("deals.csv", deals)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Inputs(tmp_path / "accounts.csv", [tmp_path / "activities.csv"], [tmp_path / "deals.csv"], "canonical")


def signals(result, account: str) -> dict[str, object]:
    table = result.table
    i = table.ids.index(account)
    return {s: decode(table.columns.get(s)[i], result_signals[s]) for s in result.sources.derived}


@pytest.fixture(autouse=True)
def _signals(playbook):
    global result_signals
    result_signals = playbook.signals


def test_signals_follow_the_catalogue_definitions(tmp_path, playbook):
    result = run_check(files(tmp_path), playbook, AS_OF, "en", "http://h")
    a1 = signals(result, "A1")
    assert a1["customer_contacts_12m"] == 2  # Liisa, Matti (Zeta was 2024)
    assert a1["our_contacts_12m"] == 2
    # The meeting, the call and the lunch (no known type, nothing in its subject: a logged activity
    # with the account, counted as the keyword file's unclassified_is_interaction says); development is not in the window.
    assert a1["interactions_90d"] == 3
    assert a1["price_share_90d"] == 1 / 3
    assert a1["development_12m"] == 1 and a1["development_prev_12m"] == 1
    assert a1["joint_planning_12m"] == 0  # an ordinary quarterly business review is no joint planning
    assert a1["joint_projects_active"] == 1
    assert a1["last_health_check"] == date(2026, 5, 1)
    assert a1["purchases_12m"] == 2 and a1["revenue_12m"] == 17000.5 and a1["revenue_prev_12m"] == 2000.0
    assert a1["competitive_tenders_12m"] == 1
    assert a1["last_purchase"] == date(2026, 8, 1)
    assert a1["relationship_start"] == date(2024, 12, 1)  # the earliest activity or deal
    # Liisa is new this year, but Zeta, seen once in 2024, was no regular contact (contact_change.regular_activities): no change
    assert a1["contact_changes_unhandled_12m"] == 0
    a2 = signals(result, "A2")
    assert a2["repeat_complaints_open"] == 1
    assert a2["interactions_prev_90d"] == 5
    assert a2["competitive_tenders_12m"] == 1  # a lost tender still counts
    assert a2["next_review"] == date(2026, 12, 1)  # from "A3;A2": several ids in one cell
    assert signals(result, "A3")["next_review"] == date(2026, 12, 1)
    assert signals(result, "A3")["interactions_90d"] == 0  # in the log, no interaction: zero, not unknown
    assert signals(result, "A3")["last_interaction"] is None


def test_a_cell_with_several_contacts_counts_its_first_one(tmp_path, playbook):
    # Pipedrive and HubSpot list every participant in one cell; the first is the primary contact.
    result = run_check(files(tmp_path), playbook, AS_OF, "en", "http://h")
    assert signals(result, "A2")["customer_contacts_12m"] == 2  # Pekka and Anna
    several = ACTIVITIES.replace("email,check in,Anna,", "email,check in,Pekka; Anna,")
    result = run_check(files(tmp_path, activities=several), playbook, AS_OF, "en", "http://h")
    assert signals(result, "A2")["customer_contacts_12m"] == 1


def test_every_log_row_is_accounted_for(tmp_path, playbook):
    result = run_check(files(tmp_path), playbook, AS_OF, "en", "http://h")
    stats = result.summary()["sources"]["logs"][0]
    assert stats["rows_read"] == 18
    assert stats["rows_without_account"] == 1 and stats["rows_bad_date"] == 1
    assert stats["rows_used"] == 15
    assert stats["rows_unknown_account"] == 1
    assert stats["unrecognised_activity_types"] == {"lunch": 1}
    assert "date '31.2.2026' cannot be read" in stats["problems"]


def test_a_ragged_log_row_is_rejected_by_line_and_counted(tmp_path, playbook):
    extra = ACTIVITIES + "A1,2026-10-02,call,one field too many,Liisa,Eero,closed,surplus\nA1,2026-10-03,call,too few\n"
    result = run_check(files(tmp_path, activities=extra), playbook, AS_OF, "en", "http://h")
    stats = result.summary()["sources"]["logs"][0]
    assert stats["rows_read"] == 20 and stats["rows_rejected"] == 2 and stats["rows_used"] == 15
    assert any("line 20" in problem for problem in stats["problems"])


@pytest.mark.parametrize("dates", ["iso", "dotted"])
def test_a_date_outside_the_calendar_is_a_bad_date(tmp_path, playbook, dates):
    # DuckDB reads year 0 and dates BC; Python (and so the account reader) does not: a bad date, not a traceback.
    log = ACTIVITIES + "A1,0000-06-01,call,year zero,Liisa,Eero,closed\nA1,2026-01-01 (BC),call,before Christ,Liisa,Eero,closed\n"
    if dates == "dotted":  # the slow path: dates in several forms
        log = log.replace("A1,2026-10-20,", "A1,20.10.2026,")
    result = run_check(files(tmp_path, activities=log), playbook, AS_OF, "en", "http://h")
    stats = result.summary()["sources"]["logs"][0]
    assert stats["rows_bad_date"] == 3 and stats["rows_used"] == 15
    assert stats["covers_from"] == "2024-12-01"


def test_a_log_mixing_utf8_and_windows_1252_lines_past_the_first_64_kb_is_read(tmp_path, playbook):
    # UTF-8 for the first 64 KB; then a Windows-1252 line with a byte it leaves undefined (Latin-1).
    head = "account_id;date;type\n" + "A1;2026-10-01;Pääkonttori\n" * 4000
    inputs = files(tmp_path)  # then the log replaced by the mixed one
    (tmp_path / "activities.csv").write_bytes(head.encode("utf-8") + "A1;2026-10-02;Päivä\x81\n".encode("latin-1"))
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    stats = result.summary()["sources"]["logs"][0]
    assert stats["rows_read"] == 4001 and stats["rows_rejected"] == 0


def test_findings_come_from_derived_signals(tmp_path, playbook):
    result = run_check(files(tmp_path), playbook, AS_OF, "en", "http://h")
    rules = {a.account_id: {f.rule for f in a.findings} for a in result.accounts()}
    assert {"integrated-no-tenders", "integrated-open-books"} - rules["A1"] == {"integrated-open-books"}  # open_books unknown: not evaluated
    assert "leave-reasons-repeat-complaints" in rules["A2"]
    assert "paused-review-date-set" not in rules["A3"]


def test_the_account_export_wins_over_the_logs(tmp_path, playbook):
    accounts = "account_id,account_name,declared_stage,competitive_tenders_12m\nA1,Acme,integrated,0\nA2,Beta,cooperation,\nA3,Gamma,paused,\n"
    result = run_check(files(tmp_path, accounts=accounts), playbook, AS_OF, "en", "http://h")
    assert signals(result, "A1")["competitive_tenders_12m"] == 0
    assert signals(result, "A2")["competitive_tenders_12m"] == 1  # empty in the export: the log fills it
    assert result.summary()["sources"]["account_values_kept"]["competitive_tenders_12m"] == 1


@pytest.mark.parametrize(("dates", "expected"), [(["13/04/2026", "03/04/2026"], date(2026, 4, 3)), (["04/13/2026", "04/03/2026"], date(2026, 4, 3))])
def test_day_month_order_is_decided_per_column(tmp_path, playbook, dates, expected):
    activities = "account_id,date,type,topic\n" + "".join(f"A1,{d},health-check,Health check\n" for d in dates)
    inputs = files(tmp_path, activities=activities, deals="account_id,date,amount,status\n")
    inputs.deals = []
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    assert signals(result, "A1")["last_health_check"] == max(expected, date(2026, 4, 13))


def test_ambiguous_dates_ask_for_date_format(tmp_path, playbook):
    inputs = files(tmp_path, activities="account_id,date,type\nA1,03/04/2026,call\nA1,05/06/2026,call\n")
    inputs.deals = []
    with pytest.raises(InputError, match=r"could be day/month or month/day.*--date-format dmy"):
        run_check(inputs, playbook, AS_OF, "en", "http://h")
    inputs.date_format = "dmy"
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    assert signals(result, "A1")["last_interaction"] == date(2026, 6, 5)


def test_log_without_its_key_columns_is_refused(tmp_path, playbook):
    inputs = files(tmp_path, activities="Company,When,What\nA1,2026-01-01,call\n")
    with pytest.raises(InputError, match=r"no column for account_id, date\. .*--mapping FILE: add under `activities:` `account_id: \[YOUR COLUMN\]`; `date: \[YOUR COLUMN\]`"):
        run_check(inputs, playbook, AS_OF, "en", "http://h")


def test_zipped_salesforce_data_export_is_one_input(tmp_path, playbook):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Account.csv", "Id,Name,OwnerId\n001A,Acme,005X\n")
        z.writestr("Task.csv", "Id,AccountId,ActivityDate,Subject,Type,Status\n00T1,001A,2026-10-01,Call,Call,Completed\n")
        z.writestr("Opportunity.csv", "Id,AccountId,CloseDate,Amount,StageName\n006A,001A,2026-09-01,100,Closed Won\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: mapping\naccounts:\n  account_id: [Id]\n  account_name: [Name]\n  declared_stage: [Stage__c]\n"
                       "activities:\n  account_id: [AccountId]\n  date: [ActivityDate]\n  type: [Type]\n  topic: [Subject]\n  status: [Status]\n"
                       "deals:\n  account_id: [AccountId]\n  date: [CloseDate]\n  amount: [Amount]\n  status: [StageName]\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column"):  # no stage field in this export
        run_check(Inputs(archive, preset="canonical", mapping=mapping), playbook, AS_OF, "en", "http://h")


def test_per_type_exports_take_their_type_from_the_file(tmp_path, playbook):
    """HubSpot exports calls and meetings to files of their own, with no type column."""
    (tmp_path / "companies.csv").write_text("Record ID,Company name,Relationship stage\n101,Acme Oy,cooperation\n", encoding="utf-8")
    (tmp_path / "calls.csv").write_text("Record ID,Call Title,Activity date,Associated Company IDs\n1,Weekly call,2026-10-20 10:00,101\n2,Price call,2026-10-21 10:00,101\n", encoding="utf-8")
    (tmp_path / "meetings.csv").write_text("Record ID,Meeting name,Activity date,Associated Company IDs\n3,Review,2026-09-20 10:00,101\n", encoding="utf-8")
    mapping = tmp_path / "fields.yaml"
    mapping.write_text("kind: mapping\nextends: hubspot\naccounts:\n  declared_stage: [Relationship stage]\n", encoding="utf-8")
    inputs = Inputs(tmp_path / "companies.csv", [tmp_path / "calls.csv", tmp_path / "meetings.csv"], [], "auto", mapping)
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    assert result.sources.preset == "hubspot"
    assert signals(result, "101")["interactions_90d"] == 3
    assert signals(result, "101")["price_share_90d"] == pytest.approx(1 / 3)


def test_mapping_entries_that_match_no_column_say_so_with_a_suggestion(tmp_path, playbook, capsys):
    from checker.cli import main

    (tmp_path / "companies.csv").write_text("Record ID,Company name,Customer stage,Share of wallet %\n101,Acme Oy,cooperation,45 %\n", encoding="utf-8")
    mapping = tmp_path / "fields.yaml"
    mapping.write_text("kind: mapping\nextends: hubspot\naccounts:\n  declared_stage: [Customer stage]\n  share_of_wallet: [Share of wallet]\n", encoding="utf-8")
    code = main(["check", str(tmp_path / "companies.csv"), "--mapping", str(mapping), "--as-of", "2026-10-31", "--format", "json"])
    _out, err = capsys.readouterr()
    assert code == 0
    assert "share_of_wallet: no column 'Share of wallet' (did you mean 'Share of wallet %'?)" in err
    mapping.write_text("kind: mapping\nextends: hubspot\naccounts:\n  declared_stage: [Customer stag]\n", encoding="utf-8")
    code = main(["check", str(tmp_path / "companies.csv"), "--mapping", str(mapping), "--as-of", "2026-10-31"])
    err = capsys.readouterr().err
    assert code == 2 and "declared_stage: no column 'Customer stag' (did you mean 'Customer stage'?)" in err


def test_table_says_what_became_of_each_log(tmp_path, playbook, capsys):
    from checker.cli import main

    inputs = files(tmp_path)
    main(["check", str(inputs.accounts), "--activities", str(inputs.activities[0]), "--deals", str(inputs.deals[0]), "--preset", "canonical", "--as-of", "2026-10-31"])
    out = " ".join(capsys.readouterr().out.split())  # the table wraps long lines at 80 columns
    assert ("activities.csv: 18 rows read, 15 used, dated 2024-12-01 to 2026-12-01; 1 without account, 1 with a bad date, "
            "1 for an unknown account (e.g. 'A9'), 1 of no recognised type (counted as an interaction).") in out
    assert "activity types not recognised (classified by their subject where its words say): lunch (1)" in out


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_logs_in_other_encodings_give_the_same_signals(tmp_path, playbook, encoding):
    inputs = files(tmp_path)
    expected = signals(run_check(inputs, playbook, AS_OF, "en", "http://h"), "A2")
    inputs.activities[0].write_bytes(ACTIVITIES.replace("check in", "käynti").encode(encoding))
    again = signals(run_check(inputs, playbook, AS_OF, "en", "http://h"), "A2")
    assert again == expected


#: Cells real logs hold, odd and hostile ones included; the random logs below are made of them.
_CELLS = ["", " ", "A1", "A2", " A1 ", "A1;A2", "A9", "Acme", "2026-10-01", "2026-02-31", "31.12.2026", "1/2/2026", "13/01/2026",
          "01/13/2026", "2026-10-01T10:00:00Z", "0000-01-01", "9999-12-31", "call", "meeting", "complaint", "health-check", "Huolto",
          "price", "hinta", "open", "closed", "done", "won", "lost", "1 200,50", "1,234.56", "€ 300", "9" * 400, "nan", "yes", "no",
          "=cmd", "ä" * 200, "\t", "x;y"]


@pytest.mark.parametrize("seed", range(30))
def test_random_logs_end_in_a_report_or_one_clear_message(tmp_path, capsys, seed):
    rng = random.Random(seed)
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    logs = []
    for name, fields in (("activities.csv", ACTIVITIES.splitlines()[0].split(",")), ("deals.csv", DEALS.splitlines()[0].split(","))):
        fields = [f for f in fields if f in ("account_id", "date") or rng.random() < 0.8]
        body = io.StringIO()
        writer = csv.writer(body, delimiter=rng.choice([",", ";", "\t"]), lineterminator=rng.choice(["\n", "\r\n"]))
        writer.writerow(fields)
        for _ in range(rng.randint(0, 12)):
            row = [rng.choice(_CELLS) for _ in fields]
            writer.writerow(row[: rng.randint(0, len(row))] if rng.random() < 0.1 else row)
        write_encoded(tmp_path / name, body.getvalue(), rng.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        logs.append(str(tmp_path / name))
    code = main(["check", str(tmp_path / "accounts.csv"), "--activities", logs[0], "--deals", logs[1], "--as-of", "2026-10-31",
                 "--format", rng.choice(["json", "table"]), "--fail-on", "never", "--preset", rng.choice(["canonical", "auto"])])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert (code, err.count("\n")) == (2, 1) if code == 2 else code == 0 and out
