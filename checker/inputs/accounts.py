"""Read the canonical account export (one row per account) into account records.

Every row read is accounted for: it becomes an account, or it is listed as unusable with
the reason (no account id, or a repeat of an earlier account id). Cell problems never drop
a row; they become `data` notes on the account and the cell counts as unknown.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import not_
from pathlib import Path

import numpy as np

from checker.inputs.columns import Columns, encode
from checker.inputs.files import InputError, RawTable, is_parquet, read_table, strip_footer
from checker.inputs.mappings import Mapping, lines_to_add, normalise_header, presets
from checker.inputs.parquet import ParquetAccounts
from checker.inputs.plaincsv import PlainCsv
from checker.inputs.values import BadValue, DateOrderError, parse_cell, slashed_order
from checker.playbook.messages import Problem, suggestion
from checker.playbook.model import Playbook, Signal
from checker.playbook.references import label_key

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
    mixed_encoding: tuple[int, int] | None = None  # lines read as UTF-8 and as Windows-1252 (files.decode_text)
    headers: dict[str, str] = field(default_factory=dict)  # canonical field -> its column as the file spells it

    def __len__(self) -> int:
        return len(self.ids)


def stage_lookup(playbook: Playbook) -> dict[str, str]:
    """Every accepted spelling of a stage or ending (ids, names, aliases) → its id."""
    return {label_key(label): phase.id for phase in playbook.phases.values() for label in phase.labels()}


def parse_column(raw: Sequence[str], signal: Signal, order: str | None = None) -> tuple[np.ndarray, list[tuple[int, str, BadValue]]]:
    """Parse a column cell by cell (each distinct cell once): values, and the cells that are not readable."""
    cache: dict[str, float | BadValue] = {}
    allowed = signal.data.get("values")

    def first(cell: str) -> float | BadValue:
        try:
            result: float | BadValue = encode(parse_cell(cell, signal.type, allowed, order), signal)
        except BadValue as bad:
            # Kept without its traceback and the error it replaced (`raise … from None`): their
            # frames would hold `bad` (a cycle), and with it every caller's data until the cycle
            # collector (paused for a check: cli._without_cycle_collector) walks all of it.
            bad.__traceback__ = bad.__context__ = None
            result = bad
        cache[cell] = result
        return result

    parsed = [cache[c] if c in cache else first(c) for c in raw]
    bad = [(i, raw[i], v) for i, v in enumerate(parsed) if v.__class__ is BadValue]
    for i, _, _ in bad:
        parsed[i] = np.nan
    return np.array(parsed, dtype=np.float64), bad


def unusable_row(line: int, account_id: str, first: int | None) -> UnusableRow:
    """A row that is no account: one without an id, or one with the id of the account first read at line `first`
    (read_accounts, and the account table parsed in Spark: engines/spark_accounts.py)."""
    if not account_id:
        return UnusableRow(line, "data.no_account_id")
    return UnusableRow(line, "data.duplicate_account", {"account": account_id, "first": first})


def _account_rows(ids: list[str], lines: list[int], blank: Callable[[int], bool]) -> tuple[np.ndarray, list[UnusableRow], int]:
    """Which rows are accounts (a mask), which are unusable (no id, a repeated id), and how many rows were read.

    A row with no id whose cells are all empty (`;;;`) is not a row at all. Only rows whose id
    is empty or repeated are looked at one by one."""
    counts = Counter(ids)
    doubtful = set(compress(counts, map((1).__lt__, counts.values()))) | ({""} & counts.keys())  # walked by C loops: 100,000 ids
    unusable: list[UnusableRow] = []
    first_row: dict[str, int] = {}
    dropped: list[int] = []
    not_rows = 0
    for i in compress(range(len(ids)), map(doubtful.__contains__, ids)):
        account_id, line = ids[i], lines[i]
        if not account_id:
            dropped.append(i)
            if blank(i):
                not_rows += 1
            else:
                unusable.append(unusable_row(line, account_id, None))
        elif account_id in first_row:
            dropped.append(i)
            unusable.append(unusable_row(line, account_id, first_row[account_id]))
        else:
            first_row[account_id] = line
    keep = np.ones(len(ids), dtype=bool)
    keep[dropped] = False
    return keep, unusable, len(ids) - not_rows


def _sort_rows(body: list[list[str]], lines: list[int], width: int, id_at: int) -> tuple[list[list[str]], list[int], dict[int, list[DataNote]], list[UnusableRow], int]:
    """Keep the rows that are accounts; note ragged rows; list rows with no or a repeated id."""
    rows: list[list[str]] = []
    row_lines: list[int] = []
    ragged: dict[int, DataNote] = {}
    for cells, line in zip(body, lines, strict=True):
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue  # a blank line is not a row
            ragged[len(rows)] = DataNote("data.ragged_short" if len(cells) < width else "data.ragged_long", None, {"found": len(cells), "expected": width})
            cells = (cells + [""] * width)[:width]
        rows.append(cells)
        row_lines.append(line)
    keep, unusable, rows_read = _account_rows([r[id_at].strip() for r in rows], row_lines, lambda i: not any(c.strip() for c in rows[i]))
    kept = np.flatnonzero(keep).tolist()
    notes = {k: [ragged[i]] for k, i in enumerate(kept) if i in ragged}
    return [rows[i] for i in kept], [row_lines[i] for i in kept], notes, unusable, rows_read


@dataclass(frozen=True)
class _Columns:
    """What to read from an export's body: text columns, and signal columns by field."""

    file: str
    header: list[str]
    texts: list[int]  # column indexes of account_id (first), name, owner, declared stage
    signals: dict[str, tuple[int, Signal]]  # field -> (column index, signal)
    date_format: str | None  # for slashed dates no column settles (Mapping.day_order)

    def header_of(self, field_name: str) -> str:
        """The signal's column as the file spells it."""
        return self.header[self.signals[field_name][0]].strip()

    def order(self, field_name: str, cells: list[str]) -> str | None:
        """A date column's day/month order, decided from its cells (only its slashed ones count: `slashed_order`)."""
        i, signal = self.signals[field_name]
        if signal.type != "date":
            return None
        try:
            return slashed_order(cells, self.date_format)
        except DateOrderError as exc:
            raise InputError("error.column_problem", path=self.file, column=self.header[i].strip(), problem=exc) from None

    def parse(self, field_name: str, cells: list[str]) -> tuple[np.ndarray, list[tuple[int, str, BadValue]]]:
        """Cells of one signal column, parsed; a date column's day/month order is decided from its cells first."""
        return parse_column(cells, self.signals[field_name][1], self.order(field_name, cells))


