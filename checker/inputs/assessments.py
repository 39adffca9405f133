"""Assessments files: what people answered in an account review, read and merged into an export.

An assessments file (schema/assessments.schema.json) is a table, CSV or XLSX, one row per
account per review: `account_id, account_name, reviewed_on, reviewer, declared_stage`, then
a column for any signal of the catalogue. The handbook's review page saves one row at a
time; `playbook review-sheet` writes a sheet that, filled in, is one. Headers may be the
canonical names or the names the review sheet writes (a signal's name, in either language);
a cell is read as an account export's cell is (`values.parse_cell`), after a leading `'`
(formula neutralising) and after an option's label (`about half`, `noin puolet`) is turned
into the option's value.

A file with any problem is not used at all (nothing half-merged): `read_assessments` raises
one InputError listing every problem by file and line. Per account the newest review is
merged (`merge_reviews`): it fills what the CRM does not know; where the CRM knows a value,
the CRM's stands and a review too far from it is noted as a disagreement.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np

from checker.inputs.columns import encode
from checker.inputs.files import InputError, read_table
from checker.inputs.mappings import normalise_header
from checker.inputs.values import BadValue, is_unknown, parse_cell, parse_date, unguarded
from checker.playbook.messages import Problem, suggestion
from checker.playbook.model import LANGUAGES, Playbook, Signal
from checker.playbook.references import label_key

IDENTITY = ("account_id", "account_name", "reviewed_on", "reviewer", "declared_stage")
OPTIONAL = ("owner",)  # the review sheet shows whose account it is; read past
#: Problems listed in full before "and N more".
MOST_SHOWN = 30


class Problems(Problem):
    """Several problems, one per line (the rows of an assessments file that cannot be used)."""

    def __init__(self, items: list[Problem]):
        super().__init__("review.more")
        self.items = items

    def render(self, lang: str = "en", messages: dict | None = None) -> str:
        shown = [f"  {p.render(lang, messages)}" for p in self.items[:MOST_SHOWN]]
        if len(self.items) > MOST_SHOWN:
            shown.append(f"  {Problem('review.more', n=len(self.items) - MOST_SHOWN).render(lang, messages)}")
        return "\n".join(shown)


@dataclass(frozen=True)
class Review:
    """One row of an assessments file: an account's review on one day."""

    account_id: str
    account_name: str
    reviewed_on: date
    reviewer: str
    declared: str | None  # a stage or ending id (None: not said)
    declared_raw: str
    values: dict[str, object]  # signal -> parsed value; only the answered ones
    file: str
    line: int

    def origin(self) -> dict:
        """Where a value came from, as `playbook signals --format json` names it."""
        return {"review": {"file": self.file, "line": self.line, "reviewed_on": self.reviewed_on.isoformat(), "reviewer": self.reviewer}}


@dataclass
class Assessments:
    """The reviews of one or more assessments files: the newest per account, and what was read."""

    reviews: dict[str, Review]  # account id -> its newest review
    files: list[str]
    rows_read: int = 0
    rows_not_filled: int = 0  # review-sheet rows nobody filled in (no date, no reviewer, no answer)
    superseded: int = 0  # older reviews of an account with a newer one


def header_fields(playbook: Playbook) -> dict[str, str]:
    """Every accepted header (normalised) → its field: canonical names, and the names the
    review sheet writes in either language (messages `review.column.*`, signal names)."""
    fields: dict[str, str] = {}
    for name in (*IDENTITY, *OPTIONAL):
        fields[name] = name
        for lang in LANGUAGES:
            fields[normalise_header(playbook.text(f"review.column.{name}", lang))] = name
    for signal in playbook.signals.values():
        fields[signal.id] = signal.id
        for lang in LANGUAGES:
            fields.setdefault(normalise_header(signal.name[lang]), signal.id)
    return fields


def option_values(signal: Signal) -> dict[str, str]:
    """An asked signal's option labels (either language, case ignored) → the value as a cell writes it."""
    options = signal.data.get("ask", {}).get("options", [])
    return {label_key(o["label"][lang]): str(o["value"]) for o in options for lang in LANGUAGES}


def read_cell(cell: str, signal: Signal, labels: dict[str, str]) -> object:
    """One answer: past a leading `'`, an option's label as its value, then as an export's cell."""
    text = unguarded(cell)
    text = labels.get(label_key(text), text)
    return parse_cell(text, signal.type, signal.data.get("values"))


