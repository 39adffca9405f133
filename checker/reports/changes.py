"""How every format shows the history (checker.history): what is new since the baseline, what
was resolved or moved, and waived findings (only with --show-waived). Without --baseline and
--waivers a result has no history and the reports are exactly as before."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import orjson

from checker.check import AccountView, CheckResult
from checker.evaluate import Finding
from checker.history.changes import NEW, History, Mark
from checker.reports.text import count, phase_name

#: The CSV columns added when there is a history; `status` is new, still-open, waived or resolved.
CSV_COLUMNS = ["status", "first_seen", "waived_until", "waived_reason", "waived_by"]


def shown(account: AccountView) -> Iterator[tuple[Finding, Mark | None]]:
    """The account's findings a report lists, each with its mark (None without a history)."""
    history: History | None = account.result.history
    if history is None:
        yield from ((f, None) for f in account.findings)
    else:
        yield from history.shown(account)


def listed(account: AccountView) -> bool:
    """Whether the table and Markdown report list the account."""
    history: History | None = account.result.history
    return history.noteworthy(account) if history else bool(account.findings)


def mark_text(result: CheckResult, mark: Mark | None, short: bool = False) -> str:
    """`NEW`, `open since …` (`short`: `since 10-24`, for the terminal) and `waived until …: reason (by)`."""
    if mark is None:
        return ""
    parts = []
    if mark.status == NEW:
        parts.append(result.text("history.new"))
    elif mark.status is not None and mark.first_seen is not None:
        parts.append(result.text("history.since_short", d=mark.first_seen) if short else result.text("history.open_since", date=mark.first_seen.isoformat()))
    if mark.waiver is not None:
        w = mark.waiver
        parts.append(result.text("history.waived", until=w.until.isoformat(), reason=w.reason, by=result.text("history.waived_by", by=w.by) if w.by else ""))
    return "; ".join(parts)


def account_lines(account: AccountView) -> list[str]:
    """Findings resolved since the baseline and a stage that moved, one line each."""
    history: History | None = account.result.history
    if history is None or history.since is None:
        return []
    result, since, lines = account.result, history.since.isoformat(), []
    moved = history.moved.get(account.index)
    if moved is not None:
        what = []
        if moved.declared != account.declared:
            what.append(result.text("history.moved_declared", old=phase_name(result, moved.declared), new=phase_name(result, account.declared)))
        if moved.best_fit != account.best_fit_stage:
            what.append(result.text("history.moved_best", old=phase_name(result, moved.best_fit), new=phase_name(result, account.best_fit_stage)))
        lines.append(result.text("history.moved", since=since, what="; ".join(what)))
    resolved = history.resolved.get(account.index)
    if resolved:
        lines.append(result.text("history.resolved", since=since, rules=", ".join(sorted({s.rule for s in resolved}))))
    return lines


def summary_lines(result: CheckResult) -> list[str]:
    history: History | None = result.history
    if history is None:
        return []
    c = history.changes()
    if history.since is None:
        return [result.text("history.changes_waived", n=c["waived"])]
    return [result.text("history.changes", since=c["since"], **{key: count(result, key, c[field]) for key, field in (
        ("new", "new"), ("still_open", "still_open"), ("resolved", "resolved"), ("moved", "stages_moved"), ("waived", "waived"))})]


def csv_rows(account: AccountView) -> Iterator[list[object]]:
    """The extra cells of each finding row, then one row per finding resolved since the baseline."""
    history: History = account.result.history
    for f, mark in history.shown(account):
        w = mark.waiver
        status = "waived" if w else mark.status
        yield [f, status, mark.first_seen, w.until if w else None, w.reason if w else None, w.by if w else None]
    for seen in history.resolved.get(account.index, []):
        # Its message in this run's language (the baseline may be in another): the rule's title.
        yield [seen._replace(message=_title(account.result, seen.rule) or seen.message), "resolved", seen.first_seen, None, None, None]


