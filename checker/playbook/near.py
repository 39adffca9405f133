"""Near the line, as the playbook states it: which expectations can be near, the margin, the
lower severity and the words. The distance itself is measured on the accounts' columns by
checker/near.py (which says the rule precisely); the review page reads `page_model`.
"""
from __future__ import annotations

from checker.playbook.model import SEVERITIES, Playbook, Rule

#: Ops whose miss has a distance (an equality missed has none).
ORDERED = (">=", "<=", ">", "<")
#: Signal types whose values are numbers on a line (a date as days since it).
NUMERIC = ("count", "share", "amount", "days", "date")
#: Floating-point slack of the band's edge, relative to the threshold: keeps a value written
#: exactly on the edge inside it despite binary fractions. Not a threshold: no value is this close.
ROUNDING = 1e-9


def margin(playbook: Playbook) -> float | None:
    """The playbook's relative margin (`near_line.margin`); None when it sets none: nothing is near."""
    return playbook.manifest.get("near_line", {}).get("margin")


def can_be_near(rule: Rule, playbook: Playbook) -> bool:
    """Whether a miss of `rule` has a distance from its line: a number tested by order."""
    return rule.op in ORDERED and rule.calibrated and playbook.signals[rule.signal].type in NUMERIC


def lower(severity: str) -> str:
    """One severity lower: error → warning → info; info stays info."""
    return SEVERITIES[min(SEVERITIES.index(severity) + 1, len(SEVERITIES) - 1)]


def note(playbook: Playbook, lang: str) -> str:
    """The words a near finding adds to its message, the margin filled in."""
    return playbook.text("check.near_line", lang, margin=f"{margin(playbook) * 100:g} %")


def page_model(playbook: Playbook, lang: str) -> dict[str, object] | None:
    """What the review page (docs/overrides/assets/review-rules.js) needs to judge and say it as
    the checker does: the margin, the rounding, the words, each severity's lower one and which
    rules can be near. None: the playbook sets no margin, nothing is near."""
    if margin(playbook) is None:
        return None
    return {"margin": margin(playbook), "rounding": ROUNDING, "note": note(playbook, lang),
            "lower": {s: lower(s) for s in SEVERITIES}, "rules": [r.id for r in playbook.rules if can_be_near(r, playbook)]}
