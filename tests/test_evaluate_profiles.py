"""Each stage's textbook profile (in its YAML) tells the stages apart.

A profile satisfies its own stage's expectations, fits its own stage best, and clearly
fails (satisfies at most half of) the expectations of stages two or more steps away.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from checker.evaluate import Outcome, best_fit, outcome

AS_OF = date(2026, 6, 30)
STAGES = ["exploratory", "basic", "cooperation", "interdependence", "integrated"]


def profile_values(playbook, stage_id):
    values = {}
    for signal, value in playbook.phases[stage_id].data["profile"].items():
        values[signal] = AS_OF - timedelta(days=value) if playbook.signals[signal].type == "date" else value
    return values


def share_satisfied(playbook, values, stage_id):
    results = [outcome(r, values, frozenset(values), AS_OF, playbook) for r in playbook.stage_rules(stage_id)]
    evaluated = [r for r in results if r in (Outcome.PASS, Outcome.FAIL)]
    return results.count(Outcome.PASS) / len(evaluated), len(evaluated)


@pytest.mark.parametrize("stage_id", STAGES)
def test_profile_satisfies_its_own_stage(playbook, stage_id):
    score, evaluated = share_satisfied(playbook, profile_values(playbook, stage_id), stage_id)
    assert evaluated == len(playbook.stage_rules(stage_id)), "the profile must cover every signal its stage tests"
    assert score == 1.0


@pytest.mark.parametrize("stage_id", STAGES)
def test_profile_clearly_fails_distant_stages(playbook, stage_id):
    values = profile_values(playbook, stage_id)
    here = STAGES.index(stage_id)
    for other in STAGES:
        if abs(STAGES.index(other) - here) >= 2:
            score, _ = share_satisfied(playbook, values, other)
            assert score <= 0.5, f"{stage_id} profile satisfies {score:.0%} of {other}"


@pytest.mark.parametrize("stage_id", STAGES)
def test_profile_best_fit_is_its_stage(playbook, stage_id):
    values = profile_values(playbook, stage_id)
    fit, _ = best_fit(playbook, values, frozenset(values), AS_OF, declared=None)
    assert fit == stage_id
