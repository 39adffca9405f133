"""A plain CSV export read by DuckDB straight into columns.

Most account exports are plain: one line per row, every row as wide as the header,
numbers and ISO dates as a CRM writes them. DuckDB reads such a file and converts whole
columns in C++, so no cell of a plain numeric column ever becomes a Python string (that
is most of the time a check of 100,000 accounts would otherwise spend).

This is a fast route, never a second set of rules. A file that is not plain (blank or
multi-line rows, ragged rows, bad quoting, a report footer, a spreadsheet) is read by
Python's csv module instead (exports.read_table), which names every problem by row. A
cell outside the plain forms below (a decimal comma, `45 %`, `31.12.2026`, `n/a`, a typo)
is handed back as text, and accounts.py gives it to values.parse_cell, which reads it or
phrases the problem. The plain forms are strict subsets of what parse_cell accepts, with
the same value; tests/test_plaincsv.py checks that both routes agree.
"""
from __future__ import annotations

import codecs
import csv
import tempfile
from pathlib import Path

import numpy as np

from checker.inputs.columns import EPOCH_ORDINAL
from checker.inputs.files import decode_text, header_of, special_start
from checker.inputs.signal_sql import blank, identifier, literal, text_columns, word_lookup
from checker.inputs.values import BOOLEANS
from checker.playbook.model import Signal

#: A cell in plain form, by signal type (RE2, the whole cell, spaces around allowed). Whole
#: parts of at most 14 digits stay below values.TOO_LARGE: longer numbers go to parse_cell.
PLAIN = {
    "count": r" *[0-9]{1,14} *",
    "days": r" *[0-9]{1,14}(\.[0-9]+)? *",
    "amount": r" *-?[0-9]{1,14}(\.[0-9]+)? *",
    "share": r" *(0(\.[0-9]+)?|1(\.0+)?) *",
    "date": r" *[1-9][0-9]{3}-[0-9]{2}-[0-9]{2} *",
}


_ODD = "'-inf'::DOUBLE"


def _plain_value(column: str, signal: Signal) -> str | None:
    """SQL for one signal column: its float (NaN when empty), or NULL for a cell not in plain form."""
    empty = f"CASE WHEN {blank(column)} THEN 'NaN'::DOUBLE END"
    if signal.type in PLAIN:  # DuckDB's casts ignore the spaces around
        value = f"CAST({column} AS DOUBLE)" if signal.type != "date" else \
            f"CAST((TRY_CAST({column} AS DATE) - DATE '1970-01-01') + {EPOCH_ORDINAL} AS DOUBLE)"  # NULL for 2026-02-31
        return f"CASE WHEN {column} IS NULL THEN 'NaN'::DOUBLE WHEN regexp_full_match({column}, {literal(PLAIN[signal.type])}) THEN {value} ELSE {empty} END"
    if signal.type == "boolean":  # the yes/no words, in any case
        found = word_lookup(f"lower(trim({column}, ' '))", {word: str(float(value)) for word, value in BOOLEANS.items()})
    elif signal.type == "category":  # the category's values exactly
        found = word_lookup(f"trim({column}, ' ')", {value: str(float(i)) for i, value in enumerate(signal.data["values"])})
    else:
        return None
    return f"coalesce({found}, {empty})"


def _texts(found: dict[str, np.ndarray], indexes: list[int]) -> list[list[str]]:
    """Fetched text columns as lists of cells, "" for an empty cell."""
    return [np.ma.filled(found[f"t{i}"], "").tolist() for i in indexes]


