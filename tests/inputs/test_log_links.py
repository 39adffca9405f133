"""Which account a log row belongs to: placeholder ids, leads, links through contacts and deals.

Made-up fixtures shaped like a Salesforce Data Export (all-zero placeholder lookups, 00Q lead
WhoIds, WhatIds of opportunities, Contact.csv) and a Dynamics "Export to Excel" (Regarding
naming an account, a contact or an opportunity topic; contacts with full name and company)."""
from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from checker.check import Inputs, run_check
from checker.inputs.columns import decode

AS_OF = date(2026, 6, 30)
A1, A2 = "001000000000001AAA", "001000000000002AAA"
ACCOUNTS = f'"Id","Name","Type"\n"{A1}","Esimerkki Oy","basic"\n"{A2}","Muuan Ab","basic"\n'
HEAD = '"Id","WhoId","WhatId","Subject","ActivityDate","Type","AccountId"\n'
TASKS = HEAD + (
    f'"00T1","003000000000001AAA","000000000000000AAA","Call","2026-06-01","Call","{A1}"\n'
    f'"00T2","000000000000000AAA","000000000000000AAA","Call","2026-06-02","Call","{A1}"\n'   # placeholder WhoId: no contact
    f'"00T3","00Q000000000001AAA","000000000000000AAA","Call","2026-06-03","Call","{A1}"\n'   # a lead: no contact of the account
    '"00T4","003000000000002AAA","000000000000000AAA","Call","2026-06-04","Call","000000000000000AAA"\n'  # linked via contact
    '"00T5","000000000000000AAA","006000000000001AAA","Call","2026-06-05","Call",""\n'  # linked via its opportunity
    '"00T6","00Q000000000002AAA","000000000000000AAA","Call","2026-06-06","Call",""\n'  # a lead's task: no account
    '"00T7","003000000000009AAA","000000000000000AAA","Call","2026-06-07","Call",""\n')  # contact with no account
CONTACTS = ('"Id","AccountId","Name"\n"003000000000001AAA","' + A1 + '","Maija Meikäläinen"\n'
            '"003000000000002AAA","' + A2 + '","Matti Mallikas"\n"003000000000009AAA","000000000000000AAA","Erkki Esimerkki"\n')
DEALS = ('"Id","AccountId","Name","StageName","Amount","CloseDate","IsClosed","IsWon"\n'
         f'"006000000000001AAA","{A2}","Uusi linja","Closed Won","100","2026-05-01","1","1"\n')


