"""Near the line (checker/near.py): a numeric expectation missed by at most the playbook's margin
is reported one severity lower, saying so; best fit, fit scores and verdicts do not change."""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from checker.check import Inputs, read_signals
from checker.evaluate import Evaluator, Finding
from checker.inputs.accounts import table_from_values
from checker.playbook import near
from checker.playbook.model import Playbook

AS_OF = date(2026, 6, 30)
SAMPLE = Path(__file__).resolve().parents[1] / "docs" / "samples" / "accounts.csv"


def findings(playbook: Playbook, declared: str, lang: str = "en", **values: object) -> dict[str, Finding]:
    table = table_from_values(playbook, [{"account_id": "A", "declared": declared, **values}], frozenset(values))
    return {f.rule: f for f in Evaluator(playbook, AS_OF, lang, "http://h").evaluate(table).findings[0]}


def without_margin(playbook: Playbook) -> Playbook:
    return dataclasses.replace(playbook, manifest={k: v for k, v in playbook.manifest.items() if k != "near_line"})


def test_the_bundled_playbook_sets_a_tenth(playbook: Playbook) -> None:
    assert near.margin(playbook) == 0.1  # the README's "Near the line" explains the figure; change both together


@pytest.mark.parametrize(("share", "is_near"), [
    (0.135, True),   # right at the edge: |0.135 − 0.15| = 0.1 × 0.15
    (0.1351, True),  # just inside
    (0.1349, False),  # just outside
    (0.15, True),    # on the line, failing "more than 15 %"
    (0.0, False),
])
def test_a_share_at_inside_and_outside_the_margin(playbook: Playbook, share: float, is_near: bool) -> None:
    rule = playbook.rules_by_id["basic-real-supplier"]
    assert (rule.op, rule.value, rule.severity) == (">", 0.15, "warning")
    finding = findings(playbook, "basic", share_of_wallet=share)["basic-real-supplier"]
    assert finding.severity == ("info" if is_near else "warning")
    assert finding.message.endswith(near.note(playbook, "en")) is is_near
    assert (finding.evidence.get("near_line") is True) is is_near
    assert "Near the line: within 10 %" in near.note(playbook, "en") and "Lähellä rajaa" in near.note(playbook, "fi")


@pytest.mark.parametrize(("days", "is_near"), [(121, True), (131, True), (132, True), (133, False), (400, False)])
def test_a_date_is_near_by_its_days(playbook: Playbook, days: int, is_near: bool) -> None:
    """warning-signs-silence: the last interaction at most 120 days ago; 132 days is 10 % over."""
    got = findings(playbook, "cooperation", last_interaction=AS_OF - timedelta(days=days))["warning-signs-silence"]
    assert (got.severity, "near_line" in got.evidence) == (("info", True) if is_near else ("warning", False))


def test_a_relative_line_is_near_by_its_own_threshold(playbook: Playbook) -> None:
    """warning-signs-contact-fading: this quarter's interactions at least 0.6 × the last quarter's."""
    assert "near_line" not in findings(playbook, "basic", interactions_90d=5, interactions_prev_90d=10)["warning-signs-contact-fading"].evidence  # 1 below 6: outside 0.6
    close = findings(playbook, "basic", interactions_90d=11, interactions_prev_90d=20)["warning-signs-contact-fading"]  # 1 below 12: inside 1.2
    assert close.severity == "info" and close.evidence["near_line"] is True


def test_a_count_far_below_a_small_line_is_never_near(playbook: Playbook) -> None:
    """A relative margin of a small count is less than one: 1 contact against "at least 2" is 50 % off."""
    got = findings(playbook, "cooperation", customer_contacts_12m=2)
    assert all("near_line" not in f.evidence for f in got.values() if f.evidence)


def test_a_zero_line_a_yes_no_and_a_category_are_never_near(playbook: Playbook) -> None:
    got = findings(playbook, "paused", next_review=AS_OF - timedelta(days=1))  # "not overdue": at most 0 days past
    assert got["paused-review-not-overdue"].severity == "warning" and "near_line" not in got["paused-review-not-overdue"].evidence
    got = findings(playbook, "interdependence", confidential_exchange=False)
    assert got["interdependence-confidential"].severity == "warning" and "near_line" not in got["interdependence-confidential"].evidence
    assert not [r.id for r in playbook.rules if near.can_be_near(r, playbook) and (r.op in ("recorded", "==", "!=") or playbook.signals[r.signal].type in ("boolean", "category"))]


def test_without_a_margin_nothing_is_near(playbook: Playbook) -> None:
    plain = without_margin(playbook)
    assert near.margin(plain) is None and near.page_model(plain, "en") is None
    assert findings(plain, "basic", share_of_wallet=0.15)["basic-real-supplier"].severity == "warning"


def test_near_the_line_changes_severity_and_words_only(playbook: Playbook) -> None:
    """On the bundled sample: the same best fits, scores and verdicts with and without the margin;
    the same findings, near ones one severity lower with the words added; counts follow."""
    table, _ = read_signals(Inputs(SAMPLE), playbook, date(2026, 10, 31), "fi")
    with_it = Evaluator(playbook, date(2026, 10, 31), "fi", "http://h").evaluate(table)
    plain = Evaluator(without_margin(playbook), date(2026, 10, 31), "fi", "http://h").evaluate(table)
    assert with_it.best_fit == plain.best_fit and (with_it.fit == plain.fit).all() and (with_it.evidence == plain.evidence).all()
    words, lowered = near.note(playbook, "fi"), 0
    for mine, theirs in zip(with_it.findings, plain.findings, strict=True):
        assert [f.rule for f in mine] == [f.rule for f in theirs]
        for f, g in zip(mine, theirs, strict=True):
            if (f.evidence or {}).get("near_line"):
                lowered += 1
                assert f.severity == near.lower(g.severity) and f.message == f"{g.message} {words}"
                assert {k: v for k, v in f.evidence.items() if k != "near_line"} == g.evidence
            else:
                assert f == g
    assert lowered >= 5  # the figures in the README: 5 misses of the sample's mismatched accounts (and none of the others)
    assert with_it.counts == Counter((f.kind, f.severity) for fs in with_it.findings for f in fs)
