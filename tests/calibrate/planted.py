"""Generated accounts whose "true" lines are planted: every stage's share lines 20 % lower than the playbook's.

Each stage's accounts take, for every signal a line of theirs or of a neighbour speaks of, a
value drawn evenly from the band the planted lines give the stage: its own expectations hold
and the neighbour's expectations that point at it (an "ahead" cap of the stage before, a
"behind" floor of the stage after) fail. Other signals keep the stage's textbook profile.
A few planted mismatches are declared two or more stages above the band they are drawn from.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from checker.inputs.accounts import AccountTable, table_from_values
from checker.playbook.model import Playbook
from checker.playbook.thresholds import Thresholds, apply_thresholds

SHARE_FACTOR = 0.8
GRID = {"share": 0.01, "count": 1}


def planted_values(playbook: Playbook) -> dict[str, float]:
    """Every stage expectation on a share, 20 % lower."""
    return {r.id: round(float(r.value) * SHARE_FACTOR, 4) for s in playbook.stages for r in playbook.stage_rules(s.id)
            if r.calibrated and not r.relative_to and playbook.signals[r.signal].type == "share"}


def planted_playbook(playbook: Playbook) -> Playbook:
    return apply_thresholds(playbook, Thresholds("planted", "", planted_values(playbook), {}))


def _bands(truth: Playbook) -> dict[tuple[str, str], tuple[float, float]]:
    """(stage, signal) → the inclusive range of values the planted lines give the stage."""
    ids = [s.id for s in truth.stages]
    bands: dict[tuple[str, str], list[float]] = {}
    for k, stage in enumerate(ids):
        pointing = [(r, True) for r in truth.stage_rules(stage)]
        if k > 0:
            pointing += [(r, False) for r in truth.stage_rules(ids[k - 1]) if r.direction == "ahead"]
        if k + 1 < len(ids):
            pointing += [(r, False) for r in truth.stage_rules(ids[k + 1]) if r.direction == "behind"]
        for rule, holds in pointing:
            kind = truth.signals[rule.signal].type
            if not rule.calibrated or rule.relative_to or kind not in GRID:
                continue
            step, value = GRID[kind], float(rule.value)
            top = 1.0 if kind == "share" else max(float(r.value) for r in truth.rules if r.signal == rule.signal and r.calibrated) * 2 + 2
            band = bands.setdefault((stage, rule.signal), [0.0, top])
            op = rule.op if holds else {">=": "<", ">": "<=", "<=": ">", "<": ">="}[rule.op]
            if op == ">=":
                band[0] = max(band[0], value)
            elif op == ">":
                band[0] = max(band[0], round(value + step, 4))
            elif op == "<=":
                band[1] = min(band[1], value)
            else:
                band[1] = min(band[1], round(value - step, 4))
    return {key: (lo, hi) for key, (lo, hi) in bands.items()}


def _draw(rng: random.Random, lo: float, hi: float, kind: str) -> float:
    step = GRID[kind]
    n = round((hi - lo) / step)
    value = lo + rng.randint(0, max(n, 0)) * step
    return round(value, 4) if kind == "share" else round(value)


def accounts(playbook: Playbook, as_of: date, per_stage: int = 120, mismatched: int = 12, seed: int = 24) -> tuple[AccountTable, list[str]]:
    """The generated set: `per_stage` textbook accounts of each stage, then `mismatched` planted
    mismatches; with the ids of the mismatches."""
    truth = planted_playbook(playbook)
    bands = _bands(truth)
    rng = random.Random(seed)
    ids = [s.id for s in playbook.stages]

    def values(stage: str) -> dict[str, object]:
        out: dict[str, object] = {}
        for signal, value in playbook.phases[stage].data["profile"].items():
            out[signal] = as_of - timedelta(days=value) if playbook.signals[signal].type == "date" else value
        for (owner, signal), (lo, hi) in bands.items():
            if owner == stage and lo <= hi:
                out[signal] = _draw(rng, lo, hi, playbook.signals[signal].type)
        if "development_prev_12m" in out:  # last year as this year: no fading to warn of, only lines
            out["development_prev_12m"] = out["development_12m"]
        return out

    rows = [{"account_id": f"T-{stage}-{i:03d}", "declared": stage, **values(stage)} for stage in ids for i in range(per_stage)]
    planted = []
    for i in range(mismatched):
        behaves = ids[i % 2]  # exploratory or basic behaviour…
        declared = ids[len(ids) - 1 - (i % 2)]  # …declared integrated or interdependence: three stages off
        planted.append(f"M-{i:03d}")
        rows.append({"account_id": planted[-1], "declared": declared, **values(behaves)})
    return table_from_values(playbook, rows), planted
