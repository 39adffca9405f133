"""A company's own thresholds laid over the playbook's (`--thresholds FILE`, PLAYBOOK_THRESHOLDS).

The file (`schema/thresholds.schema.json`, usually written by `playbook calibrate --overlay`)
holds only numbers: rule id → the company's value. It is read by the playbooks' strict
loader, validated by its schema, then checked against the playbook it is laid over: every
rule exists and tests a number, each value fits its signal, the file was fitted for this
playbook version, and no line makes two neighbouring stages overlap (one value meeting the
lower stage's "at most" and the upper stage's "at least" on the same signal). Any problem
refuses the whole file, each named by line. `apply_thresholds` returns a playbook whose rules carry the
company's values and which remembers the overlay, so that every report can say it is in use.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from checker.playbook.messages import Problem, suggestion
from checker.playbook.model import Playbook, Rule
from checker.playbook.problems import Problem as FileProblem
from checker.playbook.problems import display_path
from checker.playbook.validate import schema_problems
from checker.playbook.yamlload import load_yaml


class ThresholdsInvalid(Problem):
    """The thresholds file cannot be used; the message lists every problem, by line."""


@dataclass(frozen=True)
class Thresholds:
    """An accepted overlay: which file, its digest, and each changed rule's line (company, playbook)."""

    file: str
    digest: str  # sha256 of the file's bytes, first 16 hex digits: which version of the file was used
    values: dict[str, float]
    playbook_values: dict[str, float]

    def as_json(self) -> dict:
        return {"file": self.file, "sha256": self.digest,
                "rules": {rule: {"company": value, "playbook": self.playbook_values[rule]} for rule, value in self.values.items()}}


def _at(name: str, line: int, path: str, message: Problem) -> Problem:
    return Problem("thresholds.at", where=f"{name}:{line}: {path}" if path else f"{name}:{line}", message=message)


def _file_problem(problem: FileProblem) -> Problem:
    return _at(problem.file, problem.line, problem.path, problem.words or Problem("thresholds.text", text=problem.message))


def read_thresholds(path: Path, playbook: Playbook) -> Thresholds:
    """Read, validate and check a thresholds file against `playbook`; raise ThresholdsInvalid naming every problem."""
    if not path.is_file():
        raise ThresholdsInvalid("error.no_file", path=f"--thresholds {path}")
    name = display_path(path)
    loaded, problems = load_yaml(path)
    if loaded is not None and not problems:
        problems = schema_problems(loaded, "thresholds.schema.json")
    if loaded is None or problems:
        raise ThresholdsInvalid("thresholds.invalid", problems=[_file_problem(p) for p in problems])
    data = loaded.data
    version = playbook.manifest["version"]
    if data["playbook_version"] != version:
        raise ThresholdsInvalid("thresholds.version", path=name, line=loaded.line(("playbook_version",)), theirs=data["playbook_version"], ours=version)
    bad: list[Problem] = []
    values: dict[str, float] = {}
    for rule_id, value in data["thresholds"].items():
        where = ("thresholds", rule_id)
        message = _value_problem(playbook, rule_id, value)
        if message is not None:
            bad.append(_at(name, loaded.line(where), f"$.thresholds.{rule_id}", message))
            continue
        values[rule_id] = int(value) if float(value).is_integer() and playbook.signals[playbook.rules_by_id[rule_id].signal].type != "share" else value
    if not bad:
        laid = _laid(playbook, values, Thresholds(name, "", values, {}))
        for low, high, value in overlaps(laid):
            if low.id in values or high.id in values:
                rule_id = high.id if high.id in values else low.id
                bad.append(_at(name, loaded.line(("thresholds", rule_id)), f"$.thresholds.{rule_id}", Problem(
                    "thresholds.overlap", low=low.id, low_test=_test(low), high=high.id, high_test=_test(high), signal=low.signal, value=f"{value:g}",
                    lower=low.owner, upper=high.owner)))
    if bad:
        raise ThresholdsInvalid("thresholds.invalid", problems=bad)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return Thresholds(name, digest, values, {rule: playbook.rules_by_id[rule].value for rule in values})


