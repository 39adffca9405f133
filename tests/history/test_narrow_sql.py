"""--owner, --kind, --min-severity and --waivers on a findings output computed in SQL (`check --output findings.parquet`):
the rows are the JSON report's findings as the same options narrow and mark them, the summary's numbers (left_out,
changes, waiver_notes) and the stderr lines are the JSON report's, and --fail-on counts what it counts.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.playbook.schemas import validator
from tests.engines.test_findings import json_findings, ordered, parquet_rows

SAME = ("accounts", "accounts_flagged", "findings", "findings_by_severity", "findings_by_kind", "expectations_not_evaluated", "coverage",
        "rows_read", "sources")


def _both(capsys, tmp_path: Path, *options: str, common: tuple[str, ...] = (str(SAMPLE), *AS_OF)) -> tuple[dict, dict, str, str, tuple[int, int]]:
    """(the JSON report, the Parquet output's summary file, the stderr of each, the exit codes) of one check with `options`."""
    code_json, _, err_json = run(capsys, "check", *common, *options, "--format", "json", "--output", str(tmp_path / "r.json"))
    code_parquet, _, err_parquet = run(capsys, "check", *common, *options, "--output", str(tmp_path / "f.parquet"))
    assert code_json in (0, 1) and code_parquet in (0, 1), err_json + err_parquet
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    written = json.loads((tmp_path / "f.summary.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator("findings-summary.schema.json").iter_errors(written)] == []
    return report, written, err_json, err_parquet, (code_json, code_parquet)


def _lines(err: str, path: str) -> list[str]:
    """The stderr lines both outputs print (not the one naming the file written, nor the JSON's handbook-links note)."""
    return [line for line in err.splitlines() if "wrote" not in line and "handbook links" not in line and path not in line]


@pytest.mark.parametrize("options", [
    ["--owner", "Oskari"],
    ["--owner", " oskari ", "--owner", "AINO"],  # as the JSON report matches an owner: case and edge spaces aside
    ["--kind", "data", "--kind", "warning-sign"],
    ["--min-severity", "warning"],
    ["--owner", "Oskari", "--kind", "stage-mismatch", "--min-severity", "error"],
    ["--owner", "Oskarri"],  # nobody's: every finding left out, and the name meant suggested
], ids=["owner", "owners-any-case", "kinds", "min-severity", "all-three", "unknown-owner"])
def test_the_narrowing_options_keep_the_json_reports_findings(capsys, tmp_path: Path, options: list[str]) -> None:
    report, written, err_json, err_parquet, codes = _both(capsys, tmp_path, *options, "--fail-on", "error")
    rows = parquet_rows(tmp_path / "f.parquet")
    assert rows == json_findings(report)
    ours, theirs = written["summary"], report["summary"]
    assert {k: ours[k] for k in (*SAME, "left_out")} == {k: theirs[k] for k in (*SAME, "left_out")}
    assert ours["left_out"]["findings"] > 0
    assert _lines(err_parquet, "f.parquet") == _lines(err_json, "r.json") != []  # the filter line (and an unknown owner's) alike
    assert codes[0] == codes[1]  # --fail-on counts the findings kept
    if options == ["--owner", "Oskarri"]:
        assert rows == [] and "did you mean 'Oskari'" in err_parquet


def _waivers(tmp_path: Path) -> Path:
    """A rule waived for one account, a kind for two, an expired waiver, a mistyped account and a waiver that waives nothing."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("""waivers:
  - {account: ACC-00003, rule: basic-buys, reason: "agreed with the owner", by: Aino, until: "2027-01-31"}
  - {account: [ACC-00004, ACC-00005], kind: stage-mismatch, reason: "stage being moved", until: "2027-01-31"}
  - {account: ACC-00006, rule: stage-fit, reason: "old", until: "2026-01-01"}
  - {account: ACC-0003, rule: basic-buys, reason: "typo", until: "2027-01-31"}
  - {account: ACC-00001, rule: basic-buys, reason: "nothing to waive", until: "2027-01-31"}
""", encoding="utf-8")
    return waivers


def _marked(report: dict) -> list[tuple]:
    """The JSON report's findings, listed and waived, with the waiver's until (None: not waived)."""
    return ordered([(a["account_id"], f["rule"], f["severity"], f.get("status"), f.get("first_seen"), (f.get("waived") or {}).get("until"))
                    for a in report["accounts"] for f in a["findings"] + a.get("waived", [])])


@pytest.mark.parametrize("baseline", [False, True], ids=["waivers", "waivers-and-baseline"])
def test_waived_findings_are_marked_as_the_json_report_marks_them(capsys, tmp_path: Path, baseline: bool) -> None:
    common: tuple[str, ...] = (str(SAMPLE), *AS_OF)
    if baseline:  # an earlier week of fewer accounts: findings new and still open, some of them waived
        lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
        earlier = tmp_path / "earlier.csv"
        earlier.write_text("".join(lines[:1] + lines[3:-20]), encoding="utf-8")
        assert run(capsys, "check", str(earlier), "--as-of", "2026-10-01", "--format", "json", "--output", str(tmp_path / "earlier.json"), "--fail-on", "never")[0] == 0
        common = (*common, "--baseline", str(tmp_path / "earlier.json"))
    report, written, err_json, err_parquet, codes = _both(capsys, tmp_path, "--waivers", str(_waivers(tmp_path)), "--fail-on", "warning", common=common)
    rows = ordered(duckdb.connect().execute("SELECT account_id, rule, severity, status, first_seen, waived_until FROM read_parquet(?)",
                                            [str(tmp_path / "f.parquet")]).fetchall())
    assert rows == _marked(report)
    assert sum(1 for r in rows if r[5]) == report["summary"]["changes"]["waived"] == 12  # one rule of one account (1), every stage-mismatch of two (5 + 6)
    ours, theirs = written["summary"], report["summary"]
    assert {k: ours[k] for k in (*SAME, "changes", "waiver_notes")} == {k: theirs[k] for k in (*SAME, "changes", "waiver_notes")}
    assert len(ours["waiver_notes"]) == 3  # expired, no such account (ACC-00003 suggested), nothing waived
    assert _lines(err_parquet, "f.parquet") == _lines(err_json, "r.json")
    assert written["columns"][-3:] == ["waived_until", "waived_reason", "waived_by"] and codes[0] == codes[1]
    reason = duckdb.connect().execute("SELECT DISTINCT waived_reason, waived_by FROM read_parquet(?) WHERE rule = 'basic-buys' AND waived_until IS NOT NULL",
                                      [str(tmp_path / "f.parquet")]).fetchall()
    assert reason == [("agreed with the owner", "Aino")]


def test_fail_on_does_not_count_waived_findings(capsys, tmp_path: Path) -> None:
    """Every warning waived: exit 0 where the same run without the waivers exits 1, as with JSON."""
    export = tmp_path / "export.csv"
    export.write_text("account_id,account_name,declared_stage,share_of_wallet,open_books\nA1,One,cooperation,0.05,yes\nA2,Two,basic,0.5,\n", encoding="utf-8")
    common = ["check", str(export), "--as-of", "2026-11-01", "--fail-on", "warning"]
    assert run(capsys, *common, "--output", str(tmp_path / "f.parquet"))[0] == 1
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - {account: A1, kind: stage-mismatch, reason: moving, until: "2027-01-01"}\n', encoding="utf-8")
    code, _, err = run(capsys, *common, "--waivers", str(waivers), "--output", str(tmp_path / "f.parquet"))
    assert code == 0, err
    assert run(capsys, *common, "--waivers", str(waivers), "--format", "json", "--output", str(tmp_path / "r.json"))[0] == 0
    found = duckdb.connect().execute("SELECT severity, waived_until FROM read_parquet(?)", [str(tmp_path / "f.parquet")]).fetchall()
    assert sorted(s for s, until in found if until is None) == ["info"] and sum(1 for _, until in found if until) == 2  # the rest: below --fail-on


def test_a_waiver_of_a_rule_that_does_not_exist_is_one_message(capsys, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - {account: ACC-00003, rule: basic-buy, reason: typo, until: "2027-01-31"}\n', encoding="utf-8")
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--waivers", str(waivers), "--output", str(tmp_path / "f.parquet"))
    assert code == 2 and stdout == "" and "basic-buys" in err and "Traceback" not in err  # the rule meant, suggested
    assert not (tmp_path / "f.parquet").exists()


def test_the_rows_come_in_the_export_order_and_the_file_is_the_same_run_to_run(capsys, tmp_path: Path) -> None:
    """Accounts in the export's order, each account's findings as the JSON report lists them; two runs, the same bytes."""
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--format", "json", "--output", str(tmp_path / "r.json"), "--fail-on", "never")[0] == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    files = []
    for n in range(2):
        target = tmp_path / f"f{n}.parquet"
        assert run(capsys, "check", str(SAMPLE), *AS_OF, "--output", str(target), "--fail-on", "never")[0] == 0
        files.append(target.read_bytes())
    rows = duckdb.connect().execute("SELECT account_id, rule FROM read_parquet(?)", [str(tmp_path / "f0.parquet")]).fetchall()
    assert rows == [(a["account_id"], f["rule"]) for a in report["accounts"] for f in a["findings"]]
    assert files[0] == files[1]


def test_the_waiver_columns_are_text_when_no_waiver_names_its_author(capsys, tmp_path: Path) -> None:
    # Without a `by` anywhere DuckDB once typed waived_by by its NULLs alone (a column of no type in the file).
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - {account: ACC-00003, rule: basic-buys, reason: "agreed", until: "2027-01-31"}\n', encoding="utf-8")
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--waivers", str(waivers), "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")[0] == 0
    types = dict(duckdb.connect().execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(tmp_path / "f.parquet")]).fetchall())
    assert [types[c] for c in ("waived_until", "waived_reason", "waived_by")] == ["VARCHAR"] * 3
