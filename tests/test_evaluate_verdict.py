"""The account-level verdict (`stage-fit`) and the best fit that needs evidence.

Accounts are the stages' textbook profiles (in their YAML), declared in another stage: every
direction and distance, small fixtures built from the data rather than copied numbers.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from checker.evaluate import Evaluator, best_fit, shows_evidence
from checker.inputs.accounts import table_from_values

AS_OF = date(2026, 6, 30)
STAGES = ["exploratory", "basic", "cooperation", "interdependence", "integrated"]
PAIRS = [(d, b) for d in STAGES for b in STAGES if d != b]


def profile(playbook, stage_id):
    return {s: AS_OF - timedelta(days=v) if playbook.signals[s].type == "date" else v for s, v in playbook.phases[stage_id].data["profile"].items()}


def evaluate(playbook, declared, values, lang="en"):
    """The evaluation of one account (best fit, findings) declared in `declared`."""
    table = table_from_values(playbook, [{"account_id": "A1", "declared": declared, **values}], frozenset(values))
    result = Evaluator(playbook, AS_OF, lang, "http://h").evaluate(table)
    return result.best_fit[0], result.findings[0]


def verdict_id(playbook):
    return playbook.manifest["verdict"]["id"]


@pytest.mark.parametrize("stage_id", STAGES)
def test_a_textbook_account_in_its_own_stage_has_no_verdict_and_nothing_at_warning_level(playbook, stage_id):
    best, findings = evaluate(playbook, stage_id, profile(playbook, stage_id))
    assert best == stage_id
    assert not [f for f in findings if f.severity in ("error", "warning")], findings
    assert verdict_id(playbook) not in {f.rule for f in findings}


@pytest.mark.parametrize(("declared", "behaves"), PAIRS, ids=[f"{d}-behaves-{b}" for d, b in PAIRS])
def test_a_textbook_account_declared_elsewhere_is_headed_by_the_verdict(playbook, declared, behaves):
    best, findings = evaluate(playbook, declared, profile(playbook, behaves))
    assert best == behaves
    verdict = findings[0]
    assert verdict.rule == verdict_id(playbook) and verdict.kind == "stage-mismatch"
    assert [f.rule for f in findings].count(verdict.rule) == 1
    distance = abs(STAGES.index(behaves) - STAGES.index(declared))
    direction = "ahead" if STAGES.index(behaves) > STAGES.index(declared) else "behind"
    assert verdict.evidence["distance"] == distance and verdict.evidence["direction"] == direction
    assert verdict.evidence["expected"] == declared and verdict.evidence["observed"] == behaves
    met, tested = verdict.evidence["best_fit"]
    assert met == tested, "a textbook profile meets all of its own stage"
    # Both stage names and both scores are in the message; the action names the best fit.
    for stage in (declared, behaves):
        assert playbook.phases[stage].name["en"] in verdict.message and playbook.phases[stage].name["en"] in verdict.action
    assert f"{met}/{tested}" in verdict.message and "/".join(map(str, verdict.evidence["declared_fit"])) in verdict.message
    assert verdict.handbook_url == f"http://h/en/rules/#{verdict.rule}"
    if distance >= 2:
        assert verdict.severity in ("warning", "error"), "two or more stages apart is at least a warning, in both directions"
    if distance >= 3:
        assert verdict.severity == "error"


def test_the_verdict_grows_with_distance_in_both_directions(playbook):
    rank = {"info": 0, "warning": 1, "error": 2}
    for start, step in (("exploratory", 1), ("integrated", -1)):
        here = STAGES.index(start)
        severities = [rank[evaluate(playbook, start, profile(playbook, STAGES[here + step * n]))[1][0].severity] for n in range(1, 5)]
        assert severities == sorted(severities), f"declared {start}: {severities}"


def test_behind_the_verdict_names_what_to_develop(playbook):
    _, findings = evaluate(playbook, "integrated", profile(playbook, "cooperation"))
    verdict = findings[0]
    assert verdict.evidence["direction"] == "behind"
    assert playbook.rules_by_id["integrated-open-books"].title["en"] in verdict.action
    assert playbook.rules_by_id["integrated-no-tenders"].title["en"] not in verdict.action, "an 'at most' test is nothing to develop"


def test_the_verdict_speaks_finnish(playbook):
    _, findings = evaluate(playbook, "exploratory", profile(playbook, "integrated"), lang="fi")
    assert "Kokeileva vaihe" in findings[0].message and "edellä" in findings[0].message


def test_endings_and_unknown_stages_get_no_verdict(playbook):
    for declared in ("paused", "fading", None):
        _, findings = evaluate(playbook, declared, profile(playbook, "integrated"))
        assert verdict_id(playbook) not in {f.rule for f in findings}


def test_an_account_with_no_activity_and_no_orders_has_no_best_fit(playbook):
    # What a CRM holds for a customer that has gone quiet: zeros, no's and an old last contact.
    values = {"customer_contacts_12m": 0, "our_contacts_12m": 0, "competitive_tenders_12m": 0, "confidential_exchange": False,
              "open_books": False, "joint_planning_12m": 0, "joint_projects_active": 0, "purchases_12m": 0, "interactions_90d": 0,
              "last_interaction": AS_OF - timedelta(days=400)}
    fit, scores = best_fit(playbook, values, frozenset(values), AS_OF, "cooperation")
    assert fit is None
    assert scores["cooperation"][1] >= 3, "enough was evaluated: it is the evidence that is missing"
    _, findings = evaluate(playbook, "cooperation", values)
    assert verdict_id(playbook) not in {f.rule for f in findings}


@pytest.mark.parametrize("stage_id", STAGES)
def test_at_most_tests_alone_never_make_a_stage_the_best_fit(playbook, stage_id):
    # An account that meets every "at most" expectation of the stage and shows nothing else.
    rules = [r for r in playbook.stage_rules(stage_id) if not shows_evidence(r, playbook)]
    values = {}
    for rule in rules:
        kind = playbook.signals[rule.signal].type
        values[rule.signal] = rule.value if kind == "boolean" else 0
    fit, _ = best_fit(playbook, values, frozenset(values), AS_OF, stage_id)
    assert fit is None


def test_every_stage_has_something_to_show(playbook):
    for stage in playbook.stages:
        assert any(shows_evidence(r, playbook) for r in playbook.stage_rules(stage.id)), stage.id