@dataclass(frozen=True)
class Header:
    """An account export's header as read (`read_header`): what each column is, and what the report says of it."""

    columns: _Columns
    texts_of: list[str]  # the text fields present, in _Columns.texts' order (account_id first)
    headers: dict[str, str]  # canonical field -> its column as the file spells it
    ignored: list[str]  # columns no field or signal matched
    unmatched: list[str]  # --mapping entries no column matched


def read_header(name: str, header: list[str], playbook: Playbook, mapping: Mapping, date_format: str | None = None,
                stage_required: bool = True) -> Header:
    """Which column is which field and signal, by `mapping`: a missing or repeated field is an InputError naming the
    file. The one reading of a header, whoever reads the body (read_accounts here, Spark's executors:
    checker/engines/spark_accounts.py)."""
    signals = playbook.signals
    known = set(REQUIRED) | set(OPTIONAL) | set(signals)
    mapped = mapping.header_map("accounts", header, known)
    names = [mapped.get(i, normalise_header(h)) for i, h in enumerate(header)]
    misses = mapping.unmatched("accounts", header, mapped)
    missing = [c for c in REQUIRED if c not in names and (stage_required or c != "declared_stage")]
    if missing:
        hints = [misses.get(c) or Problem("hint.column", column=c, hint=suggestion(c, [normalise_header(h) for h in header]))
                 for c in missing]
        raise InputError("error.missing_columns", path=name, columns=hints, via=mapping.via(), found=", ".join(h.strip() for h in header),
                         add=lines_to_add("accounts", missing, header))
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in known and n in seen:
            raise InputError("error.duplicate_column", path=name, column=header[i].strip(), field=n)
        seen.add(n)
    index = {n: i for i, n in enumerate(names) if n in known}
    texts_of = [n for n in ("account_id", "account_name", "owner", "declared_stage") if n in index]
    columns = _Columns(name, header, [index[n] for n in texts_of], {n: (i, signals[n]) for n, i in index.items() if n in signals},
                       mapping.day_order(date_format))
    ignored = [h.strip() for h, n in zip(header, names, strict=True) if n not in known]
    return Header(columns, texts_of, {n: header[i].strip() for n, i in index.items()}, ignored, list(misses.values()))


