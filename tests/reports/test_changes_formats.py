"""Every format shows what moved: two runs a week apart on the sample, one account changed, one finding waived."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import SAMPLE, run

CHANGED = "ACC-00004"  # declared cooperation in the sample; next week declared integrated
WAIVED = ("ACC-00007", "integrated-no-tenders")
VERDICT = "stage-fit"  # the account verdict: the changed account still does not fit its (new) declared stage


@pytest.fixture
def weeks(tmp_path, capsys):
    """Last week's JSON report of the sample, this week's export with one account changed, and a waiver."""
    code, _, err = run(capsys, "check", str(SAMPLE), "--as-of", "2026-10-24", "--format", "json", "--output", str(tmp_path / "week1.json"))
    assert code == 1, err
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [line.replace(",COOPERATION STAGE,", ",integrated,", 1) if line.startswith(CHANGED + ",") else line for line in lines]
    assert changed != lines
    (tmp_path / "week2.csv").write_text("".join(changed), encoding="utf-8")
    code, _, err = run(capsys, "waive", *WAIVED, "--reason", "public body: tenders by law", "--until", "2027-03-31", "--by", "Ops",
                       "--waivers", str(tmp_path / "waivers.yaml"))
    assert code == 0, err
    return ["check", str(tmp_path / "week2.csv"), "--as-of", "2026-10-31", "--baseline", str(tmp_path / "week1.json"),
            "--waivers", str(tmp_path / "waivers.yaml"), "--fail-on", "never", "--handbook-url", "https://handbook.example"]


def test_the_json_report_says_exactly_what_moved(capsys, weeks, tmp_path):
    _, out, err = run(capsys, *weeks, "--format", "json")
    report = json.loads(out)
    week1 = json.loads((tmp_path / "week1.json").read_text(encoding="utf-8"))
    before = {a["account_id"]: {f["rule"] for f in a["findings"]} for a in week1["accounts"]}
    accounts = {a["account_id"]: a for a in report["accounts"]}
    changes = report["summary"]["changes"]
    # Only the changed account has new or resolved findings; it moved stage; everything else is still open.
    new = {(a, f["rule"]) for a, acc in accounts.items() for f in acc["findings"] if f["status"] == "new"}
    assert {a for a, _ in new} == {CHANGED} and changes["new"] == len(new)
    assert {a for a, acc in accounts.items() if acc["resolved"]} == {CHANGED}
    resolved = set(accounts[CHANGED]["resolved"])
    assert resolved == before[CHANGED] - {VERDICT} and changes["resolved"] == len(resolved)
    assert accounts[CHANGED]["moved"]["declared_stage"] == "cooperation" and changes["stages_moved"] == 1
    assert changes["waived"] == 1 and [f["rule"] for f in accounts[WAIVED[0]]["waived"]] == [WAIVED[1]]
    total = sum(len(b) for b in before.values())
    assert changes["still_open"] == total - len(resolved) - 1  # all but the resolved ones and the waived one
    assert all(f["first_seen"] == "2026-10-24" for a, acc in accounts.items() if a != CHANGED for f in acc["findings"])
    assert err == ""  # the waiver matched its finding: no note


def test_the_table_and_markdown_mark_new_findings_and_say_what_moved(capsys, weeks):
    _, table, _ = run(capsys, *weeks, "--details")
    flat = " ".join(table.split())
    assert "integrated-no-tenders [NEW]" in flat and "[open since 2026-10-24]" in flat
    assert "moved since 2026-10-24: declared cooperation stage → integrated stage" in flat
    assert "resolved since 2026-10-24: cooperation-" in flat
    assert "Since 2026-10-24: 7 new" in flat and "1 waived." in flat
    assert WAIVED[0] + " " in table and f"{WAIVED[1]} [" not in flat.split(WAIVED[0])[1].split("ACC-")[0]
    _, markdown, _ = run(capsys, *weeks, "--format", "markdown", "--lang", "fi")
    plain = markdown.replace("\\", "")
    assert "**UUSI**" in markdown and "muuttunut 2026-10-24 jälkeen: ilmoitettu yhteistyövaihe → integroitu vaihe" in plain
    assert "ratkennut 2026-10-24 jälkeen: cooperation" in plain and "2026-10-24 jälkeen: 7 uutta" in plain


def test_the_concise_table_keeps_the_marks_whole_within_80_columns(capsys, weeks):
    _, table, _ = run(capsys, *weeks)
    lines = table.splitlines()
    assert all(len(line) <= 80 for line in lines)
    changed = table.split(CHANGED + " ")[1].split("\nACC-")[0].splitlines()
    assert any("integrated-no-tenders" in line and line.endswith("  [NEW]") for line in changed)
    assert sum(line.endswith("  [since 10-24]") for line in lines) > 100  # the short mark: the evidence keeps its room
    flat = " ".join(table.split())
    assert "moved since 2026-10-24: declared cooperation stage → integrated stage" in flat and "resolved since 2026-10-24: cooperation-" in flat
    assert "Since 2026-10-24: 7 new" in flat and "1 waived." in flat


def test_csv_has_a_status_column_and_rows_for_resolved_findings(capsys, weeks):
    _, out, _ = run(capsys, *weeks, "--format", "csv", "--show-waived")
    rows = list(csv.DictReader(io.StringIO(out)))
    statuses = {(r["account_id"], r["rule"]): r["status"] for r in rows}
    assert statuses[WAIVED] == "waived"
    assert {r["status"] for r in rows if r["account_id"] == CHANGED and r["rule"] != VERDICT} == {"new", "resolved"}
    assert {r["status"] for r in rows if r["account_id"] != CHANGED and (r["account_id"], r["rule"]) != WAIVED} == {"still-open"}
    waived = next(r for r in rows if (r["account_id"], r["rule"]) == WAIVED)
    assert (waived["waived_until"], waived["waived_reason"], waived["waived_by"]) == ("2027-03-31", "public body: tenders by law", "Ops")


def test_without_baseline_or_waivers_the_reports_keep_their_old_form(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--as-of", "2026-10-31", "--format", "csv", "--fail-on", "never")
    assert out.splitlines()[0].endswith("handbook_url")
    _, out, _ = run(capsys, "check", str(SAMPLE), "--as-of", "2026-10-31", "--format", "json", "--fail-on", "never")
    report = json.loads(out)
    assert "changes" not in report["summary"] and all("status" not in f for a in report["accounts"] for f in a["findings"])


def _card(html: str, account: str) -> str:
    start = html.index(f'data-account="{account}"')
    return html[start:html.index("</article>", start)]


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_the_html_report_marks_new_and_open_findings_says_what_moved_and_hides_the_waived_one(capsys, weeks, lang):
    _, html, _ = run(capsys, *weeks, "--format", "html", "--lang", lang)
    _, markdown, _ = run(capsys, *weeks, "--format", "markdown", "--lang", lang)
    new, since = ("NEW", "open since 2026-10-24") if lang == "en" else ("UUSI", "avoinna 2026-10-24 alkaen")
    changed = _card(html, CHANGED)
    assert f'<span class="pr-mark pr-mark-new">{new}</span>' in changed and "integrated-no-tenders" in changed
    assert html.count(f'<span class="pr-mark">{since}</span>') > 100
    # The summary's "since …" line and the card's resolved and moved lines, as the Markdown report words them.
    history = next(part for part in markdown.split("\n\n") if part.replace("\\", "").startswith(("Since 2026-10-24", "2026-10-24 jälkeen"))).replace("\\", "")
    assert history.startswith(("Since 2026-10-24", "2026-10-24 jälkeen")) and f"<p><b>{history}</b></p>" in html
    moved = next(line for line in markdown.replace("\\", "").splitlines() if line.startswith(("moved since", "muuttunut")))
    assert f'<p class="pr-evidence">{moved}</p>' in changed.replace("&gt;", ">").replace("&#39;", "'")
    # The waived finding is neither a card's finding nor in the act-this-week list; the new warnings are.
    waived = _card(html, WAIVED[0])
    assert f">{WAIVED[1]}</a>" not in waived
    act = html[html.index('id="pr-act"'):html.index('id="pr-cards"')]
    anchor = re.search(r'id="(account-\d+)"[^>]*data-account="' + CHANGED + '"', html).group(1)
    rows = re.findall(r'pr-sev-(\w+)">[^<]*</span></td>\s*<td><a href="#(account-\d+)">', act)
    warned = {card for severity, card in rows if severity == "warning"}
    assert warned == {anchor}  # only the changed account has warnings new since last week
    _, shown, _ = run(capsys, *weeks, "--format", "html", "--lang", lang, "--show-waived")
    assert f">{WAIVED[1]}</a>" in _card(shown, WAIVED[0]) and "pr-mark-waived" in _card(shown, WAIVED[0])


def test_an_account_whose_findings_were_all_resolved_keeps_a_card_in_view_saying_so(capsys, tmp_path):
    week1 = tmp_path / "week1.csv"
    week1.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m\nA1,Alpha Oy,Aino,integrated,2\n", encoding="utf-8")
    assert run(capsys, "check", str(week1), "--as-of", "2026-10-24", "--format", "json", "--output", str(tmp_path / "w1.json"))[0] == 1
    week2 = tmp_path / "week2.csv"
    week2.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m\nA1,Alpha Oy,Aino,integrated,0\n", encoding="utf-8")
    _, html, _ = run(capsys, "check", str(week2), "--as-of", "2026-10-31", "--format", "html", "--baseline", str(tmp_path / "w1.json"),
                     "--handbook-url", "https://h")
    card = _card(html, "A1")
    assert "resolved since 2026-10-24: integrated-no-tenders" in card and '<details class="pr-folded">' not in html  # not folded away
