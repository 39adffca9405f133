"""The course's modules in order, numbered once: the course outline, the facilitator notes, the
handouts and their PDFs all take the numbers from `modules` (the opening module, one module per
stage and ending, the closing module), so they cannot disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Minutes a course module gives each part; the outline page states the rule (training.timing).
MINUTES = {"intro": 15, "discussion": 10, "case": 30, "quiz": 3}


def module_minutes(training: dict) -> int:
    return MINUTES["intro"] + MINUTES["case"] + MINUTES["discussion"] * len(training["discussion"]) + MINUTES["quiz"] * len(training["quiz"])


@dataclass(frozen=True)
class Module:
    """One module of the course: its number (the same everywhere), id, data and length."""

    number: int
    id: str  # "opening", "closing", or a stage's or an ending's id
    phase: Any  # the stage or ending (model.Phase); None for the opening and closing modules
    data: dict  # course.yaml's module, or the phase's `training:` block
    minutes: int


def modules(playbook: Any) -> list[Module]:
    """The course in order: the opening module, one module per stage and ending, the closing module."""
    found: list[tuple[str, Any, dict, int]] = []
    if "opening" in playbook.course:
        found.append(("opening", None, playbook.course["opening"], playbook.course["opening"]["minutes"]))
    found += [(p.id, p, p.data["training"], module_minutes(p.data["training"])) for p in [*playbook.stages, *playbook.endings]]
    if "closing" in playbook.course:
        found.append(("closing", None, playbook.course["closing"], playbook.course["closing"]["minutes"]))
    return [Module(number, *module) for number, module in enumerate(found, 1)]
