"""The bundled playbooks validate; each invalid fixture yields its precise file:line message.

The invalid cases are data (tests/fixtures/invalid_playbooks/*.yaml): each names a file of
the bundled playbooks, a text to find and its replacement, and the expected message. The
expected line is the line where the found text starts, plus `line_offset`.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES

from checker.inputs.mappings import PRESET_DIR
from checker.playbook.problems import display_path
from checker.playbook.validate import BUNDLED, validate

CASES = sorted((FIXTURES / "invalid_playbooks").glob("*.yaml"))


def test_bundled_playbooks_are_valid():
    docs, problems = validate([BUNDLED])
    assert problems == []
    kinds = sorted({d.data["kind"] for d in docs})
    assert kinds == ["activity-keywords", "catalogue", "course", "ending", "glossary", "manifest", "messages", "phrasings", "signals", "sources", "stage"]


def test_every_bundled_file_starts_with_a_schema_modeline():
    for path in [*BUNDLED.rglob("*.yaml"), *PRESET_DIR.glob("*.yaml")]:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert schema.is_file(), f"{path}: modeline points at missing {schema}"


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_invalid_fixture_gives_expected_message(case_file: Path, playbook_copy: Path):
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    target = playbook_copy / case["file"]
    text = target.read_text(encoding="utf-8")
    assert case["find"] in text, f"{case_file.name}: the text to find is no longer in {case['file']}"
    line0 = text[: text.index(case["find"])].count("\n") + 1 + case["find"].startswith("\n")
    target.write_text(text.replace(case["find"], case["replace"], 1), encoding="utf-8")

    _, problems = validate([playbook_copy])

    expected = f"{display_path(target)}:{line0 + case.get('line_offset', 0)}: {case['expect'].format(line0=line0)}"
    rendered = [str(p) for p in problems]
    assert any(r.startswith(expected) for r in rendered), "\n".join([f"expected: {expected}", *rendered])


def test_all_problems_are_reported_not_only_the_first(playbook_copy: Path):
    path = playbook_copy / "stages" / "cooperation.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("signal: share_of_wallet", "signal: share_of_walet").replace("source: ojasalo-2010", "source: ojasalo")
    path.write_text(text, encoding="utf-8")
    _, problems = validate([playbook_copy])
    messages = [p.message for p in problems]
    assert sum("share_of_walet" in m for m in messages) == 2
    assert sum("unknown source 'ojasalo'" in m for m in messages) >= 8


def test_a_file_with_a_schema_problem_still_gets_its_reference_checks(playbook_copy: Path):
    path = playbook_copy / "stages" / "cooperation.yaml"
    text = path.read_text(encoding="utf-8").replace("signal: share_of_wallet", "signal: share_of_walet", 1).replace("  fi: Yhteistyövaihe\n", "")
    path.write_text(text, encoding="utf-8")
    _, problems = validate([playbook_copy])
    messages = [p.message for p in problems]
    assert "missing the Finnish text (`fi`)" in messages
    assert "'share_of_walet' is not a known signal (did you mean 'share_of_wallet'?)" in messages


def test_a_signal_unit_without_its_words_in_the_messages_is_named(playbook_copy: Path) -> None:
    path = playbook_copy / "catalogues" / "signals.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: orders", "unit: order", 1), encoding="utf-8")
    _, problems = validate([playbook_copy])
    messages = [p.message for p in problems]
    assert any("unit 'order' has no words in the messages" in m and "did you mean 'orders'?" in m for m in messages), messages


def test_a_see_also_id_that_names_nothing_is_named(playbook_copy: Path) -> None:
    path = playbook_copy / "catalogues" / "warning-signs.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("see_also: [fading,", "see_also: [fadin,", 1), encoding="utf-8")
    _, problems = validate([playbook_copy])
    assert any("'fadin' is not the id of a stage" in p.message and "did you mean 'fading'?" in p.message for p in problems)


def test_a_search_phrasing_for_an_id_that_names_nothing_is_named(playbook_copy: Path) -> None:
    path = playbook_copy / "phrasings.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: warning-signs-rarer-contact", "- id: warning-signs-rarer-kontact", 1), encoding="utf-8")
    _, problems = validate([playbook_copy])
    assert [(p.file.rsplit("/", 1)[-1], p.path) for p in problems if "'warning-signs-rarer-kontact'" in p.message] == [("phrasings.yaml", "$.phrasings[0].id")]
