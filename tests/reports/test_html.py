"""The HTML report: one self-contained file, export text escaped, both languages, the first finding as headline."""
from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE, run
from markupsafe import escape

from checker.check import Inputs, run_check
from checker.reports import html as html_report

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def hostile_export(folder: Path) -> Path:
    """Two accounts with findings, one named like an attack, and one clean."""
    path = folder / "accounts.csv"
    path.write_text(
        "account_id,account_name,owner,declared_stage,open_books,revenue_12m,portfolio_class\n"
        f'A1,"{HOSTILE.replace(chr(34), chr(34) * 2)}",Mallory <b>,integrated,no,1000,++\n'
        "A2,Kelo Oy,Aino,cooperation,yes,200,--\n"
        "A3,Puu Oy,Aino,basic,,50,-+\n", encoding="utf-8")
    return path


class _Tags(HTMLParser):
    """Every start tag with its attributes, to look for anything that would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(text: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def test_a_hostile_account_name_and_owner_are_text(capsys, tmp_path):
    _, out, _ = run(capsys, "check", str(hostile_export(tmp_path)), "--format", "html", *AS_OF)
    assert HOSTILE not in out and "<b>," not in out
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in out
    # The only script is the report's own, and no element carries an event handler.
    assert [t for t, _ in tags(out)].count("script") == 1
    assert not [(t, a) for t, a in tags(out) if any(k.startswith("on") and k != "onsubmit" for k in a)]


def test_the_file_loads_nothing_from_anywhere(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", *AS_OF)
    loading = [(t, a) for t, a in tags(out) if t in ("link", "img", "iframe", "object", "embed") or "src" in a]
    assert loading == []
    assert "@import" not in out and "url(" not in out
    assert "default-src 'none'" in out  # and the browser is told to refuse it, should anything slip in


@pytest.mark.parametrize(("lang", "heading"), [("en", "Accounts to act on"), ("fi", "Asiakkuudet, joihin on tartuttava")])
def test_the_report_speaks_the_chosen_language(capsys, lang, heading):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", "--lang", lang, *AS_OF)
    assert f'<html lang="{lang}">' in out
    assert heading in out
    assert f"/{lang}/stages/" in out  # findings link to the handbook in that language


def test_sample_report_holds_the_charts_and_one_card_per_flagged_account(playbook, capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", *AS_OF)
    cards = re.findall(r'<article class="pr-card', out)
    flagged = re.search(r"<b>(\d+)</b><span>with findings</span>", out)
    _, report, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF)
    assert flagged and len(cards) == int(flagged.group(1)) == json.loads(report)["summary"]["accounts_flagged"] > 0
    assert 'class="pr-matrix"' in out and "<polyline" in out and 'class="pr-quad"' in out
    for stage in playbook.stages:
        assert f">{stage.name['en']}</th>" in out


def test_the_first_finding_is_the_cards_headline(playbook, tmp_path):
    result = run_check(Inputs(hostile_export(tmp_path)), playbook, date(2026, 10, 31), "en", "https://h")
    report = html_report.build(result)
    card = next(c for c in report.cards if c.account_id == "A1")
    first = next(a for a in result.accounts() if a.account_id == "A1").findings[0]
    assert card.findings[0]["message"] == first.message
    text = html_report.to_html(result)
    article = text[text.index('data-owner="=Mallory &lt;b&gt;"'):]
    assert article.index("pr-headline") < article.index(str(escape(first.message)))


def test_cards_are_capped_and_the_report_says_how_many_are_left_out(playbook, capsys, monkeypatch):
    monkeypatch.setattr(html_report, "MOST_CARDS", 10)
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", *AS_OF)
    assert len(re.findall(r'<article class="pr-card', out)) == 10
    _, report, _ = run(capsys, "check", str(SAMPLE), "--format", "json", *AS_OF)
    flagged = json.loads(report)["summary"]["accounts_flagged"]
    assert f"The first 10 of {flagged} accounts with findings are shown here" in out


def test_a_check_without_revenue_or_portfolio_class_draws_neither_chart(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,declared_stage,open_books\nA1,Kelo Oy,cooperation,no\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), "--format", "html", *AS_OF)
    assert "<polyline" not in out and 'class="pr-quad"' not in out and 'class="pr-matrix"' in out


def _cards(out: str) -> list[dict[str, str]]:
    """Every card's data attributes, in the page's order."""
    return [dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag)) for tag in re.findall(r'<article class="pr-card[^>]*>', out)]


def test_cards_open_on_what_to_act_on_most_severe_then_largest_revenue_info_only_folded(capsys, playbook):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", "--handbook-url", "https://h", *AS_OF)
    open_part, folded_part = out.split('<details class="pr-folded">')
    shown, folded = _cards(open_part), _cards(folded_part)
    assert shown and folded
    assert [int(c["top"]) for c in shown] == sorted(int(c["top"]) for c in shown)  # errors, then warnings
    assert {c["top"] for c in folded} == {"2"}  # info only: folded below the rest
    for top in {c["top"] for c in shown}:
        money = [float(c["revenue"]) if c["revenue"] else float("-inf") for c in shown if c["top"] == top]
        assert money == sorted(money, reverse=True)  # the largest revenue first within a severity
    assert [int(c["order"]) for c in shown + folded] == list(range(len(shown) + len(folded)))
    assert f"<summary>{len(folded)} accounts with information only</summary>" in out


def test_the_act_this_week_list_holds_every_error_and_links_to_its_card(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", "--handbook-url", "https://h", *AS_OF)
    _, report, _ = run(capsys, "check", str(SAMPLE), "--format", "json", "--handbook-url", "https://h", *AS_OF)
    act = out[out.index('id="pr-act"'):out.index('id="pr-cards"')]
    rows = re.findall(r'<tr><td><span class="pr-sev pr-sev-(\w+)">', act)
    errors = json.loads(report)["summary"]["findings_by_severity"]["error"]
    assert rows == ["error"] * min(errors, html_report.MOST_ACT) and errors > 0  # without a baseline: the errors
    anchors = re.findall(r'<a href="#(account-\d+)">', act)
    assert len(anchors) == len(rows) and all(f'id="{anchor}"' in out for anchor in anchors)
    assert "Every error: the account, its owner and the reason" in act
    assert out.index('id="pr-act"') < out.index("<h2>Where we are</h2>")  # the report opens on what to act on


def test_observed_values_are_phrased_as_in_the_table_with_units(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,owner,declared_stage,competitive_tenders_12m\nA1,Acme,Aino,integrated,2\n", encoding="utf-8")
    _, table, _ = run(capsys, "check", str(path), "--handbook-url", "https://h", *AS_OF)
    _, out, _ = run(capsys, "check", str(path), "--format", "html", "--handbook-url", "https://h", *AS_OF)
    assert "2 tenders, expected none" in table and "2 tenders, expected none" in out


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_long_finnish_words_get_room_in_the_style(capsys, lang):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "html", "--lang", lang, *AS_OF)
    assert f'<html lang="{lang}">' in out and "hyphens:auto" in out  # the browser hyphenates by the page's language
