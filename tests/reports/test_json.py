"""The JSON report: valid against its schema, every row accounted for, the summary's counts those listed."""
from __future__ import annotations

import csv
import json
from datetime import date

import numpy as np
import orjson
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.check import Inputs, run_check
from checker.cli import main
from checker.history.baseline import load_baseline
from checker.history.changes import annotate, report_columns
from checker.history.waivers import read_waivers
from checker.playbook.schemas import validator
from checker.reports import json as json_report
from checker.sample import sample_csv


def test_sample_report_validates_and_accounts_for_every_row(capsys):
    code, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF)
    assert code == 1  # the sample holds error-level findings
    report = json.loads(out)
    assert list(validator("report.schema.json").iter_errors(report)) == []
    with SAMPLE.open(encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    assert report["summary"]["rows_read"] == rows == len(report["accounts"]) + len(report["unusable_rows"])
    ids = [a["account_id"] for a in report["accounts"]]
    assert len(ids) == len(set(ids))
    kinds = {f["kind"] for a in report["accounts"] for f in a["findings"]}
    assert kinds == {"stage-mismatch", "warning-sign", "termination", "portfolio", "data"}
    # The summary's counts are those of the findings listed, by severity and by kind.
    listed = [f for a in report["accounts"] for f in a["findings"]]
    summary = report["summary"]
    assert summary["findings"] == len(listed) == sum(summary["findings_by_severity"].values()) == sum(summary["findings_by_kind"].values())
    assert summary["findings_by_severity"] == {s: sum(f["severity"] == s for f in listed) for s in summary["findings_by_severity"]}
    assert summary["findings_by_kind"] == {k: sum(f["kind"] == k for f in listed) for k in summary["findings_by_kind"]}
    assert summary["accounts_flagged"] == sum(1 for a in report["accounts"] if a["findings"])


def test_report_version_2_writes_each_rules_texts_once(capsys):
    """Title, action, source and link live in `rules`, one entry per rule with a finding; findings only name them."""
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF)
    report = json.loads(out)
    assert report["report_version"] == 2
    findings = [f for a in report["accounts"] for f in a["findings"]]
    assert set(report["rules"]) == {f["rule"] for f in findings}
    assert {r["kind"] for r in report["rules"].values()} == {"stage-mismatch", "warning-sign", "termination", "portfolio", "data"}
    for f in findings:
        assert not {"title", "source", "handbook_url"} & set(f)
        assert ("action" in f) == ("action" not in report["rules"][f["rule"]])  # only the verdict's action is per account
    # The rule texts appear once in the whole document, however many findings share them.
    some = next(r for r in report["rules"].values() if r["kind"] == "warning-sign")
    assert out.count(json.dumps(some["action"], ensure_ascii=False)) == 1


