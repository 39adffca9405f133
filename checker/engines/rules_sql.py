"""The playbook's expectations and verdict as SQL: the findings computed where the data is.

`judged_sql` and `findings_sql` generate, from the `Playbook` and the `--as-of` date, SQL in
DuckDB's dialect that an engine runs over a table of signals; SQLGlot translates it for Spark
(tests/engines/test_rules_sql.py transpiles every query). Every number, window, stage and word
comes from the playbook, through `checker.playbook`; this module holds none of its own. The
meaning is `checker.evaluate`'s, clause for clause (`rule_codes`, `fit_table`,
`Evaluator._verdicts`) and `checker.near`'s for "near the line"; a differential test runs both
on the same accounts and asserts the same findings and best fits: it, not this docstring, keeps
them one meaning.

The input table (`SIGNALS`, one row per account):

- `account_index` BIGINT: the account's position in the account table;
- `account_id`, `account_name`, `owner` VARCHAR; `row` BIGINT, the account's line in the export;
- `declared_stage` VARCHAR: the declared stage's or ending's id, NULL when not recognised;
- one DOUBLE column per catalogue signal, named by its id, encoded as `checker.inputs.columns`
  encodes them (a yes 1 / a no 0, a date its ordinal day, a category its index in the signal's
  `values`); NULL is unknown, never zero. `stage_declared_on` is one of them.

What the SQL computes: each rule's outcome code (PASS 0, FAIL 1, UNKNOWN 2, SKIPPED 3: `when`
preconditions, `since_declared`, `recorded`, dates as days before --as-of), each stage's fit
and evidence, the best fit, the `stage-fit` verdict (its ladder and `declared_grace_days`), and
a finding for each failed expectation of the account's declared phase, one severity lower when
it is near the line. Finding kinds: `stage-mismatch` (the verdict and the stages' expectations),
`warning-sign`, `termination`, `portfolio`.

Not computed in the engine (they come from Python-only inputs; `checker.engines.findings` adds
them from the account table): `data` findings (a cell the reader could not use, a log row's
problem: `AccountTable.notes`) and the account review's `review-disagrees` and `review-stale`
(the assessments files, `checker.reviews`). Nor are the findings' messages and actions (their
words are the rule's, `playbook rules RULE`). `status` and `first_seen` are NULL here; with a
baseline `checker.engines.status` marks them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np

from checker.evaluate import FAIL, OPS, PASS, SKIPPED, UNKNOWN, Evaluator
from checker.inputs.columns import EPOCH_ORDINAL, encode
from checker.inputs.signal_sql import literal
from checker.playbook.model import DECLARED_ON, Playbook, Rule
from checker.playbook.near import ROUNDING, can_be_near, lower, margin

SIGNALS = "signals"  # the input table
JUDGED = "pb_judged"  # per account: outcome codes, fit, best fit, verdict (a temporary table)
#: The columns of a finding, in order (findings.parquet's columns: `checker.engines.findings`).
FINDING_COLUMNS = ("account_index", "account_id", "row", "account_name", "owner", "declared_stage", "best_fit_stage", "rule", "kind", "severity",
                   "signal", "observed", "expected", "near_line", "status", "first_seen", "seq")
_SQL_OPS = {">=": ">=", "<=": "<=", ">": ">", "<": "<", "==": "=", "!=": "<>"}


def shown_value(value: object) -> str | None:
    """A Python-side finding's observed value as the SQL writes one (the JSON report's value, as text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def text(value: str | None) -> str:
    """A string literal (NULL for None)."""
    return "CAST(NULL AS VARCHAR)" if value is None else literal(value)


def number(value: float) -> str:
    """A DOUBLE literal that reads back as exactly this float (repr round-trips)."""
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"no SQL literal for {value}")
    return f"CAST({value!r} AS DOUBLE)"


def col(signal: str) -> str:
    return f'"{signal}"'


