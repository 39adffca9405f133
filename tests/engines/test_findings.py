"""`check --output findings.parquet`: the findings computed in SQL, one row each, and the summary beside them.

The Parquet file's rows are the JSON report's findings (account, rule, kind, severity, observed,
expected; in no promised order), its summary's numbers are the JSON summary's; the Python-only
findings (data, reviews) are in it too; with --baseline each finding's status and first_seen
and the summary's changes are the JSON report's; bad combinations are one message and exit 2.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.check import Inputs, run_check
from checker.playbook.schemas import validator
from checker.reports import charts

SAMPLE_DATE = AS_OF[1]


def ordered(rows: list[tuple]) -> list[tuple]:
    """Rows in one order whatever order they came in (the Parquet file promises none)."""
    return sorted(rows, key=lambda row: tuple("" if v is None else str(v) for v in row))


def parquet_rows(path: Path, columns: str = "account_id, rule, kind, severity, observed, expected") -> list[tuple]:
    return ordered(duckdb.connect().execute(f"SELECT {columns} FROM read_parquet(?)", [str(path)]).fetchall())


def _text(value: object) -> str | None:
    if value is None:
        return None
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def json_findings(report: dict) -> list[tuple]:
    """The JSON report's findings as the Parquet file has them (the full evidence: the rule's, then the finding's own)."""
    rows = []
    for account in report["accounts"]:
        for f in account["findings"]:
            evidence = {**report["rules"][f["rule"]]["evidence"], **(f["evidence"] or {})}
            rows.append((account["account_id"], f["rule"], f["kind"], f["severity"], _text(evidence["observed"]), _text(evidence["expected"])))
    return ordered(rows)


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    from checker.cli import main

    folder = tmp_path_factory.mktemp("parquet")
    assert main(["check", str(SAMPLE), *AS_OF, "--output", str(folder / "findings.parquet")]) == 1  # the sample has errors
    assert main(["check", str(SAMPLE), *AS_OF, "--format", "json", "--output", str(folder / "report.json"), "--fail-on", "never"]) == 0
    summary = json.loads((folder / "findings.summary.json").read_text(encoding="utf-8"))
    return folder / "findings.parquet", summary, json.loads((folder / "report.json").read_text(encoding="utf-8"))


def test_the_parquet_rows_are_the_json_reports_findings(sample_runs: tuple[Path, dict, dict]) -> None:
    parquet, _, report = sample_runs
    rows, expected = parquet_rows(parquet), json_findings(report)
    assert len(rows) == len(expected) == report["summary"]["findings"] > 300
    assert rows == expected
    lines = duckdb.connect().execute("SELECT DISTINCT account_id, row FROM read_parquet(?)", [str(parquet)]).fetchall()
    assert {a["account_id"]: a["row"] for a in report["accounts"] if a["findings"]} == dict(lines)  # the account's line in the export
    kinds = {r[2] for r in rows}
    assert {"stage-mismatch", "warning-sign", "termination", "portfolio", "data"} <= kinds  # the SQL's and the data findings


def test_the_summary_beside_it_has_the_json_summarys_numbers(sample_runs: tuple[Path, dict, dict], playbook) -> None:
    _, written, report = sample_runs
    ours, theirs = written["summary"], report["summary"]
    same = ("accounts", "accounts_flagged", "findings", "findings_by_severity", "findings_by_kind", "expectations_not_evaluated", "rows_read",
            "rows_unusable", "rows_with_data_problems", "footer_rows_skipped", "signal_columns", "ignored_columns", "encoding", "sources",
            "mapping_unmatched", "mixed_encoding", "coverage")
    assert {k: ours[k] for k in same} == {k: theirs[k] for k in same}
    assert written["findings_file"] == "findings.parquet" and written["as_of"] == "2026-10-31"
    assert [e.message for e in validator("findings-summary.schema.json").iter_errors(written)] == []
    assert written["unusable_rows"] == report["unusable_rows"]
    # the stage matrix is the HTML report's heatmap, declared phase × best fit
    result = run_check(Inputs(SAMPLE), playbook, date.fromisoformat(SAMPLE_DATE), "en", "http://h")
    matrix = charts.stage_matrix(result)
    assert {r: dict(zip(matrix.columns, counts, strict=True)) for r, counts in zip(matrix.rows, matrix.counts, strict=True)} == ours["stage_matrix"]


