"""The terminal table: 80 columns, colour only on a terminal."""
from __future__ import annotations

import itertools
import json
import re
import sys
from datetime import date

import pytest
from conftest import AS_OF, SAMPLE, run

from checker.check import Inputs, run_check


def test_table_fits_80_columns_and_is_plain_when_not_a_tty(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--scores", *AS_OF)
    assert "\033[" not in out
    assert all(len(line) <= 80 for line in out.splitlines() if "://" not in line)
    assert "fit: " in out


def test_table_is_coloured_on_a_terminal_unless_no_color(capsys, monkeypatch, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,declared_stage,competitive_tenders_12m\nA1,Acme,integrated,2\n", encoding="utf-8")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[31m" in run(capsys, "check", str(path), *AS_OF)[1]  # errors in red
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(capsys, "check", str(path), *AS_OF)[1]


def _blocks(out: str) -> dict[str, list[str]]:
    """Each listed account's lines, by account id (its header line first)."""
    blocks: dict[str, list[str]] = {}
    for line in out.split("\n\n")[0].splitlines():
        if not line.startswith(" "):
            blocks[line.split()[0]] = [line]
        else:
            blocks[next(reversed(blocks))].append(line)
    return blocks


@pytest.mark.parametrize(("lang", "behind"), [("en", "one stage behind"), ("fi", "yhden vaiheen jäljessä")])
def test_concise_table_heads_each_account_with_its_verdict_and_gives_a_line_per_finding(capsys, playbook, lang, behind):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--lang", lang, *AS_OF)
    _, report, _ = run(capsys, "check", str(SAMPLE), "--lang", lang, "--format", "json", *AS_OF)
    assert all(len(line) <= 80 for line in out.splitlines())
    blocks = _blocks(out)
    accounts = {a["account_id"]: a for a in json.loads(report)["accounts"] if a["findings"]}
    assert set(blocks) == set(accounts)
    short = {p.id: p.data["aliases"][lang][0] for p in playbook.phases.values()}  # a phase's short name: its first alias
    for account_id, lines in blocks.items():
        a = accounts[account_id]
        head = [lines[0], *itertools.takewhile(lambda line: line.startswith("    "), lines[1:])]  # names wrap, never cut
        findings = [line for line in lines if re.match(r"  \S", line)]
        assert len(findings) == len(a["findings"])  # no message, action, source or link lines
        assert f"{short.get(a['declared_stage'], a['declared_stage_raw'])} → {short.get(a['best_fit_stage'], '-')}" in " ".join(head)
        for line, f in zip(findings, a["findings"], strict=True):
            assert f["rule"][:10] in line and "://" not in line
    verdicts = [lines for lines in blocks.values() if "stage-fit" in " ".join(lines[1:3])]
    assert verdicts and any(behind in " ".join(lines[:2]) for lines in verdicts)


def test_concise_finding_line_says_observed_against_expected(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m,share_of_wallet\n"
                    "A1,Acme,Aino,integrated,2,150 %\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), *AS_OF)
    lines = out.splitlines()
    assert lines[0].startswith("A1  Acme  (Aino)  integrated → -")
    assert any(line.split() == ["ERROR", "integrated-no-tenders", "2", "tenders,", "expected", "none"] for line in lines)
    assert any("data-invalid-value  share_of_wallet: 150 % cannot be used" in line for line in lines)


def test_long_names_wrap_rather_than_give_way_and_the_verdict_gets_its_own_line(capsys, tmp_path):
    path = tmp_path / "a.csv"
    name, owner = " ".join(["Very Long Company Name"] * 5), " ".join(["Owner"] * 8)
    path.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m\n"
                    f"A1,{name},{owner},integrated,2\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), *AS_OF)
    lines = out.splitlines()
    head = lines[: next(i for i, line in enumerate(lines) if re.match(r"  \S", line))]  # the header up to the first finding
    assert all(len(line) <= 80 for line in lines) and "…" not in out
    assert " ".join(" ".join(head[:-1]).split()) == " ".join(f"A1 {name} ({owner})".split())  # name and owner whole, on as many lines as they need
    assert head[-1] == "    integrated → -  too little data"


def test_a_finding_line_too_long_wraps_under_its_rule_and_keeps_its_mark_whole(playbook):
    from checker.history.changes import Mark
    from checker.reports.table import finding_lines
    from checker.reports.text import observed_text
    result = run_check(Inputs(SAMPLE, [], []), playbook, date(2026, 10, 31), "en", "https://handbook.example")
    finding = next(f for fs in result.evaluation.findings for f in fs if f.kind != "stage-mismatch")
    lines = finding_lines(result, finding, Mark("still-open", date(2026, 10, 24)), None, 40)
    assert all(len(line) <= 40 for line in lines[:-1]) and len(lines) > 1
    assert lines[-1].endswith("[since 10-24]") and all(line.startswith(" " * 11) for line in lines[1:])
    assert " ".join(" ".join(lines).split()) == " ".join(f"{finding.severity.upper()} {finding.rule}  {observed_text(result, finding)}  [since 10-24]".split())


def test_details_prints_every_finding_in_full(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--details", *AS_OF)
    _, report, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF)
    report = json.loads(report)
    first = next(a for a in report["accounts"] if a["findings"])
    rule = report["rules"][first["findings"][1]["rule"]]
    block = out.split(first["account_id"] + "  ")[1].split("\n\n")[0]
    assert "declared " in block and "best fit" in block  # the stage line of the full form
    assert rule["handbook_url"] in block and " ".join(("→ " + rule["action"]).split()) in " ".join(block.split())
    assert len(out.splitlines()) > 2 * len(_blocks(run(capsys, "check", str(SAMPLE), *AS_OF)[1]))


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_both_forms_end_with_the_same_summary_and_log_coverage_lines(capsys, tmp_path, lang):
    (tmp_path / "accounts.csv").write_text("account_id,account_name,declared_stage\nA1,Acme,integrated\nA2,Beta,cooperation\n", encoding="utf-8")
    (tmp_path / "activities.csv").write_text("account_id,date,type,topic,customer_contact,our_contact,status\n"
                                             "A1,2026-10-20,meeting,Review,Liisa,Eero,closed\nA9,2026-10-01,call,x,X,Y,closed\n", encoding="utf-8")
    args = ["check", str(tmp_path / "accounts.csv"), "--activities", str(tmp_path / "activities.csv"), "--preset", "canonical", "--lang", lang, *AS_OF]
    concise, details = run(capsys, *args)[1], run(capsys, *args, "--details")[1]
    coverage = "activities.csv: 2 " + ("rows read, 1 used" if lang == "en" else "riviä luettu, 1 käytetty")
    assert coverage in concise
    assert concise.split("\n\n")[-1] == details.split("\n\n")[-1]
    assert all(len(line) <= 80 for line in concise.splitlines())


@pytest.mark.parametrize("details", [False, True])
def test_control_characters_from_the_export_never_reach_the_terminal(capsys, monkeypatch, tmp_path, details):
    # An account name holding a terminal title escape and a bell, an id holding a carriage return.
    path = tmp_path / "a.csv"
    path.write_text('account_id,account_name,declared_stage,competitive_tenders_12m\n"A\r1","\x1b]0;owned\x07Acme\x1b[2J",integrated,2\n', encoding="utf-8")
    args = ["check", str(path), *AS_OF, *(["--details"] if details else [])]
    out = run(capsys, *args)[1]
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "?]0;owned?Acme?[2J" in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = run(capsys, *args)[1]
    assert re.findall(r"\x1b[^\[]|\x1b\[(?!\d{1,2}m)", coloured) == []  # only our colour codes
    assert "\x1b[31m" in coloured


def test_details_shows_the_owner_and_wraps_rather_than_cuts(capsys, tmp_path):
    path = tmp_path / "a.csv"
    name, owner = " ".join(["Pitkä Yritysnimi"] * 6), "Oskari Virtanen-Mäkelä"
    path.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m\n"
                    f"A1,{name},{owner},integrated,2\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), "--details", "--handbook-url", "https://h.example", *AS_OF)
    block = out.split("\n\n")[0].splitlines()
    assert all(len(line) <= 80 for line in block if "://" not in line) and "…" not in out
    head = " ".join(" ".join(block[:3]).split())
    assert head.startswith(f"A1 {name} ({owner})")