@dataclass
class _Body:
    """The accounts of an export's body, however it was read."""

    lines: list[int]
    texts: list[list[str]]  # as _Columns.texts, cells unstripped
    values: dict[str, np.ndarray]
    notes: dict[int, list[DataNote]]
    unusable: list[UnusableRow]
    rows_read: int
    footer_rows: int
    encoding: str
    mixed: tuple[int, int] | None = None


def _shown(cell: str, most: int = 60) -> str:
    """A cell as a message quotes it: whole unless it is long (a note pasted into a number column)."""
    text = cell.strip()
    return text if len(text) <= most else text[: most - 1] + "…"


def note_bad(notes: dict[int, list[DataNote]], field_name: str, bad: list[tuple[int, str, BadValue]], header: str) -> None:
    for row, cell, problem in bad:
        notes.setdefault(row, []).append(DataNote("data.invalid_value", field_name, {"value": _shown(cell), "reason": problem.reason, "header": header, **problem.details}))


def _read_plain(plain: PlainCsv, columns: _Columns) -> _Body | None:
    """A plain file's accounts, read by DuckDB; None when the file turns out not to be plain."""
    try:
        got = plain.read(columns.texts, columns.signals)
        if got is None:
            return None
        texts, values, odd = got
        ids = list(map(str.strip, texts[0]))
        empty_ids = [i for i, account_id in enumerate(ids) if not account_id] if "" in ids else []
        blank = plain.blank_rows(empty_ids)
    finally:
        plain.close()
    body = _Body(plain.lines, texts, values, {}, [], plain.size, 0, plain.encoding, plain.mixed)
    position = np.arange(plain.size)  # file row -> account index (-1: not an account)
    if empty_ids or len(set(ids)) != len(ids):
        keep, body.unusable, body.rows_read = _account_rows(ids, body.lines, blank.__contains__)
        selectors = keep.tobytes()  # the rows kept, picked by C loops (compress) and numpy masks
        body.lines = list(compress(body.lines, selectors))
        body.texts = [list(compress(column, selectors)) for column in texts]
        body.values = {n: column[keep] for n, column in values.items()}
        at = np.flatnonzero(keep)
        position = np.full(plain.size, -1)
        position[at] = np.arange(len(at))
    # Cells not in plain form are read (or reported) one by one, like every cell on the csv route.
    for n, cells in odd.items():
        rows = np.flatnonzero(np.not_equal(cells, None))
        rows = rows[position[rows] >= 0]
        if len(rows):
            at = position[rows]
            body.values[n][at], bad = columns.parse(n, cells[rows].tolist())
            note_bad(body.notes, n, [(int(at[k]), cell, problem) for k, cell, problem in bad], columns.header_of(n))
    return body


def _read_rows(table: RawTable, columns: _Columns, id_at: int) -> _Body:
    """The accounts of a table read by the csv module (or from a sheet), cell by cell."""
    width = len(table.header)
    lines = table.lines
    ids = [cells[id_at].strip() for cells in table.rows] if all(len(cells) == width for cells in table.rows) else []
    if ids and all(ids) and len(set(ids)) == len(ids):
        # The common case, checked in bulk: every row complete, ids present and unique.
        rows, notes, unusable, rows_read = table.rows, {}, [], len(table.rows)
    else:
        rows, lines, notes, unusable, rows_read = _sort_rows(table.rows, lines, width, id_at)
    cells = np.array(rows, dtype=object) if rows else np.empty((0, width), dtype=object)
    values = {}
    for n, (i, _) in columns.signals.items():
        values[n], bad = columns.parse(n, cells[:, i].tolist())
        note_bad(notes, n, bad, columns.header_of(n))
    return _Body(lines, [cells[:, i].tolist() for i in columns.texts], values, notes, unusable, rows_read, table.footer_rows, table.encoding, table.mixed)


