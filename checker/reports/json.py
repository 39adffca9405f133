"""The JSON report (schema/report.schema.json, `report_version: 2`): a head for people with
each rule's texts once (`rules`), then one account per line whose findings name their rule."""
from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import orjson

from checker.check import CheckResult
from checker.evaluate import Finding
from checker.reports import changes

#: 2: rule texts once in `rules` (1, unnumbered, repeated them on every finding).
REPORT_VERSION = 2


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


#: A finding's texts that belong to its rule: written once in the head's `rules`, not on every finding.
RULE_TEXTS = ("action", "source", "handbook_url")
#: The evidence every finding of a rule shares (the rule's test), by kind of rule: written once
#: in `rules[rule].evidence`. An expectation's observed value stays on the finding; so do a data
#: finding's column (signal) and the verdict's stages and scores.
SHARED_EVIDENCE = {"expectation": ("signal", "op", "threshold", "relative_to", "expected"),
                   "verdict": ("signal", "op", "threshold", "relative_to"),
                   "data": ("op", "threshold", "relative_to", "expected")}


def rules_json(result: CheckResult) -> dict[str, dict]:
    """Each rule of the report's findings once: kind, title, action, source and handbook link.

    The verdict's action names the declared and best-fit stages, so it differs by account: it
    stays on each verdict finding and its rule has none (see `lean`).
    """
    playbook, lang = result.playbook, result.lang
    verdict = playbook.manifest["verdict"]
    rules: dict[str, dict] = {}
    # Only rules with a finding in the report: filters (--kind, --owner, …) leave some out.
    listed = {f.rule for findings in result.evaluation.findings for f in findings}
    for f in result.evaluation.distinct:
        if f.rule in rules or f.rule not in listed:
            continue
        rule = playbook.rules_by_id.get(f.rule)
        if rule is not None:
            title = rule.title[lang]
        elif f.rule == verdict["id"]:
            title = verdict["title"][lang]
        elif f.kind in playbook.manifest["review"]["findings"]:  # review-disagrees, review-stale (--assessments)
            title = playbook.manifest["review"]["findings"][f.kind]["title"][lang]
        else:  # a data finding: one title for every problem with the export's cells
            title = playbook.text("check.data_title", lang)
        entry = {"kind": f.kind, "title": title, "action": f.action, "source": f.source, "handbook_url": f.handbook_url}
        if f.rule == verdict["id"]:
            del entry["action"]
        shared = SHARED_EVIDENCE["expectation" if rule is not None else "verdict" if f.rule == verdict["id"] else "data"]
        entry["evidence"] = {k: (f.evidence or {}).get(k) for k in shared}
        rules[f.rule] = entry
    return rules


def lean(finding: Finding, rules: dict[str, dict]) -> dict:
    """A finding as the report writes it: rule, kind, severity, message, its own evidence, and
    only those rule texts that differ from its rule's (the verdict's action). The full evidence
    is `{**rules[rule]["evidence"], **finding["evidence"]}`."""
    rule = rules.get(finding.rule, {})
    shared = rule.get("evidence", {})
    # The finding's own evidence: what differs from its rule's (a value equal to it is left out).
    evidence = None if finding.evidence is None else {k: v for k, v in finding.evidence.items() if k not in shared or shared[k] != v}
    item = {"rule": finding.rule, "kind": finding.kind, "severity": finding.severity, "message": finding.message, "evidence": evidence}
    for name in RULE_TEXTS:
        value = getattr(finding, name)
        if rule.get(name) != value:
            item[name] = value
    return item


def accounts_json(result: CheckResult, rules: dict[str, dict] | None = None) -> Iterator[dict]:
    """Every account of the JSON report, in input order.

    What many accounts share (a finding, a row of fit scores) is serialised once and
    reused as an `orjson.Fragment`: a report of 100,000 accounts holds far fewer distinct
    findings than findings.
    """
    table, evaluation = result.table, result.evaluation
    rules = rules_json(result) if rules is None else rules
    fragment = {id(f): orjson.Fragment(orjson.dumps(lean(f, rules))) for f in evaluation.distinct}  # the report's finding object
    stages, fit = evaluation.stage_ids, evaluation.fit
    evidence = evaluation.evidence if evaluation.evidence is not None else np.zeros_like(fit)
    # The distinct rows of scores and of evidence, then the distinct pairs of the two.
    _, fit_which = _distinct_rows(fit.reshape(len(fit), 2 * len(stages)))
    _, evidence_which = _distinct_rows(evidence.reshape(len(fit), 2 * len(stages)))
    _, first, which = np.unique(fit_which * (int(evidence_which.max(initial=0)) + 1) + evidence_which, return_index=True, return_inverse=True)
    # Pairs in the order of the head's `stages` (the stage names once, not on every account).
    fits = [orjson.Fragment(orjson.dumps(pairs, option=orjson.OPT_SERIALIZE_NUMPY)) for pairs in fit[first]]
    evidences = [orjson.Fragment(orjson.dumps(pairs, option=orjson.OPT_SERIALIZE_NUMPY)) for pairs in evidence[first]]
    rows = zip(table.ids, table.names, table.owners, table.rows, table.declared, table.declared_raw,
               evaluation.best_fit, which.reshape(-1).tolist(), evaluation.findings, evaluation.not_evaluated, strict=True)
    history = result.history
    # With a history each finding carries its mark; a mark is shared by many findings (Mark
    # objects are shared: checker.history.changes.annotate), so each (finding, mark) pair is
    # serialised once too.
    marked_fragments: dict[tuple[int, int], orjson.Fragment] = {}

    def marked(finding: Finding, mark: object) -> orjson.Fragment:
        key = (id(finding), id(mark))
        found = marked_fragments.get(key)
        if found is None:
            found = marked_fragments[key] = orjson.Fragment(orjson.dumps(changes.finding_json(lean(finding, rules), mark)))
        return found

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
            changes.json_account(index, history, findings, record, marked)
        yield record


def to_json(result: CheckResult, **_: object) -> Iterator[str | bytes]:
    """The report as one JSON document, written in chunks: the head indented for people,
    then one account per line (compact, so a large report stays fast and small enough).
    """
    rules = rules_json(result)
    head = {
        "report_version": REPORT_VERSION,
        "as_of": result.as_of.isoformat(),
        "lang": result.lang,
        "playbook_version": result.playbook_version,
        "stages": list(result.evaluation.stage_ids),
        "input": result.input_name,
        "summary": result.summary(),
        "unusable_rows": [{"row": row.row, "message": message} for row, message in result.unusable],
        "rules": rules,
    }
    changes.json_summary(result, head["summary"])
    yield json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "accounts": ['
    # Account by account: small pieces a buffered writer copies straight into its buffer
    # (big joined chunks would each be fresh memory the system has to map in).
    separator = b"\n    "
    dumps = orjson.dumps
    for account in accounts_json(result, rules):
        yield separator
        yield dumps(account)
        separator = b",\n    "
    yield "\n  ]\n}\n"
