"""Waivers: silence exactly their findings until a date, refuse bad files by line, and `playbook waive` writes valid ones."""
from __future__ import annotations

import pytest
import yaml
from conftest import SAMPLE, run
from weekly import WEEK1, check_json, export, findings

from checker.history.waivers import read_waivers
from checker.inputs.files import InputError
from checker.playbook.model import REVIEW_KINDS
from checker.playbook.schemas import validator

MODELINE = "# yaml-language-server: $schema=../schema/waivers.schema.json\n"


def waivers(tmp_path, body: str):
    path = tmp_path / "waivers.yaml"
    path.write_text(MODELINE + "waivers:\n" + body, encoding="utf-8")
    return path


TENDERS = "  - account: A1\n    rule: integrated-no-tenders\n    reason: tenders every year by law\n    by: Mervi\n    until: {until}\n"


def test_a_waiver_silences_exactly_its_finding_and_the_exit_code_follows(capsys, tmp_path):
    accounts = export(tmp_path, "w.csv", WEEK1)
    code, plain, _ = check_json(capsys, accounts, "2026-10-31")
    assert code == 1  # A1's tender finding is an error
    code, report, err = check_json(capsys, accounts, "2026-10-31", "--waivers", str(waivers(tmp_path, TENDERS.format(until="2026-12-31"))))
    assert code == 0, err
    a1 = next(a for a in report["accounts"] if a["account_id"] == "A1")
    assert set(findings(report, "A1")) == set(findings(plain, "A1")) - {"integrated-no-tenders"}  # the warning stays
    assert [f["rule"] for f in a1["waived"]] == ["integrated-no-tenders"]
    assert a1["waived"][0]["waived"] == {"reason": "tenders every year by law", "by": "Mervi", "until": "2026-12-31"}
    assert findings(report, "B2") == findings(plain, "B2")
    assert report["summary"]["changes"]["waived"] == 1 and report["summary"]["waiver_notes"] == []
    assert list(validator("report.schema.json").iter_errors(report)) == []


def test_waived_findings_are_shown_only_when_asked(capsys, tmp_path):
    accounts, path = export(tmp_path, "w.csv", WEEK1), waivers(tmp_path, TENDERS.format(until="2026-12-31"))
    _, table, _ = run(capsys, "check", str(accounts), "--as-of", "2026-10-31", "--waivers", str(path))
    assert "integrated-no-tenders" not in table and "1 finding waived." in table
    _, table, _ = run(capsys, "check", str(accounts), "--as-of", "2026-10-31", "--waivers", str(path), "--show-waived", "--details")
    assert "integrated-no-tenders [waived until 2026-12-31: tenders every year by law (Mervi)]" in " ".join(table.split())
    _, table, _ = run(capsys, "check", str(accounts), "--as-of", "2026-10-31", "--waivers", str(path), "--show-waived")
    assert "integrated-no-tenders 2 tenders, expected none [waived until 2026-12-31: tenders every year by law (Mervi)]" in " ".join(table.split())
    assert all(len(line) <= 80 for line in table.splitlines())


def test_a_kind_waives_every_finding_of_that_kind_on_the_account(capsys, tmp_path):
    body = "  - account: [A1, B2]\n    kind: stage-mismatch\n    reason: re-staging next quarter\n    until: '2026-12-31'\n"
    code, report, _ = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(waivers(tmp_path, body)), "--fail-on", "info")
    assert code == 0 and report["summary"]["changes"]["waived"] == 3


def test_an_expired_waiver_stops_waiving_and_is_reported_once(capsys, tmp_path):
    code, report, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(waivers(tmp_path, TENDERS.format(until="2026-10-30"))))
    assert code == 1
    assert "integrated-no-tenders" in findings(report, "A1") and report["summary"]["changes"]["waived"] == 0
    assert err.count("ended on 2026-10-30") == 1 and "waivers.yaml:3:" in err
    assert len(report["summary"]["waiver_notes"]) == 1


def test_the_until_day_itself_is_still_waived(capsys, tmp_path):
    code, _, _ = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(waivers(tmp_path, TENDERS.format(until="2026-10-31"))))
    assert code == 0


def test_a_waiver_for_an_account_not_in_the_export_or_a_finding_it_lacks_is_reported(capsys, tmp_path):
    body = TENDERS.format(until="2026-12-31").replace("account: A1", "account: A11") + TENDERS.format(until="2026-12-31").replace("account: A1", "account: C3")
    code, _, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(waivers(tmp_path, body)))
    assert code == 1
    assert "account 'A11' is not in this export (did you mean 'A1'?)" in err
    assert "waivers.yaml:8: C3 has no finding 'integrated-no-tenders'" in err


