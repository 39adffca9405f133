"""Run a whole check: read the export, evaluate every account, collect one result."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checker.accounts import AccountTable, UnusableRow, read_accounts
from checker.evaluate import Evaluation, Evaluator, Finding
from checker.model import FINDING_KINDS, SEVERITIES, Playbook


@dataclass(frozen=True)
class AccountView:
    """One account of a result, as reporters see it."""

    index: int
    account_id: str
    account_name: str
    owner: str
    row: int
    declared: str | None
    declared_raw: str
    best_fit_stage: str | None
    findings: list[Finding]
    not_evaluated: list[str]
    result: CheckResult

    def fit_scores(self) -> dict[str, list[int]]:
        return self.result.evaluation.fit_scores(self.index)


@dataclass
class CheckResult:
    as_of: date
    lang: str
    playbook_version: str
    input_name: str
    table: AccountTable
    evaluation: Evaluation
    unusable: list[tuple[UnusableRow, str]]  # with its message in the run's language

    def accounts(self) -> Iterator[AccountView]:
        t, e = self.table, self.evaluation
        for i in range(len(t)):
            yield AccountView(i, t.ids[i], t.names[i], t.owners[i], t.rows[i], t.declared[i], t.declared_raw[i],
                              e.best_fit[i], e.findings[i], e.not_evaluated[i], self)

    def findings(self) -> list[Finding]:
        return [f for fs in self.evaluation.findings for f in fs]

    def summary(self) -> dict:
        findings = self.findings()
        by_severity = Counter(f.severity for f in findings)
        by_kind = Counter(f.kind for f in findings)
        flagged = sum(1 for fs in self.evaluation.findings if fs)
        return {
            "accounts": len(self.table),
            "accounts_flagged": flagged,
            "findings": len(findings),
            "findings_by_severity": {s: by_severity[s] for s in SEVERITIES},
            "findings_by_kind": {k: by_kind[k] for k in FINDING_KINDS},
            "rows_read": self.table.rows_read,
            "rows_unusable": len(self.unusable),
            "rows_with_data_problems": len(self.table.notes) + len(self.unusable),
            "expectations_not_evaluated": sum(len(n) for n in self.evaluation.not_evaluated),
            "signal_columns": sorted(self.table.columns.present),
            "ignored_columns": self.table.ignored_columns,
        }


def check_table(table: AccountTable, playbook: Playbook, as_of: date, lang: str, handbook_url: str) -> CheckResult:
    """Evaluate every account of an already read table."""
    evaluation = Evaluator(playbook, as_of, lang, handbook_url).evaluate(table)
    unusable = [(row, playbook.text(row.code, lang, row=row.row, **row.values)) for row in table.unusable]
    if table.rows_read != len(table) + len(unusable):
        raise AssertionError("every row read must be accounted for")
    return CheckResult(as_of, lang, playbook.manifest["version"], table.path.name, table, evaluation, unusable)


def run_check(path: Path, playbook: Playbook, as_of: date, lang: str, handbook_url: str) -> CheckResult:
    """Read `path` and evaluate every account in it."""
    return check_table(read_accounts(path, playbook), playbook, as_of, lang, handbook_url)
