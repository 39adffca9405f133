"""A check's result annotated with what changed since the baseline and which findings are waived.

`annotate` reads a CheckResult, the baseline (an earlier report) and the waivers, and fills a
`History`: per finding its status (`new` or `still-open`), the date it was first seen and the
waiver that silences it; per account the findings resolved since the baseline and a declared
stage or best fit that moved; the counts; and notes on waivers that expired or match nothing.
The reporters render it; `count` is what `--fail-on` counts.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain
from typing import ClassVar

import numpy as np

from checker.check import AccountView, CheckResult
from checker.evaluate import Finding
from checker.found import Found, ListsOnRequest, Marks
from checker.history.baseline import Baseline, Columns, Seen
from checker.history.waivers import Waiver, Waivers
from checker.inputs.files import InputError
from checker.playbook.messages import Problem, closest
from checker.playbook.model import SEVERITIES

NEW, STILL_OPEN = "new", "still-open"


@dataclass(frozen=True)
class Mark:
    """What the history says of one finding of one account."""

    status: str | None  # NEW or STILL_OPEN; None without a baseline
    first_seen: date | None
    waiver: Waiver | None = None


@dataclass
class Moved:
    """An account's declared stage and best fit in the baseline, where either differs now."""

    declared: str | None
    best_fit: str | None


@dataclass
class History(ListsOnRequest):
    """The annotations of one result; `CheckResult.history` once `annotate` has run. `annotate`
    gives the marks as a code per finding (`flat_marks`, beside `found`: checker/found.py) and
    None for `findings` and `marks`, whose lists are built when first asked for."""

    ON_REQUEST: ClassVar[dict[str, str]] = {"findings": "found", "marks": "flat_marks"}

    since: date | None  # the baseline's date; None without --baseline
    show_waived: bool
    findings: list[list[Finding]]  # Evaluation.findings
    marks: list[list[Mark]]  # parallel to them
    resolved: dict[int, list[Seen]] = field(default_factory=dict)  # account index → baseline findings gone
    moved: dict[int, Moved] = field(default_factory=dict)
    accounts_added: int = 0
    accounts_removed: int = 0
    notes: list[Problem] = field(default_factory=list)  # expired waivers, waivers matching nothing
    waived_rows: set[int] = field(default_factory=set)  # accounts with a waived finding (the others need no look at each mark)
    distinct_marks: list[Mark] = field(default_factory=list)  # every Mark object the marks use (annotate shares them)
    found: Found | None = None  # the evaluation's findings as columns
    flat_marks: Marks | None = None  # a code per finding of `found` into distinct_marks

    @property
    def columns(self) -> tuple[Found, Marks] | None:
        """The findings and their marks as columns, while no list of them has been asked for (and so changed)."""
        return (self.found, self.flat_marks) if self.flat_marks is not None and not {"findings", "marks"} & self.__dict__.keys() else None

    def uses(self) -> list[tuple[Mark, int]]:
        """Each distinct mark with how many findings it marks."""
        if (columns := self.columns) is not None:
            return list(zip(self.distinct_marks, np.bincount(columns[1].codes, minlength=len(self.distinct_marks)).tolist(), strict=True))
        uses = Counter(map(id, chain.from_iterable(self.marks)))
        distinct = {id(m): m for m in self.distinct_marks} if self.distinct_marks else {id(m): m for row in self.marks for m in row}
        return [(distinct[key], n) for key, n in uses.items()]

    def narrowed(self, kept: list[list[Finding]]) -> History:
        """The same history for a filtered result (--owner, --kind, --min-severity): the marks of the findings kept."""
        marks = []
        for row, row_marks, keep in zip(self.findings, self.marks, kept, strict=True):
            by_finding = {id(f): m for f, m in zip(row, row_marks, strict=True)}
            marks.append([by_finding[id(f)] for f in keep])
        return replace(self, findings=kept, marks=marks)

    def shown(self, account: AccountView) -> Iterator[tuple[Finding, Mark]]:
        """An account's findings with their marks; waived ones only with --show-waived."""
        for finding, mark in zip(account.findings, self.marks[account.index], strict=True):
            if mark.waiver is None or self.show_waived:
                yield finding, mark

    def noteworthy(self, account: AccountView) -> bool:
        """Whether a report lists the account: a finding shown, or something that moved."""
        return next(self.shown(account), None) is not None or account.index in self.resolved or account.index in self.moved

    def count(self, severities: tuple[str, ...] = SEVERITIES) -> int:
        """Findings of these severities that no waiver silences (what --fail-on counts)."""
        if (columns := self.columns) is not None:
            found, marks = columns
            counted = np.array([f.severity in severities for f in found.distinct] + [False], dtype=bool)[found.code if len(found.code) else -1]
            open_ = np.array([m.waiver is None for m in marks.distinct] + [False], dtype=bool)[marks.codes if len(marks.codes) else -1]
            return int(np.count_nonzero(counted & open_)) if len(found.code) else 0
        return sum(1 for row, marks in zip(self.findings, self.marks, strict=True)
                   for f, m in zip(row, marks, strict=True) if m.waiver is None and f.severity in severities)

    def changes(self) -> dict:
        """The summary's `changes`: new, still open, resolved (null without a baseline) and waived."""
        # Marks are shared (annotate): count each distinct one's uses, then add up by kind.
        uses = self.uses()
        waived = sum(n for m, n in uses if m.waiver is not None)
        if self.since is None:
            return {"since": None, "new": None, "still_open": None, "resolved": None, "waived": waived,
                    "stages_moved": None, "accounts_added": None, "accounts_removed": None}
        open_ = [(m, n) for m, n in uses if m.waiver is None]
        return {"since": self.since.isoformat(), "new": sum(n for m, n in open_ if m.status == NEW), "still_open": sum(n for m, n in open_ if m.status == STILL_OPEN),
                "resolved": sum(len(r) for r in self.resolved.values()), "waived": waived, "stages_moved": len(self.moved),
                "accounts_added": self.accounts_added, "accounts_removed": self.accounts_removed}


