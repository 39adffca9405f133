"""The per-account aggregation: contact changes need evidence, revenue never mixes currencies."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import run

from checker.check import Inputs, run_check
from checker.inputs.columns import decode

AS_OF = date(2026, 10, 31)
ACCOUNTS = "account_id,account_name,declared_stage\nA1,Acme,basic\nA2,Beta,basic\nA3,Gamma,basic\n"


def check(tmp_path: Path, playbook, activities: str | None = None, deals: str | None = None, **extra: object):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    logs: dict[str, list[Path]] = {"activities": [], "deals": []}
    for kind, text in (("activities", activities), ("deals", deals)):
        if text:
            (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
            logs[kind] = [tmp_path / f"{kind}.csv"]
    inputs = Inputs(tmp_path / "accounts.csv", logs["activities"], logs["deals"], "canonical", **extra)
    return run_check(inputs, playbook, AS_OF, "en", "http://h")


def value(result, account: str, signal: str) -> object:
    return decode(result.table.columns.get(signal)[result.table.ids.index(account)], result.playbook.signals[signal])


CHANGES = """account_id,date,type,topic,customer_contact
A1,2024-09-01,call,start,Liisa
A1,2024-12-01,call,regular,Liisa
A1,2025-02-01,call,last one,Liisa
A1,2026-03-01,call,new buyer,Pekka
A2,2026-01-01,call,first,Anna
A2,2026-09-01,call,colleague joins,Olli
A2,2026-10-01,call,both still here,Anna
A3,2026-07-01,call,one,Eeva
"""


def test_a_contact_change_needs_someone_gone_for_long(tmp_path, playbook):
    result = check(tmp_path, playbook, CHANGES)
    assert value(result, "A1", "contact_changes_unhandled_12m") == 1  # Liisa, a regular (3 in a year), gone since 2025-02; Pekka took over
    assert value(result, "A2", "contact_changes_unhandled_12m") == 0  # Anna is still there: Olli joined, nobody left


def test_a_log_too_short_to_show_who_left_gives_unknown_contact_changes(tmp_path, playbook):
    short = "account_id,date,type,topic,customer_contact\nA1,2026-05-01,call,a,Liisa\nA1,2026-09-01,call,b,Pekka\n"
    result = check(tmp_path, playbook, short)
    assert value(result, "A1", "contact_changes_unhandled_12m") is None
    assert value(result, "A1", "customer_contacts_12m") == 2


DEALS = """account_id,date,amount,status,currency
A1,2026-05-01,1000,won,MXN
A1,2026-06-01,100,won,USD
A2,2026-05-01,1000,won,MXN
A2,2026-06-01,500,won,MXN
"""


def test_amounts_in_several_currencies_are_not_added_and_a_note_names_them(tmp_path, playbook):
    result = check(tmp_path, playbook, deals=DEALS)
    assert value(result, "A1", "revenue_12m") is None
    assert value(result, "A2", "revenue_12m") == 1500  # one currency: its sum
    assert value(result, "A3", "revenue_12m") == 0  # no deals at all
    assert value(result, "A1", "purchases_12m") == 2
    notes = result.table.notes[result.table.ids.index("A1")]
    assert [(n.code, n.values["currencies"]) for n in notes] == [("data.mixed_currencies", "MXN, USD")]


def test_currency_rates_convert_amounts_before_they_are_added(tmp_path, playbook):
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nUSD,1\nMXN,0.05\n", encoding="utf-8")
    result = check(tmp_path, playbook, deals=DEALS, currency_rates=rates)
    assert value(result, "A1", "revenue_12m") == 150
    assert value(result, "A2", "revenue_12m") == 1500  # one currency: as it is


def test_deals_in_several_currencies_without_rates_for_them_are_warned_about_once(tmp_path, playbook):
    from checker.reports.text import log_lines

    def currency_warnings(result) -> list[str]:  # the deals log's (others warn it starts late)
        log = next(log for log in result.summary()["sources"]["logs"] if log["kind"] == "deals")
        return [w for w in log["warnings"] if "currenc" in w]

    assert currency_warnings(check(tmp_path, playbook, deals=DEALS.replace("USD", "MXN"))) == []  # one currency: revenues compare
    result = check(tmp_path, playbook, deals=DEALS)
    warnings = currency_warnings(result)
    assert len(warnings) == 1 and "several currencies (MXN, USD), with no rate (--currency-rates) for MXN, USD" in warnings[0]
    assert sum("several currencies" in line for line in log_lines(result)) == 1
    rates = tmp_path / "rates.csv"
    rates.write_text("USD,1\n", encoding="utf-8")
    assert "with no rate (--currency-rates) for MXN:" in currency_warnings(check(tmp_path, playbook, deals=DEALS, currency_rates=rates))[0]
    rates.write_text("USD,1\nMXN,0.05\n", encoding="utf-8")
    assert currency_warnings(check(tmp_path, playbook, deals=DEALS, currency_rates=rates)) == []


def test_a_bad_currency_rates_file_is_one_message_naming_the_line(tmp_path, capsys):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "deals.csv").write_text(DEALS, encoding="utf-8")
    (tmp_path / "rates.csv").write_text("USD,1\nMXN,lots\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(tmp_path / "accounts.csv"), "--deals", str(tmp_path / "deals.csv"), "--preset", "canonical",
                       "--currency-rates", str(tmp_path / "rates.csv"))
    assert code == 2 and "rates.csv: line 2: expected a currency code and a positive rate" in err and "Traceback" not in err