def _title(result: CheckResult, rule_id: str) -> str | None:
    """A rule's title in the run's language: an expectation's, the verdict's, or the one of every data finding."""
    pb = result.playbook
    rule = pb.rules_by_id.get(rule_id)
    if rule is not None:
        return rule.title[result.lang]
    if rule_id == pb.manifest["verdict"]["id"]:
        return pb.manifest["verdict"]["title"][result.lang]
    return result.text("check.data_title") if rule_id.startswith("data-") else None


def json_account(account_index: int, history: History, findings: list[Finding], record: dict, as_json: Callable[[Finding, Mark], object]) -> None:
    """Status, first_seen and waiver on each finding (`as_json(finding, mark)` writes it: `finding_json`); the account's `resolved` rules, `moved` stages and `waived` findings."""
    marks = history.marks[account_index]
    if account_index in history.waived_rows and not history.show_waived:
        shown, waived = [], []
        for f, mark in zip(findings, marks, strict=True):
            (shown if mark.waiver is None else waived).append(as_json(f, mark))
        record["findings"] = shown
        if waived:  # kept in the report (for next week's --baseline) though not listed as findings
            record["waived"] = waived
    else:
        record["findings"] = [as_json(f, mark) for f, mark in zip(findings, marks, strict=True)]
    if history.since is not None:
        resolved = history.resolved.get(account_index)
        record["resolved"] = sorted({s.rule for s in resolved}) if resolved else []
        moved = history.moved.get(account_index)
        if moved is not None:
            record["moved"] = {"declared_stage": moved.declared, "best_fit_stage": moved.best_fit}


def json_columns(result: CheckResult, lean: Callable[[Finding], dict]) -> tuple[list[bytes], list[bytes]]:
    """With a history whose marks are columns (`History.columns`): per account the JSON inside its
    findings list and the end of its object (`waived`, `resolved`, `moved`, `}`), byte for byte as
    orjson writes what `json_account` makes. Each distinct (finding, mark) pair is serialised once."""
    history: History = result.history
    found, marks = history.columns
    width = max(len(marks.distinct), 1)
    pairs, which = np.unique(found.code * width + marks.codes, return_inverse=True)
    which = which.reshape(-1)
    pieces = [orjson.dumps(finding_json(lean(found.distinct[p // width]), marks.distinct[p % width])) for p in pairs.tolist()]
    findings = found.joined(pieces, b",", which)
    tails: dict[int, bytes] = {}
    if not history.show_waived:  # the few accounts with a waived finding: shown ones listed, waived ones kept apart
        for i in history.waived_rows:
            at = range(found.starts[i], found.starts[i + 1])
            waived = [marks.distinct[marks.codes[k]].waiver is not None for k in at]
            findings[i] = b",".join([pieces[which[k]] for k, w in zip(at, waived, strict=True) if not w])
            tails[i] = b',"waived":[' + b",".join([pieces[which[k]] for k, w in zip(at, waived, strict=True) if w]) + b"]"
    if history.since is None:
        return findings, [tails.get(i, b"") + b"}" for i in range(found.size)] if tails else [b"}"] * found.size
    ends = [b',"resolved":[]}'] * found.size
    for i in tails.keys() | history.resolved.keys() | history.moved.keys():
        resolved, moved = history.resolved.get(i), history.moved.get(i)
        ends[i] = (tails.get(i, b"") + b',"resolved":' + orjson.dumps(sorted({s.rule for s in resolved}) if resolved else [])
                   + (b',"moved":' + orjson.dumps({"declared_stage": moved.declared, "best_fit_stage": moved.best_fit}) if moved is not None else b"") + b"}")
    return findings, ends


def finding_json(item: dict, mark: Mark) -> dict:
    """A finding as the JSON report writes it (`item`), with its mark: status, first_seen and waiver."""
    if mark.status is not None:
        item["status"], item["first_seen"] = mark.status, mark.first_seen.isoformat()
    if mark.waiver is not None:
        w = mark.waiver
        item["waived"] = {"reason": w.reason, "by": w.by or None, "until": w.until.isoformat()}
    return item


def json_summary(result: CheckResult, summary: dict) -> None:
    history: History | None = result.history
    if history is not None:
        summary["changes"] = history.changes()
        summary["waiver_notes"] = [note.render(result.lang, result.playbook.messages) for note in history.notes]
