"""The JSON report: valid against its schema, every row accounted for, the summary's counts those listed."""
from __future__ import annotations

import csv
import json

from conftest import AS_OF, SAMPLE, run

from checker.playbook.schemas import validator


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
