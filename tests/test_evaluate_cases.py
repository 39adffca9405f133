"""Each case exercise's model answer agrees with the checker on the case's own facts.

A case lists the account facts it describes as signal values (`training.case.facts`); run
through the evaluator with the case's stage or ending declared, exactly the rules that fail
must be the ones its model answer names, in both languages.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from checker.evaluate import Outcome, outcome

AS_OF = date(2026, 6, 30)
PHASES = ["exploratory", "basic", "cooperation", "interdependence", "integrated", "abrupt", "drawn-out", "paused", "fading"]


def case_values(playbook, phase_id: str) -> dict[str, object]:
    facts = playbook.phases[phase_id].data["training"]["case"]["facts"]
    return {s: AS_OF - timedelta(days=v) if playbook.signals[s].type == "date" else v for s, v in facts.items()}


def firing(playbook, phase_id: str) -> set[str]:
    values = case_values(playbook, phase_id)
    return {r.id for r in playbook.rules_for(phase_id) if outcome(r, values, frozenset(values), AS_OF, playbook) == Outcome.FAIL}


def named(playbook, text: str) -> set[str]:
    return {token for token in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", text) if token in playbook.rules_by_id}


@pytest.mark.parametrize("phase_id", PHASES)
@pytest.mark.parametrize("lang", ["en", "fi"])
def test_model_answer_names_exactly_the_rules_that_fire_on_the_case_facts(playbook, phase_id, lang):
    answer = playbook.phases[phase_id].data["training"]["case"]["model_answer"][lang]
    assert named(playbook, answer) == firing(playbook, phase_id)


def test_every_stage_and_ending_case_states_its_facts(playbook):
    assert sorted(playbook.phases) == sorted(PHASES)
    for phase in playbook.phases.values():
        assert phase.data["training"]["case"].get("facts"), phase.id