BAD = [
    ("unknown rule", TENDERS.format(until="2026-12-31").replace("integrated-no-tenders", "integrated-no-tender"),
     "waivers.yaml:3: no rule 'integrated-no-tender' (did you mean 'integrated-no-tenders'?)"),
    ("duplicate key", TENDERS.format(until="2026-12-31") + "    reason: again\n", "waivers.yaml:8: $.waivers[0].reason: duplicate key 'reason' (first at line 5)"),
    ("until not a date", TENDERS.format(until="2026-02-30"), "waivers.yaml:7: $.waivers[0].until: '2026-02-30' is not a date"),
    ("until in words", TENDERS.format(until="next spring"), "'next spring' is not a date"),
    ("no until", TENDERS.format(until="x").replace("    until: x\n", ""), "waivers.yaml:3: $.waivers[0]: missing required key 'until'"),
    ("unknown key", TENDERS.format(until="2026-12-31") + "    untill: '2027-01-01'\n", "unknown key 'untill' (did you mean 'until'?)"),
]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_waivers_file_is_refused_by_line_and_nothing_is_written(capsys, tmp_path, body, expected):
    out = tmp_path / "report.json"
    code, _, err = run(capsys, "check", str(export(tmp_path, "w.csv", WEEK1)), "--as-of", "2026-10-31", "--waivers", str(waivers(tmp_path, body)),
                       "--format", "json", "--output", str(out))
    assert code == 2
    assert expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_waive_creates_the_file_with_its_modeline_and_appends_valid_entries(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "waive", "A1", "integrated-no-tenders", "--reason", 'tenders every year: "by law"', "--until", "2026-12-31", "--by", "Mervi")
    assert code == 0 and "A1 integrated-no-tenders" in out
    text = (tmp_path / "waivers.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=") and text.splitlines()[0].endswith("schema/waivers.schema.json")
    assert run(capsys, "waive", "B2", "stage-mismatch", "--reason", "=cmd|' /C calc'!A0", "--until", "2027-01-31", "--by", "")[0] == 0
    entries = read_waivers(tmp_path / "waivers.yaml").entries
    assert [(w.accounts, w.rule, w.kind, w.reason, w.by) for w in entries] == [
        (("A1",), "integrated-no-tenders", None, 'tenders every year: "by law"', "Mervi"), (("B2",), None, "stage-mismatch", "=cmd|' /C calc'!A0", "")]
    assert yaml.safe_load((tmp_path / "waivers.yaml").read_text(encoding="utf-8"))["waivers"][1]["until"] == "2027-01-31"
    code, report, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", "waivers.yaml")
    assert code == 0, err
    assert report["summary"]["changes"]["waived"] == 2  # A1's tender error, B2's stage mismatch


def test_waive_refuses_an_unknown_rule_and_leaves_the_file_alone(capsys, tmp_path):
    path = tmp_path / "w.yaml"
    code, _, err = run(capsys, "waive", "A1", "integrated-no-tender", "--reason", "x", "--until", "2026-12-31", "--waivers", str(path))
    assert code == 2 and "did you mean 'integrated-no-tenders'?" in err
    assert not path.exists()


def test_waive_will_not_append_where_the_list_does_not_end_the_file(capsys, tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers: []\n", encoding="utf-8")
    code, _, err = run(capsys, "waive", "A1", "integrated-no-tenders", "--reason", "x", "--until", "2026-12-31", "--waivers", str(path))
    assert code == 2 and "add it by hand" in err
    assert path.read_text(encoding="utf-8") == "waivers: []\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_finding_waived_last_week_keeps_its_first_seen_date_when_the_waiver_ends(capsys, tmp_path):
    import json

    accounts = export(tmp_path, "w.csv", WEEK1)
    path = waivers(tmp_path, TENDERS.format(until="2026-10-25"))
    _, week1, _ = check_json(capsys, accounts, "2026-10-17")
    (tmp_path / "w1.json").write_text(json.dumps(week1), encoding="utf-8")
    _, week2, _ = check_json(capsys, accounts, "2026-10-24", "--baseline", str(tmp_path / "w1.json"), "--waivers", str(path))
    assert "integrated-no-tenders" not in findings(week2, "A1")  # waived: kept apart, under the account's `waived`
    (tmp_path / "w2.json").write_text(json.dumps(week2), encoding="utf-8")
    code, week3, err = check_json(capsys, accounts, "2026-10-31", "--baseline", str(tmp_path / "w2.json"), "--waivers", str(path))
    assert code == 1 and "ended on 2026-10-25" in err
    tenders = findings(week3, "A1")["integrated-no-tenders"]
    assert (tenders["status"], tenders["first_seen"]) == ("still-open", "2026-10-17")


def test_a_waivers_file_not_there_yet_is_an_empty_list_with_one_note(capsys, tmp_path):
    """The README's weekly command works on the first run, before anyone has waived anything."""
    code, report, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(tmp_path / "waivers.yaml"), "--fail-on", "never")
    assert code == 0 and report["summary"]["changes"]["waived"] == 0
    assert err.count("no such file yet, so no finding is waived") == 1 and "waivers.yaml" in err
    assert len(report["summary"]["waiver_notes"]) == 1 and not (tmp_path / "waivers.yaml").exists()
    (tmp_path / "folder.yaml").mkdir()  # a folder where the file should be is still an error
    code, _, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(tmp_path / "folder.yaml"))
    assert code == 2 and "no such file" in err