def comparable(baseline: Baseline, as_of: date, ids: Iterable[str]) -> None:
    """Stop (InputError) when the baseline cannot be compared with this run: it is later, or none of its accounts is in the export."""
    if baseline.as_of > as_of:  # swapped files would turn every finding "resolved" and back
        raise InputError("history.baseline_later", path=baseline.name, theirs=baseline.as_of.isoformat(), ours=as_of.isoformat())
    before = baseline.accounts
    if before and not any(account_id in before for account_id in ids):
        raise InputError("history.baseline_other_export", path=baseline.name, n=len(before))


def annotate(result: CheckResult, baseline: Baseline | None, waivers: Waivers | None, show_waived: bool = False) -> History:
    """Compare the result with the baseline and apply the waivers; the result carries the history."""
    table, evaluation = result.table, result.evaluation
    index_of = {account_id: i for i, account_id in enumerate(table.ids)}
    if baseline is not None:
        comparable(baseline, result.as_of, index_of)
    before = baseline.accounts if baseline is not None else {}
    active = active_waivers(waivers, result.as_of)
    found = evaluation.flat if evaluation.flat is not None else Found.from_lists(evaluation.findings)  # the findings as columns (checker/found.py)
    # One Mark per (status, first seen, waiver): a large result holds few distinct ones, and
    # the JSON writer serialises each (finding, mark) pair once. A finding's mark is a code into them.
    shared: dict[tuple, Mark] = {}
    by_code: list[Mark] = []
    code_of: dict[int, int] = {}  # id of a Mark → its code

    def mark(status: str | None, first: date | None, waiver: Waiver | None) -> Mark:
        key = (status, first, id(waiver))
        if key not in shared:
            shared[key] = Mark(status, first, waiver)
            code_of[id(shared[key])] = len(by_code)
            by_code.append(shared[key])
        return shared[key]

    if baseline is None:
        codes = np.full(len(found), code_of[id(mark(None, None, None))], dtype=np.int64)
    else:
        at, gone = _compare(result, baseline, index_of, found)
        # Per finding its mark, by the code of the date it was first seen (0: new since the baseline).
        table_of_marks = [mark(NEW, result.as_of, None), *(mark(STILL_OPEN, day, None) for day in baseline.dates)]
        first_codes = np.asarray(baseline.columns.first_seen, dtype=np.int64)
        codes = np.where(at >= 0, first_codes[np.maximum(at, 0)] + 1, 0) if len(first_codes) else np.zeros(len(at), dtype=np.int64)
        codes = np.array([code_of[id(m)] for m in table_of_marks], dtype=np.int64)[codes]
    history = History(baseline.as_of if baseline else None, show_waived, None, None, distinct_marks=by_code,  # type: ignore[arg-type]
                      found=found, flat_marks=Marks(found, codes, by_code))
    for account_id, waiving in active.items():  # the few accounts a waiver names: their findings marked one by one
        i = index_of.get(account_id)
        if i is None:
            continue
        first, end = found.starts[i], found.starts[i + 1]
        row = [m if (w := next((w for w in waiving if w.covers(f)), None)) is None else mark(m.status, m.first_seen, w)
               for f, m in zip(found.row(i), map(by_code.__getitem__, codes[first:end].tolist()), strict=True)]
        codes[first:end] = [code_of[id(m)] for m in row]
        if any(m.waiver is not None for m in row):
            history.waived_rows.add(i)
    if baseline is not None:
        columns = baseline.columns
        account_ids = columns.ids
        for j in gone.tolist():  # in the baseline's order, as each account listed them
            history.resolved.setdefault(index_of[account_ids[columns.account[j]]], []).append(baseline.seen(j))
        for account_id, j in before.items():
            i = index_of.get(account_id)
            if i is not None and (columns.declared[j], columns.best_fit[j]) != (table.declared[i], evaluation.best_fit[i]):
                history.moved[i] = Moved(columns.declared[j], columns.best_fit[j])
        history.resolved = dict(sorted(history.resolved.items()))
        history.moved = dict(sorted(history.moved.items()))
        history.accounts_added = len(table.ids) - sum(map(before.__contains__, table.ids))
        history.accounts_removed = len(before) - sum(map(index_of.__contains__, before))
    if waivers is not None:
        used = {id(m.waiver) for m, n in history.uses() if m.waiver is not None and n}
        history.notes = waiver_notes(waivers, result.as_of, index_of, used, lambda i: (f.rule for f in history.found.row(i)))
    result.history = history
    return history