def test_the_format_is_implied_by_the_suffix_or_named(capsys, tmp_path: Path) -> None:
    out = tmp_path / "x.out"
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--format", "parquet", "--output", str(out), "--fail-on", "never", "--lang", "fi")
    assert code == 0 and stdout == ""
    assert (tmp_path / "x.summary.json").is_file() and "kirjoitettu" in err
    rows = parquet_rows(out, "rule, expected")
    assert ("basic-buys", "≥ 2 tilausta") in rows and ("basic-no-joint-planning", "ei yhtään") in rows  # the words in --lang
    code, stdout, _ = run(capsys, "check", str(SAMPLE), *AS_OF, "--output", str(tmp_path / "table.txt"), "--fail-on", "never")
    assert code == 0 and "ACC-" in (tmp_path / "table.txt").read_text(encoding="utf-8")  # any other suffix: the table, as before


@pytest.mark.parametrize(("args", "fragment"), [
    (["--format", "parquet"], "--output"),
    (["--output", "f.parquet", "--scores"], "--scores"),  # what needs each account's evaluation in Python
    (["--output", "f.parquet", "--details"], "--details"),
    (["--output", "f.parquet", "--propose-stages", "p.csv"], "--propose-stages"),
    (["--output", "f.parquet", "--summary", "no-such-folder/s.json"], "no-such-folder"),
    (["--output", "r.json", "--summary", "s.json"], "--summary"),  # a report holds its own
    (["--output", "no-such-folder/f.parquet"], "no-such-folder"),
])
def test_what_a_parquet_output_cannot_do_is_one_message(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, *args)
    assert code == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even half a file


