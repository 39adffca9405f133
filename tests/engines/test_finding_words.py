"""The advice and handbook link in each row of a findings output (`action`, `handbook_url`): the JSON report's,
in the run's language and with its --handbook-url, for every kind of finding (the verdict's per account)."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from conftest import AS_OF, SAMPLE, run


def _json_words(report: dict) -> list[tuple]:
    """Each finding's account, rule, action and link as the JSON report gives them (the finding's own, else its rule's)."""
    rules = report["rules"]
    return [(a["account_id"], f["rule"], f.get("action", rules[f["rule"]].get("action")), f.get("handbook_url", rules[f["rule"]].get("handbook_url")))
            for a in report["accounts"] for f in a["findings"]]


def _parquet_words(path: Path) -> list[tuple]:
    return duckdb.connect().execute("SELECT account_id, rule, action, handbook_url FROM read_parquet(?)", [str(path)]).fetchall()


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_every_row_has_the_json_reports_action_and_link(capsys, tmp_path: Path, lang: str) -> None:
    common = ["check", str(SAMPLE), *AS_OF, "--lang", lang, "--handbook-url", "https://handbook.example/team", "--fail-on", "never"]
    assert run(capsys, *common, "--output", str(tmp_path / "f.parquet"))[0] == 0
    assert run(capsys, *common, "--format", "json", "--output", str(tmp_path / "r.json"))[0] == 0
    expected = _json_words(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))
    rows = _parquet_words(tmp_path / "f.parquet")
    assert rows == expected and all(action and link.startswith(f"https://handbook.example/team/{lang}/") for _, _, action, link in rows)
    verdicts = {action for _, rule, action, _ in rows if rule == "stage-fit"}
    assert len(verdicts) > 5  # the verdict's words differ by account: its stages and what it fails
    kinds = duckdb.connect().execute("SELECT DISTINCT kind FROM read_parquet(?)", [str(tmp_path / "f.parquet")]).fetchall()
    assert {k for (k,) in kinds} >= {"stage-mismatch", "warning-sign", "termination", "portfolio", "data"}


def test_review_findings_have_their_words_too(capsys, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("account_id,account_name,declared_stage,share_of_wallet,open_books\nA1,One,cooperation,0.5,yes\n", encoding="utf-8")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("account_id,account_name,reviewed_on,reviewer,declared_stage,open_books\nA1,One,2025-01-10,Anna,,no\n", encoding="utf-8")
    common = ["check", str(export), "--as-of", "2026-11-01", "--assessments", str(reviews), "--fail-on", "never"]
    assert run(capsys, *common, "--output", str(tmp_path / "f.parquet"))[0] == 0
    assert run(capsys, *common, "--format", "json", "--output", str(tmp_path / "r.json"))[0] == 0
    rows = _parquet_words(tmp_path / "f.parquet")
    assert rows == _json_words(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))
    assert {r[1] for r in rows} >= {"review-disagrees", "review-stale"} and all(r[2] and r[3] for r in rows)
