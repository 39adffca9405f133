"""The JSON report (schema/report.schema.json): a head for people, then one account per line."""
from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import orjson

from checker.check import CheckResult
from checker.reports import changes


def _distinct_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of each distinct row's first occurrence, each row's distinct-row number)."""
    flat = rows.astype(np.int64)
    # Each row as one integer (its digits in base `most + 1`), to find the distinct rows fast.
    digits = int(flat.max(initial=0)) + 1
    if digits ** flat.shape[1] < 2**63:
        _, first, which = np.unique(flat @ (digits ** np.arange(flat.shape[1], dtype=np.int64)), return_index=True, return_inverse=True)
    else:  # very many expectations per stage: the slower general way
        _, first, which = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    return first, which.reshape(-1).astype(np.int64)


def accounts_json(result: CheckResult) -> Iterator[dict]:
    """Every account of the JSON report, in input order.

    What many accounts share (a finding, a row of fit scores) is serialised once and
    reused as an `orjson.Fragment`: a report of 100,000 accounts holds far fewer distinct
    findings than findings.
    """
    table, evaluation = result.table, result.evaluation
    fragment = {id(f): orjson.Fragment(orjson.dumps(f._asdict())) for f in evaluation.distinct}  # the report's finding object
    stages, fit = evaluation.stage_ids, evaluation.fit
    evidence = evaluation.evidence if evaluation.evidence is not None else np.zeros_like(fit)
    # The distinct rows of scores and of evidence, then the distinct pairs of the two.
    _, fit_which = _distinct_rows(fit.reshape(len(fit), 2 * len(stages)))
    _, evidence_which = _distinct_rows(evidence.reshape(len(fit), 2 * len(stages)))
    _, first, which = np.unique(fit_which * (int(evidence_which.max(initial=0)) + 1) + evidence_which, return_index=True, return_inverse=True)
    fits = [orjson.Fragment(orjson.dumps(dict(zip(stages, pairs, strict=True)), option=orjson.OPT_SERIALIZE_NUMPY))
            for pairs in fit[first]]
    evidences = [orjson.Fragment(orjson.dumps(dict(zip(stages, pairs, strict=True)), option=orjson.OPT_SERIALIZE_NUMPY))
                 for pairs in evidence[first]]
    rows = zip(table.ids, table.names, table.owners, table.rows, table.declared, table.declared_raw,
               evaluation.best_fit, which.reshape(-1).tolist(), evaluation.findings, evaluation.not_evaluated, strict=True)
    history = result.history
    for index, (account_id, name, owner, row, declared, raw, best, fit_at, findings, not_evaluated) in enumerate(rows):
        record = {
            "account_id": account_id,
            "account_name": name,
            "owner": owner or None,
            "row": row,
            "declared_stage": declared,
            "declared_stage_raw": raw,
            "best_fit_stage": best,
            "fit": fits[fit_at],
            "fit_evidence": evidences[fit_at],
            "findings": [fragment[id(f)] for f in findings],
            "not_evaluated": not_evaluated,
        }
        if history is not None:
            changes.json_account(index, history, findings, record)
        yield record


def to_json(result: CheckResult, **_: object) -> Iterator[str | bytes]:
    """The report as one JSON document, written in chunks: the head indented for people,
    then one account per line (compact, so a large report stays fast and small enough).
    """
    head = {
        "as_of": result.as_of.isoformat(),
        "lang": result.lang,
        "playbook_version": result.playbook_version,
        "input": result.input_name,
        "summary": result.summary(),
        "unusable_rows": [{"row": row.row, "message": message} for row, message in result.unusable],
    }
    changes.json_summary(result, head["summary"])
    yield json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "accounts": ['
    # Account by account: small pieces a buffered writer copies straight into its buffer
    # (big joined chunks would each be fresh memory the system has to map in).
    separator = b"\n    "
    dumps = orjson.dumps
    for account in accounts_json(result):
        yield separator
        yield dumps(account)
        separator = b",\n    "
    yield "\n  ]\n}\n"