def _value_problem(playbook: Playbook, rule_id: str, value: float) -> Problem | None:
    """What is wrong with giving `rule_id` the line `value`, or None."""
    rule = playbook.rules_by_id.get(rule_id)
    if rule is None:
        return Problem("thresholds.unknown_rule", rule=rule_id, hint=suggestion(rule_id, playbook.rules_by_id))
    if not rule.calibrated:
        return Problem("thresholds.not_a_number", rule=rule_id, test=_test(rule))
    kind = playbook.signals[rule.signal].type
    if kind == "share" and not rule.relative_to and not 0 <= value <= 1:
        return Problem("validate.share_value", signal=rule.signal, share=f"{value / 100:g}", percent=f"{value:g}")
    if value < 0:
        return Problem("thresholds.negative", rule=rule_id, signal=rule.signal)
    if kind in ("count", "date") and not rule.relative_to and not float(value).is_integer():
        return Problem("thresholds.whole", rule=rule_id, signal=rule.signal, kind=kind)
    return None


def _test(rule: Rule) -> str:
    """The rule's test as its YAML writes it: `share_of_wallet >= 0.3`, `open_books == false`."""
    value = str(rule.value).lower() if isinstance(rule.value, bool) else f"{rule.value:g}" if isinstance(rule.value, int | float) else rule.value
    return f"{rule.signal} {rule.op} {value}" + (f" × {rule.relative_to}" if rule.relative_to else "")


def _laid(playbook: Playbook, values: dict[str, float], overlay: Thresholds) -> Playbook:
    rules = [replace(rule, value=values[rule.id]) if rule.id in values else rule for rule in playbook.rules]
    return replace(playbook, rules=rules, thresholds=overlay)


def apply_thresholds(playbook: Playbook, overlay: Thresholds | None) -> Playbook:
    """The playbook with the company's lines (itself when there is no overlay)."""
    return _laid(playbook, overlay.values, overlay) if overlay else playbook


def caps(rule: Rule) -> bool:
    """An "at most" line: passes below it."""
    return rule.op in ("<=", "<")


def floors(rule: Rule) -> bool:
    """An "at least" line: passes above it."""
    return rule.op in (">=", ">")


def overlaps(playbook: Playbook) -> list[tuple[Rule, Rule, float]]:
    """Pairs of lines on one signal where a value meets both the lower stage's cap and the next
    stage's floor, with the highest such value: the stages would overlap there."""
    found = []
    for lower, upper in pairwise(playbook.stages):
        for low in playbook.stage_rules(lower.id):
            for high in playbook.stage_rules(upper.id):
                if low.signal != high.signal or not (low.calibrated and high.calibrated) or low.relative_to or high.relative_to:
                    continue
                if not (caps(low) and floors(high)) or playbook.signals[low.signal].type == "date":
                    continue
                whole = playbook.signals[low.signal].type == "count"
                top = _highest_passing(low, whole)
                bottom = _lowest_passing(high, whole)
                if bottom < top or (bottom == top and (whole or (low.op == "<=" and high.op == ">="))):
                    found.append((low, high, bottom if whole or bottom == top else round((bottom + top) / 2, 6)))  # a value meeting both
    return found


def _highest_passing(rule: Rule, whole: bool) -> float:
    value = float(rule.value)  # type: ignore[arg-type]
    if not whole:
        return value
    return math.floor(value) if rule.op == "<=" else math.ceil(value) - 1


def _lowest_passing(rule: Rule, whole: bool) -> float:
    value = float(rule.value)  # type: ignore[arg-type]
    if not whole:
        return value
    return math.ceil(value) if rule.op == ">=" else math.floor(value) + 1
