"""The pages for finding things (checker/handbook/pages.py): the symptom page and the glossary, on the built site."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_macros import LANGS, built_site, page

from checker.playbook.model import Playbook


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()  # the one build the handbook's tests share


@pytest.mark.parametrize("lang", LANGS)
def test_symptom_page_is_linked_from_the_home_page_and_leads_to_signs_endings_and_their_actions(site: Path, playbook: Playbook, lang: str) -> None:
    assert "symptoms/" in [value for _, attr, value, inside in page(site, lang, "").refs if attr == "href" and inside]
    html = page(site, lang, "symptoms/")
    hrefs = {value for _, attr, value, inside in html.refs if attr == "href" and inside}
    signs = [item["id"] for item in playbook.catalogues["warning-signs"]["items"]]
    assert all(f"../topics/warning-signs/#{sign}" in hrefs for sign in signs)
    assert all(f"../{ending.page}#actions" in hrefs for ending in playbook.endings)
    assert all(f"../{stage.page}#actions" in hrefs for stage in playbook.stages)
    text = (site / lang / "symptoms" / "index.html").read_text(encoding="utf-8")
    first_action = playbook.phases["fading"].data["actions"][0][lang]
    assert first_action.split()[0] in text and playbook.phases["drawn-out"].data["recognise"][0][lang][:40] in text


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_is_one_paragraph_a_term_under_letters_and_links_each_term_to_its_page(site: Path, playbook: Playbook, lang: str) -> None:
    html = page(site, lang, "glossary/")
    text = (site / lang / "glossary" / "index.html").read_text(encoding="utf-8")
    assert {term["id"] for term in playbook.glossary} <= html.ids
    assert text.count("<h2") < len(playbook.glossary) / 2  # headings for letters, not for every term
    hrefs = {value for _, attr, value, inside in html.refs if attr == "href" and inside}
    assert "../endings/fading/" in hrefs and "../topics/prevention/#prevention-refinement-plan" in hrefs
