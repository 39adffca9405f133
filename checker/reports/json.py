"""The JSON report (schema/report.schema.json, `report_version: 2`): a head for people with
each rule's texts once (`rules`), then one account per line whose findings name their rule."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import chain
from operator import attrgetter

import numpy as np
import orjson

from checker.check import CheckResult
from checker.evaluate import Evaluator, Finding
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
    flat = result.evaluation.flat  # the findings as columns (checker/found.py), while no one has changed their lists
    listed = ({flat.distinct[code].rule for code in flat.used().tolist()} if flat is not None
              else set(map(attrgetter("rule"), chain.from_iterable(result.evaluation.findings))))
    words = Evaluator(playbook, result.as_of, lang, "")  # the titles' one source (checker/evaluate.py: RuleTexts)
    for f in result.evaluation.distinct:
        if f.rule in rules or f.rule not in listed:
            continue
        rule = playbook.rules_by_id.get(f.rule)
        entry = {"kind": f.kind, "title": words.about(f.rule, f.kind).title, "action": f.action, "source": f.source, "handbook_url": f.handbook_url}
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


def _fit_rows(evaluation) -> tuple[list[bytes], list[bytes], list[int]]:
    """The JSON of each distinct row of fit scores and of evidence (in the order of the head's
    `stages`: the stage names once, not on every account), and each account's row number."""
    stages, fit = evaluation.stage_ids, evaluation.fit
    evidence = evaluation.evidence if evaluation.evidence is not None else np.zeros_like(fit)
    # The distinct rows of scores and of evidence, then the distinct pairs of the two.
    _, fit_which = _distinct_rows(fit.reshape(len(fit), 2 * len(stages)))
    _, evidence_which = _distinct_rows(evidence.reshape(len(fit), 2 * len(stages)))
    _, first, which = np.unique(fit_which * (int(evidence_which.max(initial=0)) + 1) + evidence_which, return_index=True, return_inverse=True)
    fits = [orjson.dumps(pairs, option=orjson.OPT_SERIALIZE_NUMPY) for pairs in fit[first]]
    evidences = [orjson.dumps(pairs, option=orjson.OPT_SERIALIZE_NUMPY) for pairs in evidence[first]]
    return fits, evidences, which.reshape(-1).tolist()


def accounts_json(result: CheckResult, rules: dict[str, dict] | None = None) -> Iterator[dict]:
    """Every account of the JSON report, in input order.

    What many accounts share (a finding, a row of fit scores) is serialised once and
    reused as an `orjson.Fragment`: a report of 100,000 accounts holds far fewer distinct
    findings than findings.
    """
    table, evaluation = result.table, result.evaluation
    rules = rules_json(result) if rules is None else rules
    fragment = {id(f): orjson.Fragment(orjson.dumps(lean(f, rules))) for f in evaluation.distinct}  # the report's finding object
    fit_rows, evidence_rows, fit_which = _fit_rows(evaluation)
    fits, evidences = list(map(orjson.Fragment, fit_rows)), list(map(orjson.Fragment, evidence_rows))
    rows = zip(table.ids, table.names, table.owners, table.rows, table.declared, table.declared_raw,
               evaluation.best_fit, fit_which, evaluation.findings, evaluation.not_evaluated, strict=True)
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


#: The keys of an account's object, each with what goes before it, as orjson writes
#: `accounts_json`'s dicts (compact, an account per line): id and name are texts, so their
#: quotes are here; a findings list's brackets too. The object's end follows the last value.
ACCOUNT_KEYS = (b',\n    {"account_id":"', b'","account_name":"', b'","owner":', b',"row":', b',"declared_stage":',
                b',"declared_stage_raw":', b',"best_fit_stage":', b',"fit":', b',"fit_evidence":', b',"findings":[',
                b'],"not_evaluated":')
#: Accounts per chunk written: a few MB (one chunk per account costs a call each; one for all
#: would be a copy of the whole report in memory).
CHUNK_ACCOUNTS = 2048
#: A JSON text (or null) in orjson's output: quotes around anything but a quote or backslash, or an escape.
_TEXT = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|null')


def _texts(values: list[str]) -> list[bytes]:
    """Each text's JSON without its quotes, as orjson writes it, from one call for the whole
    column (many small results of a call each cost more than the call: orjson's allocations)."""
    blob = orjson.dumps(values)
    if b"\\" not in blob:  # no escaped quote: `","` only between two texts
        return blob[2:-2].split(b'","') if values else []
    return [text[1:-1] for text in _TEXT.findall(blob)]


