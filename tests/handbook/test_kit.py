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


def _text(html: str) -> str:
    """A page's visible text, tags dropped, so a test can look for the words a reader sees."""
    import html as htmllib
    import re
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("lang", LANGS)
def test_routes_page_prints_each_route_as_a_timed_agenda_of_core_and_optional_parts(site: Path, playbook: Playbook, lang: str) -> None:
    text = _text((site / lang / "course" / "routes" / "index.html").read_text(encoding="utf-8"))
    core, optional = (playbook.text(f"handbook.kit.{k}", lang) for k in ("core", "optional"))
    assert {r["id"] for r in playbook.course["routes"]} >= {"half-day", "one-day"}
    for route in playbook.course["routes"]:
        assert route["title"][lang] in text, route["id"]
        clock = int(route["start"][:2]) * 60 + int(route["start"][3:])
        for part in route["parts"]:
            assert f" {clock // 60:02d}:{clock % 60:02d} " in text, (route["id"], part["part"])
            clock += part["minutes"]
        assert f"{clock // 60:02d}:{clock % 60:02d}" in text, route["id"]  # where it ends
    assert f" {core} " in text and f" {optional} " in text


def test_the_half_day_route_takes_three_and_a_half_hours_and_the_one_day_route_a_day(playbook: Playbook) -> None:
    routes = {r["id"]: r for r in playbook.course["routes"]}
    assert routes["half-day"]["minutes"] == 210
    assert 360 <= routes["one-day"]["minutes"] <= 480
    for route in routes.values():
        assert sum(p["minutes"] for p in route["parts"]) == route["minutes"], route["id"]
        assert any(not p["core"] for p in route["parts"]), route["id"]  # something to drop when late
        assert route["parts"][0]["part"] == "opening" and "closing" in [p["part"] for p in route["parts"]], route["id"]


@pytest.mark.parametrize("lang", LANGS)
def test_roleplays_page_holds_each_script_with_roles_checklist_and_debrief(site: Path, playbook: Playbook, lang: str) -> None:
    html = (site / lang / "course" / "roleplays" / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    assert {p["id"] for p in playbook.course["roleplays"]} == {"roleplay-first-meeting", "roleplay-health-check", "roleplay-exit-conversation"}
    for play in playbook.course["roleplays"]:
        assert f'id="{play["id"]}"' in html, play["id"]
        for key in ("roles", "script", "observe", "debrief"):
            assert all(_text(item[lang]) in text for item in play[key]), (play["id"], key)


@pytest.mark.parametrize("lang", LANGS)
def test_forms_page_holds_the_prework_and_an_evaluation_form_with_a_scale_per_statement(site: Path, playbook: Playbook, lang: str) -> None:
    html = (site / lang / "course" / "forms" / "index.html").read_text(encoding="utf-8")
    text = _text(html)
    assert 'id="prework"' in html and 'id="course-evaluation"' in html
    assert all(task[lang] in text for task in playbook.course["prework"]["tasks"])
    ratings = playbook.course["evaluation"]["ratings"]
    assert all(r[lang] in text for r in ratings)
    assert text.count("☐ 5") == len(ratings)


@pytest.mark.parametrize("lang", LANGS)
def test_the_closing_module_needs_no_command_line_and_links_its_materials(site: Path, playbook: Playbook, lang: str) -> None:
    closing = playbook.course["closing"]
    assert not any("playbook check" in step[lang] for step in closing["steps"])
    html = (site / lang / "course" / "closing" / "index.html").read_text(encoding="utf-8")
    for target in ("report/", "templates/#template-refinement-plan", "templates/#template-exit-plan", "forms/#course-evaluation"):
        assert f'{target}"' in html, target
    assert playbook.text("handbook.kit.part.review_sheet", lang).split()[0] in html


@pytest.mark.parametrize("lang", LANGS)
def test_templates_fill_the_playbooks_own_numbers(site: Path, playbook: Playbook, lang: str) -> None:
    text = _text((site / lang / "templates" / "index.html").read_text(encoding="utf-8"))
    assert "{handover_window_days}" not in text
    assert f"{playbook.activity_keywords['handover_window_days']} " in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_opening_and_closing_pages_carry_their_module_number_as_the_outline_numbers_them(site: Path, playbook: Playbook, lang: str) -> None:
    from checker.handbook.course import modules

    numbers = {m.id: m.number for m in modules(playbook)}
    assert numbers["opening"] == 1 and numbers["closing"] == len(numbers)
    for which in ("opening", "closing"):
        html = (site / lang / "course" / which / "index.html").read_text(encoding="utf-8")
        assert playbook.text("handbook.training.module_number", lang, number=numbers[which]) in html, which
