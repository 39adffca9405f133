"""Near the line: a numeric expectation missed by a small margin is reported one severity lower.

What a numeric expectation compares (`compared`: the observed value and the threshold, per
account) lives here too, so that the test (evaluate.rule_codes) and the distance from its line
are measured on the same numbers.

An account that fails an expectation is *near the line* when

    threshold ≠ 0  and  |observed − threshold| ≤ (margin + ROUNDING) × |threshold|

with `margin` the playbook's `near_line.margin` (playbooks/playbook.yaml) and `threshold` the one
the account was tested against: the rule's value, or `value × base` for a relative expectation;
for a date, days since it. A threshold of 0 is never near (no relative band around nothing), nor
is "none since the stage was declared" (infinitely far). Only counts, shares, amounts, days and
dates tested by order (≥ ≤ > <) can be near: a yes/no, a category or a missing record never.
ROUNDING only keeps a value written exactly on the band's edge (0.135 against 15 % with 10 %)
inside it despite binary fractions; it is in the review page's model too, so both agree.

Near the line changes a finding's severity (error → warning → info; info stays) and its words,
nothing else: the expectation still fails for the best fit and the verdict.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from checker.inputs.columns import Columns, encode
from checker.playbook.model import DECLARED_ON, Playbook, Rule
from checker.playbook.near import ROUNDING, can_be_near, margin


def observed(signal: str, cols: Columns, as_of: date, playbook: Playbook) -> np.ndarray:
    """A signal's values as the rules compare them: a date as days since it."""
    values = cols.get(signal)
    if playbook.signals[signal].type == "date":
        return as_of.toordinal() - values  # days since the date
    return values


def compared(rule: Rule, cols: Columns, as_of: date, playbook: Playbook) -> tuple[np.ndarray, np.ndarray | float, np.ndarray]:
    """For a rule that compares a value (not `recorded`): per account the observed value, the
    threshold it is tested against, and whether either is unknown."""
    values = observed(rule.signal, cols, as_of, playbook)
    if rule.data.get("since_declared"):  # a date on or before the declaration (where known) is none since
        with np.errstate(invalid="ignore"):
            values = np.where(cols.get(rule.signal) <= cols.get(DECLARED_ON), np.inf, values)
    threshold: np.ndarray | float = encode(rule.value, playbook.signals[rule.signal])
    unknown = np.isnan(values)
    if rule.relative_to:
        base = cols.get(rule.relative_to)
        threshold = rule.value * base
        unknown = unknown | np.isnan(base)
    return values, threshold, unknown


def near(rule: Rule, cols: Columns, as_of: date, playbook: Playbook) -> np.ndarray | None:
    """Per account, whether its value is within the margin of `rule`'s line (on either side: the
    caller asks only of the accounts that fail); None when the rule can never be near."""
    band = margin(playbook)
    if band is None or not can_be_near(rule, playbook):
        return None
    values, threshold, _ = compared(rule, cols, as_of, playbook)
    with np.errstate(invalid="ignore"):
        return (threshold != 0) & (np.abs(values - threshold) <= (band + ROUNDING) * np.abs(threshold))