def test_review_findings_and_hostile_cells_are_rows_like_any_other(capsys, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    hostile = "x'); DROP TABLE pb_findings; --"
    export.write_text("account_id,account_name,declared_stage,share_of_wallet,open_books\n"
                      f"A1,\"{hostile}\",cooperation,0.5,yes\nA2,=HYPERLINK(\"http://e\"),basic,0.1,\n", encoding="utf-8")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("account_id,account_name,reviewed_on,reviewer,declared_stage,open_books\nA1,x,2025-01-10,Anna,,no\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(export), "--as-of", "2026-11-01", "--assessments", str(reviews), "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")
    assert code == 0, err
    rows = parquet_rows(tmp_path / "f.parquet", "account_id, account_name, rule, kind, severity, signal, observed, expected")
    assert rows == ordered([
        ("A1", hostile, "cooperation-no-open-books", "stage-mismatch", "info", "open_books", "true", "no"),
        ("A1", hostile, "review-disagrees", "review-disagrees", "warning", "open_books", "true", "no (review by Anna, 2025-01-10)"),
        ("A1", hostile, "review-stale", "review-stale", "info", None, "2025-01-10", "a review in the last 180 days"),
        ("A2", '=HYPERLINK("http://e")', "basic-real-supplier", "stage-mismatch", "warning", "share_of_wallet", "0.1", "> 15 %"),
    ])  # the cells as they were (data, not SQL; a Parquet file is not a spreadsheet)
    report = tmp_path / "r.json"
    run(capsys, "check", str(export), "--as-of", "2026-11-01", "--assessments", str(reviews), "--format", "json", "--output", str(report), "--fail-on", "never")
    assert parquet_rows(tmp_path / "f.parquet") == json_findings(json.loads(report.read_text(encoding="utf-8")))


def test_a_report_of_more_accounts_than_max_accounts_is_refused_and_parquet_suggested(capsys, tmp_path: Path) -> None:
    code, stdout, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--format", "json", "--max-accounts", "299", "--output", str(tmp_path / "r.json"))
    assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1
    assert "300 accounts" in err and "(299)" in err and "--output findings.parquet" in err and "--max-accounts" in err
    assert list(tmp_path.iterdir()) == []  # refused before anything is written
    code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--max-accounts", "299", "--lang", "fi", "--fail-on", "never")
    assert code == 2 and "300 asiakkuutta" in err
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--max-accounts", "300", "--fail-on", "never")[0] == 0  # at the limit: the report
    assert run(capsys, "check", str(SAMPLE), *AS_OF, "--max-accounts", "0", "--fail-on", "never")[0] == 0  # 0: no limit
    # Parquet is what it suggests: no limit there
    code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--max-accounts", "10", "--output", str(tmp_path / "f.parquet"), "--fail-on", "never")
    assert code == 0 and (tmp_path / "f.parquet").is_file()


def test_with_a_baseline_status_first_seen_and_changes_are_the_json_reports(capsys, tmp_path: Path) -> None:
    """Three weeks: accounts dropped and added between them, findings new, still open (since the first week) and resolved."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    weeks = [("2026-10-31", lines[:-10]), ("2026-11-30", lines[:-5]), ("2027-02-15", lines[:1] + lines[6:])]
    previous: list[str] = []
    for n, (day, rows) in enumerate(weeks):
        export = tmp_path / f"week{n}.csv"
        export.write_text("".join(rows), encoding="utf-8")
        common = ["check", str(export), "--as-of", day, "--fail-on", "never", *previous]
        code, _, err = run(capsys, *common, "--format", "json", "--output", str(tmp_path / f"week{n}.json"))
        assert code == 0, err
        previous = ["--baseline", str(tmp_path / f"week{n}.json")]
    code, _, err = run(capsys, *common, "--output", str(tmp_path / "now.parquet"))
    assert code == 0, err
    report = json.loads((tmp_path / "week2.json").read_text(encoding="utf-8"))
    ours = parquet_rows(tmp_path / "now.parquet", "account_id, rule, severity, status, first_seen")
    theirs = ordered([(a["account_id"], f["rule"], f["severity"], f["status"], f["first_seen"]) for a in report["accounts"] for f in a["findings"]])
    assert ours == theirs
    assert {r[3] for r in ours} == {"new", "still-open"} and {r[4] for r in ours} >= {"2026-10-31", "2027-02-15"}
    written = json.loads((tmp_path / "now.summary.json").read_text(encoding="utf-8"))
    assert [e.message for e in validator("findings-summary.schema.json").iter_errors(written)] == []
    changes = written["summary"]["changes"]
    assert changes == report["summary"]["changes"]
    assert changes["accounts_added"] > 0 and changes["accounts_removed"] > 0 and changes["resolved"] > 0 and changes["stages_moved"] > 0


def test_a_baseline_of_another_export_or_a_later_day_is_one_message(capsys, tmp_path: Path) -> None:
    later = tmp_path / "later.json"
    assert run(capsys, "check", str(SAMPLE), "--as-of", "2026-12-31", "--format", "json", "--output", str(later), "--fail-on", "never")[0] == 0
    code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, "--output", str(tmp_path / "f.parquet"), "--baseline", str(later))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "later.json" in err and not (tmp_path / "f.parquet").exists()


def test_a_company_overlay_moves_the_lines_of_the_sql_as_of_the_json(capsys, tmp_path: Path) -> None:
    """--thresholds: the SQL reads the lines the overlay lays over the playbook, and the summary says so as the JSON's does."""
    overlay = tmp_path / "thresholds.yaml"
    overlay.write_text('kind: thresholds\nplaybook_version: "1.1"\nthresholds:\n  basic-real-supplier: 0.1\n  exploratory-low-share: 0.1\n  cooperation-several-contacts: 4\n', encoding="utf-8")
    common = ["check", str(SAMPLE), *AS_OF, "--thresholds", str(overlay), "--fail-on", "never"]
    assert run(capsys, *common, "--output", str(tmp_path / "f.parquet"))[0] == 0
    assert run(capsys, *common, "--format", "json", "--output", str(tmp_path / "r.json"))[0] == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert parquet_rows(tmp_path / "f.parquet") == json_findings(report)
    summary = json.loads((tmp_path / "f.summary.json").read_text(encoding="utf-8"))["summary"]
    assert summary["thresholds"] == report["summary"]["thresholds"] and summary["findings"] == report["summary"]["findings"]
    assert "≥ 4 people" in {r[5] for r in parquet_rows(tmp_path / "f.parquet")}  # the company's line, in the words
