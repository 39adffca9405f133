"""Links between pages derived from ids in the data (checker/handbook/links.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_macros import LANGS, built_site, page

from checker.handbook.links import related, targets
from checker.playbook.model import Playbook


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()  # the one build the handbook's tests share


def _hrefs(site: Path, lang: str, url: str) -> set[str]:
    return {value for _, attr, value, inside in page(site, lang, url).refs if attr == "href" and inside}


def test_every_see_also_and_see_id_has_a_place_in_the_handbook(playbook: Playbook) -> None:
    found = targets(playbook)
    named = [i for c in playbook.catalogues.values() for i in c.get("see_also", [])] + [i for t in playbook.glossary for i in t.get("see", [])]
    assert named and all(i in found for i in named)


@pytest.mark.parametrize("lang", LANGS)
def test_warning_signs_say_what_to_do_and_lead_to_the_fading_ending(site: Path, playbook: Playbook, lang: str) -> None:
    hrefs = _hrefs(site, lang, "topics/warning-signs/")
    assert "../../endings/fading/" in hrefs
    text = (site / lang / "topics" / "warning-signs" / "index.html").read_text(encoding="utf-8")
    for rule in (r for r in playbook.rules if r.owner == "warning-signs"):
        assert text.count(rule.action[lang].split(".")[0][:50]) >= 2, rule.id  # under its sign and in its expectation


@pytest.mark.parametrize("lang", LANGS)
def test_stage_pages_link_to_the_topics_whose_checks_apply_to_them(site: Path, playbook: Playbook, lang: str) -> None:
    for stage in playbook.stages:
        topics = related(playbook, stage.id)
        assert topics, stage.id
        assert {f"../../topics/{t}/" for t in topics if t in playbook.catalogues} <= _hrefs(site, lang, stage.page)


@pytest.mark.parametrize("lang", LANGS)
def test_a_mention_of_the_health_check_links_to_its_topic(site: Path, lang: str) -> None:
    assert "../../topics/prevention/#prevention-yearly-health-check" in _hrefs(site, lang, "endings/fading/")


@pytest.mark.parametrize("lang", LANGS)
def test_lifecycle_steps_link_to_where_the_handbook_goes_deeper(site: Path, playbook: Playbook, lang: str) -> None:
    hrefs = _hrefs(site, lang, "topics/lifecycle/")
    for item in playbook.catalogues["lifecycle"]["items"]:
        for ident in item.get("see", []):
            src, anchor = targets(playbook)[ident]
            url = "../../" + src.removesuffix(".md") + "/" if not src.startswith("topics/lifecycle") else "./"
            assert url.replace("../../topics/", "../") + (f"#{anchor}" if anchor else "") in hrefs, ident
