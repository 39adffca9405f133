"""Filters (--owner, --kind, --min-severity; CheckResult.filtered) in every format, with what they left out said."""
from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import AS_OF, SAMPLE, run

from checker.playbook.model import SEVERITIES
from checker.playbook.schemas import validator


def _json(capsys, *options: str) -> dict:
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF, *options)
    return json.loads(out)


def test_owner_kind_and_severity_keep_only_those_findings_and_count_the_rest(capsys):
    whole = _json(capsys)
    report = _json(capsys, "--owner", "aino", "--owner", "Oskari", "--kind", "stage-mismatch", "--kind", "data", "--min-severity", "warning")
    kept = [(a, f) for a in report["accounts"] for f in a["findings"]]
    assert kept and {a["owner"] for a, _ in kept} <= {"Aino", "Oskari"}  # names match whatever their case
    assert {f["kind"] for _, f in kept} <= {"stage-mismatch", "data"}
    assert {f["severity"] for _, f in kept} <= {"error", "warning"}
    assert list(validator("report.schema.json").iter_errors(report)) == []
    left = report["summary"]["left_out"]
    assert left["findings"] == whole["summary"]["findings"] - len(kept) > 0
    assert left["accounts_flagged"] == whole["summary"]["accounts_flagged"] - report["summary"]["accounts_flagged"]
    assert left["owners"] == ["aino", "Oskari"] and left["kinds"] == ["stage-mismatch", "data"] and left["min_severity"] == "warning"
    assert report["summary"]["findings"] == len(kept) == sum(report["summary"]["findings_by_severity"].values())


def test_no_filter_leaves_nothing_out_and_says_nothing(capsys):
    assert "left_out" not in _json(capsys)["summary"]
    _, out, err = run(capsys, "check", str(SAMPLE), *AS_OF)
    assert "Filtered" not in out and "Filtered" not in err


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_report_with_a_summary_says_what_was_left_out(capsys, fmt):
    _, out, err = run(capsys, "check", str(SAMPLE), "--format", fmt, *AS_OF, "--min-severity", "error", "--lang", "fi")
    assert "Rajattu (vakavuus vähintään virhe): pois jätettiin" in out
    assert "Rajattu" in err  # stderr too, for the CSV that has no summary


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv"])
def test_every_format_lists_only_the_owners_accounts(capsys, fmt):
    _, everyone, _ = run(capsys, "check", str(SAMPLE), "--format", "csv", *AS_OF)
    others = {row["account_id"] for row in csv.DictReader(io.StringIO(everyone)) if row["owner"] != "Aino"}
    mine = {row["account_id"] for row in csv.DictReader(io.StringIO(everyone)) if row["owner"] == "Aino"}
    # Unusable rows are listed whatever the filters (they are about the file, not an owner's account).
    unusable = " ".join(row["message"] for row in _json(capsys)["unusable_rows"])
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", fmt, *AS_OF, "--owner", "Aino")
    assert not [a for a in others if a in out and a not in unusable]
    assert [a for a in mine if a in out]


def test_min_severity_info_keeps_everything(capsys):
    assert _json(capsys, "--min-severity", SEVERITIES[-1])["summary"]["left_out"]["findings"] == 0


def test_an_owner_no_account_has_is_named_with_a_suggestion(capsys):
    _, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--owner", "Ainoo")
    assert "--owner Ainoo: no account has this owner (did you mean 'Aino'?)" in err


def test_an_unknown_kind_is_a_usage_error(capsys):
    code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--kind", "warnings")
    assert code == 2 and "--kind 'warnings' (did you mean 'warning-sign'?)" in err
