"""The handbook's search index: no training material, the everyday phrasings with their advice."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from test_macros import build, built_site

from checker.handbook import search
from checker.playbook.model import Playbook


def _index(lang: str) -> list[dict]:
    return json.loads((built_site() / lang / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]


def test_a_compound_is_indexed_whole_and_by_its_later_parts() -> None:
    assert search.words("Hinta|valitukset") == ["hintavalitukset", "valitukset"]
    assert search.words("uusi yhteys|henkilö") == ["uusi", "yhteyshenkilö", "henkilö"]


def test_every_phrasing_leads_to_a_place_in_the_handbook(playbook: Playbook) -> None:
    assert playbook.phrasings
    assert [e["id"] for e in playbook.phrasings if search.location(playbook, e["id"], use_directory_urls=True).startswith(("course/", "rules/"))] == []


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_no_exercise_quiz_facilitator_note_or_model_answer_is_in_the_index(playbook: Playbook, lang: str) -> None:
    docs = _index(lang)
    locations = [d["location"] for d in docs]
    assert not [loc for loc in locations if loc.startswith(("course/", "handout/", "trainer/")) or "#training" in loc]
    text = " ".join(d["title"] + " " + d["text"] for d in docs)
    for phase in playbook.phases.values():
        training = phase.data["training"]
        assert training["case"]["model_answer"][lang][:50] not in text, phase.id
        assert training["quiz"][0]["explanation"][lang][:50] not in text, phase.id
        assert training["case"]["situation"][lang][:50] not in text, phase.id
    for cat in playbook.catalogues.values():
        if "training" in cat:
            assert cat["training"]["exercise"]["model_answer"][lang][:50] not in text, cat["id"]


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_each_phrasing_is_indexed_with_the_section_that_gives_the_advice(playbook: Playbook, lang: str) -> None:
    docs = {d["location"]: d for d in _index(lang)}
    for entry in playbook.phrasings:
        where = search.location(playbook, entry["id"], use_directory_urls=True)
        assert set(search.words(entry[lang][0])) <= set(docs[where][search.FIELD].split()), entry["id"]


def test_a_phrasing_for_an_unknown_id_stops_the_build(playbook_copy: Path, tmp_path: Path) -> None:
    file = playbook_copy / "phrasings.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["phrasings"][0]["id"] = "warning-signs-rarer-kontact"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = build(tmp_path / "site", langs=("en",), playbooks=playbook_copy)["en"]
    assert result.returncode != 0
    assert "phrasings.yaml" in result.stderr and "warning-signs-rarer-kontact" in result.stderr