def test_a_filtered_report_lists_only_the_rules_of_its_findings(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", "--kind", "data", *AS_OF)
    report = json.loads(out)
    assert list(validator("report.schema.json").iter_errors(report)) == []
    assert set(report["rules"]) == {f["rule"] for a in report["accounts"] for f in a["findings"]} != set()
    assert all(r["kind"] == "data" and r["title"] and r["action"] for r in report["rules"].values())


# The accounts written straight from the columns (json.account_lines) are byte for byte what
# orjson writes for the per-account dicts (json.accounts_json), whatever the texts hold.
AWKWARD = ("account_id,account_name,owner,declared_stage,purchases_12m,share_of_wallet\n"
           'A1,"Alpha ""the first"" Oy",Eeva,basic,1,0.2\n'
           'A\\2,back\\slash\\,,cooperation,,\n'
           '"A"",""3","comma "","" quote",Öljy\tÅsa,integrated,3,x\n'
           "A4,,,,,\n"
           "A5,Ääkköset \u2028 line sep \u00a0 nbsp,,Yhteistyövaihe,2,0.5\n"
           "A6,\u0001control,\u007fdel,no such stage,1,1\n")


def _accounts_both_ways(path, playbook):
    result = run_check(Inputs(path), playbook, date(2026, 10, 31), "en", "http://h")
    rules = json_report.rules_json(result)
    assert result.evaluation.flat is not None
    from_columns = b"".join(json_report.account_lines(result, rules))  # the evaluator's columns (checker/found.py)
    dicts = [orjson.dumps(account) for account in json_report.accounts_json(result, rules)]  # asks for the lists
    assert result.evaluation.flat is None
    assert json_report.rules_json(result) == rules
    from_lists = b"".join(json_report.account_lines(result, rules))
    assert from_lists == from_columns
    expected = (b"\n    " + b",\n    ".join(dicts)) if dicts else b""
    return from_columns, expected, len(dicts)


def test_accounts_written_from_columns_are_those_of_the_dicts(tmp_path, playbook, monkeypatch):
    path = tmp_path / "accounts.csv"
    path.write_text(AWKWARD, encoding="utf-8", newline="")
    for chunk in (1, 2, 4, 1000):  # chunk boundaries anywhere, and all in one chunk
        monkeypatch.setattr(json_report, "CHUNK_ACCOUNTS", chunk)
        written, expected, accounts = _accounts_both_ways(path, playbook)
        assert accounts == 6
        assert written == expected
    assert b'"A\\",\\"3"' in written and b"\\u0001control" in written  # the escapes orjson writes


def test_accounts_written_from_columns_match_on_the_sample_and_on_no_accounts(tmp_path, playbook):
    written, expected, accounts = _accounts_both_ways(SAMPLE, playbook)
    assert accounts > 100 and written == expected
    empty = tmp_path / "empty.csv"
    empty.write_text("account_id,account_name,declared_stage\n", encoding="utf-8")
    assert _accounts_both_ways(empty, playbook) == (b"", b"", 0)


@pytest.mark.parametrize("show_waived", [False, True])
def test_a_weekly_report_written_from_columns_is_that_of_the_dicts(tmp_path, playbook, show_waived):
    """With --baseline and --waivers the accounts are written from the findings' and marks' columns
    (checker/found.py), byte for byte as orjson writes the per-account dicts of the lists."""
    weeks = {}
    for week, seed in (("w1", 1), ("w2", 2)):
        weeks[week] = tmp_path / f"{week}.csv"
        weeks[week].write_text(sample_csv(playbook, date(2026, 10, 31), 300, seed=seed, verify=False), encoding="utf-8")
    last = tmp_path / "w1.json"
    assert main(["check", str(weeks["w1"]), "--as-of", "2026-10-24", "--format", "json", "--output", str(last), "--fail-on", "never"]) == 0
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - account: [ACC-00002, ACC-00003]\n    kind: stage-mismatch\n    reason: known\n    by: Mervi\n    until: 2027-03-31\n"
                       "  - account: ACC-00005\n    kind: data\n    reason: known\n    by: Mervi\n    until: 2027-03-31\n", encoding="utf-8")
    result = run_check(Inputs(weeks["w2"]), playbook, date(2026, 10, 31), "en", "http://h")
    annotate(result, load_baseline(last, playbook.manifest["version"]), read_waivers(waivers), show_waived)
    assert result.history.columns is not None
    rules = json_report.rules_json(result)
    from_columns = b"".join(json_report.account_lines(result, rules))
    index = report_columns(result)
    dicts = [orjson.dumps(account) for account in json_report.accounts_json(result, rules)]  # asks for the lists
    assert result.history.columns is None
    assert from_columns == b"\n    " + b",\n    ".join(dicts)
    for part in (b'"status":"new"', b'"status":"still-open"', b'"resolved":["', b'"moved":{', b'"waived":{"reason":"known"'):
        assert part in from_columns
    assert (b'"waived":[{' in from_columns) is not show_waived  # waived findings kept apart unless shown
    by_lists = report_columns(result)
    assert {k: np.asarray(v).tolist() for k, v in index.__dict__.items() if k in ("account", "finding", "first_seen")} == \
           {k: np.asarray(v).tolist() for k, v in by_lists.__dict__.items() if k in ("account", "finding", "first_seen")}
    assert index.distinct == by_lists.distinct and index.dates == by_lists.dates
