"""The trainer's kit pages: course modules, facilitator notes, topic training and templates, in both languages."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_macros import LANGS, built_site

from checker.handbook.kit import PAGES
from checker.handbook.macros import page_url
from checker.playbook.model import Playbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site() -> Path:
    return built_site()


@pytest.mark.parametrize("lang", LANGS)
def test_every_kit_page_exists_in_both_languages_and_is_in_the_navigation(site: Path, lang: str) -> None:
    for src in PAGES:
        assert (ROOT / "docs" / lang / src).is_file(), src
        assert (site / lang / page_url(src) / "index.html").is_file(), src


@pytest.mark.parametrize("lang", LANGS)
def test_templates_page_holds_every_template_with_its_anchor_and_sections(site: Path, playbook: Playbook, lang: str) -> None:
    html = (site / lang / "templates" / "index.html").read_text(encoding="utf-8")
    for template in playbook.course["templates"]:
        assert f'id="{template["id"]}"' in html, template["id"]
        for section in template["sections"]:
            assert section["items"][0][lang].split()[0] in html, template["id"]


@pytest.mark.parametrize("lang", LANGS)
def test_topic_training_renders_each_topic_with_its_exercise_and_a_folded_model_answer(site: Path, playbook: Playbook, lang: str) -> None:
    html = (site / lang / "course" / "topics" / "index.html").read_text(encoding="utf-8")
    topics = [c for c in playbook.catalogues.values() if "training" in c]
    assert {"warning-signs", "portfolio", "expectations", "commitment", "lifecycle"} <= {c["id"] for c in topics}
    for cat in topics:
        assert f'id="{cat["id"]}-exercise"' in html, cat["id"]
    assert html.count("<details") >= len(topics)


def test_course_modules_steps_add_up_to_their_length(playbook: Playbook) -> None:
    for which in ("opening", "closing"):
        module = playbook.course[which]
        assert sum(step["minutes"] for step in module["steps"]) == module["minutes"], which


def test_facilitator_notes_cover_every_stage_and_ending_module(playbook: Playbook) -> None:
    assert {n["module"] for n in playbook.course["modules"]} == set(playbook.phases)
