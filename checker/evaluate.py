"""Evaluate the playbook's expectations on a table of accounts, a whole column at a time.

Each rule becomes one vectorised comparison over all accounts; the outcome per account
is PASS, FAIL, UNKNOWN (a signal it needs is unknown: *not evaluated*, never zero) or
SKIPPED (its `when` precondition does not hold). The evaluator only fills results; it
never prints. Reporters (report.py) turn results into output.
Its SQL twin, checker/engines/rules_sql.py, is held to the same meaning by tests/engines/test_rules_sql.py.
"""
from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from checker.found import Found, ListsOnRequest, NotEvaluated
from checker.inputs.accounts import AccountTable, DataNote
from checker.inputs.columns import Columns, decode, encode
from checker.near import compared, near
from checker.near import observed as _observed
from checker.playbook import phrases
from checker.playbook.messages import words
from checker.playbook.model import DECLARED_ON, Playbook, Rule
from checker.playbook.near import lower, note

PASS, FAIL, UNKNOWN, SKIPPED = 0, 1, 2, 3
#: A data finding's kind and severity (a cell the checker cannot read, a row with no stage…): the findings outputs' SQL uses them too.
DATA_KIND, DATA_SEVERITY = "data", "warning"
VERDICT_KIND = "stage-mismatch"  # the verdict's kind: the kind of its stage's expectations (checker/playbook/model.py)
OPS = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less, "==": np.equal, "!=": np.not_equal}


class Outcome(enum.IntEnum):
    PASS = PASS
    FAIL = FAIL
    UNKNOWN = UNKNOWN
    SKIPPED = SKIPPED


class Finding(NamedTuple):
    """One thing an account manager should look at, with everything needed to act on it.

    Immutable, and shared: every account that fails the same rule with the same observed
    values holds the same Finding (a check can raise hundreds of thousands of them, mostly
    alike). The account is the list it is in (`Evaluation.findings[index]`).
    """

    rule: str
    kind: str
    severity: str
    message: str
    evidence: dict | None
    action: str
    source: str
    handbook_url: str

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message} ({self.rule})"


class RuleTexts(NamedTuple):
    """What every finding of a rule says alike (`Evaluator.about`): the JSON report's `rules`, the rules table's rows."""

    title: str
    action: str | None  # None for the verdict: its advice names each account's stages
    source: str
    handbook_url: str


@dataclass
class Evaluation(ListsOnRequest):
    """Per account (by index into the table): best fit, fit scores, findings, rules not evaluated. The evaluator gives
    the last two as columns (`found`, `unknown`) and None: their lists are built when first asked for (checker/found.py)."""

    best_fit: list[str | None]
    fit: np.ndarray  # shape (accounts, stages, 2): satisfied, evaluated
    findings: list[list[Finding]]
    not_evaluated: list[list[str]]
    stage_ids: list[str] = field(default_factory=list)
    distinct: list[Finding] = field(default_factory=list)  # every Finding object, once (accounts share them)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, severity) -> findings
    evidence: np.ndarray | None = None  # shape (accounts, stages, 2): "at least" expectations satisfied, evaluated
    found: Found | None = None  # the findings as columns, whose lists are built on first use
    unknown: NotEvaluated | None = None  # the rules not evaluated as a matrix, likewise

    def fit_scores(self, index: int) -> dict[str, np.ndarray]:
        """{stage: [satisfied, evaluated]} for one account (numpy pairs: orjson writes them directly)."""
        return dict(zip(self.stage_ids, self.fit[index], strict=True))

    def evidence_scores(self, index: int) -> dict[str, np.ndarray]:
        """{stage: ["at least" expectations satisfied, evaluated]} for one account."""
        evidence = self.evidence if self.evidence is not None else np.zeros_like(self.fit)
        return dict(zip(self.stage_ids, evidence[index], strict=True))


def _threshold(value: object, signal: str, playbook: Playbook) -> float:
    return encode(value, playbook.signals[signal])


