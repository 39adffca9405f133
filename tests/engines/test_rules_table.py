"""findings.rules.parquet: one row per rule beside the findings, with the words a findings row leaves out.

Every (rule, kind) of the findings has exactly one row; a finding joined to its rule reads as the
JSON report has it (title, action, source, handbook link), in the run's --lang and under its
--handbook-url; the verdict's advice, which names each account's stages, is on no rule (as in the
JSON report's `rules`). The table variants: test_output_table.py (DuckDB), test_warehouse_output.py
(PostgreSQL), test_spark_output.py (Spark).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.engines.rules_table import RULE_COLUMNS, rule_keys, rules_path
from checker.playbook.schemas import validator

#: A finding joined to its rule: what a dashboard reads (the account, the rule, and the rule's words).
JOINED = ("account_id", "rule", "kind", "title", "action", "source", "handbook_url")


def _runs(capsys, tmp_path: Path, export: Path, *options: str) -> tuple[Path, dict]:
    """The Parquet output and the JSON report of one export with the same options."""
    target = tmp_path / "findings.parquet"
    code, _, err = run(capsys, "check", str(export), *options, "--output", str(target), "--fail-on", "never")
    assert code == 0, err
    code, _, err = run(capsys, "check", str(export), *options, "--format", "json", "--output", str(tmp_path / "r.json"), "--fail-on", "never")
    assert code == 0, err
    return target, json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def _joined(findings: Path) -> list[tuple]:
    """The findings joined to the rules file as a dashboard joins them (every finding kept, matched or not)."""
    rules = rules_path(findings)
    with duckdb.connect() as con:
        return sorted(con.execute("SELECT f.account_id, f.rule, f.kind, r.title, r.action, r.source, r.handbook_url "
                                  "FROM read_parquet(?) AS f LEFT JOIN read_parquet(?) AS r ON r.rule = f.rule AND r.kind = f.kind",
                                  [str(findings), str(rules)]).fetchall(), key=repr)


def _as_the_json_says(report: dict) -> list[tuple]:
    """Each finding of the JSON report with its rule's words (the finding's own where it has them), as JOINED.
    The verdict's action is each account's (it names the stages): its rule has none, and neither has the rules file's row."""
    verdict = next((rule for rule, entry in report["rules"].items() if "action" not in entry), None)
    rows = []
    for account in report["accounts"]:
        for f in account["findings"]:
            head = report["rules"][f["rule"]]
            action = None if f["rule"] == verdict else f.get("action", head["action"])
            rows.append((account["account_id"], f["rule"], f["kind"], head["title"], action, f.get("source", head["source"]) or None,
                         f.get("handbook_url", head["handbook_url"])))
    return sorted(rows, key=repr)


def _rules(findings: Path) -> list[dict]:
    with duckdb.connect() as con:
        result = con.execute("SELECT * FROM read_parquet(?)", [str(rules_path(findings))])
        names = [c[0] for c in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _each_finding_reads_as_the_json_report(findings: Path, report: dict) -> list[dict]:
    """The rules file's promises for one run; returns its rows."""
    rules = _rules(findings)
    assert tuple(rules[0]) == RULE_COLUMNS
    keys = Counter((r["rule"], r["kind"]) for r in rules)
    assert max(keys.values()) == 1  # one row per rule
    joined = _joined(findings)
    assert {(r[1], r[2]) for r in joined} <= set(keys)  # every finding's rule has its row …
    assert joined == _as_the_json_says(report) and len(joined) == report["summary"]["findings"]  # … with the JSON report's words
    assert {r["lang"] for r in rules} == {report["lang"]} and {r["playbook_version"] for r in rules} == {report["playbook_version"]}
    assert [r["rule"] for r in rules if r["action"] is None] == ["stage-fit"] and all(r["title"] and r["handbook_url"] for r in rules)
    summary = json.loads(findings.with_suffix(".summary.json").read_text(encoding="utf-8"))
    assert summary["rules_file"] == "findings.rules.parquet" and [e.message for e in validator("findings-summary.schema.json").iter_errors(summary)] == []
    return rules


@pytest.mark.parametrize("options", [[], ["--lang", "fi"], ["--handbook-url", "https://intranet.example.com/playbook/"]], ids=["en", "fi", "handbook-url"])
def test_each_finding_of_the_sample_joined_to_its_rule_reads_as_the_json_report(capsys, tmp_path: Path, playbook, options: list[str]) -> None:
    findings, report = _runs(capsys, tmp_path, SAMPLE, *AS_OF, *options)
    rules = _each_finding_reads_as_the_json_report(findings, report)
    assert {(r["rule"], r["kind"]) for r in rules} == set(rule_keys(playbook))  # every rule a finding can name, found this run or not
    assert len(rules) == len(playbook.rules) + 1 + 2 + sum(k.startswith("data.") for k in playbook.messages)
    if "--handbook-url" in options:
        assert all(r["handbook_url"].startswith("https://intranet.example.com/playbook/en/") for r in rules)
    if "fi" in options:
        assert next(r for r in rules if r["rule"] == "basic-buys")["title"] == playbook.rules_by_id["basic-buys"].title["fi"]


def test_data_notes_and_review_findings_have_their_rows_too(capsys, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("account_id,account_name,declared_stage,share_of_wallet,open_books\n"
                      "A1,Alpha,cooperation,0.5,yes\nA2,Beta,basic,lots,\nA3,Gamma,no such stage,0.2,no\nA4,,basic,0.1,\n", encoding="utf-8")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("account_id,account_name,reviewed_on,reviewer,declared_stage,open_books\nA1,Alpha,2025-01-10,Anna,,no\n", encoding="utf-8")
    findings, report = _runs(capsys, tmp_path, export, "--as-of", "2026-11-01", "--assessments", str(reviews), "--lang", "fi")
    _each_finding_reads_as_the_json_report(findings, report)
    kinds = {(rule, kind) for _, rule, kind, *_ in _joined(findings)}
    assert {("review-disagrees", "review-disagrees"), ("review-stale", "review-stale"), ("data-invalid-value", "data"),
            ("data-unknown-stage", "data"), ("data-no-name", "data")} <= kinds
