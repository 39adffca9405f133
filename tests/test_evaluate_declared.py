"""The day an account's stage was declared (`stage_declared_on`): a recently declared stage gets
the verdict at most as info, and `since_declared` rules count only what came after it."""
from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from checker.evaluate import Evaluator, outcome
from checker.inputs.accounts import table_from_values

AS_OF = date(2026, 6, 30)


def verdict(playbook, days_ago: int | None):
    """The verdict of an account behaving like the integrated stage, declared exploratory `days_ago` (None: unknown)."""
    values = {s: AS_OF - timedelta(days=v) if playbook.signals[s].type == "date" else v for s, v in playbook.phases["integrated"].data["profile"].items()}
    if days_ago is not None:
        values["stage_declared_on"] = AS_OF - timedelta(days=days_ago)
    table = table_from_values(playbook, [{"account_id": "A1", "declared": "exploratory", **values}], frozenset(values))
    findings = Evaluator(playbook, AS_OF, "en", "http://h").evaluate(table).findings[0]
    return next(f for f in findings if f.rule == playbook.manifest["verdict"]["id"])


def test_a_stage_declared_within_the_grace_period_gets_the_verdict_at_most_as_info(playbook):
    grace = playbook.manifest["verdict"]["declared_grace_days"]
    assert verdict(playbook, None).severity == "error"  # four stages apart
    assert verdict(playbook, grace).severity == "info"
    assert verdict(playbook, 0).severity == "info"
    assert verdict(playbook, grace + 1).severity == "error"


def test_the_grace_period_is_read_from_the_playbook(playbook):
    short = copy.copy(playbook)
    short.manifest = {**playbook.manifest, "verdict": {**playbook.manifest["verdict"], "declared_grace_days": 10}}
    assert verdict(short, 30).severity == "error" and verdict(short, 5).severity == "info"


@pytest.mark.parametrize(("purchases", "declared", "expected"), [
    # (days ago of the last purchase, purchases in 12 months), days ago the ending was declared, outcome
    ((10, 2), None, "FAIL"),     # no date: two orders in the year, the last 10 days ago
    ((10, 1), None, "SKIPPED"),  # no date: one order may be a delivery under way
    ((10, 2), 5, "PASS"),        # the last order was won before the end was declared
    ((10, 1), 20, "FAIL"),       # an order after the end: the grace is not needed once the date is known
    ((45, 1), 60, "PASS"),       # bought after the end, but not in the last 30 days
])
def test_abrupt_not_buying_looks_only_after_the_declared_end(playbook, purchases, declared, expected):
    rule = next(r for r in playbook.rules if r.id == "abrupt-not-buying")
    values = {"last_purchase": AS_OF - timedelta(days=purchases[0]), "purchases_12m": purchases[1]}
    if declared is not None:
        values["stage_declared_on"] = AS_OF - timedelta(days=declared)
    assert outcome(rule, values, frozenset(values), AS_OF, playbook).name == expected
