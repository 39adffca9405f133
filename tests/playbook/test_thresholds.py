"""A company's thresholds file: read, checked against the playbook (rules, types, version, overlaps), applied; every problem refused by line."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import AS_OF, SAMPLE, run

from checker.playbook.schemas import SCHEMA_DIR
from checker.playbook.thresholds import ThresholdsInvalid, apply_thresholds, overlaps, read_thresholds


def overlay(tmp_path: Path, body: str, version: str = "1.1", name: str = "thresholds.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f'kind: thresholds\nplaybook_version: "{version}"\nthresholds:\n{body}', encoding="utf-8")
    return path


def refused(path: Path, playbook, lang: str = "en") -> str:
    with pytest.raises(ThresholdsInvalid) as caught:
        read_thresholds(path, playbook)
    return caught.value.render(lang, playbook.messages)


def test_an_overlay_changes_only_its_rules_and_remembers_file_and_digest(tmp_path, playbook):
    path = overlay(tmp_path, "  basic-real-supplier: 0.12\n  exploratory-low-share: 0.12\n  cooperation-preferred-supplier: 0.25\n  basic-shops-around: 0.25\n")
    accepted = read_thresholds(path, playbook)
    laid = apply_thresholds(playbook, accepted)
    assert laid.rules_by_id["basic-real-supplier"].value == 0.12 and laid.rules_by_id["cooperation-preferred-supplier"].value == 0.25
    assert playbook.rules_by_id["basic-real-supplier"].value == 0.15, "the playbook itself is untouched"
    assert [r.value for r in laid.rules if r.id not in accepted.values] == [r.value for r in playbook.rules if r.id not in accepted.values]
    assert re.fullmatch(r"[0-9a-f]{16}", accepted.digest)
    assert accepted.playbook_values == {"basic-real-supplier": 0.15, "exploratory-low-share": 0.15, "cooperation-preferred-supplier": 0.3, "basic-shops-around": 0.3}
    assert laid.thresholds is accepted and playbook.thresholds is None
    assert apply_thresholds(playbook, None) is playbook


def test_the_bundled_playbook_has_no_overlap_between_neighbouring_stages(playbook):
    assert overlaps(playbook) == []


@pytest.mark.parametrize(("body", "expected"), [
    ("  basic-real-suplier: 0.1\n", "thresholds.yaml:4: $.thresholds.basic-real-suplier: no rule 'basic-real-suplier' (did you mean 'basic-real-supplier'?)"),
    ("  basic-real-supplier: high\n", "thresholds.yaml:4: $.thresholds.basic-real-supplier:"),
    ("  basic-no-confidential: 1\n", "'basic-no-confidential' tests confidential_exchange == false, not a number"),
    ("  basic-real-supplier: 15\n", "'share_of_wallet' is a share between 0 and 1; write 0.15 for 15 %"),
    ("  integrated-broad-contacts: 12.5\n", "'integrated-broad-contacts': customer_contacts_12m is a count (days for a date); write a whole number"),
    ("  integrated-broad-contacts: -1\n", "a negative line never matches"),
    ("  {}\n", "thresholds.yaml:3: $.thresholds:"),
])
def test_a_bad_value_or_rule_is_refused_by_line(tmp_path, playbook, body, expected):
    message = refused(overlay(tmp_path, body), playbook)
    assert expected in message


def test_every_problem_is_named_not_only_the_first(tmp_path, playbook):
    message = refused(overlay(tmp_path, "  basic-real-suplier: 0.1\n  integrated-broad-contacts: 12.5\n"), playbook)
    assert ":4:" in message and ":5:" in message


def test_an_overlay_for_another_playbook_version_is_refused(tmp_path, playbook):
    message = refused(overlay(tmp_path, "  basic-shops-around: 0.25\n", version="0.9"), playbook)
    assert "fitted for playbook 0.9, and this is playbook 1.1" in message and "thresholds.yaml:2" in message
    assert "pelikirjan versioon 0.9" in refused(overlay(tmp_path, "  basic-shops-around: 0.25\n", version="0.9"), playbook, "fi")


@pytest.mark.parametrize(("body", "low", "high"), [
    ("  cooperation-preferred-supplier: 0.25\n", "basic-shops-around", "cooperation-preferred-supplier"),  # < 0.3 and ≥ 0.25 overlap
    ("  basic-shops-around: 0.35\n", "basic-shops-around", "cooperation-preferred-supplier"),
    ("  cooperation-several-contacts: 2\n", "basic-few-contacts", "cooperation-several-contacts"),  # ≤ 2 and ≥ 2 meet at 2
    ("  exploratory-low-share: 0.2\n", "exploratory-low-share", "basic-real-supplier"),
])
def test_a_line_that_makes_neighbouring_stages_overlap_is_refused_naming_both_rules(tmp_path, playbook, body, low, high):
    message = refused(overlay(tmp_path, body), playbook)
    assert f"{low} (" in message and f"{high} (" in message and "would overlap" in message


def test_a_gap_between_neighbouring_stages_is_not_an_overlap(tmp_path, playbook):
    accepted = read_thresholds(overlay(tmp_path, "  cooperation-preferred-supplier: 0.35\n"), playbook)
    assert accepted.values == {"cooperation-preferred-supplier": 0.35}


# --- on the command line -----------------------------------------------------------------------


def test_check_with_a_bad_overlay_says_so_once_and_writes_nothing(capsys, tmp_path):
    path = overlay(tmp_path, "  cooperation-preferred-supplier: 0.25\n")
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "check", str(SAMPLE), "--thresholds", str(path), "--format", "json", "--output", str(report), *AS_OF)
    assert code == 2 and out == "" and not report.exists()
    assert err.count("playbook:") == 1 and "Traceback" not in err and "basic-shops-around" in err
    code, _, err = run(capsys, "check", str(SAMPLE), "--thresholds", str(tmp_path / "missing.yaml"), *AS_OF)
    assert code == 2 and "missing.yaml" in err


def test_every_report_says_company_thresholds_are_in_use(capsys, tmp_path):
    path = overlay(tmp_path, "  basic-real-supplier: 0.1\n  exploratory-low-share: 0.1\n")
    code, out, _ = run(capsys, "check", str(SAMPLE), "--thresholds", str(path), "--format", "json", "--fail-on", "never", *AS_OF)
    assert code == 0
    report = json.loads(out)
    jsonschema.validate(report, json.loads((SCHEMA_DIR / "report.schema.json").read_text(encoding="utf-8")))
    used = report["summary"]["thresholds"]
    assert used["file"].endswith("thresholds.yaml") and re.fullmatch(r"[0-9a-f]{16}", used["sha256"])
    assert used["rules"]["basic-real-supplier"] == {"company": 0.1, "playbook": 0.15}
    _, plain, _ = run(capsys, "check", str(SAMPLE), "--fail-on", "never", "--format", "json", *AS_OF)
    assert "thresholds" not in json.loads(plain)["summary"]
    _, table, _ = run(capsys, "check", str(SAMPLE), "--thresholds", str(path), "--fail-on", "never", *AS_OF)
    assert f"sha256 {used['sha256']}" in " ".join(table.split()) and "basic-real-supplier 0.15 → 0.1" in " ".join(table.split())
    _, html, _ = run(capsys, "check", str(SAMPLE), "--thresholds", str(path), "--fail-on", "never", "--format", "html", "--lang", "fi", *AS_OF)
    assert "Käytössä yrityksen omat rajat" in html
    _, markdown, _ = run(capsys, "check", str(SAMPLE), "--thresholds", str(path), "--fail-on", "never", "--format", "markdown", *AS_OF)
    assert "Company thresholds in use" in markdown


def test_the_overlay_changes_the_findings(capsys, tmp_path):
    # 14 % share: below the playbook's basic line (> 15 %), above a company's (> 10 %).
    accounts = tmp_path / "a.csv"
    accounts.write_text("account_id,account_name,declared_stage,share_of_wallet\nA1,Acme,basic,14 %\n", encoding="utf-8")
    path = overlay(tmp_path, "  basic-real-supplier: 0.1\n  exploratory-low-share: 0.1\n")
    _, before, _ = run(capsys, "check", str(accounts), "--format", "json", "--fail-on", "never", *AS_OF)
    _, after, _ = run(capsys, "check", str(accounts), "--thresholds", str(path), "--format", "json", "--fail-on", "never", *AS_OF)
    rules = [[f["rule"] for f in json.loads(text)["accounts"][0]["findings"]] for text in (before, after)]
    assert "basic-real-supplier" in rules[0] and "basic-real-supplier" not in rules[1]


def test_rules_show_both_lines(capsys, tmp_path):
    path = overlay(tmp_path, "  integrated-broad-contacts: 13\n")
    _, out, _ = run(capsys, "rules", "--thresholds", str(path))
    block = out.split("integrated-broad-contacts  [")[1].split("\n")
    assert "customer_contacts_12m >= 13" in block[1] and "company line" in block[2] and "the playbook's line: customer_contacts_12m >= 10" in block[3]
    _, one, _ = run(capsys, "rules", "integrated-broad-contacts", "--thresholds", str(path), "--lang", "fi")
    assert "yrityksen raja" in one and "pelikirjan raja: customer_contacts_12m >= 10" in one
    _, plain, _ = run(capsys, "rules")
    assert "company line" not in plain
