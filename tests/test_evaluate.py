from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import yaml
from conftest import FIXTURES

from checker.evaluate import Evaluator, Outcome, best_fit, outcome
from checker.inputs.accounts import DataNote, table_from_values

AS_OF = date(2026, 6, 30)
CASES = yaml.safe_load((FIXTURES / "rule_cases.yaml").read_text(encoding="utf-8"))["cases"]


def evaluate(playbook, declared, values, notes=(), lang="en", url="http://h"):
    """Findings and not-evaluated rule ids of one account."""
    parsed = {k: (date.fromisoformat(v) if isinstance(v, str) and playbook.signals[k].type == "date" else v) for k, v in values.items()}
    table = table_from_values(playbook, [{"account_id": "A1", "declared": declared, "notes": list(notes), **parsed}], frozenset(parsed))
    result = Evaluator(playbook, AS_OF, lang, url).evaluate(table)
    return result.findings[0], result.not_evaluated[0]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_rule_case(playbook, case):
    findings, not_evaluated = evaluate(playbook, case["declared"], case["values"])
    rules = {f.rule for f in findings}
    for rule in case.get("present", []):
        assert rule in rules, f"expected {rule} in {sorted(rules)}"
    for rule in case.get("absent", []):
        assert rule not in rules
    for rule in case.get("not_evaluated", []):
        assert rule in not_evaluated


def test_every_rule_has_a_behaviour_case_or_is_a_stage_expectation(playbook):
    covered = {r for c in CASES for r in c.get("present", [])}
    catalogue_rules = {r.id for r in playbook.rules if r.kind in ("warning-sign", "portfolio")}
    assert catalogue_rules - covered <= {"portfolio-plus-plus-team", "portfolio-minus-plus-invest", "portfolio-plus-minus-no-extra"}


def test_findings_carry_evidence_source_action_and_link(playbook):
    finding = evaluate(playbook, "integrated", {"competitive_tenders_12m": 2}, lang="fi", url="https://wiki.example/pb/")[0][0]
    assert finding.kind == "stage-mismatch" and finding.severity == "error"
    assert finding.evidence["observed"] == 2 and finding.evidence["threshold"] == 0
    assert "Havaittu 2 kilpailutusta" in finding.message and "odotettu ei yhtään" in finding.message
    assert finding.source.startswith("Ojasalo & Ojasalo 2010")
    assert finding.action == playbook.rules_by_id["integrated-no-tenders"].action["fi"]
    assert finding.handbook_url == "https://wiki.example/pb/fi/stages/integrated/#integrated-no-tenders"
    assert str(finding).startswith("[error] ") and finding.rule in str(finding)


def test_directions_are_phrased_differently(playbook):
    behind = evaluate(playbook, "integrated", {"open_books": False})[0][0]
    ahead = evaluate(playbook, "cooperation", {"open_books": True})[0][0]
    assert "claims more than the behaviour shows" in behind.message
    assert "behaves like a later stage" in ahead.message


def test_data_notes_become_data_findings(playbook):
    note = DataNote("data.invalid_value", "share_of_wallet", {"value": "150 %", "reason": "reason.share_range", "header": "share_of_wallet"})
    finding = evaluate(playbook, "basic", {"share_of_wallet": None}, [note])[0][0]
    assert finding.kind == "data" and finding.rule == "data-invalid-value"
    assert finding.message == "Row 2, column share_of_wallet: '150 %' cannot be used: a share must lie between 0 and 1 (0 % and 100 %)."


def test_best_fit_is_unknown_with_too_little_data(playbook):
    values = {"share_of_wallet": 0.9}
    fit, scores = best_fit(playbook, values, frozenset(values), AS_OF, None)
    assert fit is None and all(e <= 2 for _, e in scores.values())


def test_ties_go_to_the_stage_nearest_the_declared_one(playbook):
    # A recent contact (exploratory's evidence) and two orders (basic's) at a 10 % share: both meet 5 of 6.
    values = {"confidential_exchange": False, "joint_planning_12m": 0, "customer_contacts_12m": 1, "last_interaction": date(2026, 6, 20),
              "purchases_12m": 2, "share_of_wallet": 0.1}
    assert best_fit(playbook, values, frozenset(values), AS_OF, None)[1]["basic"] == (5, 6)
    assert best_fit(playbook, values, frozenset(values), AS_OF, "basic")[0] == "basic"
    assert best_fit(playbook, values, frozenset(values), AS_OF, "exploratory")[0] == "exploratory"


@pytest.mark.parametrize(("op", "value", "observed", "expected"), [(">=", 3, 3, Outcome.PASS), (">", 3, 3, Outcome.FAIL), ("<=", 0, 1, Outcome.FAIL), ("==", 2, 2, Outcome.PASS), ("!=", 2, 2, Outcome.FAIL)])
def test_comparisons(playbook, op, value, observed, expected):
    rule = playbook.rules_by_id["cooperation-several-contacts"]
    changed = replace(rule, op=op, value=value)
    assert outcome(changed, {rule.signal: observed}, frozenset([rule.signal]), AS_OF, playbook) is expected


@pytest.mark.parametrize(("lang", "expected"), [("en", "yes"), ("fi", "kyllä")])
def test_a_yes_or_no_expectation_says_the_value_not_an_equals_sign(playbook, lang, expected):
    from datetime import date

    from checker.evaluate import Evaluator
    rule = playbook.rules_by_id["integrated-open-books"]
    assert (playbook.signals[rule.signal].type, rule.op, rule.value) == ("boolean", "==", True)
    assert Evaluator(playbook, date(2026, 10, 31), lang, "https://h").expected(rule) == expected
