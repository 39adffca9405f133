"""Each numeric line of the playbook on a company's own accounts, and the line that would fit them better.

For an expectation of a stage, the accounts declared in that stage should meet it and those of
its neighbour should not: the stage below for a "behind" expectation (failing it makes an
account look like an earlier stage), the stage above for an "ahead" one. How well a line does
that is its balanced accuracy, the mean of the two rates (own accounts meeting it, neighbour's
accounts missing it; Youden's J is twice it minus one). The suggested line is the candidate,
on a grid of `calibration.steps`, with the highest balanced accuracy; ties go to the candidate
nearest the playbook's line, so both lines of a boundary (the lower stage's "at most" and the
upper stage's "at least" on one signal) land on the same value. Where the data cannot carry a
suggestion, the line says why instead (`Line.reason`): never a guess.

Accounts the verdict calls two or more stages off their declared stage are left out of the fit:
their label is probably wrong, and the fit follows the company's own labels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from checker.evaluate import FAIL, OPS, PASS, rule_codes
from checker.inputs.columns import Columns
from checker.playbook.messages import Problem
from checker.playbook.model import Playbook, Rule

#: Bars in a stage's histogram at most (the last one holds everything above it).
BINS = 12


@dataclass(frozen=True)
class Figures:
    """How one line does on the two groups: own accounts meeting it, neighbour's meeting it too."""

    value: float
    own_meet: int
    own: int
    neighbour_meet: int
    neighbour: int

    @property
    def balanced_accuracy(self) -> float:
        """Mean of the own accounts meeting the line and the neighbour's missing it (0.5 = no better than a coin)."""
        return 0.5 * (self.own_meet / self.own + (self.neighbour - self.neighbour_meet) / self.neighbour)


@dataclass
class Histogram:
    """Accounts per bar of one stage's values (bars share their edges across the stages of a line)."""

    edges: list[float]  # len(counts) + 1; the last bar holds everything from its left edge up
    counts: list[int]
    known: int
    total: int


@dataclass
class Line:
    """One numeric expectation on the company's accounts."""

    rule: Rule
    own: str | None  # the rule's stage, or None for a catalogue or ending rule (no boundary between stages)
    neighbour: str | None
    meets: dict[str, tuple[int, int]]  # per declared stage the rule applies to: (meet the line, known)
    histograms: dict[str, Histogram] = field(default_factory=dict)
    current: Figures | None = None
    suggested: Figures | None = None
    reason: Problem | None = None  # why there is no suggestion

    @property
    def stages(self) -> list[str]:
        return list(self.histograms)


@dataclass(frozen=True)
class Settings:
    min_accounts: int
    min_known_share: float
    min_gain: float
    steps: dict[str, float]

    @classmethod
    def of(cls, playbook: Playbook) -> Settings:
        spec = playbook.manifest["calibration"]
        return cls(spec["min_accounts"], spec["min_known_share"], spec["min_gain"], dict(spec["steps"]))


def observed(rule: Rule, cols: Columns, as_of: date, playbook: Playbook) -> np.ndarray:
    """The rule's signal as its line reads it: days since a date, else the value."""
    values = cols.get(rule.signal)
    return as_of.toordinal() - values if playbook.signals[rule.signal].type == "date" else values


def neighbour_of(rule: Rule, playbook: Playbook) -> str | None:
    """The stage a stage expectation separates its stage from: below for "behind", above for "ahead"."""
    if rule.kind != "stage-mismatch" or rule.direction not in ("behind", "ahead"):
        return None
    ids = [s.id for s in playbook.stages]
    at = ids.index(rule.owner) + (-1 if rule.direction == "behind" else 1)
    return ids[at] if 0 <= at < len(ids) else None


def fit_lines(playbook: Playbook, cols: Columns, as_of: date, declared: np.ndarray, fitted: np.ndarray, settings: Settings) -> list[Line]:
    """Every numeric line of the playbook on these accounts.

    `declared` is each account's declared stage id ("" for none or an ending); `fitted` marks
    the accounts taken into the fit (declared in a stage, not two or more stages off).
    """
    lines = []
    for rule in playbook.rules:
        if not rule.calibrated:
            continue
        codes = rule_codes(rule, cols, as_of, playbook)
        evaluated = (codes == PASS) | (codes == FAIL)
        meets = {}
        for stage in rule.applies_to:
            mine = (declared == stage) & fitted
            meets[stage] = (int(np.count_nonzero(mine & (codes == PASS))), int(np.count_nonzero(mine & evaluated)))
        own = rule.owner if rule.kind == "stage-mismatch" else None
        line = Line(rule, own, neighbour_of(rule, playbook), meets)
        values = observed(rule, cols, as_of, playbook)
        shown = [s.id for s in playbook.stages if s.id in rule.applies_to or s.id == line.neighbour] if own else list(rule.applies_to)
        line.histograms = _histograms(values, evaluated, declared, fitted, shown, rule, playbook, settings)
        _suggest(line, values, evaluated, declared, fitted, playbook, settings)
        lines.append(line)
    return lines