def _shared(values: list) -> list[bytes]:
    """Each value's JSON, for a column of few distinct values (texts or None): each serialised once."""
    distinct = list(dict.fromkeys(values))
    known = dict(zip(distinct, _TEXT.findall(orjson.dumps(distinct)), strict=True))
    return list(map(known.__getitem__, values))


def _findings(evaluation, rules: dict[str, dict]) -> list[bytes]:
    """Each account's findings as the JSON inside its list, each distinct finding serialised once."""
    if evaluation.flat is not None:  # from the columns: each finding's JSON picked by its code, an account's joined
        return evaluation.flat.joined([orjson.dumps(lean(f, rules)) for f in evaluation.flat.distinct], b",")
    finding = {id(f): orjson.dumps(lean(f, rules)) for f in evaluation.distinct}
    return [b",".join([finding[id(f)] for f in findings]) if findings else b"" for findings in evaluation.findings]


def _not_evaluated(evaluation) -> list[bytes]:
    """Each account's rules not evaluated as a JSON list, each distinct list serialised once."""
    if evaluation.flat_unknown is not None:
        distinct, which = evaluation.flat_unknown.rows()
        return list(map(list(map(orjson.dumps, distinct)).__getitem__, which))
    not_evaluated = {tuple(rules): orjson.dumps(rules) for rules in evaluation.not_evaluated if rules}
    return [not_evaluated[tuple(rules)] if rules else b"[]" for rules in evaluation.not_evaluated]


def account_lines(result: CheckResult, rules: dict[str, dict]) -> Iterator[bytes]:
    """The accounts of a report, byte for byte as orjson writes `accounts_json`'s dicts, each
    after its separator (a comma and a new line), in chunks. With a history, from its marks as
    columns (each finding with its mark, then waived, resolved, moved: `changes.json_columns`).

    Written from the columns, with no dict per account: each column is serialised in one go
    (a value many accounts share, such as a stage, an owner or a row of fit scores, once),
    and the values are laced between the keys a chunk of accounts at a time."""
    table, evaluation = result.table, result.evaluation
    fit_rows, evidence_rows, fit_which = _fit_rows(evaluation)
    if result.history is not None:  # each finding with its mark; waived, resolved and moved after not_evaluated
        findings, ends = changes.json_columns(result, lambda f: lean(f, rules))
    else:
        findings, ends = _findings(evaluation, rules), None
    columns = (
        _texts(table.ids),
        _texts(table.names),
        _shared([owner or None for owner in table.owners]),
        orjson.dumps(table.rows)[1:-1].split(b","),
        _shared(table.declared),
        _shared(table.declared_raw),
        _shared(evaluation.best_fit),
        list(map(fit_rows.__getitem__, fit_which)),
        list(map(evidence_rows.__getitem__, fit_which)),
        findings,
        _not_evaluated(evaluation),
    )
    # A chunk is a flat list of pieces, an account's keys and values in turn, filled a key or a
    # column at a time by slice assignment (C copies), then joined.
    width = 2 * len(ACCOUNT_KEYS) + 1
    for start in range(0, len(table), CHUNK_ACCOUNTS):
        n = min(CHUNK_ACCOUNTS, len(table) - start)
        pieces = [b"}"] * (width * n)  # the last piece of each account: its object's end
        for k, (key, column) in enumerate(zip(ACCOUNT_KEYS, columns, strict=True)):
            pieces[2 * k::width] = [key] * n
            pieces[2 * k + 1::width] = column[start:start + n]
        if ends is not None:
            pieces[width - 1::width] = ends[start:start + n]
        chunk = b"".join(pieces)
        yield chunk[1:] if start == 0 else chunk  # no comma before the first account


def _plain_texts(table) -> bool:
    """Whether ids and names are all texts (what `account_lines` writes them as)."""
    return set(map(type, chain(table.ids, table.names))) <= {str}


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
    if (result.history is None or result.history.columns is not None) and _plain_texts(result.table):
        yield from account_lines(result, rules)
    else:  # each finding with its mark: an account at a time, small pieces a buffered writer copies into its buffer
        separator = b"\n    "
        dumps = orjson.dumps
        for account in accounts_json(result, rules):
            yield separator
            yield dumps(account)
            separator = b",\n    "
    yield "\n  ]\n}\n"
