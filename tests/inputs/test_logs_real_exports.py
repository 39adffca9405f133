"""Acceptance: every folder of ../shared/real-exports/ (real CRMs' own exports) end to end.

Skipped where that folder does not exist. Only the short mapping and the arguments of each
case live in the repository (tests/fixtures/real-exports/<folder>/); the rows are read from
the real files, and the signals are compared with counts made here straight from the raw
files, without the checker: a logged activity is an interaction unless it is an internal
note or a mass e-mail (a generic task is one when its subject says so); a contact is a real contact id (no placeholder, no lead) or the
contact a Dynamics activity is "regarding"; a purchase is a won deal dated by its close date
(Dynamics: actual, else estimated). Asserts name account ids and numbers only. An invitee's copy
of a Salesforce group event (Event `IsChild` = 1) is no activity of its own (the real export has
none, so the totals are as before); the HubSpot "all deals" view, with no company and no close
date, is skipped with one warning while the run goes on.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from checker.check import Inputs, run_check
from checker.inputs.columns import decode

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "real-exports"
CASES = ROOT / "tests" / "fixtures" / "real-exports"
FOLDERS = sorted(p.name for p in CASES.iterdir() if p.is_dir())
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-exports/ is not beside the clone")
PLACEHOLDER_PREFIXES = ("000000000000000", "00000000-0000-0000-0000-000000000000")


def case(folder: str) -> dict:
    return yaml.safe_load((CASES / folder / "case.yaml").read_text(encoding="utf-8"))


def run(folder: str, tmp_path: Path, playbook):
    spec = case(folder)
    files = {k: [REAL / folder / f for f in spec.get(k, [])] for k in ("activities", "deals", "contacts")}
    accounts = REAL / folder / spec["accounts"]

    inputs = Inputs(accounts, files["activities"], files["deals"], "auto", CASES / folder / "mapping.yaml", contacts=files["contacts"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker silences openpyxl's style warnings itself: any other warning fails
        return run_check(inputs, playbook, date.fromisoformat(str(spec["as_of"])), "en", "http://h"), spec


def signal(result, account: str, name: str) -> object:
    table = result.table
    return decode(table.columns.get(name)[table.ids.index(account)], result.playbook.signals[name])


# --- counting by hand from the raw files ---------------------------------------------------------


def csv_rows(path: Path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_rows(path: Path) -> list[dict]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    header = [str(h).strip() for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    text = str(value or "").strip()
    return date.fromisoformat(text[:10]) if text else None


def real_id(value: str) -> str | None:
    value = (value or "").strip()
    return value if value and not value.startswith(PLACEHOLDER_PREFIXES) else None


class Counts:
    """Per account: activities (date, is interaction, contact) and won deals (date)."""

    def __init__(self, as_of: date):
        self.as_of = as_of
        self.acts: dict[str, list[tuple[date, bool, str | None]]] = defaultdict(list)
        self.wins: dict[str, list[date]] = defaultdict(list)

    def within(self, d: date, days: int) -> bool:
        return self.as_of - timedelta(days=days) < d <= self.as_of

    def interactions_90d(self, a: str) -> int:
        return sum(1 for d, inter, _ in self.acts[a] if inter and self.within(d, 90))

    def contacts_12m(self, a: str) -> int:
        return len({c for d, _, c in self.acts[a] if c and self.within(d, 365)})

    def purchases_12m(self, a: str) -> int:
        return sum(1 for d in self.wins[a] if self.within(d, 365))

    def last_purchase(self, a: str) -> date | None:
        return max((d for d in self.wins[a] if d <= self.as_of), default=None)


def salesforce_counts(folder: str, as_of: date, type_column: str = "Type") -> Counts:
    counts = Counts(as_of)
    base = REAL / folder
    contact_account = {r["Id"]: real_id(r["AccountId"]) for r in csv_rows(base / "Contact.csv")} if (base / "Contact.csv").exists() else {}
    opportunities = csv_rows(base / "Opportunity.csv")
    deal_account = {r["Id"]: real_id(r["AccountId"]) for r in opportunities}
    accounts = {r["Id"] for r in csv_rows(base / "Account.csv")}
    for name in ("Task.csv", "Event.csv"):
        if not (base / name).exists():
            continue
        for r in csv_rows(base / name):
            if r.get("IsChild", "").strip() in ("1", "true"):
                continue  # an invitee's copy of a group event: the event counts once
            who = real_id(r.get("WhoId", ""))
            if who and who.startswith("00Q"):
                who = None  # a lead, not a person of the account
            what = real_id(r.get("WhatId", "")) or ""
            account = (real_id(r.get("AccountId", "")) or contact_account.get(who or "") or deal_account.get(what)
                       or (what if what in accounts else None))
            d = day(r.get("ActivityDate"))
            if not account or not d:
                continue
            kind = (r.get(type_column) or "").strip()
            subject = (r.get("Subject") or "").casefold()
            note = kind in ("Other", "Prep") if type_column == "Type__c" else kind == "Other"
            mass = kind == "ListEmail" or "email de lista" in subject or "list email" in subject
            counts.acts[account].append((d, not (note or mass), who))
    for r in opportunities:
        won = r.get("IsWon", "").strip() in ("1", "true") or (not r.get("IsWon", "").strip() and r["StageName"] == "Closed Won")
        if won and real_id(r["AccountId"]) and day(r["CloseDate"]):
            counts.wins[r["AccountId"]].append(day(r["CloseDate"]))
    return counts


def dynamics_counts(as_of: date, spec: dict) -> Counts:
    counts = Counts(as_of)
    base = REAL / "dynamics"
    accounts = {str(r["Account Name"]).strip().casefold(): r["(Do Not Modify) Account"] for r in xlsx_rows(base / spec["accounts"])}
    # A name several contact records share links when they name one company (records without one
    # are duplicates that say nothing).
    companies = defaultdict(set)
    for r in xlsx_rows(base / spec["contacts"][0]):
        company = accounts.get(str(r["Company Name"] or "").strip().casefold())
        if company:
            companies[str(r["Full Name"]).strip().casefold()].add(company)
    contacts = {name: next(iter(found)) for name, found in companies.items() if len(found) == 1}
    deals = xlsx_rows(base / spec["deals"][0])

    def customer(r: dict) -> str | None:  # a deal's Potential Customer is an account or a contact
        name = str(r["Potential Customer"] or "").strip().casefold()
        return accounts.get(name) or contacts.get(name)

    topics = defaultdict(set)
    for r in deals:
        topics[str(r["Topic"] or "").strip().casefold()].add(customer(r))
    for r in xlsx_rows(base / spec["activities"][0]):
        regarding = str(r["Regarding"] or "").strip().casefold()
        contact = None
        if regarding in accounts:
            account = accounts[regarding]
        elif contacts.get(regarding):
            account, contact = contacts[regarding], regarding
        elif len(topics.get(regarding, ())) == 1:
            account = next(iter(topics[regarding]))
        else:
            continue
        d = day(r["Actual End"])
        if account and d:
            # A Task is generic: its subject decides, and only a mass e-mail is no interaction.
            subject = str(r["Subject"] or "").casefold()
            task = r["Activity Type"] == "Task" and not any(w in subject for w in ("list email", "mass email", "newsletter", "email blast"))
            counts.acts[account].append((d, r["Activity Type"] in ("Email", "Phone Call", "Appointment") or task, contact))
    for r in deals:
        account = customer(r)
        d = day(r["Actual Close Date"]) or day(r["Est. close date"])
        if r["Status"] == "Won" and account and d:
            counts.wins[account].append(d)
    return counts


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f != "hubspot"])
def test_real_export_runs_and_accounts_for_every_log_row(folder, tmp_path, playbook):
    result, _ = run(folder, tmp_path, playbook)
    logs = result.summary()["sources"]["logs"]
    assert logs
    for log in logs:
        parts = (log["rows_used"] + log["rows_rejected"] + log["rows_without_account"] + log["rows_unknown_account"]
                 + log["rows_bad_date"] + log["rows_no_date"] + log["rows_child_copies"] + log["rows_skipped_file"])
        assert parts == log["rows_read"], log["file"]
        assert log["rows_linked_via_contact"] + log["rows_linked_via_deal"] <= log["rows_used"]
        assert log["rows_without_account_leads"] <= log["rows_without_account"], log["file"]
        assert log["rows_unknown_account_contact"] <= log["rows_unknown_account"], log["file"]


@pytest.mark.parametrize("folder", ["salesforce", "salesforce-sample"])
def test_salesforce_rows_of_leads_without_account_agree_with_the_raw_files(folder, tmp_path, playbook):
    result, spec = run(folder, tmp_path, playbook)
    expected = sum(1 for f in spec["activities"] for r in csv_rows(REAL / folder / f)
                   if not real_id(r["AccountId"]) and not real_id(r.get("WhatId", "")) and r["WhoId"].strip().startswith("00Q"))
    log = next(log for log in result.summary()["sources"]["logs"] if log["kind"] == "activities")
    assert log["rows_without_account_leads"] == expected > 0


def test_salesforce_account_lines_mixing_encodings_come_out_without_mojibake():
    from checker.inputs.files import read_table

    table = read_table(REAL / "salesforce" / "Account.csv")
    assert table.encoding == "mixed" and table.mixed[0] > 0
    # UTF-8 read as Windows-1252 gives "Ã" or "Â" followed by a sign (cities, streets, descriptions
    # pasted as UTF-8 into a Latin-1 line); decoded per sequence, none is left.
    assert not [cell for row in table.rows for cell in row if re.search("[ÃÂ][\u00a0-\u00bf\u2010-\u20cf]", cell)]


def test_real_export_without_company_or_date_is_skipped_with_one_note_and_the_run_goes_on(tmp_path, playbook):
    accounts = tmp_path / "companies.csv"
    accounts.write_text("Record ID,Company name,declared_stage\n1,Made-up Oy,basic\n", encoding="utf-8")
    spec = case("hubspot")
    inputs = Inputs(accounts, [], [REAL / "hubspot" / f for f in spec["deals"]], "auto", CASES / "hubspot" / "mapping.yaml")
    result = run_check(inputs, playbook, date.fromisoformat(str(spec["as_of"])), "en", "http://h")
    log = result.summary()["sources"]["logs"][0]
    rows = len(csv_rows(REAL / "hubspot" / spec["deals"][0]))
    assert (log["rows_read"], log["rows_skipped_file"], log["rows_used"]) == (rows, rows, 0)
    assert len(log["warnings"]) == 1 and spec["deals"][0] in log["warnings"][0] and "account_id, date" in log["warnings"][0]
    assert result.playbook.signals["purchases_12m"] and "purchases_12m" not in result.sources.derived  # unknown, not zero


@pytest.mark.parametrize("folder", ["salesforce", "salesforce-sample"])
def test_salesforce_signals_agree_with_counts_from_the_raw_files(folder, tmp_path, playbook):
    result, _ = run(folder, tmp_path, playbook)
    counts = salesforce_counts(folder, result.as_of, "Type__c" if folder == "salesforce-sample" else "Type")
    for account in result.table.ids:
        assert signal(result, account, "interactions_90d") == counts.interactions_90d(account), account
        assert signal(result, account, "customer_contacts_12m") == counts.contacts_12m(account), account
        assert signal(result, account, "purchases_12m") == counts.purchases_12m(account), account
        assert signal(result, account, "last_purchase") == counts.last_purchase(account), account


def test_dynamics_signals_agree_with_counts_from_the_raw_files(tmp_path, playbook):
    result, spec = run("dynamics", tmp_path, playbook)
    counts = dynamics_counts(result.as_of, spec)
    for account in result.table.ids:
        assert signal(result, account, "interactions_90d") == counts.interactions_90d(account), account
        assert signal(result, account, "customer_contacts_12m") == counts.contacts_12m(account), account
        assert signal(result, account, "purchases_12m") == counts.purchases_12m(account), account
        assert signal(result, account, "last_purchase") == counts.last_purchase(account), account


@pytest.mark.parametrize("folder", ["salesforce", "salesforce-sample", "salesforce-devorg"])
def test_no_placeholder_or_lead_is_a_contact_and_no_revenue_mixes_currencies(folder, tmp_path, playbook):
    result, _ = run(folder, tmp_path, playbook)
    base = REAL / folder
    # The currencies of each account's won deals in the two revenue windows (730 days).
    currencies = defaultdict(set)
    for r in csv_rows(base / "Opportunity.csv"):
        close = day(r["CloseDate"])
        if r.get("IsWon", "").strip() in ("1", "true") and r.get("CurrencyIsoCode") and close and result.as_of - timedelta(days=730) < close <= result.as_of:
            currencies[r["AccountId"]].add(r["CurrencyIsoCode"])
    for account in result.table.ids:
        notes = [n for n in result.table.notes.get(result.table.ids.index(account), []) if n.code == "data.mixed_currencies"]
        if len(currencies.get(account, ())) > 1:
            assert signal(result, account, "revenue_12m") is None and notes, account
        else:
            assert not notes, account
    # Every contact counted is a real contact id: a placeholder or a lead would add one.
    if (base / "Task.csv").exists():
        counts = salesforce_counts(folder, result.as_of, "Type__c" if folder == "salesforce-sample" else "Type")
        assert all(signal(result, a, "customer_contacts_12m") == counts.contacts_12m(a) for a in result.table.ids)


#: Totals over each export's accounts at its as_of, counted in the raw files (per account
#: identifiers of the real exports are not kept in the repository): accounts with an interaction
#: in 90 days, interactions in 90 days, customer contacts in 12 months, purchases in 12 months,
#: the most purchases of one account, the latest purchase.
TOTALS = {
    "salesforce": (30, 41, 104, 119, 11, date(2023, 6, 30)),
    "salesforce-sample": (8, 20, 14, 12, 2, date(2023, 11, 27)),
    # one customer won 9 deals in 12 months, most of them without an estimated close date
    # (tasks count as interactions unless their subject says mass e-mail: 9 accounts and 20 interactions, not 8 and 18)
    "dynamics": (9, 20, 18, 14, 9, date(2025, 10, 19)),
}


@pytest.mark.parametrize("folder", sorted(TOTALS))
def test_real_export_signal_totals_match_the_counts(folder, tmp_path, playbook):
    result, _ = run(folder, tmp_path, playbook)
    values = {name: [v for a in result.table.ids if (v := signal(result, a, name)) is not None]
              for name in ("interactions_90d", "customer_contacts_12m", "purchases_12m", "last_purchase")}
    observed = (sum(1 for v in values["interactions_90d"] if v > 0), sum(values["interactions_90d"]), sum(values["customer_contacts_12m"]),
                sum(values["purchases_12m"]), max(values["purchases_12m"]), max(values["last_purchase"]))
    assert observed == TOTALS[folder]