class RulesSQL:
    """The SQL of one playbook for one --as-of date and language (the words of `expected`)."""

    def __init__(self, playbook: Playbook, as_of: date, lang: str = "en", present: Iterable[str] | None = None):
        self.playbook = playbook
        self.as_of = as_of
        self.lang = lang
        # The signal columns the export has: a `recorded` test of a column it lacks is unknown.
        self.present = frozenset(playbook.signals if present is None else present)
        self.words = Evaluator(playbook, as_of, lang, "")
        self.rules = playbook.rules
        self.stages = playbook.stages

    # --- one rule ---------------------------------------------------------------------------------

    def observed(self, signal: str) -> str:
        """A signal as the rules compare it: a date as days since it (near.observed)."""
        if self.playbook.signals[signal].type == "date":
            return f"({number(self.as_of.toordinal())} - {col(signal)})"
        return col(signal)

    def threshold(self, rule: Rule) -> str:
        """What the account is tested against: the rule's value, or `value × base` (near.compared)."""
        if rule.relative_to:
            return f"({number(rule.value)} * {col(rule.relative_to)})"
        return number(encode(rule.value, self.playbook.signals[rule.signal]))

    def code(self, rule: Rule) -> str:
        """The outcome code of `rule`, as evaluate.rule_codes computes it."""
        signal = col(rule.signal)
        since = bool(rule.data.get("since_declared"))
        if rule.op == "recorded":
            tested = str(UNKNOWN) if rule.signal not in self.present else f"CASE WHEN {signal} IS NULL THEN {FAIL} ELSE {PASS} END"
        else:
            unknown = f"{signal} IS NULL" + (f" OR {col(rule.relative_to)} IS NULL" if rule.relative_to else "")
            passed = f"{self.observed(rule.signal)} {_SQL_OPS[rule.op]} {self.threshold(rule)}"
            if since:  # a date on or before the declaration is "none since": infinitely long ago, as the evaluator has it
                infinite = "TRUE" if OPS[rule.op](np.inf, 0.0) else "FALSE"
                passed = f"CASE WHEN {signal} <= {col(DECLARED_ON)} THEN {infinite} ELSE {passed} END"
            tested = f"CASE WHEN {unknown} THEN {UNKNOWN} WHEN {passed} THEN {PASS} ELSE {FAIL} END"
        codes = tested
        for cond in reversed(rule.when):  # the first precondition decides last, so that it takes precedence
            seen = self.observed(cond.signal)
            holds = f"{seen} {_SQL_OPS[cond.op]} {number(encode(cond.value, self.playbook.signals[cond.signal]))}"
            codes = f"CASE WHEN {seen} IS NULL THEN {UNKNOWN} WHEN {holds} THEN {codes} ELSE {SKIPPED} END"
        if since and rule.when:  # `when` is a grace for not knowing the date: not needed where it is known
            codes = f"CASE WHEN {col(DECLARED_ON)} IS NULL THEN {codes} ELSE {tested} END"
        return codes

    def near(self, rule: Rule) -> str:
        """Whether a failing account is within the playbook's margin of the line (near.near)."""
        band = margin(self.playbook)
        if band is None or not can_be_near(rule, self.playbook):
            return "FALSE"
        threshold = self.threshold(rule)
        if not rule.relative_to and encode(rule.value, self.playbook.signals[rule.signal]) == 0:
            return "FALSE"  # no band around nothing
        close = f"({threshold} <> 0 AND ABS({self.observed(rule.signal)} - {threshold}) <= {number(band + ROUNDING)} * ABS({threshold}))"
        if rule.data.get("since_declared"):  # none since the declaration is infinitely far
            return f"(CASE WHEN {col(rule.signal)} <= {col(DECLARED_ON)} THEN FALSE ELSE {close} END)"
        return close

    def shown(self, rule: Rule) -> str:
        """The observed value as text, as the JSON report writes it (columns.decode): NULL for a missing record."""
        spec = self.playbook.signals[rule.signal]
        c = col(rule.signal)
        if rule.op == "recorded":
            return "CAST(NULL AS VARCHAR)"
        if spec.type == "boolean":
            return f"CASE WHEN {c} <> 0 THEN 'true' ELSE 'false' END"
        if spec.type == "date":
            return f"CAST(DATE '1970-01-01' + CAST({c} - {EPOCH_ORDINAL} AS INTEGER) AS VARCHAR)"
        if spec.type == "category":
            return "CASE CAST(" + c + " AS INTEGER) " + " ".join(f"WHEN {i} THEN {text(v)}" for i, v in enumerate(spec.data["values"])) + " END"
        if spec.type in ("count", "days"):
            return f"CASE WHEN {c} = FLOOR({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) ELSE CAST(CAST({c} AS DOUBLE) AS VARCHAR) END"
        return f"CAST(CAST({c} AS DOUBLE) AS VARCHAR)"  # a double as text: transpile.py writes it as DuckDB does on Spark

    # --- per account: codes, fit, best fit, verdict ------------------------------------------------------

    def judged_sql(self, source: str = SIGNALS) -> str:
        """One row per account: the signals the findings show, the code of every rule (`c<i>`, by
        position in playbook.rules), the best fit and the verdict's severity (NULL: none)."""
        pb, settings, spec = self.playbook, self.playbook.manifest["best_fit"], self.playbook.manifest["verdict"]
        signals = ", ".join(col(s) for s in pb.signals)
        codes = ", ".join(f"CAST({self.code(r)} AS TINYINT) AS c{i}" for i, r in enumerate(self.rules))
        # The declared phase as a number (stages first, as Evaluator's code_of): the findings filter on it.
        phase = "CASE declared_stage " + " ".join(f"WHEN {text(p)} THEN {k}" for k, p in enumerate(pb.phases)) + " END"
        coded = f"SELECT account_index, account_id, row, account_name, owner, declared_stage, {phase} AS phase_k, {signals}, {codes} FROM {source}"
        index = {r.id: i for i, r in enumerate(self.rules)}
        fits = []
        for k, stage in enumerate(self.stages):
            own = [index[r.id] for r in pb.stage_rules(stage.id)]
            shows = [index[r.id] for r in pb.stage_rules(stage.id) if pb.shows_evidence(r)]

            def total(rules: list[int], test: str) -> str:
                return " + ".join(f"CASE WHEN c{i} {test} THEN 1 ELSE 0 END" for i in rules) or "0"

            fits += [f"{total(own, f'= {PASS}')} AS sat_{k}", f"{total(own, f'<= {FAIL}')} AS tested_{k}", f"{total(shows, f'= {PASS}')} AS evsat_{k}"]
        fitted = f"SELECT *, {', '.join(fits)} FROM ({coded}) AS coded"
        # The best fit (fit_table): the highest score among eligible stages; ties to the stage nearest the declared one, then the earlier.
        anchor = "CASE declared_stage " + " ".join(f"WHEN {text(s.id)} THEN {number(s.order)}" for s in self.stages) + f" ELSE {number(0)} END"
        keys = [f"CASE WHEN tested_{k} >= {settings['min_evaluated']} AND evsat_{k} >= {settings['min_evidence']} "
                f"THEN CAST(sat_{k} AS DOUBLE) / tested_{k} * {number(1e6)} - ABS({number(s.order)} - {anchor}) * {number(10)} - {number(s.order)} END"
                for k, s in enumerate(self.stages)]
        scored = f"SELECT *, {', '.join(f'{key} AS key_{k}' for k, key in enumerate(keys))} FROM ({fitted}) AS fitted"
        top = f"GREATEST({', '.join(f'key_{k}' for k in range(len(self.stages)))})"
        best = "CASE " + " ".join(f"WHEN key_{k} = {top} THEN {k}" for k in range(len(self.stages))) + " END"
        declared = f"CASE WHEN phase_k < {len(self.stages)} THEN phase_k END"
        ranked = f"SELECT *, {best} AS best_k, {declared} AS declared_k FROM ({scored}) AS scored"
        # The verdict (Evaluator._verdicts): the declared stage's fit against the best's, the first matching rung of the ladder.
        own_sat, own_tested = self._pick("sat", "declared_k"), self._pick("tested", "declared_k")
        best_sat, best_tested = self._pick("sat", "best_k"), self._pick("tested", "best_k")
        lead = (f"CASE WHEN {own_tested} >= {settings['min_evaluated']} THEN "
                f"CAST({best_sat} AS DOUBLE) / {best_tested} - CAST({own_sat} AS DOUBLE) / {own_tested} END")
        rungs = []
        for step in spec["severity"]:
            match = f"ABS(best_k - declared_k) >= {step['distance']}" + (f" AND lead >= {number(step['margin'])}" if "margin" in step else "")
            rungs.append(f"WHEN {match} THEN {text(step['severity'])}")
        grace = spec.get("declared_grace_days")
        recent = f"{number(self.as_of.toordinal())} - {col(DECLARED_ON)} <= {grace}" if grace is not None else "FALSE"
        rung = f"CASE {' '.join(rungs)} END"
        severity = f"CASE WHEN declared_k IS NULL OR best_k IS NULL OR declared_k = best_k THEN NULL WHEN {recent} AND {rung} IS NOT NULL THEN 'info' ELSE {rung} END"
        stage_of = "CASE best_k " + " ".join(f"WHEN {k} THEN {text(s.id)}" for k, s in enumerate(self.stages)) + " END"
        with_lead = f"SELECT *, {lead} AS lead, {stage_of} AS best_fit_stage FROM ({ranked}) AS ranked"
        # Kept: what the findings and the summary read (not the fits and keys they were made of).
        used = [s for s in pb.signals if s == DECLARED_ON or any(s in (r.signal, r.relative_to) for r in self.rules)]
        kept = ", ".join(["account_index", "account_id", "row", "account_name", "owner", "declared_stage", "phase_k", "best_k", "best_fit_stage",
                          *(col(s) for s in used), *(f"c{i}" for i in range(len(self.rules)))])
        return f"SELECT {kept}, {severity} AS verdict_severity FROM ({with_lead}) AS led"

    def _phases(self, rule: Rule) -> str:
        """The codes of the phases `rule` applies to, as an SQL list."""
        codes = list(self.playbook.phases)
        return "(" + ", ".join(str(codes.index(p)) for p in rule.applies_to) + ")"

    def _pick(self, name: str, k: str) -> str:
        return f"CASE {k} " + " ".join(f"WHEN {j} THEN {name}_{j}" for j in range(len(self.stages))) + " END"

    # --- the findings -----------------------------------------------------------------------------------

    def findings_sql(self, judged: str = JUDGED) -> str:
        """One row per finding (FINDING_COLUMNS), over the table `judged_sql` made: the verdict
        heads its account (`seq` 0), then the failed expectations in the playbook's order."""
        head = "account_index, account_id, row, account_name, owner, declared_stage, best_fit_stage"
        spec = self.playbook.manifest["verdict"]
        parts = [f"SELECT {head}, {text(spec['id'])} AS rule, 'stage-mismatch' AS kind, verdict_severity AS severity, CAST(NULL AS VARCHAR) AS signal, "
                 f"best_fit_stage AS observed, declared_stage AS expected, FALSE AS near_line, CAST(NULL AS VARCHAR) AS status, CAST(NULL AS VARCHAR) AS first_seen, 0 AS seq "
                 f"FROM {judged} WHERE verdict_severity IS NOT NULL"]
        for i, rule in enumerate(self.rules):
            near = self.near(rule)
            severity = text(rule.severity) if near == "FALSE" else f"CASE WHEN {near} THEN {text(lower(rule.severity))} ELSE {text(rule.severity)} END"
            parts.append(f"SELECT {head}, {text(rule.id)}, {text(rule.kind)}, {severity}, {text(rule.signal)}, {self.shown(rule)}, "
                         f"{text(self.words.expected(rule))}, {near}, CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), {i + 2} "
                         f"FROM {judged} WHERE c{i} = {FAIL} AND phase_k IN {self._phases(rule)}")
        return "\nUNION ALL\n".join(parts)

    def not_evaluated_sql(self, judged: str = JUDGED) -> str:
        """How many expectations of the accounts' declared phases could not be evaluated (the summary's `expectations_not_evaluated`)."""
        terms = " + ".join(f"CASE WHEN c{i} = {UNKNOWN} AND phase_k IN {self._phases(r)} THEN 1 ELSE 0 END" for i, r in enumerate(self.rules)) or "0"
        return f"SELECT CAST(COALESCE(SUM({terms}), 0) AS BIGINT) FROM {judged}"

    def statements(self, source: str = SIGNALS, findings: str = "pb_findings") -> list[str]:
        """What an engine runs, in order, over its table `source`: the per-account table, then the findings' view
        (computed as it is read: written out, counted, never held whole). Only `CREATE OR REPLACE TEMP TABLE|VIEW … AS
        SELECT` (the engine seam's rule: no UPDATE, no INSERT, no parameters)."""
        return [f"CREATE OR REPLACE TEMP TABLE {JUDGED} AS {self.judged_sql(source)}",
                f"CREATE OR REPLACE TEMP VIEW {findings} AS {self.findings_sql()}"]


__all__ = ["FINDING_COLUMNS", "JUDGED", "SIGNALS", "RulesSQL"]
