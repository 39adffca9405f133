"""Evaluate the playbook's expectations on account records.

The evaluator only fills result objects; it never prints. Reporters (report.py) turn
results into output. A rule whose signal is unknown for an account is *not evaluated*,
and counted as such: missing is never zero.
"""
from __future__ import annotations

import enum
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from checker.accounts import AccountRecord, DataNote
from checker.model import Playbook, Rule
from checker.values import days_since

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq, "!=": operator.ne}
_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "not evaluated"  # a signal the rule needs is unknown
    SKIPPED = "not applicable"  # a `when` precondition does not hold


@dataclass(frozen=True)
class Finding:
    """One thing an account manager should look at, with everything needed to act on it."""

    account_id: str
    rule: str
    kind: str
    severity: str
    message: str
    evidence: dict | None
    action: str
    source: str
    handbook_url: str

    def __str__(self) -> str:
        return f"{self.account_id}: [{self.severity}] {self.message} ({self.rule})"


@dataclass
class AccountResult:
    record: AccountRecord
    best_fit_stage: str | None
    fit_scores: dict[str, tuple[int, int]]  # stage id -> (satisfied, evaluated)
    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)  # rule ids


def _observed(rule_signal: str, values: Mapping[str, object], as_of: date, playbook: Playbook) -> object:
    value = values.get(rule_signal)
    if value is not None and playbook.signals[rule_signal].type == "date":
        return days_since(value, as_of)
    return value


def outcome(rule: Rule, values: Mapping[str, object], columns: frozenset[str], as_of: date, playbook: Playbook) -> Outcome:
    """Evaluate one rule for one account's signal values."""
    for cond in rule.when:
        observed = _observed(cond.signal, values, as_of, playbook)
        if observed is None:
            return Outcome.UNKNOWN
        if not _OPS[cond.op](observed, cond.value):
            return Outcome.SKIPPED
    if rule.op == "recorded":
        if rule.signal not in columns:
            return Outcome.UNKNOWN  # the export has no such column: nothing to judge
        return Outcome.PASS if values.get(rule.signal) is not None else Outcome.FAIL
    observed = _observed(rule.signal, values, as_of, playbook)
    if observed is None:
        return Outcome.UNKNOWN
    threshold = rule.value
    if rule.relative_to:
        base = values.get(rule.relative_to)
        if base is None:
            return Outcome.UNKNOWN
        threshold = rule.value * base
    return Outcome.PASS if _OPS[rule.op](observed, threshold) else Outcome.FAIL


def best_fit(playbook: Playbook, values: Mapping[str, object], columns: frozenset[str], as_of: date, declared: str | None) -> tuple[str | None, dict[str, tuple[int, int]]]:
    """The stage whose own expectations the account satisfies best.

    Score = satisfied / evaluated over the stage's expectations, counting only those whose
    signals are known. A stage needs `best_fit.min_evaluated` evaluated expectations to be
    scored; with none scored the fit is unknown. Ties go to the stage nearest the declared
    one, then to the earlier stage.
    """
    minimum = playbook.manifest["best_fit"]["min_evaluated"]
    scores: dict[str, tuple[int, int]] = {}
    for stage in playbook.stages:
        results = [outcome(r, values, columns, as_of, playbook) for r in playbook.stage_rules(stage.id)]
        passed = results.count(Outcome.PASS)
        evaluated = passed + results.count(Outcome.FAIL)
        scores[stage.id] = (passed, evaluated)
    scored = {s: p / e for s, (p, e) in scores.items() if e >= minimum}
    if not scored:
        return None, scores
    anchor = playbook.phases[declared].order if declared in playbook.phases and playbook.phases[declared].kind == "stage" else 0
    best = max(scored, key=lambda s: (scored[s], -abs(playbook.phases[s].order - anchor), -playbook.phases[s].order))
    return best, scores


