"""The options that narrow or mark a report (`--owner`, `--kind`, `--min-severity`, `--waivers`) on a
findings output computed in SQL (`check --output findings.parquet`, `--output-table NAME`).

One meaning with the JSON report's: the values come from the same Python definitions and only
travel to SQL as data. The severities and kinds kept are `Filters.levels()` and `Filters.kinds`;
the owners kept are the distinct owners of the findings (a short list, asked of the engine)
that `Filters.owner_keys()` matches, as `CheckResult.filtered` matches them; a finding's waiver
is the first waiver in force (`active_waivers`) that `Waiver.covers` it, found in Python for the
few accounts a waivers file names (their findings' distinct rule and kind, asked of the engine)
and handed to the engine as a small table (`SQLCheck.narrow`). The waivers' notes (expired, no
such account, nothing waived) are `waiver_notes`, as the JSON report's.

Waived findings stay in the output, with `waived_until`, `waived_reason` and `waived_by` (the
JSON report keeps them apart, for next week's --baseline); `--fail-on` does not count them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import numpy as np

from checker.check import Filters, owner_key
from checker.engines.findings import SQLCheck
from checker.engines.rules_sql import text
from checker.history.changes import active_waivers, waiver_notes
from checker.history.waivers import Waiver, Waivers, check_rules, known_rules
from checker.playbook.messages import Problem
from checker.playbook.model import Playbook


class _Found(NamedTuple):
    """What `Waiver.covers` reads of a finding."""

    rule: str
    kind: str


def _listed(values: list[str]) -> str:
    return "(" + ", ".join(text(v) for v in values) + ")"


@dataclass
class SQLNarrowing:
    """`parquet_check`'s `narrow`: applied to the check once its findings (and their baseline marks) are there."""

    filters: Filters
    waivers: Waivers | None
    playbook: Playbook
    as_of: date
    ids: list[str]  # the account table's ids (the waivers' notes name accounts not in it)
    notes: list[Problem] = field(default_factory=list)  # the waivers' notes, once applied

    def __call__(self, check: SQLCheck) -> None:
        con, findings = check.con, check.findings
        waived = self._waived(check) if self.waivers is not None else None
        keep = []
        if self.filters.owners:
            owners = [owner for (owner,) in con.execute(f"SELECT DISTINCT owner FROM {findings}").fetchall()
                      if owner is not None and owner_key(owner) in self.filters.owner_keys()]
            keep.append(f"owner IN {_listed(owners)}" if owners else "FALSE")
        if self.filters.kinds:
            keep.append(f"kind IN {_listed(list(self.filters.kinds))}")
        if self.filters.min_severity:
            keep.append(f"severity IN {_listed(list(self.filters.levels()))}")
        left = {"owners": list(self.filters.owners), "kinds": list(self.filters.kinds), "min_severity": self.filters.min_severity}
        check.narrow(" AND ".join(keep) or None, waived, left)

    def _waived(self, check: SQLCheck) -> dict[str, np.ndarray]:
        """Per account, rule and kind of a finding the waiver in force that covers it (the first in the file), as columns."""
        assert self.waivers is not None
        con, findings = check.con, check.findings
        check_rules(self.waivers, known_rules(self.playbook, [_Found(rule, "") for (rule,) in con.execute(f"SELECT DISTINCT rule FROM {findings}").fetchall()]))
        active = active_waivers(self.waivers, self.as_of)
        found: dict[str, list[_Found]] = {}
        if active:
            for account_id, rule, kind in con.execute(f"SELECT DISTINCT account_id, rule, kind FROM {findings} WHERE account_id IN {_listed(sorted(active))}").fetchall():
                found.setdefault(account_id, []).append(_Found(rule, kind))
        rows: list[tuple[str, str, str, Waiver]] = []
        for account_id, own in found.items():
            for f in own:
                waiver = next((w for w in active[account_id] if w.covers(f)), None)  # type: ignore[arg-type]  # covers reads rule and kind
                if waiver is not None:
                    rows.append((account_id, f.rule, f.kind, waiver))
        index_of = {account_id: i for i, account_id in enumerate(self.ids)}
        rules_of = {index_of[a]: [f.rule for f in own] for a, own in found.items() if a in index_of}
        self.notes = waiver_notes(self.waivers, self.as_of, index_of, {id(w) for *_, w in rows}, lambda i: rules_of.get(i, []))
        return {"account_id": np.array([r[0] for r in rows], dtype=object), "rule": np.array([r[1] for r in rows], dtype=object),
                "kind": np.array([r[2] for r in rows], dtype=object), "waived_until": np.array([r[3].until.isoformat() for r in rows], dtype=object),
                "waived_reason": np.array([r[3].reason for r in rows], dtype=object), "waived_by": np.array([r[3].by or None for r in rows], dtype=object)}


__all__ = ["SQLNarrowing"]