def read_assessments(paths: list[Path], playbook: Playbook, as_of: date) -> Assessments:
    """The reviews of every file, the newest per account. Raises InputError listing every problem."""
    found = Assessments({}, [])
    seen: dict[tuple[str, date], str] = {}  # (account, day) -> where it was first reviewed
    for path in paths:
        problems: list[Problem] = []
        rows = _read_file(path, playbook, as_of, problems, found)
        for review in rows:
            key = (review.account_id, review.reviewed_on)
            if key in seen:
                problems.append(Problem("review.twice", path=review.file, line=review.line, account=review.account_id,
                                        day=review.reviewed_on.isoformat(), first=seen[key]))
                continue
            seen[key] = f"{review.file}:{review.line}"
        if problems:
            raise InputError("review.invalid", path=path, n=len(problems), problems=Problems(problems))
        for review in rows:
            earlier = found.reviews.get(review.account_id)
            if earlier is None or review.reviewed_on > earlier.reviewed_on:
                found.reviews[review.account_id] = review
            found.superseded += earlier is not None
        found.files.append(path.name)
    return found


def _read_file(path: Path, playbook: Playbook, as_of: date, problems: list[Problem], found: Assessments) -> list[Review]:
    """The rows of one file as reviews; the problems of its rows appended to `problems`."""
    table = read_table(path)
    name = table.name if path.suffix.lower() in (".xlsx", ".xlsm") else path.name
    fields = header_fields(playbook)
    columns: dict[str, int] = {}
    for i, header in enumerate(table.header):
        key = normalise_header(header)
        if not key:
            continue
        known = fields.get(key)
        if known is None:
            raise InputError("review.unknown_column", path=name, column=header.strip(), hint=suggestion(key, list(fields)))
        if known in columns:
            raise InputError("error.duplicate_column", path=name, column=header.strip(), field=known)
        columns[known] = i
    missing = [c for c in IDENTITY if c not in columns]
    if missing:
        raise InputError("review.missing_columns", path=name, columns=", ".join(missing), found=", ".join(h.strip() for h in table.header))
    stages = {label_key(label): phase.id for phase in playbook.phases.values() for label in phase.labels()}
    signals = [(s, i, playbook.signals[s], option_values(playbook.signals[s])) for s, i in columns.items() if s in playbook.signals]
    read: dict[tuple[str, str], object] = {}  # (signal, cell) -> its value or BadValue: a file repeats its answers
    reviews: list[Review] = []
    for cells, line in zip(table.rows, table.lines, strict=True):
        cells = [c.strip() for c in cells] + [""] * (len(table.header) - len(cells))
        if not any(cells):
            continue  # a blank line is not a row
        found.rows_read += 1
        text = {f: unguarded(cells[columns[f]]) for f in IDENTITY}
        where = {"path": name, "line": line}
        if not text["reviewed_on"] and not text["reviewer"]:
            found.rows_not_filled += 1  # a review-sheet row nobody filled in: counted, said, not used
            continue
        before = len(problems)
        if not text["account_id"]:
            problems.append(Problem("review.no_account_id", **where))
        if not text["reviewer"]:
            problems.append(Problem("review.no_reviewer", **where, account=text["account_id"]))
        reviewed_on = _review_date(text["reviewed_on"], as_of, where, problems)
        declared = None
        if text["declared_stage"]:
            declared = stages.get(label_key(text["declared_stage"]))
            if declared is None:
                problems.append(Problem("review.unknown_stage", **where, value=text["declared_stage"], hint=suggestion(label_key(text["declared_stage"]), list(stages))))
        values: dict[str, object] = {}
        for signal_id, i, signal, labels in signals:
            cell = cells[i]
            if is_unknown(unguarded(cell)):
                continue
            value = read.get((signal_id, cell), read)
            if value is read:
                try:
                    value = read[signal_id, cell] = read_cell(cell, signal, labels)
                except BadValue as bad:
                    value = read[signal_id, cell] = bad
            if isinstance(value, BadValue):
                bad = value
                reason = Problem(bad.reason, **bad.details)
                problems.append(Problem("review.bad_value", **where, column=table.header[i].strip(), value=cell, reason=reason))
                continue
            if value is None:
                continue
            if signal.type == "date" and "ask" in signal.data and reviewed_on and value > reviewed_on:
                problems.append(Problem("review.answer_after_review", **where, column=table.header[i].strip(), value=value.isoformat(), day=reviewed_on.isoformat()))
                continue
            values[signal_id] = value
        if len(problems) == before and reviewed_on is not None:
            reviews.append(Review(text["account_id"], text["account_name"], reviewed_on, text["reviewer"], declared,
                                  text["declared_stage"], values, name, line))
    return reviews


def _review_date(cell: str, as_of: date, where: dict, problems: list[Problem]) -> date | None:
    if not cell:
        problems.append(Problem("review.no_date", **where))
        return None
    try:
        day = parse_date(cell)
    except BadValue as bad:
        problems.append(Problem("review.bad_date", **where, value=cell, reason=Problem(bad.reason)))
        return None
    if day > as_of:
        problems.append(Problem("review.future", **where, day=day.isoformat(), as_of=as_of.isoformat()))
        return None
    return day


# --- merging into an export ----------------------------------------------------------------------


