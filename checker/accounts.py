"""Read the canonical account export (one row per account) into account records.

Every row read is accounted for: it becomes an account, or it is listed as unusable with
the reason (no account id, or a repeat of an earlier account id). Cell problems never drop
a row; they become `data` notes on the account and the cell counts as unknown.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from checker.columns import Columns, encode
from checker.exports import (
    InputError,
    Mapping,
    RawTable,
    normalise_header,
    read_table,
    strip_footer,
)
from checker.messages import Problem, suggestion
from checker.model import Playbook, Signal
from checker.validate import label_key
from checker.values import BadValue, DateOrderError, parse_cell, slashed_order

REQUIRED = ("account_id", "account_name", "declared_stage")
OPTIONAL = ("owner",)


@dataclass(frozen=True)
class DataNote:
    """A problem in one row's data, reported as a `data` finding on the account."""

    code: str  # message key
    column: str | None
    values: dict = field(default_factory=dict)


@dataclass
class UnusableRow:
    row: int
    code: str  # message key
    values: dict = field(default_factory=dict)


@dataclass
class AccountTable:
    """The accounts of one export: identity fields as lists, signals as columns, notes by index."""

    path: Path
    rows: list[int]  # line in the file (header = 1)
    ids: list[str]
    names: list[str]
    owners: list[str]
    declared_raw: list[str]
    declared: list[str | None]  # normalised stage or ending id
    columns: Columns
    notes: dict[int, list[DataNote]]  # account index -> data problems
    unusable: list[UnusableRow]
    rows_read: int
    ignored_columns: list[str]
    encoding: str
    footer_rows: int = 0
    mapping_unmatched: list[str] = field(default_factory=list)  # --mapping entries no column matched

    def __len__(self) -> int:
        return len(self.ids)


def stage_lookup(playbook: Playbook) -> dict[str, str]:
    """Every accepted spelling of a stage or ending (ids, names, aliases) → its id."""
    return {label_key(label): phase.id for phase in playbook.phases.values() for label in phase.labels()}


_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()


def _fast_numbers(raw: np.ndarray, kind: str) -> np.ndarray | None:
    """Whole-column parsing for the common case (plain numbers, ISO dates); None to go cell by cell.

    `raw` is an object array of cell texts.
    """
    empty = raw == ""
    try:
        if kind == "date":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numpy notes that it drops a trailing "Z"
                days = np.where(empty, "NaT", raw).astype("datetime64[D]")
            return np.where(np.isnat(days), np.nan, days.astype(np.float64) + _EPOCH_ORDINAL)
        numbers = np.where(empty, "nan", raw).astype(np.float64)
    except (ValueError, TypeError):
        return None
    known = ~empty
    if np.isnan(numbers[known]).any() or np.isinf(numbers).any():
        return None  # the text 'nan' or 'inf': let the cell parser name the problem
    if kind == "count" and ((numbers[known] < 0) | (numbers[known] != np.floor(numbers[known]))).any():
        return None
    if kind == "share" and ((numbers[known] < 0) | (numbers[known] > 1)).any():
        return None
    if kind == "days" and (numbers[known] < 0).any():
        return None
    return numbers


def parse_column(raw: Sequence[str] | np.ndarray, signal: Signal, order: str | None = None) -> tuple[np.ndarray, list[tuple[int, str, BadValue]]]:
    """Parse a whole column: vectorised when the column is plain, else each distinct cell once."""
    if signal.type in ("count", "share", "days", "amount", "date") and len(raw):
        fast = _fast_numbers(np.asarray(raw, dtype=object), signal.type)
        if fast is not None:
            return fast, []
    raw = raw.tolist() if isinstance(raw, np.ndarray) else list(raw)
    cache: dict[str, float | BadValue] = {}
    allowed = signal.data.get("values")

    def first(cell: str) -> float | BadValue:
        try:
            result: float | BadValue = encode(parse_cell(cell, signal.type, allowed, order), signal)
        except BadValue as bad:
            result = bad
        cache[cell] = result
        return result

    parsed = [cache[c] if c in cache else first(c) for c in raw]
    bad = [(i, raw[i], v) for i, v in enumerate(parsed) if v.__class__ is BadValue]
    for i, _, _ in bad:
        parsed[i] = np.nan
    return np.array(parsed, dtype=np.float64), bad


def _sort_rows(body: list[list[str]], lines: list[int], width: int, id_at: int) -> tuple[list[list[str]], list[int], dict[int, list[DataNote]], list[UnusableRow], int]:
    """Keep the rows that are accounts; note ragged rows; list rows with no or a repeated id."""
    kept: list[list[str]] = []
    kept_lines: list[int] = []
    notes: dict[int, list[DataNote]] = {}
    unusable: list[UnusableRow] = []
    first_row: dict[str, int] = {}
    rows_read = 0
    for cells, line in zip(body, lines):
        note = None
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue  # a blank line is not a row
            note = DataNote("data.ragged_short" if len(cells) < width else "data.ragged_long", None, {"found": len(cells), "expected": width})
            cells = (cells + [""] * width)[:width]
        account_id = cells[id_at].strip()
        if not account_id:
            if any(c.strip() for c in cells):
                rows_read += 1
                unusable.append(UnusableRow(line, "data.no_account_id"))
            continue  # a line of empty cells (;;;) is not a row
        rows_read += 1
        if account_id in first_row:
            unusable.append(UnusableRow(line, "data.duplicate_account", {"account": account_id, "first": first_row[account_id]}))
            continue
        first_row[account_id] = line
        if note:
            notes[len(kept)] = [note]
        kept.append(cells)
        kept_lines.append(line)
    return kept, kept_lines, notes, unusable, rows_read