class Evaluator:
    """Runs the playbook's rules on account records for one `as_of` date and language."""

    def __init__(self, playbook: Playbook, as_of: date, lang: str, handbook_url: str):
        self.playbook = playbook
        self.as_of = as_of
        self.lang = lang
        self.base = handbook_url.rstrip("/")

    def url(self, page: str, anchor: str) -> str:
        return f"{self.base}/{self.lang}/{page}#{anchor}"

    def evaluate(self, record: AccountRecord, columns: Iterable[str]) -> AccountResult:
        columns = frozenset(columns)
        values = record.values
        fit, scores = best_fit(self.playbook, values, columns, self.as_of, record.declared)
        result = AccountResult(record, fit, scores)
        result.findings.extend(self._data_finding(record, note) for note in record.notes)
        if record.declared:
            for rule in self.playbook.rules_for(record.declared):
                state = outcome(rule, values, columns, self.as_of, self.playbook)
                if state is Outcome.UNKNOWN:
                    result.not_evaluated.append(rule.id)
                elif state is Outcome.FAIL:
                    result.findings.append(self._finding(record, rule))
        return result

    # --- phrasing -------------------------------------------------------------------------------

    def text(self, key: str, **values: object) -> str:
        return self.playbook.text(key, self.lang, **values)

    def _unit(self, signal: str) -> str:
        unit = self.playbook.signals[signal].unit
        return f" {unit[self.lang]}" if unit else ""

    def show(self, signal: str, value: object) -> str:
        """A value as a person reads it."""
        kind = self.playbook.signals[signal].type
        if value is None:
            return self.text("check.unknown")
        if kind == "boolean":
            return self.text("check.yes" if value else "check.no")
        if kind == "share":
            return f"{value * 100:.0f} %"
        if kind == "date":
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"{value}{self._unit(signal)}"

    def expected(self, rule: Rule) -> str:
        """The expectation's test in words: `≥ 3 people`, `on or after 2025-11-23`, `recorded`."""
        kind = self.playbook.signals[rule.signal].type
        if rule.op == "recorded":
            return self.text("check.expected_recorded")
        if kind == "date":
            day = (self.as_of - timedelta(days=rule.value)).isoformat()
            key = {"<=": "check.date_on_or_after", "<": "check.date_after", ">=": "check.date_on_or_before", ">": "check.date_before"}.get(rule.op)
            return self.text(key, date=day) if key else f"{_SYMBOLS[rule.op]} {day}"
        if rule.relative_to:
            base = self.playbook.signals[rule.relative_to].name[self.lang]
            return f"{_SYMBOLS[rule.op]} {rule.value:g} × {base}"
        return f"{_SYMBOLS[rule.op]} {self.show(rule.signal, rule.value)}"

    def _citation(self, refs: list[dict]) -> str:
        parts = []
        for ref in refs:
            cite = self.playbook.sources[ref["source"]]["citation"]
            parts.append(f"{cite}, {ref['pages']}" if ref.get("pages") else cite)
        return "; ".join(parts)

    def _finding(self, record: AccountRecord, rule: Rule) -> Finding:
        raw = record.values.get(rule.signal)
        observed = self.text("check.not_recorded") if rule.op == "recorded" else self.show(rule.signal, raw)
        if rule.relative_to:
            observed += f" ({self.playbook.signals[rule.relative_to].name[self.lang]}: {self.show(rule.relative_to, record.values.get(rule.relative_to))})"
        key = f"check.finding_{rule.direction}" if rule.direction else "check.finding"
        message = self.text(key, title=rule.title[self.lang], observed=observed, expected=self.expected(rule))
        evidence = {
            "signal": rule.signal,
            "observed": raw.isoformat() if hasattr(raw, "isoformat") else raw,
            "op": rule.op,
            "threshold": rule.value,
            "relative_to": rule.relative_to,
            "expected": self.expected(rule),
        }
        return Finding(record.account_id, rule.id, rule.kind, rule.severity, message, evidence,
                       rule.action[self.lang], self._citation(rule.sources), self.url(rule.page, rule.id))

    def _data_finding(self, record: AccountRecord, note: DataNote) -> Finding:
        values = dict(note.values)
        if "reason" in values:
            values["reason"] = self.text(values["reason"], **{k: v for k, v in values.items() if k == "values"})
        message = self.text(note.code, column=note.column or "", row=record.row, **values)
        evidence = {"signal": note.column, "observed": note.values.get("value"), "op": None, "threshold": None, "relative_to": None, "expected": None}
        return Finding(record.account_id, note.code.replace(".", "-").replace("_", "-"), "data", "warning", message, evidence,
                       self.text("check.data_action"), "", self.url("checker/", "data-findings"))