def test_waive_refuses_an_until_already_past_and_writes_nothing(capsys, tmp_path):
    path = tmp_path / "w.yaml"
    code, out, err = run(capsys, "waive", "A1", "integrated-no-tenders", "--reason", "x", "--until", "2020-01-31", "--waivers", str(path))
    assert code == 2 and out == "" and "--until 2020-01-31 is already past" in err and "give today or a later date" in err
    assert not path.exists()


def test_an_unknown_account_is_matched_only_to_an_id_one_keystroke_away():
    from checker.history.changes import close_id
    ids = ["ACC-00012", "ACC-00021", "ACC-00130", "A1"]
    assert close_id("ACC-00099", ids) is None  # alike to a similarity measure, but another account
    assert close_id("acc-00012", ids) == "ACC-00012"  # case
    assert close_id("ACC-0012", ids) == "ACC-00012"  # a digit dropped
    assert close_id("ACC-000130", ids) == "ACC-00130"  # a digit added
    assert close_id("ACC-00102", ids) == "ACC-00012"  # swapped neighbours
    assert close_id("ACC-00022", ids) is None  # one keystroke from two ids (00012, 00021): no guess
    assert close_id("A11", ids) == "A1"


def test_a_waiver_for_an_unrelated_account_suggests_nothing(capsys, tmp_path):
    path = waivers(tmp_path, TENDERS.format(until="2099-12-31").replace("account: A1", "account: Z77"))
    _, _, err = check_json(capsys, export(tmp_path, "w.csv", WEEK1), "2026-10-31", "--waivers", str(path), "--fail-on", "never")
    assert "account 'Z77' is not in this export; the waiver waives nothing" in err and "did you mean" not in err


def test_every_rule_playbook_rules_lists_can_be_waived_the_verdict_included(capsys, tmp_path, playbook):
    _, listing, _ = run(capsys, "rules")
    ids = [line.split()[0] for line in listing.splitlines() if line and not line.startswith(" ")]
    assert playbook.manifest["verdict"]["id"] in ids and len(ids) == len(playbook.rules) + 1 + len(REVIEW_KINDS)
    path = tmp_path / "w.yaml"
    for rule in ids:
        code, _, err = run(capsys, "waive", "A1", rule, "--reason", "checked", "--until", "2099-12-31", "--waivers", str(path))
        assert code == 0, err
    # The verdict's finding is waived like any other.
    _, report, _ = check_json(capsys, SAMPLE, "2026-10-31", "--fail-on", "never")
    account = next(a["account_id"] for a in report["accounts"] if any(f["rule"] == "stage-fit" for f in a["findings"]))
    assert run(capsys, "waive", account, "stage-fit", "--reason", "re-staged next week", "--until", "2099-12-31", "--waivers", str(path))[0] == 0
    _, report, _ = check_json(capsys, SAMPLE, "2026-10-31", "--waivers", str(path), "--fail-on", "never")
    waived = next(a for a in report["accounts"] if a["account_id"] == account)
    assert "stage-fit" not in {f["rule"] for f in waived["findings"]} and "stage-fit" in {f["rule"] for f in waived["waived"]}


def test_an_unchanged_valid_waivers_file_is_not_validated_again_and_a_changed_one_is(tmp_path, monkeypatch):
    from checker.history import waivers as module

    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - account: A1\n    kind: stage-mismatch\n    reason: known\n    by: Mervi\n    until: 2099-12-31\n", encoding="utf-8")
    calls = []
    real = module.schema_problems
    monkeypatch.setattr(module, "schema_problems", lambda *args: calls.append(1) or real(*args))
    first = module.read_waivers(path)
    second = module.read_waivers(path)
    assert len(calls) == 1 and first.entries == second.entries  # the second read came from the cache
    path.write_text(path.read_text(encoding="utf-8").replace("reason: known", "reson: known"), encoding="utf-8")
    with pytest.raises(InputError) as raised:  # changed and now broken: validated again, and refused
        module.read_waivers(path)
    assert len(calls) == 2 and "reson" in raised.value.render("en")