def read_accounts(path: Path, playbook: Playbook, mapping: Mapping | None = None, sheet: str | None = None,
                  raw: RawTable | None = None, date_format: str | None = None) -> AccountTable:
    """Read and parse an account export (CSV or XLSX), its headers mapped by `mapping`."""
    table = raw or read_table(path, sheet)
    if mapping is not None:
        table = strip_footer(table, mapping.footers)
    header, body, lines = table.header, table.rows, table.lines
    signals = playbook.signals
    known = set(REQUIRED) | set(OPTIONAL) | set(signals)
    mapped = (mapping or Mapping("canonical", "canonical")).header_map("accounts", header, known)
    names = [mapped.get(i, normalise_header(h)) for i, h in enumerate(header)]
    misses = mapping.unmatched("accounts", header, mapped) if mapping else []
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hints = [next((m for m in misses if m.startswith(f"{c}:")), None) or Problem("hint.column", column=c, hint=suggestion(c, [normalise_header(h) for h in header]))
                 for c in missing]
        via = Problem("hint.via_preset", preset=mapping.id) if mapping and mapping.id != "canonical" else ""
        raise InputError("error.missing_columns", path=table.name, columns=hints, via=via, found=", ".join(h.strip() for h in header))
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in known and n in seen:
            raise InputError("error.duplicate_column", path=table.name, column=header[i].strip(), field=n)
        seen.add(n)
    index = {n: i for i, n in enumerate(names) if n in known}
    width, id_at = len(header), index["account_id"]

    ids = [cells[id_at].strip() for cells in body] if all(len(cells) == width for cells in body) else []
    if ids and all(ids) and len(set(ids)) == len(ids):
        # The common case, checked in bulk: every row complete, ids present and unique.
        kept, notes, unusable, rows_read = body, {}, [], len(body)
    else:
        kept, lines, notes, unusable, rows_read = _sort_rows(body, lines, width, id_at)

    # An object array holds the cells without copying them; its columns slice for free.
    cells = np.array(kept, dtype=object) if kept else np.empty((0, width), dtype=object)
    columns = [cells[:, i] for i in range(width)]
    data: dict[str, np.ndarray] = {}
    for name, i in index.items():
        if name in signals:
            order = None
            if signals[name].type == "date":
                try:
                    order = slashed_order(columns[i], date_format or (mapping.date_format if mapping else None))
                except DateOrderError as exc:
                    raise InputError("error.column_problem", path=table.name, column=header[i].strip(), problem=exc) from None
            data[name], bad = parse_column(columns[i], signals[name], order)
            for row, cell, problem in bad:
                notes.setdefault(row, []).append(DataNote("data.invalid_value", name, {"value": cell.strip(), "reason": problem.reason, **problem.details}))

    def texts(name: str) -> list[str]:
        return [c.strip() for c in columns[index[name]].tolist()] if name in index else [""] * len(kept)

    stages = stage_lookup(playbook)
    declared_raw = texts("declared_stage")
    declared: list[str | None] = []
    for row, raw in enumerate(declared_raw):
        found = stages.get(raw) or stages.get(label_key(raw))
        declared.append(found)
        if not raw:
            notes.setdefault(row, []).append(DataNote("data.no_stage", "declared_stage"))
        elif found is None:
            notes.setdefault(row, []).append(DataNote("data.unknown_stage", "declared_stage", {"value": raw, "hint": suggestion(raw, list(stages))}))
    account_names = texts("account_name")
    for row, name in enumerate(account_names):
        if not name:
            notes.setdefault(row, []).append(DataNote("data.no_name", "account_name"))
    ignored = [h.strip() for h, n in zip(header, names) if n not in known]
    return AccountTable(path, lines, texts("account_id"), account_names, texts("owner"), declared_raw, declared,
                        Columns(len(kept), data, frozenset(data)), notes, unusable, rows_read, ignored, table.encoding,
                        table.footer_rows, misses)


def table_from_values(playbook: Playbook, accounts: list[dict], present: frozenset[str] | None = None) -> AccountTable:
    """A table from already parsed values (tests, generated samples).

    Each dict holds `account_id`, `declared` (a stage or ending id) and signal values;
    `notes` may carry DataNotes. Signal columns are those present in any dict unless given.
    """
    values = [{k: v for k, v in a.items() if k in playbook.signals} for a in accounts]
    columns = Columns.from_records(values, playbook.signals, present)
    notes = {i: list(a["notes"]) for i, a in enumerate(accounts) if a.get("notes")}
    n = len(accounts)
    return AccountTable(Path("-"), [i + 2 for i in range(n)], [a["account_id"] for a in accounts],
                        [a.get("account_name", "") for a in accounts], [a.get("owner", "") for a in accounts],
                        [a.get("declared") or "" for a in accounts], [a.get("declared") for a in accounts],
                        columns, notes, [], n, [], "utf-8")