def _utf8_outline(path: Path) -> tuple[str, int, bool] | None:
    """A UTF-8 file's first 64 KB as text, its number of lines and whether it is blank; None
    when it is not UTF-8 (or may be something else: decode_bytes decides). Read in small
    blocks, so that the whole text is never built (DuckDB reads the file itself)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    head, lines, blank, last = None, 0, True, b""
    with path.open("rb") as f:
        while block := f.read(1 << 16):
            if head is None and special_start(block):
                return None
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError:
                return None
            head = text if head is None else head
            blank = blank and not text.strip()
            lines += block.count(b"\n")
            last = block
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return head or "", lines + (not last.endswith(b"\n")), blank


class PlainCsv:
    """A CSV file that looks plain, read by DuckDB a few columns at a time, straight from the file."""

    def __init__(self, path: Path, header: list[str], encoding: str, delimiter: str, lines: int):
        self.name = str(path)
        self.header = header
        self.encoding = encoding
        self.mixed: tuple[int, int] | None = None  # lines read as UTF-8 and as Windows-1252 (files.decode_text)
        self.size = lines - 1  # plain: one line per row, row n on line n + 1
        self.lines = list(range(2, lines + 1))
        self._path, self._delimiter = path, delimiter
        self._work: tempfile.TemporaryDirectory | None = None
        self._db = None

    @classmethod
    def open(cls, path: Path) -> PlainCsv | None:
        """The file, when it may be plain; None when it surely is not (the csv module then reads it)."""
        if path.suffix.lower() in (".xlsx", ".xlsm") or not path.is_file():
            return None
        outline = _utf8_outline(path)
        mixed = None
        if outline:
            text, lines, blank = outline
            encoding = "utf-8"
        else:
            try:  # also a file mixing UTF-8 and Windows-1252 lines: its UTF-8 copy is plain
                text, encoding, mixed = decode_text(path.read_bytes(), str(path))
            except Exception:
                return None
            lines, blank = text.count("\n") + (not text.endswith("\n")), not text.strip()
        first = (text[: text.find("\n")] if "\n" in text else text).removesuffix("\r")
        if '"' in first or "\r" in first or blank:
            return None  # a quoted header may span lines, old Mac files end lines with CR alone; an empty file gets its message on the csv route
        try:
            delimiter, header = header_of(text)
        except csv.Error:
            return None
        plain = cls(path, header, encoding, delimiter, lines)
        plain.mixed = mixed
        if encoding != "utf-8":  # Windows-1252, mixed or UTF-16: DuckDB reads UTF-8
            plain._work = tempfile.TemporaryDirectory(prefix="playbook-")
            plain._path = Path(plain._work.name) / "accounts.csv"
            plain._path.write_text(text, encoding="utf-8", newline="")
        return plain

    def source(self) -> str:
        """SQL: the file as a table of text cells named `c0`, `c1`, …, one row per row, in order."""
        return (f"read_csv({literal(str(self._path))}, delim = {literal(self._delimiter)}, quote = '\"', escape = '\"', "
                f"header = false, skip = 1, auto_detect = false, strict_mode = true, null_padding = false, columns = {text_columns(len(self.header))})")

    def query(self, columns: dict[str, str]) -> str:
        """SQL expressions over the cells (`c0`, `c1`, …), in one pass over the file."""
        # A projection keeps the file's order (DuckDB's preserve_insertion_order). Nothing here
        # may turn into a join: `x IN (…)` over a few words becomes a hash join, which does
        # not keep it (hence signal_sql.word_lookup).
        return f"SELECT {', '.join(f'{sql} AS {identifier(name)}' for name, sql in columns.items())} FROM {self.source()}"

    def refused(self, error: Exception) -> None:
        """What a DuckDB error reading the file means: for a CSV file, that it is not plain (the
        csv route then names each problem), so nothing here."""

    def _scan(self, query: str) -> dict[str, np.ndarray] | None:
        """The columns of a query (see query); None when the file is not plain."""
        import duckdb  # loaded only for a CSV export

        if self._db is None:
            self._db = duckdb.connect()
        try:
            found = self._db.execute(query).fetchnumpy()
        except duckdb.Error as error:
            self.refused(error)
            return None  # ragged rows, bad quoting: the csv route names each one
        if len(next(iter(found.values()))) != self.size:
            return None  # blank lines or cells spanning lines: rows and lines differ
        return found

    def read_query(self, numbers: dict[str, tuple[int, Signal]]) -> str:
        """The SQL that reads the signal columns (see `read`)."""
        # A cell not in plain form comes back as -inf, which no plain form yields: columns
        # without NULLs reach numpy as plain arrays, with no mask to build or fill.
        return self.query({name: f"coalesce({_plain_value(f'c{i}', signal) or 'NULL'}, {_ODD})" for name, (i, signal) in numbers.items()})

    def read(self, texts: list[int], numbers: dict[str, tuple[int, Signal]]) -> tuple[list[list[str]], dict[str, np.ndarray], dict[str, np.ndarray]] | None:
        """Text columns (cells as read, "" when empty); signal columns as floats (NaN =
        unknown, and where a cell is not in plain form); and, for the columns that have such
        cells, those cells' texts (an object array, None where the cell was plain). None when
        the file is not plain.

        Two passes: the numbers, then the texts along with the cells that were not in plain
        form (DuckDB hands one wide mixed query to Python more slowly than two narrow ones)."""
        found = self._scan(self.read_query(numbers)) if numbers else {}
        if found is None:
            return None
        values, odd_cells = {}, {}
        for name, (i, signal) in numbers.items():
            values[name] = column = np.ascontiguousarray(found[name], dtype=np.float64)
            not_plain = np.isneginf(column)
            if not_plain.any():
                column[not_plain] = np.nan  # until parse_cell has read the cell
                odd_cells[f"odd:{name}"] = f"CASE WHEN ({_plain_value(f'c{i}', signal) or 'NULL'}) IS NULL THEN c{i} END"
        cells = self._scan(self.query({f"t{i}": f"c{i}" for i in texts} | odd_cells))
        if cells is None:
            return None
        odd = {}
        for name in numbers:
            column = cells.get(f"odd:{name}")
            if column is not None:
                odd[name] = np.where(np.ma.getmaskarray(column), None, np.ma.getdata(column).astype(object))
        return _texts(cells, texts), values, odd

    def texts(self, indexes: list[int]) -> list[list[str]]:
        """Columns as cell texts ("" when empty)."""
        return _texts(self._scan(self.query({f"t{i}": f"c{i}" for i in indexes})), indexes) if indexes else []

    def blank_rows(self, indexes: list[int]) -> set[int]:
        """Which of these rows (0-based) have only empty cells."""
        if not indexes:
            return set()
        columns = self.texts(list(range(len(self.header))))
        return {i for i in indexes if not any(column[i].strip() for column in columns)}

    def close(self) -> None:
        """Let go of DuckDB and the UTF-8 copy, if any (the file's outline stays readable)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._work is not None:
            self._work.cleanup()
            self._work = None