def data_column(f: Finding) -> str | None:
    """The column a data finding is about (one rule id serves every bad cell); None for any other finding."""
    return (f.evidence or {}).get("signal") if f.kind == "data" else None

def _compare(result: CheckResult, baseline: Baseline, index_of: dict[str, int], found: Found) -> tuple[np.ndarray, np.ndarray]:
    """The result's findings against the baseline's, as whole columns.

    Returns, per finding of the result (accounts in order, findings in order), the position of
    the same finding in the baseline (`FindingKey`: account, rule, the column of a data
    finding) or -1; and the positions of the baseline's findings no longer there, of accounts
    still in the export, in the baseline's order. A key is an account's position times the
    number of distinct (rule, column) pairs plus its pair's code; a key repeated within the
    baseline counts once, as its last finding, at the place of its first (as a dict keeps it)."""
    pairs: dict[tuple[str, str | None], int] = {}
    pair_of = np.array([pairs.setdefault((f.rule, data_column(f)), len(pairs)) for f in found.distinct] + [0], dtype=np.int64)
    flat = pair_of[found.code]  # each finding's (rule, column) code
    columns = baseline.columns
    theirs = np.array([pairs.setdefault((rule, column), len(pairs)) for rule, _, column, _, _ in columns.distinct], dtype=np.int64)
    accounts = np.array([index_of.get(account_id, -1) for account_id in columns.ids], dtype=np.int64)
    base_account = accounts[np.asarray(columns.account, dtype=np.int64)]
    width = max(len(pairs), 1)
    positions = np.nonzero(base_account >= 0)[0]  # findings of accounts still in the export
    keys = base_account[positions] * width + theirs[np.asarray(columns.finding, dtype=np.int64)[positions]]
    unique, first = np.unique(keys, return_index=True)
    _, last_reversed = np.unique(keys[::-1], return_index=True)
    last = positions[len(keys) - 1 - last_reversed]  # per unique key (sorted), its last finding
    mine = found.account * width + flat
    where = np.minimum(np.searchsorted(unique, mine), max(len(unique) - 1, 0))
    hit = unique[where] == mine if len(unique) else np.zeros(len(mine), dtype=bool)
    at = np.where(hit, last[where] if len(unique) else -1, -1)
    gone = np.ones(len(unique), dtype=bool)
    gone[where[hit]] = False
    return at, last[gone][np.argsort(first[gone], kind="stable")]