class Disagreement(NamedTuple):
    """A review's value far from the CRM's: the CRM's was used."""

    index: int  # account
    signal: str  # a signal id, or "declared_stage"
    crm: object
    review: object
    severity: str  # info or warning
    source: Review


@dataclass
class Merged:
    """What the reviews added to an export, per account, and where they did not fit."""

    assessments: Assessments | None = None
    reviewed: dict[int, Review] = field(default_factory=dict)  # account index -> its newest review
    used: dict[str, np.ndarray] = field(default_factory=dict)  # signal -> accounts whose value is the review's
    stage_from_review: set[int] = field(default_factory=set)  # accounts whose declared stage is the review's
    values_used: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    unmatched: list[tuple[Review, Problem | str]] = field(default_factory=list)  # reviews of accounts not in the export, with a hint


def distance(measure: str, crm: np.ndarray | float, review: np.ndarray | float) -> np.ndarray:
    """How far apart values are (as the columns hold them: dates as day numbers, booleans 0/1), element by element."""
    crm, review = np.asarray(crm, dtype=np.float64), np.asarray(review, dtype=np.float64)
    if measure == "differs":
        return (crm != review).astype(np.float64)
    gap = np.abs(crm - review)
    if measure == "relative":
        largest = np.maximum(np.abs(crm), np.abs(review))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(largest > 0, gap / np.where(largest > 0, largest, 1), 0.0)
    return gap


def tolerance(playbook: Playbook, signal: str, signal_type: str) -> dict:
    """The tolerance line of one signal (its own, else its type's)."""
    settings = playbook.manifest["review"]["disagreement"]
    return settings.get("by_signal", {}).get(signal) or settings["by_type"][signal_type]


def merge_reviews(table, assessments: Assessments, playbook: Playbook) -> Merged:
    """Fill the account table (an inputs.accounts.AccountTable) from the reviews: a value the CRM
    does not know is the review's; one it knows stays, and a review far from it is a disagreement."""
    merged = Merged(assessments)
    at = {account_id: i for i, account_id in enumerate(table.ids)}
    named: dict[str, int] = {}  # account name -> its first account: the hint for a review whose id is not in the export
    stages = {label_key(label): phase.id for phase in playbook.phases.values() for label in phase.labels()}
    answers: dict[str, tuple[list[int], list[float], list[Review]]] = {}  # signal -> accounts, values, reviews
    for account_id, review in assessments.reviews.items():
        i = at.get(account_id)
        if i is None:
            if not named:
                named = {name.casefold(): k for k, name in reversed(list(enumerate(table.names)))}
            merged.unmatched.append((review, _which(review, table, named)))
            continue
        merged.reviewed[i] = review
        for signal_id, value in review.values.items():
            accounts, values, reviews = answers.setdefault(signal_id, ([], [], []))
            accounts.append(i)
            values.append(encode(value, playbook.signals[signal_id]))
            reviews.append(review)
        if review.declared:
            own = table.declared[i] or stages.get(label_key(table.declared_raw[i]))
            if own is None:  # the CRM gives none (or one the playbook does not know, whose data finding stays)
                table.declared[i] = review.declared
                table.notes[i] = [n for n in table.notes.get(i, []) if n.code != "data.no_stage"]
                if not table.notes[i]:
                    del table.notes[i]
                merged.stage_from_review.add(i)
            elif own != review.declared:
                line = tolerance(playbook, "declared_stage", "category")
                severity = "warning" if line["warning"] <= line["tolerance"] else "info"
                merged.disagreements.append(Disagreement(i, "declared_stage", own, review.declared, severity, review))
    for signal_id, (accounts, values, reviews) in answers.items():  # a column at a time
        signal, column = playbook.signals[signal_id], table.columns.get(signal_id)
        where, given = np.array(accounts, dtype=np.intp), np.array(values, dtype=np.float64)
        crm = column[where]
        unknown = np.isnan(crm)
        column[where[unknown]] = given[unknown]
        merged.used[signal_id] = np.zeros(len(table), dtype=bool)
        merged.used[signal_id][where[unknown]] = True
        merged.values_used += int(np.count_nonzero(unknown))
        line = tolerance(playbook, signal_id, signal.type)
        gap = np.where(unknown, 0.0, distance(line["measure"], np.where(unknown, given, crm), given))
        warning = line["warning"] <= line["tolerance"]
        for k in np.flatnonzero(gap > line["tolerance"]).tolist():
            severity = "warning" if warning or gap[k] > line["warning"] else "info"
            merged.disagreements.append(Disagreement(accounts[k], signal_id, float(crm[k]), values[k], severity, reviews[k]))
    return merged


def _which(review: Review, table, named: dict[str, int]) -> Problem | str:
    """A hint for a review whose account id is not in the export: an account of the same name, or a close id."""
    i = named.get(review.account_name.casefold()) if review.account_name else None
    if i is not None:
        return Problem("review.same_name", account=table.ids[i], name=table.names[i])
    return suggestion(review.account_id, table.ids)
