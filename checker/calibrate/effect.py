"""What the suggested lines would change, per declared stage: the verdict's ahead/behind shares and the warnings."""
from __future__ import annotations

from dataclasses import dataclass

from checker.evaluate import Evaluation
from checker.inputs.accounts import AccountTable
from checker.playbook.model import Playbook

#: Findings counted as warnings on the page: what a person is asked to look at. Data findings are
#: left out: no line changes them.
WARNING_SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Verdicts:
    """Per declared stage, one evaluation's verdicts and warnings."""

    accounts: int
    ahead: int
    behind: int
    warnings: int

    def share(self, n: int) -> float | None:
        return n / self.accounts if self.accounts else None

    @property
    def warnings_per_100(self) -> float | None:
        return 100 * self.warnings / self.accounts if self.accounts else None


@dataclass(frozen=True)
class StageEffect:
    stage: str
    now: Verdicts
    suggested: Verdicts


def verdicts(playbook: Playbook, table: AccountTable, evaluation: Evaluation) -> dict[str, Verdicts]:
    """Per stage: accounts declared in it, how many the verdict calls ahead or behind, their warnings."""
    order = {s.id: k for k, s in enumerate(playbook.stages)}
    tally = {s.id: [0, 0, 0, 0] for s in playbook.stages}
    for declared, best, findings in zip(table.declared, evaluation.best_fit, evaluation.findings, strict=True):
        if declared not in tally:
            continue
        row = tally[declared]
        row[0] += 1
        if best is not None and best != declared:
            row[1 if order[best] > order[declared] else 2] += 1
        row[3] += sum(1 for f in findings if f.severity in WARNING_SEVERITIES and f.kind != "data")
    return {stage: Verdicts(*row) for stage, row in tally.items()}


def compare(playbook: Playbook, table: AccountTable, now: Evaluation, suggested: Evaluation) -> list[StageEffect]:
    before, after = verdicts(playbook, table, now), verdicts(playbook, table, suggested)
    return [StageEffect(s.id, before[s.id], after[s.id]) for s in playbook.stages]
