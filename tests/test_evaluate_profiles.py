"""Each stage's textbook profile (in its YAML) tells the stages apart.

A profile satisfies its own stage's expectations, fits its own stage best, and clearly
fails (satisfies at most half of) the expectations of stages two or more steps away.
"""
from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

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


# --- boundaries between neighbouring stages -------------------------------------------------------

NEIGHBOURS = list(pairwise(STAGES))
_STEP = {"count": 1, "amount": 1, "share": 0.01}


def _caps(rule, playbook):
    """Whether `rule` bounds its signal from above (an "at most" or "is no" test)."""
    if playbook.signals[rule.signal].type == "boolean":
        return rule.op == "==" and rule.value is False
    return rule.op in ("<=", "<")


def _floors(rule, playbook):
    """Whether `rule` bounds its signal from below (an "at least" or "is yes" test)."""
    if playbook.signals[rule.signal].type == "boolean":
        return rule.op == "==" and rule.value is True
    return rule.op in (">=", ">")


def boundaries(playbook, lower, upper):
    """(signal, lower stage's cap, upper stage's floor) for every signal the two stages divide between them."""
    out = []
    for low in playbook.stage_rules(lower):
        for high in playbook.stage_rules(upper):
            kind = playbook.signals[low.signal].type
            if low.signal == high.signal and kind != "date" and not low.relative_to and _caps(low, playbook) and _floors(high, playbook):
                out.append((low.signal, low, high))
    return out


@pytest.mark.parametrize(("lower", "upper"), NEIGHBOURS)
def test_every_boundary_between_neighbouring_stages_belongs_to_exactly_one_of_them(playbook, lower, upper):
    found = boundaries(playbook, lower, upper)
    assert found, f"nothing in the data tells {lower} from {upper}"
    for signal, low, high in found:
        kind = playbook.signals[signal].type
        if kind == "boolean":
            probes = [True, False]
        else:
            step = _STEP[kind]
            probes = sorted({round(v + d * step, 4) for v in (low.value, high.value) for d in (-1, 0, 1)} - {-step})
        for value in probes:
            sides = [outcome(r, {signal: value}, frozenset([signal]), AS_OF, playbook) is Outcome.PASS for r in (low, high)]
            assert sides.count(True) == 1, f"{signal} = {value}: {low.id} {'passes' if sides[0] else 'fails'}, {high.id} {'passes' if sides[1] else 'fails'}"


def just_inside(playbook, lower, upper, side):
    """The `side` stage's textbook profile with every boundary signal moved to the edge of `side`, next to the other stage."""
    values = profile_values(playbook, side)
    for signal, low, high in boundaries(playbook, lower, upper):
        rule = low if side == lower else high
        kind = playbook.signals[signal].type
        if kind == "boolean":
            values[signal] = rule.value
            continue
        step = _STEP[kind]
        edge = {"<=": rule.value, "<": rule.value - step, ">=": rule.value, ">": rule.value + step}[rule.op]
        values[signal] = round(edge, 4)
    return values


@pytest.mark.parametrize(("lower", "upper"), NEIGHBOURS)
@pytest.mark.parametrize("which", ["lower", "upper"])
def test_an_account_just_inside_a_boundary_best_fits_its_side(playbook, lower, upper, which):
    side = lower if which == "lower" else upper
    values = just_inside(playbook, lower, upper, side)
    for declared in (None, lower, upper):
        fit, scores = best_fit(playbook, values, frozenset(values), AS_OF, declared)
        assert fit == side, f"{values} declared {declared}: {scores}"


@pytest.mark.parametrize(("base", "changes", "expected"), [
    # The overlap cases, each now on one side only.
    ("exploratory", {"purchases_12m": 1}, "exploratory"),  # one trial order
    ("basic", {"customer_contacts_12m": 3, "share_of_wallet": 0.35, "purchases_12m": 2}, "cooperation"),
    ("cooperation", {"share_of_wallet": 0.6, "joint_planning_12m": 1, "joint_projects_active": 1}, "interdependence"),
], ids=["one-trial-order", "three-contacts-35-percent", "sixty-percent-one-plan-one-project"])
def test_the_former_overlaps_fall_on_one_side(playbook, base, changes, expected):
    values = {**profile_values(playbook, base), **changes}
    assert best_fit(playbook, values, frozenset(values), AS_OF, base)[0] == expected
