"""Run a whole check: read the export, evaluate every account, collect one result."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checker.accounts import UnusableRow, read_accounts
from checker.evaluate import AccountResult, Evaluator
from checker.model import FINDING_KINDS, SEVERITIES, Playbook


@dataclass
class CheckResult:
    as_of: date
    lang: str
    playbook_version: str
    input_name: str
    accounts: list[AccountResult]
    unusable: list[tuple[UnusableRow, str]]  # with its message in the run's language
    rows_read: int
    signal_columns: list[str]
    ignored_columns: list[str]
    encoding: str

    def findings(self):
        return [f for a in self.accounts for f in a.findings]

    def summary(self) -> dict:
        findings = self.findings()
        by_severity = Counter(f.severity for f in findings)
        by_kind = Counter(f.kind for f in findings)
        data_rows = sum(1 for a in self.accounts if any(f.kind == "data" for f in a.findings))
        return {
            "accounts": len(self.accounts),
            "accounts_flagged": sum(1 for a in self.accounts if a.findings),
            "findings": len(findings),
            "findings_by_severity": {s: by_severity[s] for s in SEVERITIES},
            "findings_by_kind": {k: by_kind[k] for k in FINDING_KINDS},
            "rows_read": self.rows_read,
            "rows_unusable": len(self.unusable),
            "rows_with_data_problems": data_rows + len(self.unusable),
            "expectations_not_evaluated": sum(len(a.not_evaluated) for a in self.accounts),
            "signal_columns": self.signal_columns,
            "ignored_columns": self.ignored_columns,
        }


def run_check(path: Path, playbook: Playbook, as_of: date, lang: str, handbook_url: str) -> CheckResult:
    """Read `path` and evaluate every account in it."""
    file = read_accounts(path, playbook)
    evaluator = Evaluator(playbook, as_of, lang, handbook_url)
    results = [evaluator.evaluate(record, file.columns) for record in file.accounts]
    unusable = [(row, playbook.text(row.code, lang, row=row.row, **row.values)) for row in file.unusable]
    assert file.rows_read == len(results) + len(unusable), "every row read must be accounted for"
    return CheckResult(as_of, lang, playbook.manifest["version"], path.name, results, unusable,
                       file.rows_read, file.columns, file.ignored_columns, file.encoding)
