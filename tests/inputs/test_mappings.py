"""Real CRM exports end to end: each fixture (tests/fixtures/exports/<name>/expected.yaml) is
checked as the CRM wrote it, with the findings asserted; the presets are valid data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from checker.cli import main
from checker.inputs.mappings import PRESET_DIR, detect_preset, presets
from checker.playbook.schemas import validator
from checker.playbook.yamlload import load_yaml

EXPORTS = FIXTURES / "exports"
CASES = sorted(p.parent for p in EXPORTS.glob("*/expected.yaml") if p.parent.name != "bad")
AS_OF = "2026-10-31"


def run(capsys, folder: Path, args: list[str]) -> tuple[int, str, str]:
    resolved = [str(folder / a) if (folder / a).exists() else a for a in args]
    code = main(["check", *resolved, "--format", "json", "--as-of", AS_OF, "--fail-on", "never"])
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_are_valid_mapping_files():
    assert {"canonical", "hubspot", "salesforce", "salesforce-report", "pipedrive", "dynamics"} <= set(presets())
    for path in PRESET_DIR.glob("*.yaml"):
        loaded, problems = load_yaml(path)
        assert problems == []
        assert list(validator("mapping.schema.json").iter_errors(loaded.data)) == [], path


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_export_fixture_end_to_end(capsys, folder: Path):
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    code, out, err = run(capsys, folder, expected["args"])
    assert code == 0, err
    assert "Traceback" not in err
    report = json.loads(out)
    assert list(validator("report.schema.json").iter_errors(report)) == []
    if expected.get("detected"):
        assert report["summary"]["sources"]["preset"] == expected["detected"]
        assert f"preset '{expected['detected']}'" in err
    accounts = {a["account_id"]: a for a in report["accounts"]}
    for account_id, spec in expected["accounts"].items():
        assert str(account_id) in accounts, f"{account_id} missing from the report"
        rules = {f["rule"] for f in accounts[str(account_id)]["findings"]}
        for rule in (spec or {}).get("present", []):
            assert rule in rules, f"{folder.name}/{account_id}: expected {rule}, got {sorted(rules)}"
        for rule in (spec or {}).get("absent", []):
            assert rule not in rules, f"{folder.name}/{account_id}: {rule} should not fire"
    for account_id, spec in expected["accounts"].items():
        for rule in (spec or {}).get("not_evaluated", []):
            assert rule in accounts[str(account_id)]["not_evaluated"], f"{folder.name}/{account_id}: {rule} should be not evaluated"
    summary = report["summary"]
    if "unusable_rows" in expected:
        assert len(report["unusable_rows"]) == expected["unusable_rows"]
    logs = {log["file"]: log for log in summary["sources"]["logs"]}
    for name, counts in expected.get("files", {}).items():
        if name == expected["args"][0]:
            assert summary["footer_rows_skipped"] == counts.get("footer_rows", 0), name
            continue
        log = next((v for k, v in logs.items() if name in k), None)
        assert log is not None, f"{name} not among the logs {list(logs)}"
        assert log["footer_rows"] == counts.get("footer_rows", 0), name
        if "unknown_account_rows" in counts:
            assert log["rows_unknown_account"] == counts["unknown_account_rows"], name
    assert summary["rows_read"] == len(report["accounts"]) + len(report["unusable_rows"])
    for log in summary["sources"]["logs"]:
        accounted = log["rows_used"] + log["rows_rejected"] + log["rows_without_account"] + log["rows_bad_date"]
        assert log["rows_read"] == accounted, log


BAD = yaml.safe_load((EXPORTS / "bad" / "expected.yaml").read_text(encoding="utf-8"))["cases"] if (EXPORTS / "bad" / "expected.yaml").is_file() else []


@pytest.mark.parametrize("case", BAD, ids=[c.get("name", str(i)) for i, c in enumerate(BAD)])
def test_bad_export_gets_one_clear_message(capsys, case):
    code, _out, err = run(capsys, EXPORTS / "bad", case["args"])
    assert code == case.get("exit", 2)
    assert "Traceback" not in err
    assert case["message"] in err, err
    assert all(fragment in err for fragment in case.get("stderr", [])), err
    assert err.count("\n") == 1


ACCEPTED = yaml.safe_load((EXPORTS / "bad" / "expected.yaml").read_text(encoding="utf-8")).get("accepted", []) if (EXPORTS / "bad" / "expected.yaml").is_file() else []


@pytest.mark.parametrize("case", ACCEPTED, ids=[c["name"] for c in ACCEPTED])
def test_the_same_input_is_accepted_once_the_user_settles_it(capsys, case):
    code, out, err = run(capsys, EXPORTS / "bad", case["args"])
    assert code == case["exit"], err
    assert json.loads(out)["summary"]["accounts"] > 0


def test_auto_detection_recognises_canonical_names_and_falls_back_to_them():
    assert detect_preset([["account_id", "account_name", "declared_stage"]])[0].id == "canonical"
    mapping, reason = detect_preset([["Firma", "Vaihe"]])
    assert mapping.id == "canonical" and "no CRM fingerprint" in str(reason)


def test_a_preset_that_does_not_fit_the_file_names_what_was_found(capsys):
    folder = EXPORTS / "hubspot"
    accounts = next(p.name for p in folder.glob("*.csv") if "compan" in p.name)
    code, _, err = run(capsys, folder, [accounts, "--preset", "pipedrive"])
    assert code == 2
    assert "missing required column" in err and "(preset pipedrive)" in err and "Record ID" in err and "--mapping" in err


def test_a_per_row_list_maps_every_present_column_in_its_order():
    from checker.inputs.mappings import Mapping

    mapping = Mapping("m", "m", {"deals": {"date": [["Actual Close Date", "Est. close date"], "Close"]}})
    header = ["Topic", "Est. Close Date", "Actual Close Date"]
    mapped = mapping.header_map("deals", header, {"date"})
    assert mapped == {2: "date"}
    assert mapping.per_row("deals", header, mapped) == {"date": [2, 1]}
    # Accounts and other single-column readers take the list's first present column.
    assert mapping.header_map("deals", ["Est. close date"], {"date"}) == {0: "date"}


def test_currency_rates_and_lead_patterns_come_from_a_company_mapping(tmp_path):
    from checker.inputs.mappings import load_mapping

    path = tmp_path / "m.yaml"
    path.write_text("kind: mapping\nextends: salesforce\ncurrency_rates:\n  usd: 1\n  MXN: 0.05\n", encoding="utf-8")
    mapping = load_mapping(path)
    assert mapping.currency_rates == {"USD": 1.0, "MXN": 0.05}
    assert mapping.lead_id_patterns  # the preset's: Salesforce lead ids


def test_a_salesforce_reports_list_email_is_a_mass_email_not_a_personal_interaction():
    # Salesforce's own type for a list e-mail, in the report preset as in the Data Export one.
    assert presets()["salesforce-report"].vocabulary("activity_type")["list email"] == "mass-email"
    assert presets()["salesforce"].vocabulary("activity_type")["listemail"] == "mass-email"
