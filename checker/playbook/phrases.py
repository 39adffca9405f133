"""A rule's values and test in words, said the same wherever a rule is read: the check's
findings (`checker/evaluate.py`) and the handbook's account review page, which evaluates
the rules in the reader's browser (`checker/handbook/review.py`)."""
from __future__ import annotations

from datetime import date

from checker.playbook.messages import count_test, quantity
from checker.playbook.model import OP_SYMBOLS, Playbook, Rule

#: How a date test reads: the day the threshold falls on, counted back from the day of the check.
DATE_WORDS = {"<=": "check.date_on_or_after", "<": "check.date_after", ">=": "check.date_on_or_before", ">": "check.date_before"}


def show(playbook: Playbook, lang: str, signal: str, value: object) -> str:
    """A value as a person reads it: `yes`, `40 %`, `2026-10-31`, `3 people`."""
    spec = playbook.signals[signal]
    if value is None:
        return playbook.text("check.unknown", lang)
    if spec.type == "boolean":
        return playbook.text("check.yes" if value else "check.no", lang)
    if spec.type == "share":
        return f"{value * 100:.0f} %"  # type: ignore[operator]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return quantity(value, spec.unit, lang, playbook.messages, str(value))  # type: ignore[arg-type]


def expected(playbook: Playbook, lang: str, rule: Rule, day: str) -> str:
    """The rule's test in words: `≥ 3 people`, `on or after 2025-11-23`, `a recorded value`.
    `day` is the date a date test's threshold falls on (the review page passes `{date}`, a
    placeholder it fills in from the review's own date)."""
    if rule.op == "recorded":
        return playbook.text("check.expected_recorded", lang)
    kind, symbol = playbook.signals[rule.signal].type, OP_SYMBOLS[rule.op]
    if kind == "date":
        key = DATE_WORDS.get(rule.op)
        return playbook.text(key, lang, date=day) if key else f"{symbol} {day}"
    if rule.relative_to:
        return f"{symbol} {rule.value:g} × {playbook.signals[rule.relative_to].name[lang]}"
    if kind == "count":  # "none", "at least one order" rather than "≤ 0 orders", "≥ 1 orders"
        return count_test(rule.op, symbol, rule.value, playbook.signals[rule.signal].unit, lang, playbook.messages)  # type: ignore[arg-type]
    if kind == "boolean" and rule.op == "==":  # "yes", not "= yes"
        return show(playbook, lang, rule.signal, rule.value)
    return f"{symbol} {show(playbook, lang, rule.signal, rule.value)}"
