"""What a new user trips over first: a mapping written from scratch (the README's full example),
a missing column (the message names the mapping line to add), messages about their own
mapping (never "(preset canonical)"), `playbook signals` on an export without a stage column
and with the same coverage lines as `check`, and which file the preset was recognised from.

Fixtures are made up, shaped like a Zoho CRM accounts export read without its preset."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import yaml

from checker.check import Inputs, run_check
from checker.cli import main
from checker.inputs.mappings import load_mapping
from checker.playbook.schemas import SCHEMA_DIR
from checker.reports.text import log_lines

ROOT = Path(__file__).resolve().parents[1]
ZOHO_LIKE = "ACCOUNTID,Account Name,Stage\n4876212000000310001,Hirvelä Foods Oy,Integrated\n"
ACTIVITIES = "account_id,date,type,topic\nA1,2026-10-01,call,Kuulumiset\nA9,2026-10-02,call,Soitto\nA1,,meeting,Palaveri\n"


def readme_mapping() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"```yaml\n(# our-crm\.yaml.*?)```", text, re.S).group(1)


def test_the_readmes_full_mapping_is_valid_and_names_every_key(tmp_path):
    (tmp_path / "our-crm.yaml").write_text(readme_mapping(), encoding="utf-8")
    mapping = load_mapping(tmp_path / "our-crm.yaml")  # validated against the schema; raises if not
    data = yaml.safe_load(readme_mapping())
    schema = json.loads((SCHEMA_DIR / "mapping.schema.json").read_text(encoding="utf-8"))
    assert "extends" not in data
    assert set(schema["properties"]) - {"extends", "id", "record_fields"} <= set(data)  # record_fields: the presets' crm-fields page
    fields = {"activities": ("account_id", "date", "type", "topic", "customer_contact", "our_contact", "status", "related"),
              "deals": ("account_id", "date", "amount", "status", "competitive", "currency", "won", "closed", "deal_id", "deal_name"),
              "contacts": ("contact_id", "contact_name", "account_id"), "accounts": ("account_id", "account_name", "declared_stage", "owner")}
    for kind, names in fields.items():
        assert set(names) <= set(mapping.fields[kind]), kind
    # Every key line carries a comment, or sits under one that explains its block.
    lines = [line for line in readme_mapping().splitlines() if re.match(r"^[a-z_]+:", line)]
    assert all("#" in line for line in lines), [line for line in lines if "#" not in line]


def test_a_missing_column_names_the_mapping_line_to_add(tmp_path, capsys):
    (tmp_path / "Accounts.csv").write_text(ZOHO_LIKE, encoding="utf-8")
    assert main(["check", str(tmp_path / "Accounts.csv"), "--preset", "canonical"]) == 2
    err = capsys.readouterr().err
    assert "add under `accounts:` `account_id: [ACCOUNTID]`; `declared_stage: [YOUR COLUMN]`" in err
    assert main(["check", str(tmp_path / "Accounts.csv"), "--preset", "canonical", "--lang", "fi"]) == 2
    assert "lisää kohtaan `accounts:` `account_id: [ACCOUNTID]`; `declared_stage: [SARAKKEESI]`" in capsys.readouterr().err


def test_errors_in_the_users_own_mapping_name_it_never_the_canonical_preset(tmp_path, capsys):
    (tmp_path / "Accounts.csv").write_text(ZOHO_LIKE, encoding="utf-8")
    (tmp_path / "activities.csv").write_text("ACCOUNTID,Subject\n1,Soitto\n", encoding="utf-8")
    (tmp_path / "own.yaml").write_text("kind: mapping\naccounts:\n  account_id: [ACCOUNTID]\n  account_name: [Account Name]\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "Accounts.csv"), "--mapping", str(tmp_path / "own.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"'declared_stage' (mapping {tmp_path / 'own.yaml'})" in err and "(preset" not in err
    (tmp_path / "own.yaml").write_text("kind: mapping\naccounts:\n  account_id: [ACCOUNTID]\n  account_name: [Account Name]\n  declared_stage: [Stage]\n"
                                       "activities:\n  account_id: [ACCOUNTID]\n", encoding="utf-8")
    # A log file without a date column is skipped with one warning (issue 20, point 5), the run goes on.
    assert main(["check", str(tmp_path / "Accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--mapping", str(tmp_path / "own.yaml"),
                 "--fail-on", "never"]) == 0
    said = " ".join("".join(capsys.readouterr()).split())  # the table wraps its lines
    assert "activities.csv was skipped: it has no column for date" in said and "(preset" not in said
    assert "activities: date: [its header]" in said


def test_signals_needs_no_stage_column_and_prints_the_coverage_lines_of_check(tmp_path, capsys, playbook):
    (tmp_path / "accounts.csv").write_text("account_id,account_name\nA1,Esimerkki Oy\n", encoding="utf-8")
    (tmp_path / "activities.csv").write_text(ACTIVITIES, encoding="utf-8")
    args = [str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--as-of", "2026-10-31"]
    assert main(["signals", *args]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith("A1,Esimerkki Oy,,")  # no stage: empty, the signals still computed
    # The same lines as check's report, here on stderr: check itself needs the stage column.
    (tmp_path / "staged.csv").write_text("account_id,account_name,declared_stage\nA1,Esimerkki Oy,basic\n", encoding="utf-8")
    result = run_check(Inputs(tmp_path / "staged.csv", [tmp_path / "activities.csv"], [], "auto"), playbook, date(2026, 10, 31), "en", "http://h")
    expected = log_lines(result)
    assert "1 without a date" in expected[0] and "1 for an unknown account" in expected[0]
    assert [line.removeprefix("playbook: ") for line in err.splitlines() if line.startswith("playbook: ")][-len(expected):] == expected
    assert main(["check", *args]) == 2  # check still requires the stage


def test_the_detection_line_names_the_file_it_recognised(tmp_path, capsys):
    (tmp_path / "companies.csv").write_text("account_id,account_name,declared_stage\nA1,Esimerkki Oy,basic\n", encoding="utf-8")
    (tmp_path / "Calls.csv").write_text('Subject,Call Start Time,Call Type,ACCOUNTID\nSoitto,"01 Oct, 2026 09:00:00",Outbound,A1\n', encoding="utf-8")
    assert main(["check", str(tmp_path / "companies.csv"), "--activities", str(tmp_path / "Calls.csv"), "--as-of", "2026-10-31", "--fail-on", "never"]) == 0
    assert "preset 'zoho' (headers 'Subject', 'Call Start Time', 'Call Type' of Calls.csv)" in capsys.readouterr().err
