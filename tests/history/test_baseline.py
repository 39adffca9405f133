"""A baseline that is not a usable report is refused: one clear message, exit 2, nothing written."""
from __future__ import annotations

import json

import pytest
from conftest import run
from weekly import WEEK1, export

from checker.playbook.model import load_playbook

VERSION = load_playbook().manifest["version"]  # the bundled playbooks' version, which a baseline must match

REPORT = {"as_of": "2026-10-24", "playbook_version": VERSION, "summary": {},
          "accounts": [{"account_id": "A1", "declared_stage": "integrated", "best_fit_stage": None, "findings": []}]}

BAD = [
    ("truncated", json.dumps(REPORT)[:60], "line 1: not valid JSON"),
    ("not json", "account_id,account_name\nA1,Alpha\n", "not valid JSON"),
    ("not a report", json.dumps({"rows": [1, 2]}), "this is not a JSON report"),
    ("finding without rule", json.dumps({**REPORT, "accounts": [{**REPORT["accounts"][0], "findings": [{"kind": "data"}]}]}), "$.accounts[0].findings[0]: missing required key 'rule'"),
    ("a later account broken", json.dumps({**REPORT, "accounts": [REPORT["accounts"][0], {"account_id": "B2", "findings": []}]}),
     "$.accounts[1]: missing required key 'declared_stage'"),
    ("bad date", json.dumps({**REPORT, "as_of": "2026-02-30"}), "'2026-02-30' is not a date"),
    ("other playbook", json.dumps({**REPORT, "playbook_version": "0.9"}), f"playbook version 0.9, this run uses {VERSION}"),
    ("later than this run", json.dumps({**REPORT, "as_of": "2026-11-07"}), "its date 2026-11-07 is after this run's 2026-10-31"),
    ("other export", json.dumps({**REPORT, "accounts": [{**REPORT["accounts"][0], "account_id": "X9"}]}), "its only account is not in this export"),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_baseline_is_refused_in_one_line_and_nothing_is_written(capsys, tmp_path, text, expected):
    (tmp_path / "old.json").write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    code, _, err = run(capsys, "check", str(export(tmp_path, "w.csv", WEEK1)), "--as-of", "2026-10-31", "--baseline", str(tmp_path / "old.json"),
                       "--format", "json", "--output", str(out))
    assert code == 2
    assert expected in err and "old.json" in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_a_missing_baseline_names_the_option(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(export(tmp_path, "w.csv", WEEK1)), "--baseline", str(tmp_path / "nope.json"))
    assert code == 2 and "--baseline" in err and "nope.json: no such file" in err


def test_the_refusal_speaks_finnish(capsys, tmp_path):
    (tmp_path / "old.json").write_text(json.dumps({**REPORT, "playbook_version": "0.9"}), encoding="utf-8")
    code, _, err = run(capsys, "check", str(export(tmp_path, "w.csv", WEEK1)), "--baseline", str(tmp_path / "old.json"), "--lang", "fi")
    assert code == 2 and "eri pelikirjojen havaintoja ei verrata" in err