def rule_codes(rule: Rule, cols: Columns, as_of: date, playbook: Playbook) -> np.ndarray:
    """The outcome code of `rule` for every account in `cols`."""
    declared = cols.get(DECLARED_ON) if rule.data.get("since_declared") else None  # counts only what came after, where known
    if rule.op == "recorded":
        if rule.signal not in cols.present:
            codes = np.full(cols.size, UNKNOWN, dtype=np.int8)  # no such column: nothing to judge
        else:
            codes = np.where(np.isnan(cols.get(rule.signal)), FAIL, PASS).astype(np.int8)
    else:
        observed, threshold, unknown = compared(rule, cols, as_of, playbook)  # since_declared: none since the declaration is ∞
        with np.errstate(invalid="ignore"):
            passed = OPS[rule.op](observed, threshold)
        codes = np.where(unknown, UNKNOWN, np.where(passed, PASS, FAIL)).astype(np.int8)
    # Preconditions, the first one deciding last so that it takes precedence.
    tested = codes
    for cond in reversed(rule.when):
        observed = _observed(cond.signal, cols, as_of, playbook)
        with np.errstate(invalid="ignore"):
            holds = OPS[cond.op](observed, _threshold(cond.value, cond.signal, playbook))
        codes = np.where(np.isnan(observed), UNKNOWN, np.where(holds, codes, SKIPPED)).astype(np.int8)
    if declared is not None and rule.when:  # `when` is a grace for not knowing the date: not needed where it is known
        codes = np.where(np.isnan(declared), codes, tested).astype(np.int8)
    return codes


def shows_evidence(rule: Rule, playbook: Playbook) -> bool:
    """Whether `rule` is an "at least" test: one that passes only on something the account
    shows (a count or share reached, a yes, a recent date), never on zeros or absence.
    The playbook decides (`Playbook.shows_evidence`), so that the review page reads it the same."""
    return playbook.shows_evidence(rule)


class Fit(NamedTuple):
    """Per account: the best-fit stage (or None) and, per stage, [satisfied, evaluated] and the
    "at least" expectations satisfied (the evidence that makes a stage eligible)."""

    best: list[str | None]
    fit: np.ndarray  # (accounts, stages, 2)
    evidence: np.ndarray  # (accounts, stages, 2): "at least" expectations satisfied, evaluated
    best_index: np.ndarray  # (accounts,): index of the best stage, -1 when unknown


def fit_table(playbook: Playbook, cols: Columns, as_of: date, declared: list[str | None], codes: dict[str, np.ndarray] | None = None) -> Fit:
    """The stage whose own expectations each account satisfies best.

    Score = satisfied / evaluated over the stage's expectations, counting only those whose
    signals are known. A stage is eligible when `best_fit.min_evaluated` of its expectations
    could be evaluated and `best_fit.min_evidence` of its "at least" expectations pass:
    zeros meet "at most" tests, so those alone can never make a stage the best fit. With no
    stage eligible the fit is unknown (None: not enough evidence). Ties go to the stage
    nearest the declared one, then to the earlier stage.
    """
    stages = playbook.stages
    settings = playbook.manifest["best_fit"]
    fit, evidence = np.zeros((2, len(stages), 2, cols.size), dtype=np.int32)  # summed as contiguous rows; (accounts, stages, 2) below
    for k, stage in enumerate(stages):
        for rule in playbook.stage_rules(stage.id):
            c = codes[rule.id] if codes is not None else rule_codes(rule, cols, as_of, playbook)
            passed, tested = c == PASS, c <= FAIL
            fit[k, 0] += passed
            fit[k, 1] += tested
            if shows_evidence(rule, playbook):
                evidence[k, 0] += passed
                evidence[k, 1] += tested
    fit, evidence = np.ascontiguousarray(fit.transpose(2, 0, 1)), np.ascontiguousarray(evidence.transpose(2, 0, 1))
    satisfied, evaluated = fit[:, :, 0], fit[:, :, 1]
    orders = np.array([s.order for s in stages], dtype=np.float64)
    anchor_of = {d: playbook.phases[d].order if d in playbook.phases and playbook.phases[d].kind == "stage" else 0 for d in set(declared)}
    anchor = np.fromiter(map(anchor_of.__getitem__, declared), dtype=np.float64, count=len(declared))
    with np.errstate(invalid="ignore", divide="ignore"):
        score = satisfied / evaluated
    # Scores differ by at least 1/90 between distinct fractions; the tie-breaks stay far below that.
    key = score * 1e6 - np.abs(orders[None, :] - anchor[:, None]) * 10 - orders[None, :]
    eligible = (evaluated >= settings["min_evaluated"]) & (evidence[:, :, 0] >= settings["min_evidence"])
    key = np.where(eligible, key, -np.inf)
    best = np.argmax(key, axis=1) if cols.size else np.zeros(0, dtype=np.int64)
    scored = np.isfinite(key[np.arange(cols.size), best]) if cols.size else np.array([], dtype=bool)
    best_index = np.where(scored, best, -1)
    ids = [s.id for s in stages] + [None]  # index -1: not enough evidence
    return Fit(list(map(ids.__getitem__, best_index.tolist())), fit, evidence, best_index)


