"""`playbook check --propose-stages FILE`: a stage for every account the export gives none,
as a CSV a CRM can import, with how sure the checker is and "review" where the evidence is thin.

The proposed stage is the best fit. Its evidence is how many of the stage's "at least"
expectations pass; its margin, how far its share of met expectations leads the next scored
stage. Thin (manifest `review.proposals`): no best fit, too little evidence or too small a
margin. The review sheet (review_sheet.py) lists those accounts first.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checker.check import CheckResult
from checker.reports.csv import neutralise

COLUMNS = ["account_id", "account_name", "owner", "proposed_stage", "proposed_stage_id", "evidence", "margin", "review"]


@dataclass(frozen=True)
class Proposal:
    index: int
    stage: str | None  # the best fit's id
    evidence: int  # its "at least" expectations met
    margin: float | None  # its lead over the next scored stage (None: no other stage scored)
    thin: bool  # "review": no best fit, too little evidence or too small a margin


def propose(result: CheckResult, index: int) -> Proposal:
    """How sure the best fit of one account is."""
    playbook, evaluation = result.playbook, result.evaluation
    settings, least = playbook.manifest["review"]["proposals"], playbook.manifest["best_fit"]["min_evaluated"]
    best = evaluation.best_fit[index]
    if best is None:
        return Proposal(index, None, 0, None, True)
    k = evaluation.stage_ids.index(best)
    fit = evaluation.fit[index]
    evidence = int(evaluation.evidence[index, k, 0]) if evaluation.evidence is not None else 0
    scored = [fit[j, 0] / fit[j, 1] for j in range(len(fit)) if j != k and fit[j, 1] >= least]
    margin = float(fit[k, 0] / fit[k, 1] - max(scored)) if scored else None
    thin = evidence < settings["min_evidence"] or (margin is not None and margin < settings["min_margin"])
    return Proposal(index, best, evidence, None if margin is None else round(margin, 3), bool(thin))


def without_stage(result: CheckResult) -> list[int]:
    """The accounts the export (and the reviews) give no stage or ending."""
    return [i for i, declared in enumerate(result.table.declared) if declared is None]


def proposals_csv(result: CheckResult, path: Path) -> tuple[str, str]:
    """The CSV, and what it holds in a line for stderr (how many proposals, how many marked review)."""
    table, playbook, lang = result.table, result.playbook, result.lang
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    accounts = without_stage(result)
    thin = 0
    for i in accounts:
        p = propose(result, i)
        thin += p.thin
        name = playbook.phases[p.stage].name[lang] if p.stage else ""
        row = [table.ids[i], table.names[i], table.owners[i], name, p.stage or "", p.evidence if p.stage else "",
               "" if p.margin is None or np.isnan(p.margin) else f"{p.margin:g}", playbook.text("proposals.review", lang) if p.thin else ""]
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue(), playbook.text("proposals.wrote", lang, path=path, n=len(accounts), review=thin)
