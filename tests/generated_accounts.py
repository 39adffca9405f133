"""Accounts generated from the playbook for the differential tests: seeded random answer sets
(values on and beside every line of the playbook, and at the edges of the near-the-line bands)
and each stage's and ending's training case.

One generator for every test that runs two evaluators side by side: the review page against
the checker (tests/handbook/test_review_browser.py), the rules as SQL against the checker
(tests/engines/test_rules_sql.py).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from checker.playbook.model import Playbook

AS_OF = date(2026, 6, 30)  # the review date the generated dates count back from
#: Changes to a copy of the playbook that move stage lines, the best-fit rule and the verdict ladder:
#: an evaluator with no number of its own follows them (file → [(old text, new text)]).
MOVED_LINES = {
    "stages/cooperation.yaml": [("value: 0.3\n", "value: 0.35\n")],
    "stages/integrated.yaml": [("value: 10\n", "value: 8\n")],
    "stages/interdependence.yaml": [("value: 6\n", "value: 5\n")],
    "playbook.yaml": [("min_evaluated: 3", "min_evaluated: 2"),
                      ("{distance: 1, margin: 0.5, severity: warning}", "{distance: 1, margin: 0.25, severity: warning}")],
}


def move_lines(folder: Path, more: dict[str, list[tuple[str, str]]] | None = None) -> None:
    """Apply MOVED_LINES (and `more`) to the playbook copy in `folder`; each text must be there."""
    for name, changes in {**MOVED_LINES, **{k: MOVED_LINES.get(k, []) + v for k, v in (more or {}).items()}}.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")


def _lines(playbook: Playbook, signal: str) -> list[float]:
    return sorted({r.value for r in playbook.rules if r.signal == signal and not r.relative_to and r.op != "recorded"}
                  | {c.value for r in playbook.rules for c in r.when if c.signal == signal})


def _edges(playbook: Playbook, lines: list[float], digits: int) -> list[float]:
    """Values at the near-the-line band's edges of each line (playbook `near_line.margin`), just
    inside and just outside them, on either side (rounded to `digits`, as an answer is written)."""
    margin = playbook.manifest.get("near_line", {}).get("margin")
    if margin is None:
        return []
    step = 10.0 ** -digits
    return [round(v + side * (margin * v + d), digits) for v in lines if v for side in (-1, 1) for d in (-step, 0, step)
            if v + side * (margin * v + d) >= 0]


def _value(rng: random.Random, playbook: Playbook, signal: str) -> object:
    """A random value of `signal`, often on or next to one of the playbook's lines or the edges of their near-the-line bands."""
    spec = playbook.signals[signal]
    lines = [v for v in _lines(playbook, signal) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if spec.type == "boolean":
        return rng.random() < 0.5
    if spec.type == "category":
        return rng.choice(spec.data["values"])
    if spec.type == "date":
        days = rng.choice([*lines, *(v + 1 for v in lines), *_edges(playbook, lines, 0), rng.randint(0, 800)]) if lines else rng.randint(0, 800)
        return AS_OF - timedelta(days=int(days))
    if spec.type == "share":
        options = [o["value"] for o in spec.data.get("ask", {}).get("options", [])]
        return rng.choice([*options, *lines, *_edges(playbook, lines, 3), round(rng.random(), 2), round(rng.random(), 3)])
    if spec.type == "count":
        return rng.choice([*(int(v) + d for v in lines for d in (-1, 0, 1) if v + d >= 0), *(int(e) for e in _edges(playbook, lines, 0)), rng.randint(0, 15)])
    return round(rng.uniform(0, 200_000), rng.choice([0, 2]))  # an amount


def answer_sets(playbook: Playbook, n: int, seed: int, signals: list[str], unknown: float = 0.25) -> list[dict]:
    """`n` accounts with random values of `signals` (some unknown) and a random declared stage, ending or none."""
    rng = random.Random(seed)
    declared = [None, *(p for p in playbook.phases)]
    return [{"account_id": f"R{i}", "declared": rng.choice(declared),
             **{s: None if rng.random() < unknown else _value(rng, playbook, s) for s in signals}} for i in range(n)]


def training_cases(playbook: Playbook) -> list[dict]:
    """Every stage's and ending's case exercise: its facts (dates as days back from the review date), declared in it."""
    cases = []
    for phase in playbook.phases.values():
        facts = phase.data["training"]["case"]["facts"]
        values = {s: AS_OF - timedelta(days=v) if playbook.signals[s].type == "date" else v for s, v in facts.items()}
        cases.append({"account_id": phase.id, "declared": phase.id, **values})
    return cases
