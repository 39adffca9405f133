"""The CSV report: one row per finding, for re-import into a CRM; cells neutralised against
spreadsheet formula injection."""
from __future__ import annotations

import csv
import io

from checker.check import CheckResult
from checker.reports import changes
from checker.reports.text import source_text

CSV_COLUMNS = ["account_id", "account_name", "owner", "declared_stage", "best_fit_stage", "rule", "kind", "severity",
               "message", "signal", "observed", "expected", "action", "source", "handbook_url"]


def neutralise(cell: object) -> str:
    """Make a cell safe to open in a spreadsheet: formulas become text."""
    text = "" if cell is None else str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(result: CheckResult, **_: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS + (changes.CSV_COLUMNS if result.history else []))
    for account in result.accounts():
        rows = changes.csv_rows(account) if result.history else ([f] for f in account.findings)
        for f, *extra in rows:
            evidence = getattr(f, "evidence", None) or {}  # a finding resolved since the baseline has none
            row = [account.account_id, account.account_name, account.owner, account.declared, account.best_fit_stage,
                   f.rule, f.kind, f.severity, f.message, evidence.get("signal"), evidence.get("observed"),
                   evidence.get("expected"), getattr(f, "action", None), source_text(result, f) if hasattr(f, "source") else None,
                   getattr(f, "handbook_url", None)]
            writer.writerow([neutralise(c) for c in row + extra])
    return out.getvalue()