class Evaluator:
    """Runs the playbook's rules on account tables for one `as_of` date and language."""

    def __init__(self, playbook: Playbook, as_of: date, lang: str, handbook_url: str):
        self.playbook = playbook
        self.as_of = as_of
        self.lang = lang
        self.base = handbook_url.rstrip("/")

    def url(self, page: str, anchor: str) -> str:
        """The handbook link of a page's anchor. A base naming an `….html` file (the offline copy's
        index.html, `make handbook-offline`) links to the page files (stages/basic.html) beside it."""
        if self.base.endswith(".html"):
            root = self.base.rpartition("/")[0]
            return f"{root + '/' if root else ''}{self.lang}/{page.rstrip('/') + '.html' if page else 'index.html'}#{anchor}"
        return f"{self.base}/{self.lang}/{page}#{anchor}"

    def about(self, rule_id: str, kind: str) -> RuleTexts:
        """A rule's texts, the one source of its findings': an expectation, the verdict, a review's (`kind` its id) or a data finding."""
        playbook, verdict, lang = self.playbook, self.playbook.manifest["verdict"], self.lang
        rule, review = playbook.rules_by_id.get(rule_id), playbook.manifest["review"]["findings"].get(kind)
        if rule is not None:
            return RuleTexts(rule.title[lang], rule.action[lang], self.citation(rule.sources), self.url(rule.page, rule.id))
        if rule_id == verdict["id"]:
            return RuleTexts(verdict["title"][lang], None, self.citation(verdict["sources"]), self.url("rules/", rule_id))
        if review is not None:
            return RuleTexts(review["title"][lang], review["action"][lang], "", self.url("checker/", kind))
        return RuleTexts(self.text("check.data_title"), self.text("check.data_action"), "", self.url("checker/", "data-findings"))

    def evaluate(self, table: AccountTable) -> Evaluation:
        playbook, cols = self.playbook, table.columns
        codes = {rule.id: rule_codes(rule, cols, self.as_of, playbook) for rule in playbook.rules}
        fitted = fit_table(playbook, cols, self.as_of, table.declared, codes)
        code_of = {p: n for n, p in enumerate(playbook.phases)}  # stages first: a stage's code is its index
        codes_of = {d: code_of.get(d, -1) for d in set(table.declared)}  # each spelling looked up once
        declared_code = np.fromiter(map(codes_of.__getitem__, table.declared), dtype=np.int16, count=len(table))
        # The verdict heads its account: the per-rule findings after it are its evidence.
        # A stage declared within the grace period gets the verdict at most as info (an unknown date: never).
        recent = self.as_of.toordinal() - cols.get(DECLARED_ON) <= playbook.manifest["verdict"].get("declared_grace_days", -np.inf)
        verdict_at, shared, uses = self._verdicts(declared_code, fitted, codes, recent)
        # The findings as columns (checker/found.py): parts of (accounts, codes into `distinct`) in an account's order.
        parts = [(np.flatnonzero(verdict_at >= 0), verdict_at[verdict_at >= 0])]
        unknown = np.zeros((len(table), len(playbook.rules)), dtype=bool)
        distinct: list[Finding] = list(shared)
        counts: Counter[tuple[str, str]] = Counter()
        for verdict, n in zip(shared, uses, strict=True):
            counts[verdict.kind, verdict.severity] += n
        data = [(index, self._data_finding(table, index, note)) for index, notes in table.notes.items() for note in notes]
        parts.append((np.array([i for i, _ in data], dtype=np.int64), np.arange(len(distinct), len(distinct) + len(data))))
        distinct.extend(f for _, f in data)
        counts.update((f.kind, f.severity) for _, f in data)
        applies_of: dict[tuple[str, ...], np.ndarray] = {}
        for r, rule in enumerate(playbook.rules):
            applies = applies_of.get(rule.applies_to)
            if applies is None:  # rules of one stage share the same accounts: each set of phases is matched once
                applies = applies_of[rule.applies_to] = np.bincount([code_of[p] for p in rule.applies_to], minlength=len(code_of) + 1).astype(bool)[declared_code]  # -1: none
            c = codes[rule.id]
            failing = np.flatnonzero(applies & (c == FAIL))
            close = near(rule, cols, self.as_of, playbook) if len(failing) else None  # near the line: one severity lower (checker/near.py)
            is_near = close[failing] if close is not None else np.zeros(len(failing), dtype=bool)
            for group, lowered in ((failing[~is_near], False), (failing[is_near], True)):
                if not len(group):
                    continue
                counts[rule.kind, lower(rule.severity) if lowered else rule.severity] += len(group)
                # One Finding per distinct observed value (and base), shared by the accounts that show it.
                observed = cols.get(rule.signal)[group]
                base = cols.get(rule.relative_to)[group] if rule.relative_to else np.zeros(len(group))
                # Distinct (observed, base) pairs, sorted fast as complex numbers; NaN (a failing
                # `recorded` rule) never equals itself, so it is grouped under a stand-in value.
                pairs = np.where(np.isnan(observed), -np.inf, observed) + 1j * base
                values, which = np.unique(pairs, return_inverse=True)
                shared = [self._finding(rule, raw if raw != -np.inf else np.nan, of if rule.relative_to else None, lowered)
                          for raw, of in zip(values.real.tolist(), values.imag.tolist(), strict=True)]
                parts.append((group, len(distinct) + which.reshape(-1)))
                distinct.extend(shared)
            unknown[:, r] = applies & (c == UNKNOWN)
        return Evaluation(fitted.best, fitted.fit, None, None, [s.id for s in playbook.stages], distinct, counts, fitted.evidence,  # type: ignore[arg-type]
                          Found.gather(len(table), parts, distinct), NotEvaluated(unknown, [rule.id for rule in playbook.rules]))

    def _verdicts(self, declared_code: np.ndarray, fitted: Fit, codes: dict[str, np.ndarray], recent: np.ndarray) -> tuple[np.ndarray, list[Finding], list[int]]:
        """The account-level verdict (manifest `verdict`), for every account whose best fit is
        known and is not its declared stage: per account the index of its verdict in the shared
        Findings (-1: none), those Findings, and how many accounts hold each. Accounts declared
        in an ending (a phase code past the stages) get none; an account whose stage was declared
        recently (`recent`) gets it at most as info.
        """
        playbook, spec = self.playbook, self.playbook.manifest["verdict"]
        declared_k = np.where(declared_code < len(playbook.stages), declared_code, -1).astype(np.int64)
        best_k = fitted.best_index.astype(np.int64)
        verdict_at = np.full(len(best_k), -1, dtype=np.int64)
        at = np.flatnonzero((declared_k >= 0) & (best_k >= 0) & (declared_k != best_k))
        if not len(at):
            return verdict_at, [], []
        d, b = declared_k[at], best_k[at]
        own, other = fitted.fit[at, d], fitted.fit[at, b]  # (n, 2): satisfied, evaluated
        distance = np.abs(b - d)
        with np.errstate(invalid="ignore", divide="ignore"):
            margin = other[:, 0] / other[:, 1] - own[:, 0] / own[:, 1]
        margin = np.where(own[:, 1] >= playbook.manifest["best_fit"]["min_evaluated"], margin, np.nan)  # declared stage not scored
        rung = np.full(len(at), -1, dtype=np.int64)
        for r, step in reversed(list(enumerate(spec["severity"]))):  # the first matching rung wins
            with np.errstate(invalid="ignore"):
                match = (distance >= step["distance"]) & ((margin >= step["margin"]) if "margin" in step else True)
            rung = np.where(match, r, rung)
        # What the account would have to develop to earn its declared stage: the declared stage's
        # failed "at least" expectations, as a bit mask (only when it is behind).
        mask = np.zeros(len(at), dtype=np.int64)
        for k, stage in enumerate(playbook.stages):
            mine = np.flatnonzero((d == k) & (b < d))
            for j, rule in enumerate(r for r in playbook.stage_rules(stage.id) if shows_evidence(r, playbook)):
                mask[mine] |= (codes[rule.id][at[mine]] == FAIL).astype(np.int64) << j
        keep = rung >= 0
        if not keep.any():
            return verdict_at, [], []
        columns = [d, b, own[:, 0], own[:, 1], other[:, 0], other[:, 1], rung, mask, recent[at].astype(np.int64)]
        # The distinct verdicts, each row of the columns as one integer (mixed radix) when it fits.
        sizes = [int(c.max(initial=0)) + 1 for c in columns]
        if np.prod([float(s) for s in sizes]) < 2**62:
            number = np.zeros(len(at), dtype=np.int64)
            for column, size in zip(columns, sizes, strict=True):
                number = number * size + column.astype(np.int64)
            _, first, which = np.unique(number[keep], return_index=True, return_inverse=True)
            rows = np.stack(columns, axis=1)[keep][first]
        else:
            rows, which = np.unique(np.stack(columns, axis=1)[keep], axis=0, return_inverse=True)
        which = which.reshape(-1)
        shared = [self._verdict(*row) for row in rows.tolist()]
        uses = np.bincount(which, minlength=len(shared)).tolist()
        verdict_at[at[keep]] = which
        return verdict_at, shared, uses

    def _verdict(self, d: int, b: int, own_met: int, own_tested: int, other_met: int, other_tested: int, rung: int, mask: int, recent: int) -> Finding:
        """The verdict for declared stage `d` and best fit `b` (indices), their scores, the ladder's rung, what to develop, `recent` (at most info)."""
        playbook, spec, lang = self.playbook, self.playbook.manifest["verdict"], self.lang
        declared, best = playbook.stages[d], playbook.stages[b]
        direction = "behind" if b < d else "ahead"
        words = spec["distance_words"][lang]
        distance = abs(b - d)
        names = {"declared": declared.name[lang], "best": best.name[lang]}
        message = spec["message"][direction][lang].format(**names, declared_fit=f"{own_met}/{own_tested}", best_fit=f"{other_met}/{other_tested}",
                                                         distance=words[min(distance, len(words)) - 1])
        evidence_rules = [r for r in playbook.stage_rules(declared.id) if shows_evidence(r, playbook)]
        develop = "; ".join(r.title[lang] for j, r in enumerate(evidence_rules) if mask >> j & 1) or spec["develop_fallback"][lang]
        action = spec["action"][direction][lang].format(**names, develop=develop)
        evidence = {"signal": None, "observed": best.id, "op": None, "threshold": None, "relative_to": None, "expected": declared.id,
                    "declared_fit": [own_met, own_tested], "best_fit": [other_met, other_tested], "distance": distance, "direction": direction}
        severity = "info" if recent else spec["severity"][rung]["severity"]
        return Finding(spec["id"], VERDICT_KIND, severity, message, evidence, action, *self.about(spec["id"], VERDICT_KIND)[2:])

    # --- phrasing -------------------------------------------------------------------------------

    def text(self, key: str, **values: object) -> str:
        return self.playbook.text(key, self.lang, **values)

    def show(self, signal: str, value: object) -> str:
        """A value as a person reads it."""
        return phrases.show(self.playbook, self.lang, signal, value)

    def expected(self, rule: Rule) -> str:
        """The expectation's test in words: `≥ 3 people`, `on or after 2025-11-23`, `a recorded value`."""
        day = (self.as_of - timedelta(days=rule.value)).isoformat() if self.playbook.signals[rule.signal].type == "date" and rule.op != "recorded" else ""
        return phrases.expected(self.playbook, self.lang, rule, day)

    def citation(self, refs: list[dict]) -> str:
        """Sources as `Author Year, pages; …`."""
        parts = []
        for ref in refs:
            cite = self.playbook.sources[ref["source"]]["citation"][self.lang]
            parts.append(f"{cite}, {ref['pages']}" if ref.get("pages") else cite)
        return "; ".join(parts)

    def _finding(self, rule: Rule, raw: float, base: float | None, near_line: bool = False) -> Finding:
        """The finding of a failed rule for these observed values; `near_line`: missed by the playbook's margin (one severity lower)."""
        signals = self.playbook.signals
        value = decode(raw, signals[rule.signal])
        observed = self.text("check.not_recorded") if rule.op == "recorded" else self.show(rule.signal, value)
        if rule.relative_to:
            observed += f" ({signals[rule.relative_to].name[self.lang]}: {self.show(rule.relative_to, decode(base, signals[rule.relative_to]))})"
        template = f"check.finding_{rule.direction}" if rule.direction else "check.finding"
        expected = self.expected(rule)
        message = self.text(template, title=rule.title[self.lang], observed=observed, expected=expected)
        evidence = {"signal": rule.signal, "observed": value.isoformat() if hasattr(value, "isoformat") else value,
                    "op": rule.op, "threshold": rule.value, "relative_to": rule.relative_to, "expected": expected}
        if near_line:
            message, evidence["near_line"] = f"{message} {note(self.playbook, self.lang)}", True
        return Finding(rule.id, rule.kind, lower(rule.severity) if near_line else rule.severity, message, evidence, *self.about(rule.id, rule.kind)[1:])

    def _data_finding(self, table: AccountTable, index: int, note: DataNote) -> Finding:
        values = {k: words(v, self.lang, self.playbook.messages) for k, v in note.values.items()}
        if "reason" in values:
            values["reason"] = self.text(values["reason"], **{k: v for k, v in values.items() if k == "values"})
        message = self.text(note.code, column=note.column or "", row=table.rows[index], **values)
        evidence = {"signal": note.column, "observed": note.values.get("value"), "op": None, "threshold": None, "relative_to": None, "expected": None}
        return Finding(data_rule_id(note.code), DATA_KIND, DATA_SEVERITY, message, evidence, *self.about(data_rule_id(note.code), DATA_KIND)[1:])


def data_rule_id(code: str) -> str:
    """The rule id of a data finding: its message key as an id (`data.invalid_value` → `data-invalid-value`)."""
    return code.replace(".", "-").replace("_", "-")


# --- one account at a time (tests, the sample generator) ------------------------------------------


def outcome(rule: Rule, values: dict[str, object], present: frozenset[str], as_of: date, playbook: Playbook) -> Outcome:
    """Evaluate one rule for one account's parsed values."""
    cols = Columns.from_records([values], playbook.signals, frozenset(present))
    return Outcome(int(rule_codes(rule, cols, as_of, playbook)[0]))


def best_fit(playbook: Playbook, values: dict[str, object], present: frozenset[str], as_of: date, declared: str | None) -> tuple[str | None, dict[str, tuple[int, int]]]:
    """The best-fit stage of one account, with its per-stage (satisfied, evaluated) scores."""
    cols = Columns.from_records([values], playbook.signals, frozenset(present))
    fitted = fit_table(playbook, cols, as_of, [declared])
    return fitted.best[0], {s.id: (int(fitted.fit[0, k, 0]), int(fitted.fit[0, k, 1])) for k, s in enumerate(playbook.stages)}
