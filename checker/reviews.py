"""The account review inside a check: the review findings, the evidence coverage, the proposals.

`inputs/assessments.py` reads the assessments files and merges the newest review per account
into the export; this module, run by `check.py` once the accounts are evaluated, turns what
the merge noted into findings (`review-disagrees`, `review-stale`), counts the evidence
coverage every report shows, and says once, rather than per account, that most accounts have
no declared stage. Every number it uses is in the manifest's `review` settings.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, repeat
from operator import is_

import numpy as np

from checker.evaluate import Evaluation, Evaluator, Finding
from checker.inputs.accounts import AccountTable
from checker.inputs.assessments import Disagreement, Merged, Review
from checker.inputs.columns import decode
from checker.playbook.messages import words
from checker.playbook.model import Playbook


@dataclass
class ReviewState:
    """What a check knows of the account review: the merged reviews and the no-stage note."""

    merged: Merged = field(default_factory=Merged)
    said_once: bool = False  # their `data.no_stage` findings were replaced by one line


def without_stage(table: AccountTable) -> list[int]:
    """The accounts with no declared stage at all (the CRM's cell empty, and no review gave one)."""
    unknown = compress(range(len(table)), map(is_, table.declared, repeat(None)))  # C loops: most accounts have a stage
    return [i for i in unknown if not table.declared_raw[i].strip()]


def says_no_stage_once(empty: int, accounts: int, playbook: Playbook) -> bool:
    """Whether so many of the accounts have no declared stage (`empty` of `accounts`) that the coverage line says it once."""
    return bool(accounts) and empty / accounts > playbook.manifest["review"]["no_stage_share"]


def say_no_stage_once(table: AccountTable, playbook: Playbook, state: ReviewState) -> None:
    """When most accounts have no declared stage, drop their per-account `data.no_stage` notes:
    the coverage line says it once (manifest `review.no_stage_share`)."""
    empty = without_stage(table)
    if not says_no_stage_once(len(empty), len(table), playbook):
        return
    state.said_once = True
    for i in empty:
        kept = [n for n in table.notes.get(i, []) if n.code != "data.no_stage"]
        if kept:
            table.notes[i] = kept
        else:
            table.notes.pop(i, None)


def review_notes(state: ReviewState, playbook: Playbook, lang: str) -> list[str]:
    """What the command says on stderr: reviews of accounts the export does not have (with a hint), rows nobody filled in."""
    merged = state.merged
    notes = [playbook.text("review.unknown_account", lang, path=review.file, line=review.line, account=review.account_id,
                           name=review.account_name, hint=words(hint, lang, playbook.messages)) for review, hint in merged.unmatched]
    if merged.assessments is not None and merged.assessments.rows_not_filled:
        notes.append(playbook.text("review.not_filled", lang, n=merged.assessments.rows_not_filled))
    return notes


def add_review_findings(evaluation: Evaluation, table: AccountTable, state: ReviewState, words: Evaluator) -> None:
    """The findings of the reviews, after each account's own: a disagreement with the CRM, a stale review.

    As the evaluator's, a Finding is shared by the accounts that show the same thing (the same
    values, reviewer, day and file); where in the file each review is, `playbook signals --format json` says."""
    playbook, lang = words.playbook, words.lang
    spec = playbook.manifest["review"]
    texts = spec["findings"]
    made: dict[tuple, Finding] = {}

    def add(index: int, kind: str, severity: str, key: tuple, build: Callable[[], tuple[str, dict]]) -> None:
        finding = made.get(key)
        if finding is None:
            message, evidence = build()
            finding = made[key] = Finding(kind, kind, severity, message, evidence, *words.about(kind, kind)[1:])
            evaluation.distinct.append(finding)
        evaluation.findings[index].append(finding)
        evaluation.counts[kind, severity] += 1

    def disagreement(d: Disagreement) -> tuple[str, dict]:
        name, crm, review = _shown(d.signal, d.crm, d.review, words)
        day = d.source.reviewed_on.isoformat()
        message = texts["review-disagrees"]["message"][lang].format(signal=name, crm=crm, review=review, reviewer=d.source.reviewer, reviewed_on=day)
        evidence = {"signal": d.signal, "observed": _json(d.signal, d.crm, playbook), "op": None, "threshold": None, "relative_to": None,
                    "expected": playbook.text("review.disagrees_review", lang, value=review, reviewer=d.source.reviewer, day=day),
                    "review": _json(d.signal, d.review, playbook), "reviewer": d.source.reviewer, "reviewed_on": day, "file": d.source.file}
        return message, evidence

    for d in state.merged.disagreements:
        key = ("review-disagrees", d.signal, d.crm, d.review, d.severity, d.source.reviewer, d.source.reviewed_on, d.source.file)
        add(d.index, "review-disagrees", d.severity, key, lambda d=d: disagreement(d))
    limit = spec["stale_after_days"]

    def stale(review: Review, days: int) -> tuple[str, dict]:
        day = review.reviewed_on.isoformat()
        message = texts["review-stale"]["message"][lang].format(reviewer=review.reviewer, reviewed_on=day, days=days, limit=limit)
        return message, {"signal": None, "observed": day, "op": None, "threshold": limit, "relative_to": None,
                         "expected": playbook.text("review.stale_expected", lang, limit=limit), "reviewer": review.reviewer, "reviewed_on": day, "file": review.file}

    for index, review in state.merged.reviewed.items():
        days = (words.as_of - review.reviewed_on).days
        if days > limit:
            add(index, "review-stale", "info", ("review-stale", review.reviewer, review.reviewed_on, review.file), lambda r=review, n=days: stale(r, n))


def _shown(signal: str, crm: object, review: object, words: Evaluator) -> tuple[str, str, str]:
    """A disagreement's signal name and both values as a person reads them."""
    playbook, lang = words.playbook, words.lang
    if signal == "declared_stage":
        return playbook.text("review.declared_stage", lang), playbook.phases[crm].name[lang], playbook.phases[review].name[lang]
    spec = playbook.signals[signal]
    return spec.name[lang], words.show(signal, decode(crm, spec)), words.show(signal, decode(review, spec))


def _json(signal: str, value: object, playbook: Playbook) -> object:
    if signal == "declared_stage":
        return value
    decoded = decode(value, playbook.signals[signal])
    return decoded.isoformat() if isinstance(decoded, date) else decoded


def recent(state: ReviewState, as_of: date, playbook: Playbook) -> set[int]:
    """Accounts whose newest review is within the stale limit."""
    limit = playbook.manifest["review"]["stale_after_days"]
    return {i for i, r in state.merged.reviewed.items() if (as_of - r.reviewed_on).days <= limit}


def coverage(table: AccountTable, evaluation: Evaluation, state: ReviewState, playbook: Playbook, as_of: date) -> dict:
    """Accounts with a declared stage, with a best fit, with a recent review: counts and shares
    (the JSON report's `summary.coverage`; every report's coverage line)."""
    return coverage_of(len(table), len(table.declared) - table.declared.count(None), len(evaluation.best_fit) - evaluation.best_fit.count(None),
                       len(without_stage(table)), state, playbook, as_of)


def coverage_of(n: int, declared: int, best_fit: int, without: int, state: ReviewState, playbook: Playbook, as_of: date) -> dict:
    """`coverage` from the counts of `n` accounts (an account table in an engine counts them there: engines/spark_table.py)."""

    def part(count: int) -> dict:
        return {"count": count, "share": round(count / n, 4) if n else None}

    merged = state.merged
    found = merged.assessments
    fresh = recent(state, as_of, playbook)
    return {
        "accounts": n,
        "declared_stage": part(declared),
        "best_fit": part(best_fit),
        "reviewed_recently": part(len(fresh)),
        "stale_after_days": playbook.manifest["review"]["stale_after_days"],
        "without_stage": part(without),
        "no_stage_said_once": state.said_once,
        "reviews": None if found is None else {
            "files": found.files,
            "rows_read": found.rows_read,
            "rows_not_filled": found.rows_not_filled,
            "superseded": found.superseded,
            "accounts_reviewed": len(merged.reviewed),
            "values_used": merged.values_used,
            "stages_used": len(merged.stage_from_review),
            "stale": len(merged.reviewed) - len(fresh),
            "disagreements": len(merged.disagreements),
            "not_in_export": [{"file": r.file, "line": r.line, "account_id": r.account_id} for r, _ in merged.unmatched],
        },
    }


def review_first(table: AccountTable, evaluation: Evaluation, state: ReviewState, as_of: date, playbook: Playbook, most: int = 10) -> list[int]:
    """Accounts with no evidence (no best fit, no recent review), the highest revenue first, then by name."""
    fresh = recent(state, as_of, playbook)
    revenue = table.columns.get("revenue_12m") if "revenue_12m" in playbook.signals else np.full(len(table), np.nan)
    lacking = [i for i, b in enumerate(evaluation.best_fit) if b is None and i not in fresh]
    lacking.sort(key=lambda i: (-(revenue[i] if revenue[i] == revenue[i] else -np.inf), table.names[i].casefold(), table.ids[i]))
    return lacking[:most]