def declare(declared_raw: list[str], names: list[str], stages: dict[str, str], headers: dict[str, str],
            notes: dict[int, list[DataNote]]) -> list[str | None]:
    """Each row's declared stage or ending id (None: not one), its spelling looked up in `stages` (stage_lookup);
    the notes of rows with no stage, an unknown one (with the nearest spelling) or no name added to `notes`.
    Exports repeat their spellings: each is looked up once, and only the rows of an empty or unknown one are visited."""
    spellings = {raw: stages.get(raw) or stages.get(label_key(raw)) for raw in set(declared_raw)}
    declared: list[str | None] = list(map(spellings.__getitem__, declared_raw))
    unknown = {raw for raw, found in spellings.items() if found is None}
    hints = {raw: suggestion(raw, list(stages)) for raw in unknown if raw}
    for row in compress(range(len(declared_raw)), map(unknown.__contains__, declared_raw)) if unknown else ():
        raw_stage = declared_raw[row]
        if not raw_stage:
            notes.setdefault(row, []).append(DataNote("data.no_stage", "declared_stage", {"header": headers["declared_stage"]}))
        else:
            notes.setdefault(row, []).append(DataNote("data.unknown_stage", "declared_stage", {"value": raw_stage, "hint": hints[raw_stage], "header": headers["declared_stage"]}))
    for row in compress(range(len(names)), map(not_, names)) if "" in names else ():
        notes.setdefault(row, []).append(DataNote("data.no_name", "account_name", {"header": headers["account_name"]}))
    return declared


def read_accounts(path: Path, playbook: Playbook, mapping: Mapping | None = None, sheet: str | None = None,
                  date_format: str | None = None, stage_required: bool = True) -> AccountTable:
    """Read and parse an account export (CSV, XLSX or Parquet), its headers mapped by `mapping`.

    A plain CSV file is read by DuckDB (plaincsv.py), a Parquet file likewise (parquet.py);
    any other file, or a plain one that turns out not to be, by the csv module, which
    accounts for every row.
    """
    mapping = mapping or presets()["canonical"]
    footers = mapping.footers
    if is_parquet(path):  # read by DuckDB as a plain CSV is, its values as text (parquet.py)
        plain: PlainCsv | None = ParquetAccounts.open(path)
    else:
        plain = PlainCsv.open(path) if not footers else None
    table = None if plain else strip_footer(read_table(path, sheet), footers)
    name, header = (plain.name, plain.header) if plain else (table.name, table.header)
    read = read_header(name, header, playbook, mapping, date_format, stage_required)
    columns, texts_of = read.columns, read.texts_of
    id_at = columns.texts[0]
    body = _read_plain(plain, columns) if plain else None
    if body is None:
        if plain is not None:  # not plain after all (ragged rows, blank lines…): the csv route reports each row
            table = strip_footer(read_table(path, sheet), footers)
        body = _read_rows(table, columns, id_at)
    lines, text_columns, data, notes = body.lines, body.texts, body.values, body.notes
    unusable, rows_read, footer_rows, encoding = body.unusable, body.rows_read, body.footer_rows, body.encoding
    text = {n: list(map(str.strip, column)) for n, column in zip(texts_of, text_columns, strict=True)}
    size = len(lines)

    headers = dict(read.headers)  # messages name the user's columns, not the canonical fields
    for row in unusable:
        row.values["header"] = headers["account_id"]
    if "declared_stage" not in text:  # no stage column (`playbook signals` needs none): every stage unknown
        text["declared_stage"], headers["declared_stage"] = [""] * size, ""
    declared_raw, account_names = text["declared_stage"], text["account_name"]
    declared = declare(declared_raw, account_names, stage_lookup(playbook), headers, notes)
    return AccountTable(path, lines, text["account_id"], account_names, text.get("owner", [""] * size), declared_raw, declared,
                        Columns(size, data, frozenset(data)), notes, unusable, rows_read, read.ignored, encoding, footer_rows, read.unmatched, body.mixed, headers)


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
