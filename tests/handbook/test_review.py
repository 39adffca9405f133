"""The account review page as built: linked where readers are, its model the playbook's, its words the checker's.

The browser side (the evaluator, Save, Load, print) is tested in test_review_browser.py.
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_macros import LANGS, built_site, page

from checker.evaluate import Evaluator
from checker.handbook.review import _json, asked, encoded, expected, review_model
from checker.inputs.columns import encode
from checker.playbook.model import Playbook
from checker.playbook.schemas import validator

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()  # the one build the handbook's tests share


def _model(site: Path, lang: str) -> dict:
    text = (site / lang / "review" / "index.html").read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="pb-review-model">(.*?)</script>', text, re.S).group(1))


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_page_is_in_the_nav_and_linked_from_every_stage_page_and_the_training_page(site: Path, playbook: Playbook, lang: str) -> None:
    review = page(site, lang, "review/")
    assert review.h1.strip() == playbook.text("handbook.review.title", lang)
    home = (site / lang / "index.html").read_text(encoding="utf-8")
    assert 'href="review/"' in home  # the navigation
    for where in [*(s.page for s in playbook.stages), "training/"]:
        links = [value for _, attribute, value, inside in page(site, lang, where).refs if attribute == "href" and inside]
        assert "../../review/" in links or "../review/" in links, where


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_holds_the_model_of_its_language_and_every_asked_question(site: Path, playbook: Playbook, lang: str) -> None:
    model = _model(site, lang)
    assert model["lang"] == lang and [s["id"] for s in model["signals"] if s["asked"]] == asked(playbook)
    text = (site / lang / "review" / "index.html").read_text(encoding="utf-8")
    for sid in asked(playbook):
        ask = playbook.signals[sid].data["ask"]
        assert f'data-signal="{sid}"' in text
        assert ask["question"][lang].replace("'", "&#x27;") in text
    assert model["words"]["check.finding"] == playbook.messages["check.finding"][lang]


def test_the_print_page_leaves_the_review_form_out(site: Path) -> None:
    for lang in LANGS:
        assert "pb-review-model" not in (site / lang / "print" / "index.html").read_text(encoding="utf-8")


def test_thresholds_reach_the_page_as_the_checkers_columns_hold_them(playbook: Playbook) -> None:
    model = review_model(playbook, "en", lambda src, anchor="": f"{src}#{anchor}")
    by_id = {r["id"]: r for r in model["rules"]}
    for rule in playbook.rules:
        got = by_id[rule.id]
        if rule.op != "recorded" and not rule.relative_to:
            assert got["value"] == encode(rule.value, playbook.signals[rule.signal]), rule.id
        assert [c["value"] for c in got["when"]] == [encode(c.value, playbook.signals[c.signal]) for c in rule.when]
        assert got["evidence"] == playbook.shows_evidence(rule)
    assert encoded("--", playbook, "portfolio_class") == 3.0 and encoded(True, playbook, "open_books") == 1.0


@pytest.mark.parametrize("lang", LANGS)
def test_every_expected_value_reads_as_the_checkers_findings_say_it(playbook: Playbook, lang: str) -> None:
    """The page's words for each test are the checker's (Evaluator.expected), dates counted back from the review date."""
    checker = Evaluator(playbook, AS_OF, lang, "http://h")
    for rule in playbook.rules:
        said = expected(playbook, lang, rule)
        text = said["text"] if "text" in said else said["date"].replace("{date}", (AS_OF - timedelta(days=said["days"])).isoformat())
        assert text == checker.expected(rule), rule.id


def test_the_model_cannot_close_its_script_block() -> None:
    text = _json({"name": "</script><script>alert(1)</script><!-- & "})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script><!-- & "}


def test_the_assessments_schema_takes_a_review_row_and_refuses_a_broken_one(playbook: Playbook) -> None:
    schema = validator("assessments.schema.json")
    row = {"account_id": "A1", "account_name": "Acme", "reviewed_on": "2026-06-30", "reviewer": "Maija", "declared_stage": "cooperation",
           **dict.fromkeys(asked(playbook), ""), "portfolio_class": "'+-", "purchases_12m": "4"}
    assert list(schema.iter_errors(row)) == []
    for broken in ({**row, "account_id": " "}, {**row, "reviewed_on": "30.6.2026"}, {**row, "declared_stage": "Yhteistyövaihe"},
                   {k: v for k, v in row.items() if k != "reviewer"}, {**row, "Share Of Wallet": "0.5"}):
        assert list(schema.iter_errors(broken)), broken