def report_columns(result: CheckResult) -> Columns:
    """What `--baseline` reads of this result's JSON report (`load_baseline`), without reading
    it back: the index `write_index` puts beside the report. Accounts, stages and findings as
    the JSON writer lists them (shown findings, then waived ones), from the findings and marks
    as columns (checker/found.py; numpy arrays, which write_index writes as lists)."""
    history, table, evaluation = result.history, result.table, result.evaluation
    columns = Columns(list(table.ids), list(table.declared), list(evaluation.best_fit))
    if history is None:
        found = evaluation.flat if evaluation.flat is not None else Found.from_lists(evaluation.findings)
        marks = None
    elif history.columns is not None:
        found, marks = history.columns
    else:  # lists changed since annotate (a filtered result): their columns again
        found = Found.from_lists(history.findings)
        marks = Marks(found, Found.from_lists(history.marks).code, list({id(m): m for row in history.marks for m in row}.values()))
    code, mark = found.code, marks.codes if marks is not None else None
    if marks is not None and not history.show_waived and history.waived_rows:  # as the JSON writer lists them: shown, then waived
        order = np.arange(len(code))
        waived = np.array([m.waiver is not None for m in marks.distinct], dtype=bool)[mark]
        for i in sorted(history.waived_rows):
            part = order[found.starts[i]:found.starts[i + 1]]
            part[:] = np.concatenate([part[~waived[part]], part[waived[part]]])
        code, mark = code[order], mark[order]
    used, first = np.unique(code, return_index=True)
    code_of = np.zeros(len(found.distinct), dtype=np.int64)
    for k in used[np.argsort(first)].tolist():  # each distinct finding coded once, in the order they first appear
        f = found.distinct[k]
        code_of[k] = columns.code((f.rule, f.kind, data_column(f), f.severity, f.message))
    columns.account, columns.finding = found.account, code_of[code]
    as_of = columns.date_code(result.as_of.isoformat())
    if marks is None:
        columns.first_seen = np.full(len(code), as_of, dtype=np.int64)
    else:
        firsts = {id(m): as_of if m.status is None else columns.date_code(m.first_seen.isoformat()) for m in (history.distinct_marks or marks.distinct)}
        columns.first_seen = np.array([firsts[id(m)] for m in marks.distinct] + [0], dtype=np.int64)[mark]
    return columns


def active_waivers(waivers: Waivers | None, as_of: date) -> dict[str, list[Waiver]]:
    """Account id → the waivers in force on the run's date (an `until` date is the last day one holds)."""
    active: dict[str, list[Waiver]] = {}
    for waiver in waivers.entries if waivers else []:
        if waiver.until >= as_of:
            for account_id in waiver.accounts:
                active.setdefault(account_id, []).append(waiver)
    return active


def waiver_notes(waivers: Waivers, as_of: date, index_of: dict[str, int], used: set[int], rules_of: Callable[[int], Iterable[str]]) -> list[Problem]:
    """One note per waiver that expired, names an account not in the export, or waives no finding
    (`used`: the ids of the waivers that waive one; `rules_of(i)`: the rules of the i-th account's findings)."""
    notes = [Problem("history.waivers_missing", path=waivers.name)] if waivers.missing else []
    for w in waivers.entries:
        where = f"{waivers.name}:{w.line}"
        if w.until < as_of:
            notes.append(Problem("history.waiver_expired", where=where, account=", ".join(w.accounts), rule=w.what, until=w.until.isoformat()))
            continue
        missing = [a for a in w.accounts if a not in index_of]
        for account_id in missing:
            close = close_id(account_id, index_of)
            notes.append(Problem("history.waiver_no_account", where=where, account=account_id, hint=Problem("hint.did_you_mean", word=close) if close else ""))
        present = [a for a in w.accounts if a in index_of]
        if present and id(w) not in used:
            rules = sorted({rule for a in present for rule in rules_of(index_of[a])})
            close = closest(w.what, rules) if w.rule else None
            notes.append(Problem("history.waiver_no_finding", where=where, account=", ".join(present), rule=w.what,
                                 hint=Problem("hint.did_you_mean", word=close) if close else ""))
    return notes


def close_id(word: str, ids: Iterable[str]) -> str | None:
    """The one id a mistyped id most likely meant: equal but for case, or one keystroke away
    (a character changed, added or dropped, or two neighbours swapped). Ids such as ACC-00012
    and ACC-00099 look alike to a general similarity measure yet name unrelated accounts, so
    nothing further away is suggested; with several candidates equally close, none is."""
    typed = word.casefold()
    same = [i for i in ids if i.casefold() == typed]
    found = same or [i for i in ids if _one_keystroke(typed, i.casefold())]
    return found[0] if len(found) == 1 else None


def _one_keystroke(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    k = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[k:] == long[k + 1:]
