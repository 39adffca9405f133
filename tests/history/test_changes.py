"""What changed since the baseline: new, still open, resolved, moved; first-seen dates carried run to run."""
from __future__ import annotations

import json

from weekly import WEEK1, check_json, export, findings

from checker.playbook.model import load_playbook


def test_two_runs_count_new_still_open_and_resolved(capsys, tmp_path):
    _, week1, _ = check_json(capsys, export(tmp_path, "w1.csv", WEEK1), "2026-10-24")
    (tmp_path / "w1.json").write_text(json.dumps(week1), encoding="utf-8")
    # A1 opens its books (its warning resolved), B2 starts buying (resolved), C3 gets tendered as integrated (new).
    week2 = {"A1": "Alpha Oy,integrated,2,yes,", "B2": "Beta Oy,basic,,,3", "C3": "Gamma Oy,integrated,1,yes,4"}
    code, report, _ = check_json(capsys, export(tmp_path, "w2.csv", week2), "2026-10-31", "--baseline", str(tmp_path / "w1.json"))
    assert code == 1
    changes = report["summary"]["changes"]
    assert (changes["new"], changes["still_open"], changes["resolved"], changes["waived"]) == (1, 1, 2, 0)
    assert changes["since"] == "2026-10-24" and changes["stages_moved"] >= 1
    a1 = findings(report, "A1")
    assert a1["integrated-no-tenders"]["status"] == "still-open" and a1["integrated-no-tenders"]["first_seen"] == "2026-10-24"
    assert findings(report, "C3")["integrated-no-tenders"]["status"] == "new"
    by_id = {a["account_id"]: a for a in report["accounts"]}
    assert by_id["A1"]["resolved"] == ["integrated-open-books"] and by_id["B2"]["resolved"] == ["basic-buys"] and by_id["C3"]["resolved"] == []
    assert by_id["C3"]["moved"]["declared_stage"] == "basic" and "moved" not in by_id["B2"]


def test_first_seen_dates_are_carried_across_three_runs(capsys, tmp_path):
    path = export(tmp_path, "w.csv", WEEK1)
    _, week1, _ = check_json(capsys, path, "2026-10-17")
    (tmp_path / "w1.json").write_text(json.dumps(week1), encoding="utf-8")
    _, week2, _ = check_json(capsys, export(tmp_path, "w.csv", {**WEEK1, "C3": "Gamma Oy,basic,,,0"}), "2026-10-24", "--baseline", str(tmp_path / "w1.json"))
    (tmp_path / "w2.json").write_text(json.dumps(week2), encoding="utf-8")
    _, week3, _ = check_json(capsys, export(tmp_path, "w.csv", {**WEEK1, "C3": "Gamma Oy,basic,,,0"}), "2026-10-31", "--baseline", str(tmp_path / "w2.json"))
    assert findings(week3, "A1")["integrated-no-tenders"]["first_seen"] == "2026-10-17"  # open since the first run
    c3 = findings(week3, "C3")["basic-buys"]
    assert (c3["status"], c3["first_seen"]) == ("still-open", "2026-10-24")  # new in the second run
    assert week3["summary"]["changes"]["new"] == 0 and week3["summary"]["changes"]["resolved"] == 0


def test_a_report_of_the_next_format_is_a_baseline_too(capsys, tmp_path):
    """report_version 2 moves the rule texts into `rules`; findings keep rule, kind, severity, message, evidence."""
    baseline = {"report_version": 2, "as_of": "2026-10-24", "playbook_version": load_playbook().manifest["version"], "rules": {"integrated-no-tenders": {"title": "…"}},
                "accounts": [{"account_id": "A1", "declared_stage": "integrated", "best_fit_stage": None,
                              "findings": [{"rule": "integrated-no-tenders", "kind": "stage-mismatch", "severity": "error", "message": "m", "evidence": None}]}]}
    (tmp_path / "v2.json").write_text(json.dumps(baseline), encoding="utf-8")
    code, report, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--baseline", str(tmp_path / "v2.json"))
    assert code == 1, err
    assert findings(report, "A1")["integrated-no-tenders"]["status"] == "still-open"
    assert findings(report, "A1")["integrated-open-books"]["status"] == "new"
    assert report["summary"]["changes"]["accounts_added"] == 2


def test_a_report_of_the_first_format_is_still_a_baseline(capsys, tmp_path):
    """Reports written before report_version 2 carry the rule texts on every finding and fit per stage name."""
    f = {"rule": "integrated-no-tenders", "kind": "stage-mismatch", "severity": "error", "message": "m",
         "evidence": {"signal": "competitive_tenders_12m", "observed": 2, "op": "<=", "threshold": 0, "relative_to": None, "expected": "none"},
         "action": "a", "source": "s", "handbook_url": "http://h/en/stages/integrated/#integrated-no-tenders", "first_seen": "2026-10-10"}
    baseline = {"as_of": "2026-10-24", "playbook_version": load_playbook().manifest["version"],
                "accounts": [{"account_id": "A1", "declared_stage": "integrated", "best_fit_stage": None, "fit": {"basic": [1, 2]}, "findings": [f]}]}
    (tmp_path / "v1.json").write_text(json.dumps(baseline), encoding="utf-8")
    code, report, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--baseline", str(tmp_path / "v1.json"))
    assert code == 1, err
    assert findings(report, "A1")["integrated-no-tenders"]["first_seen"] == "2026-10-10"
    assert report["report_version"] == 2


def test_a_data_finding_stays_open_across_v2_reports_by_its_column(capsys, tmp_path):
    week = {**WEEK1, "B2": "Beta Oy,basic,,maybe,0"}  # open_books 'maybe': a data finding on that column
    _, week1, _ = check_json(capsys, export(tmp_path, "w1.csv", week), "2026-10-24")
    data = [f for f in findings(week1, "B2").values() if f["kind"] == "data"]
    assert data and data[0]["evidence"]["signal"] == "open_books"
    (tmp_path / "w1.json").write_text(json.dumps(week1), encoding="utf-8")
    _, week2, _ = check_json(capsys, export(tmp_path, "w2.csv", week), "2026-10-31", "--baseline", str(tmp_path / "w1.json"))
    again = findings(week2, "B2")[data[0]["rule"]]
    assert (again["status"], again["first_seen"]) == ("still-open", "2026-10-24")
