"""The coverage line: every row of a log accounted for, its first and last date, the warnings.

Made-up logs in the canonical layout and in a Salesforce shape (empty date cells)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import run

from checker.check import Inputs, run_check
from checker.inputs.columns import decode

ACCOUNTS = "account_id,account_name,declared_stage\nA1,Acme,basic\nA2,Beta,basic\n"
ACTIVITIES = """account_id,date,type,topic,customer_contact
A1,2025-06-01,call,old call,Liisa
A1,2026-01-10,call,check in,Liisa
A1,,call,no date yet,Liisa
A1,2026-01-11,,Seguimiento,Liisa
X7,2026-01-12,call,someone else's,Pekka
X7,2026-01-13,call,someone else's,Pekka
X8,2026-01-14,call,someone else's,Pekka
"""
DEALS = "account_id,date,amount,status\nA1,2025-12-01,100,won\n"


def write(tmp_path: Path) -> list[str]:
    for name, text in (("accounts.csv", ACCOUNTS), ("activities.csv", ACTIVITIES), ("deals.csv", DEALS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--deals", str(tmp_path / "deals.csv"),
            "--preset", "canonical", "--fail-on", "never"]


def test_used_rows_exclude_unknown_accounts_and_examples_are_shown(tmp_path, capsys):
    code, out, _ = run(capsys, "check", *write(tmp_path), "--as-of", "2026-01-31", "--format", "json")
    log = json.loads(out)["summary"]["sources"]["logs"][0]
    assert code == 0
    assert (log["rows_read"], log["rows_used"], log["rows_unknown_account"], log["rows_no_date"]) == (7, 3, 3, 1)
    assert log["unknown_account_examples"] == ["X7", "X8"]  # the most frequent first
    assert log["rows_unclassified_type"] == 1
    assert (log["covers_from"], log["covers_to"]) == ("2025-06-01", "2026-01-11")


def test_an_empty_date_cell_is_no_unreadable_date_and_is_told_in_the_chosen_language(tmp_path, capsys):
    _, out, _ = run(capsys, "check", *write(tmp_path), "--as-of", "2026-01-31", "--lang", "fi")
    assert "'None'" not in out and "cannot be read" not in out
    assert "1 rivin päivämääräsolu on tyhjä" in " ".join(out.split())


def test_a_stale_export_is_warned_about_in_every_format(tmp_path, capsys):
    args = write(tmp_path)
    for fmt in ("table", "markdown", "json"):
        _, out, _ = run(capsys, "check", *args, "--as-of", "2026-10-31", "--format", fmt)
        assert "the log ends on 2026-01-11, 293 days before --as-of 2026-10-31" in " ".join(out.split()).replace("\\", ""), fmt
    _, _, err = run(capsys, "check", *args, "--as-of", "2026-10-31", "--format", "csv")
    assert "activities.csv: WARNING: the log ends on 2026-01-11" in err  # CSV rows are findings: the warning goes to stderr


def test_a_log_starting_inside_a_window_is_warned_about(tmp_path, capsys):
    _, out, _ = run(capsys, "check", *write(tmp_path), "--as-of", "2026-01-31", "--format", "json")
    warnings = json.loads(out)["summary"]["sources"]["logs"][1]["warnings"]  # deals from 2025-12-01
    assert len(warnings) == 1 and "purchases_12m" in warnings[0] and "revenue_prev_12m" in warnings[0]


def test_history_from_makes_windows_reaching_before_it_and_the_relationship_start_unknown(tmp_path, playbook):
    write(tmp_path)
    inputs = Inputs(tmp_path / "accounts.csv", [tmp_path / "activities.csv"], [tmp_path / "deals.csv"], "canonical",
                    history_from=date(2025, 11, 1))
    result = run_check(inputs, playbook, date(2026, 1, 31), "en", "http://h")
    i = result.table.ids.index("A1")

    def value(signal: str) -> object:
        return decode(result.table.columns.get(signal)[i], playbook.signals[signal])

    assert value("interactions_90d") == 2  # 90 days back is 2025-11-02: inside the history
    assert value("purchases_12m") is None  # twelve months reach before the history: unknown, not 1
    # The log's first date is where the window starts, not where the relationship did.
    assert value("relationship_start") is None
    assert "relationship_start" not in result.sources.origins
    assert result.summary()["sources"]["logs"][1]["warnings"] == []


def test_history_from_on_the_command_line_replaces_the_late_start_warning(tmp_path, capsys):
    _, out, _ = run(capsys, "check", *write(tmp_path), "--as-of", "2026-01-31", "--format", "json", "--history-from", "2025-06-01")
    logs = json.loads(out)["summary"]["sources"]["logs"]
    assert [log["warnings"] for log in logs] == [[], []]


def test_a_log_mixing_encodings_says_so_in_every_format(tmp_path, capsys):
    args = write(tmp_path)
    mixed = ACTIVITIES.encode() + "A1,2026-01-15,call,Pää,Liisa\n".encode("cp1252")  # one UTF-8 line ("Pekka" rows are ASCII): none
    mixed += "A1,2026-01-16,call,Sää,Liisa\n".encode()
    (tmp_path / "activities.csv").write_bytes(mixed)
    _, out, _ = run(capsys, "check", *args, "--as-of", "2026-01-31", "--format", "json")
    logs = json.loads(out)["summary"]["sources"]["logs"]
    assert logs[0]["mixed_encoding"] == {"lines_utf8": 1, "lines_windows_1252": 1}
    assert logs[1]["mixed_encoding"] is None
    for fmt in ("table", "markdown"):
        _, out, _ = run(capsys, "check", *args, "--as-of", "2026-01-31", "--format", fmt)
        assert "the file mixes encodings, so it was read line by line (lines read as UTF-8: 1; as Windows-1252/Latin-1: 1" in " ".join(out.split()), fmt
    _, out, _ = run(capsys, "check", *args, "--as-of", "2026-01-31", "--lang", "fi")
    assert "tiedosto sekoittaa merkistöjä" in out
