"""The course handouts (checker/handbook/handouts.py): learners' without answers, the trainer's with them."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_macros import LANGS, built_site

from checker.playbook.model import Playbook


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()  # the one build the handbook's tests share


def _text(site: Path, lang: str, url: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", (site / lang / url / "index.html").read_text(encoding="utf-8"))).split())


def _snippet(text: str) -> str:
    return " ".join(text.split())[:60]


@pytest.mark.parametrize("lang", LANGS)
def test_learner_handout_has_every_module_and_no_answers_and_the_trainer_copy_has_them(site: Path, playbook: Playbook, lang: str) -> None:
    learner, trainer = _text(site, lang, "handout/"), _text(site, lang, "trainer/")
    for phase in [*playbook.stages, *playbook.endings]:
        training = phase.data["training"]
        assert _snippet(training["case"]["situation"][lang]) in learner and _snippet(training["quiz"][0]["question"][lang]) in learner
        answers = [training["case"]["model_answer"][lang], *(q["explanation"][lang] for q in training["quiz"])]
        assert [a for a in answers if _snippet(a) in learner] == [], phase.id
        assert all(_snippet(a) in trainer for a in answers), phase.id


@pytest.mark.parametrize("lang", LANGS)
def test_print_page_leaves_out_the_rule_catalogue_and_the_handouts(site: Path, playbook: Playbook, lang: str) -> None:
    text = (site / lang / "print" / "index.html").read_text(encoding="utf-8")
    assert 'id="signals"' not in text and "pb-module" not in text
    assert all(re.search(rf'id="[a-z-]*-{rule.id}"', text) for rule in playbook.rules)  # each expectation, on its own page's part


@pytest.mark.parametrize("lang", LANGS)
def test_each_stage_and_ending_page_gives_its_module_the_outlines_number(site: Path, playbook: Playbook, lang: str) -> None:
    from checker.handbook.course import modules

    for module in (m for m in modules(playbook) if m.phase):
        text = _text(site, lang, module.phase.page.removesuffix("/"))
        assert playbook.text("handbook.training.module_number", lang, number=module.number) in text, module.id