def write(tmp_path: Path) -> dict[str, Path]:
    files = {"Account.csv": ACCOUNTS, "Task.csv": TASKS, "Contact.csv": CONTACTS, "Opportunity.csv": DEALS,
             "m.yaml": "kind: mapping\nextends: salesforce\naccounts:\n  declared_stage: [Type]\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: tmp_path / name for name in files}


def value(result, account: str, signal: str) -> object:
    return decode(result.table.columns.get(signal)[result.table.ids.index(account)], result.playbook.signals[signal])


def check(tmp_path: Path, playbook, contacts: bool = True):
    f = write(tmp_path)
    inputs = Inputs(f["Account.csv"], [f["Task.csv"]], [f["Opportunity.csv"]], "auto", f["m.yaml"], contacts=[f["Contact.csv"]] if contacts else [])
    return run_check(inputs, playbook, AS_OF, "en", "http://h")


def test_placeholder_ids_and_leads_are_no_customer_contacts(tmp_path, playbook):
    result = check(tmp_path, playbook)
    assert value(result, A1, "interactions_90d") == 3
    assert value(result, A1, "customer_contacts_12m") == 1  # neither the all-zero id nor the lead


def test_a_placeholder_account_id_is_an_empty_cell_not_an_unknown_account(tmp_path, playbook):
    log = check(tmp_path, playbook, contacts=False).summary()["sources"]["logs"][0]
    assert log["rows_unknown_account"] == 0
    assert log["rows_without_account"] == 3  # the contact-only row, the lead's and the one whose contact has no account


def test_activities_without_account_are_linked_through_their_contact_and_their_deal(tmp_path, playbook):
    result = check(tmp_path, playbook)
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_linked_via_contact"], log["rows_linked_via_deal"]) == (1, 1)
    assert log["rows_without_account"] == 2  # the lead's task; the contact whose account is a placeholder
    assert log["rows_used"] == 5 and log["rows_read"] == 7
    assert value(result, A2, "interactions_90d") == 2
    contacts = next(s for s in result.summary()["sources"]["logs"] if s["kind"] == "contacts")
    assert (contacts["rows_read"], contacts["rows_used"], contacts["rows_without_account"]) == (3, 2, 1)


def test_a_zipped_data_export_links_through_its_own_contact_csv(tmp_path, playbook):
    f = write(tmp_path)
    archive = tmp_path / "WE_00D000000000001_1.ZIP"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("Account.csv", "Task.csv", "Contact.csv", "Opportunity.csv"):
            z.write(f[name], name)
    result = run_check(Inputs(archive, mapping=f["m.yaml"]), playbook, AS_OF, "en", "http://h")
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_linked_via_contact"], log["rows_linked_via_deal"]) == (1, 1)


DYN_ACCOUNTS = ("(Do Not Modify) Account,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Account Name,Business Type\n"
                "6f1c0a2e-0000-4000-8000-000000000001,x,1/2/2026 10:00 AM,Esimerkki Oy,basic\n"
                "6f1c0a2e-0000-4000-8000-000000000002,x,1/2/2026 10:00 AM,Muuan Ab,basic\n")
DYN_ACTIVITIES = ("(Do Not Modify) Activity,(Do Not Modify) Row Checksum,(Do Not Modify) Last Updated,Subject,Regarding,Activity Type,Activity Status,Actual End\n"
                  "a1,x,6/1/2026 9:00 AM,Kick-off,Esimerkki Oy,Appointment,Completed,6/13/2026 9:00 AM\n"
                  "a2,x,6/2/2026 9:00 AM,Follow-up,Maija Meikäläinen,Email,Completed,6/2/2026 9:00 AM\n"
                  "a3,x,6/3/2026 9:00 AM,Offer,Uusi linja 2026,Phone Call,Completed,6/3/2026 9:00 AM\n"
                  "a4,x,6/4/2026 9:00 AM,Hello,Someone Unknown,Email,Completed,6/4/2026 9:00 AM\n"
                  "a5,x,6/5/2026 9:00 AM,Hello,,Email,Completed,\n")
DYN_CONTACTS = ("(Do Not Modify) Contact,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,First Name,Last Name, Full Name,Company Name\n"
                "c1,x,1/2/2026 10:00 AM,Maija,Meikäläinen,Maija Meikäläinen,Esimerkki Oy\n")
DYN_DEALS = ("(Do Not Modify) Opportunity,(Do Not Modify) Row Checksum,(Do Not Modify) Modified On,Topic,Potential Customer,Status,Actual Close Date,Actual Revenue,Est. close date,Est. revenue\n"
             "o1,x,1/2/2026 10:00 AM,Uusi linja 2026,Muuan Ab,Won,5/14/2026,1000,,\n"
             "o2,x,1/2/2026 10:00 AM,Laajennus,Muuan Ab,Open,,,9/15/2026,500\n"
             "o3,x,1/2/2026 10:00 AM,Vanha,Muuan Ab,Won,,,4/20/2026,700\n")


def dynamics_inputs(tmp_path: Path, contacts: str = DYN_CONTACTS) -> Inputs:
    """The made-up Dynamics export above (accounts, activities, contacts, deals) with a mapping that names the stage column."""
    for name, text in (("accounts.csv", DYN_ACCOUNTS), ("activities.csv", DYN_ACTIVITIES), ("contacts.csv", contacts), ("deals.csv", DYN_DEALS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "m.yaml").write_text("kind: mapping\nextends: dynamics\naccounts:\n  declared_stage: [Business Type]\n", encoding="utf-8")
    return Inputs(tmp_path / "accounts.csv", [tmp_path / "activities.csv"], [tmp_path / "deals.csv"], "auto", tmp_path / "m.yaml",
                  contacts=[tmp_path / "contacts.csv"])


def test_dynamics_regarding_a_contact_or_an_opportunity_finds_the_account(tmp_path, playbook):
    inputs = dynamics_inputs(tmp_path)
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    e, m = "6f1c0a2e-0000-4000-8000-000000000001", "6f1c0a2e-0000-4000-8000-000000000002"
    assert value(result, e, "interactions_90d") == 2 and value(result, e, "customer_contacts_12m") == 1  # the contact it was regarding
    assert value(result, m, "interactions_90d") == 1
    # Per row: a won deal's actual close date, else its estimated one (and the same for revenue).
    assert value(result, m, "purchases_12m") == 2 and value(result, m, "revenue_12m") == 1700
    log = result.summary()["sources"]["logs"][0]
    assert log["unknown_account_examples"] == ["Someone Unknown"]
    assert (log["rows_linked_via_contact"], log["rows_linked_via_deal"], log["rows_unknown_account"], log["rows_without_account"]) == (1, 1, 1, 1)


def test_hubspot_activities_with_only_a_contact_are_linked_through_the_contacts_export(tmp_path, playbook):
    files = {
        "companies.csv": "Record ID,Company name,Relationship stage\n18400000001,Esimerkki Oy,basic\n18400000002,Muuan Ab,basic\n",
        "activities.csv": ("Record ID,Activity type,Activity date,Subject,Associated Contact IDs,Associated Company IDs\n"
                           "61200000001,CALL,2026-06-01 08:18,Check-in,51200000001,\n"
                           "61200000002,MEETING,2026-06-02 09:00,Review,51200000002;51200000001,\n"
                           "61200000003,EMAIL,2026-06-03 10:00,Hello,51200000003,\n"),
        "contacts.csv": ("Record ID,First Name,Last Name,Associated Company IDs\n51200000001,Maija,M.,18400000001\n"
                         "51200000002,Matti,M.,18400000002;18400000001\n51200000003,Erkki,E.,\n"),
        "m.yaml": "kind: mapping\nextends: hubspot\naccounts:\n  declared_stage: [Relationship stage]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    inputs = Inputs(tmp_path / "companies.csv", [tmp_path / "activities.csv"], [], "auto", tmp_path / "m.yaml", contacts=[tmp_path / "contacts.csv"])
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    assert value(result, "18400000001", "interactions_90d") == 1
    assert value(result, "18400000002", "interactions_90d") == 1  # the first contact listed, whose primary company it is
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_linked_via_contact"], log["rows_without_account"]) == (2, 1)


def test_a_contact_name_two_accounts_share_links_nothing(tmp_path, playbook):
    for name, text in (("accounts.csv", DYN_ACCOUNTS), ("activities.csv", DYN_ACTIVITIES), ("deals.csv", DYN_DEALS),
                       ("contacts.csv", DYN_CONTACTS + "c2,x,1/2/2026 10:00 AM,Maija,Meikäläinen,Maija Meikäläinen,Muuan Ab\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "m.yaml").write_text("kind: mapping\nextends: dynamics\naccounts:\n  declared_stage: [Business Type]\n", encoding="utf-8")
    inputs = Inputs(tmp_path / "accounts.csv", [tmp_path / "activities.csv"], [tmp_path / "deals.csv"], "auto", tmp_path / "m.yaml",
                    contacts=[tmp_path / "contacts.csv"])
    log = run_check(inputs, playbook, AS_OF, "en", "http://h").summary()["sources"]["logs"][0]
    assert log["rows_linked_via_contact"] == 0 and "Maija Meikäläinen" in log["unknown_account_examples"]


def test_rows_of_leads_without_account_are_counted_apart(tmp_path, playbook):
    from checker.reports.text import log_lines

    result = check(tmp_path, playbook)
    log = result.summary()["sources"]["logs"][0]
    # 00T6 (a lead's task) and 00T7 (a contact with no account); the lead with an account (00T3) is used.
    assert (log["rows_without_account"], log["rows_without_account_leads"]) == (2, 1)
    assert "2 without account, 1 of them leads, not accounts" in log_lines(result)[0]
    f = write(tmp_path)
    fi = run_check(Inputs(f["Account.csv"], [f["Task.csv"]], [f["Opportunity.csv"]], "auto", f["m.yaml"], contacts=[f["Contact.csv"]]),
                   playbook, AS_OF, "fi", "http://h")
    assert "niistä 1 koskee liidejä" in log_lines(fi)[0]


def test_an_unknown_regarding_naming_a_contact_of_an_unexported_account_is_said(tmp_path, playbook):
    from checker.reports.text import log_lines

    contacts = DYN_CONTACTS + "c9,x,1/2/2026 10:00 AM,Someone,Unknown,Someone Unknown,Poissa Oy\n"  # company not in the account export
    inputs = dynamics_inputs(tmp_path, contacts)
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    log = result.summary()["sources"]["logs"][0]
    assert (log["rows_unknown_account"], log["rows_unknown_account_contact"]) == (1, 1)
    assert "1 of them linked to a contact whose account is not in the account export" in log_lines(result)[0]
    (tmp_path / "contacts.csv").write_text(DYN_CONTACTS, encoding="utf-8")  # not a known contact: said of none
    assert run_check(inputs, playbook, AS_OF, "en", "http://h").summary()["sources"]["logs"][0]["rows_unknown_account_contact"] == 0
