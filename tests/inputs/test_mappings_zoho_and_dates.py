"""Zoho CRM as Zoho writes it (tests/fixtures/exports/zoho, made up), and dates in any form:
Zoho's `16 Apr, 2021 00:03:00` read as it is, any other form through --date-format or the
mapping's `date_format` as a strftime pattern, and a date column no known form reads named
with one of its values and the option to use."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from checker.check import Inputs, run_check
from checker.cli import main
from checker.inputs.columns import decode
from checker.inputs.mappings import detect_preset
from checker.inputs.values import BadValue, date_pattern, parse_date
from checker.reports.text import log_lines

ZOHO = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "zoho"
AS_OF = date(2026, 10, 31)


def zoho_inputs(**extra) -> Inputs:
    return Inputs(ZOHO / "Accounts.csv", [ZOHO / n for n in ("Calls.csv", "Events.csv", "Tasks.csv")], [ZOHO / "Potentials.csv"], "auto",
                  ZOHO / "mapping.yaml", contacts=[ZOHO / "Contacts.csv"], **extra)


def value(result, account: str, signal: str) -> object:
    return decode(result.table.columns.get(signal)[result.table.ids.index(account)], result.playbook.signals[signal])


@pytest.mark.parametrize("name", ["Accounts.csv", "Contacts.csv", "Potentials.csv", "Calls.csv", "Events.csv", "Tasks.csv"])
def test_every_zoho_module_is_recognised_by_its_headers(name):
    with (ZOHO / name).open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    mapping, reason = detect_preset([header])
    assert mapping.id == "zoho"
    assert all(h in header for h in reason.values["headers"].replace("'", "").split(", "))


def test_zoho_dates_links_and_types(playbook):
    result = run_check(zoho_inputs(), playbook, AS_OF, "en", "http://h")
    logs = {log["kind"]: log for log in result.summary()["sources"]["logs"]}
    # '18 Nov, 2025' and '10 Mar, 2026 13:00:00' read as dates: every row used, none with a bad date.
    assert (logs["deals"]["covers_from"], logs["activities"]["covers_from"]) == ("2025-11-18", "2026-03-10")
    assert logs["activities"]["rows_used"] == logs["activities"]["rows_read"] == 11 and logs["activities"]["rows_bad_date"] == 0
    # A call about a potential (SEID of Potentials) and an event about one count for the potential's account.
    assert logs["activities"]["rows_linked_via_deal"] == 2
    # Mäkelä Paper: a call, a meeting, the quote meeting, the task and the order confirmation; the missed call is no interaction.
    assert value(result, "4876212000000310003", "interactions_90d") == 5
    assert value(result, "4876212000000310003", "price_share_90d") == 0  # "Hintatarjouksen läpikäynti" is a quote
    assert value(result, "4876212000000310001", "competitive_tenders_12m") == 2
    # Tasks are generic: "Soitin ostajalle" is a call by its subject, the other two unclassified.
    assert (logs["activities"]["rows_generic_type"], logs["activities"]["rows_generic_type_unclassified"]) == (3, 2)


def test_the_zoho_form_is_read_in_account_exports_too():
    assert parse_date("16 Apr, 2021 00:03:00") == date(2021, 4, 16)
    assert parse_date("2 Sept, 2026") == date(2026, 9, 2)
    with pytest.raises(BadValue):
        parse_date("16 Foo, 2021")


ACCOUNTS = "account_id,account_name,declared_stage,next_review\nA1,Esimerkki Oy,paused,15-01-2027 10:00\n"
ACTIVITIES = "account_id,date,type,topic\nA1,01-10-2026 09:30,call,Kuulumiset\nA1,12-10-2026 14:00,meeting,Tapaaminen\n"


def write(tmp_path: Path, mapping: str | None = None) -> list[str]:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (tmp_path / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
    args = [str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--as-of", "2026-10-31", "--fail-on", "never"]
    if mapping is not None:
        (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
        args += ["--mapping", str(tmp_path / "m.yaml")]
    return args


def test_a_date_column_no_known_form_reads_says_which_value_and_which_option(tmp_path, capsys):
    assert main(["check", *write(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 with a bad date" in out
    assert "date '01-10-2026 09:30' cannot be read" in out and "--date-format PATTERN" in out


@pytest.mark.parametrize("how", ["option", "mapping"])
def test_any_form_is_read_with_a_strftime_pattern(tmp_path, capsys, playbook, how):
    args = write(tmp_path, "kind: mapping\ndate_format: '%d-%m-%Y %H:%M'\n" if how == "mapping" else None)
    if how == "option":
        args += ["--date-format", "%d-%m-%Y %H:%M"]
    assert main(["check", *args, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"rows_bad_date": 0' in out and '"covers_from": "2026-10-01"' in out
    inputs = Inputs(tmp_path / "accounts.csv", [tmp_path / "activities.csv"], [], "auto", tmp_path / "m.yaml" if how == "mapping" else None,
                    "%d-%m-%Y %H:%M" if how == "option" else None)
    result = run_check(inputs, playbook, AS_OF, "en", "http://h")
    assert value(result, "A1", "next_review") == date(2027, 1, 15)  # the account export's date column too
    assert "bad date" not in " ".join(log_lines(result))


def test_a_pattern_that_reads_no_date_is_refused(tmp_path, capsys):
    assert main(["check", *write(tmp_path), "--date-format", "%H:%M"]) == 2  # a usage error, in one line
    assert "strftime pattern" in capsys.readouterr().err
    assert main(["check", *write(tmp_path, "kind: mapping\ndate_format: 'dd.mm.yyyy'\n")]) == 2
    err = capsys.readouterr().err
    assert "m.yaml:2: date_format 'dd.mm.yyyy'" in err and "Traceback" not in err
    assert date_pattern("%d %b, %Y %H:%M:%S") == "%d %b, %Y %H:%M:%S"