def _histograms(values: np.ndarray, evaluated: np.ndarray, declared: np.ndarray, fitted: np.ndarray, stages: list[str],
                rule: Rule, playbook: Playbook, settings: Settings) -> dict[str, Histogram]:
    kind = playbook.signals[rule.signal].type
    step = settings.steps[kind]
    usable = evaluated & fitted & np.isin(declared, stages)
    known = values[usable]
    if rule.relative_to or not len(known):
        top = float(rule.value) * 2 or 1.0  # type: ignore[arg-type]
    else:
        top = max(float(np.quantile(known, 0.95)), float(rule.value) + step)  # type: ignore[arg-type]
    if kind == "share" and not rule.relative_to:
        top = 1.0
    width = max(step, _round_up(top / BINS, step))
    edges = [round(i * width, 6) for i in range(max(1, math.ceil(top / width - 1e-9)) + 1)]
    out = {}
    for stage in stages:
        mine = (declared == stage) & fitted
        own = values[mine & evaluated]
        counts = np.histogram(np.clip(own, 0, edges[-1] - width / 2), bins=edges)[0] if len(own) else np.zeros(len(edges) - 1, dtype=int)
        out[stage] = Histogram(edges, [int(c) for c in counts], len(own), int(np.count_nonzero(mine)))
    return out


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def _suggest(line: Line, values: np.ndarray, evaluated: np.ndarray, declared: np.ndarray, fitted: np.ndarray,
             playbook: Playbook, settings: Settings) -> None:
    rule = line.rule
    if line.own is None:
        line.reason = Problem("calibrate.no_boundary")
        return
    if line.neighbour is None:
        line.reason = Problem("calibrate.no_neighbour", side=Problem(f"calibrate.side_{rule.direction}"))
        return
    if rule.relative_to:
        line.reason = Problem("calibrate.relative")
        return
    if not _separates(rule, line.neighbour, playbook):
        line.reason = Problem("calibrate.a_minimum", own=line.own, neighbour=line.neighbour)
        return
    groups = {}
    for stage in (line.own, line.neighbour):
        mine = (declared == stage) & fitted
        known = mine & evaluated
        n, total = int(np.count_nonzero(known)), int(np.count_nonzero(mine))
        if n < settings.min_accounts:
            line.reason = Problem("calibrate.too_few", stage=stage, n=n, least=settings.min_accounts)
            return
        if n < settings.min_known_share * total:
            line.reason = Problem("calibrate.rarely_known", stage=stage, n=n, total=total, share=f"{settings.min_known_share * 100:.0f}")
            return
        groups[stage] = values[known]
    own, other = groups[line.own], groups[line.neighbour]
    line.current = figures(rule, float(rule.value), own, other)  # type: ignore[arg-type]
    best = best_line(rule, own, other, settings.steps[playbook.signals[rule.signal].type], playbook.signals[rule.signal].type)
    if best.balanced_accuracy < line.current.balanced_accuracy + settings.min_gain or best.value == line.current.value:
        line.reason = Problem("calibrate.keep", ba=f"{line.current.balanced_accuracy:.2f}", best=f"{best.balanced_accuracy:.2f}")
        return
    line.suggested = best


def _separates(rule: Rule, neighbour: str, playbook: Playbook) -> bool:
    """Whether the playbook itself uses the line to tell the stage from its neighbour: the
    neighbour's textbook profile misses it. A line both profiles meet (at least two orders a
    year, in the basic and the cooperation stage alike) is a minimum, not a boundary: fitting
    it as one would move it to wherever the two stages happen to differ."""
    profile = playbook.phases[neighbour].data.get("profile", {})
    if rule.signal not in profile:
        return False
    value = float(profile[rule.signal])
    return not bool(OPS[rule.op](value, float(rule.value)))  # type: ignore[arg-type]


def figures(rule: Rule, value: float, own: np.ndarray, other: np.ndarray) -> Figures:
    op = OPS[rule.op]
    return Figures(value, int(np.count_nonzero(op(own, value))), len(own), int(np.count_nonzero(op(other, value))), len(other))


def best_line(rule: Rule, own: np.ndarray, other: np.ndarray, step: float, kind: str) -> Figures:
    """The candidate line with the highest balanced accuracy; ties to the one nearest the rule's own line.

    Candidates are split points s on the grid (a value belongs to the upper side when it is ≥ s),
    written in the rule's own operator: `>=` and `<` take s, `>` and `<=` take s − step. Every
    candidate is scored at once on the sorted values (a large export has many accounts, not many lines).
    """
    inclusive_low = rule.op in (">", "<=")
    current_split = float(rule.value) + (step if inclusive_low else 0.0)  # type: ignore[arg-type]
    top = float(max(own.max(), other.max())) + 2 * step
    if kind == "share":
        top = min(top, 1.0 + step)
    splits = np.round(np.arange(0.0, top + step / 2, step), 6)
    values = np.round(splits - step, 6) if inclusive_low else splits
    keep = values >= 0
    splits, values = splits[keep], values[keep]
    meet_own, meet_other = _meeting(rule.op, np.sort(own), values), _meeting(rule.op, np.sort(other), values)
    accuracy = 0.5 * (meet_own / len(own) + (len(other) - meet_other) / len(other))
    # Highest accuracy first (rounded, so that float noise does not break a tie), then nearest the playbook's split.
    best = int(np.lexsort((np.abs(splits - current_split), -np.round(accuracy, 9)))[0])
    return Figures(float(values[best]) if kind == "share" else _whole(values[best]), int(meet_own[best]), len(own), int(meet_other[best]), len(other))


def _meeting(op: str, ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many of the sorted values meet `value op line`, for every line in `values`."""
    if op == ">=":
        return len(ordered) - np.searchsorted(ordered, values, "left")
    if op == ">":
        return len(ordered) - np.searchsorted(ordered, values, "right")
    if op == "<=":
        return np.searchsorted(ordered, values, "right")
    return np.searchsorted(ordered, values, "left")


def _whole(value: float) -> float:
    return int(value) if float(value).is_integer() else float(value)
