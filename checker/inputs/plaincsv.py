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
the same value (numbers: what DuckDB's cast reads, within the type's range; dates, yes/no
words and categories: the forms below); tests/inputs/test_plaincsv.py checks that both
routes agree.
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
from checker.inputs.values import BOOLEANS, TOO_LARGE
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

#: Number types read by DuckDB's cast rather than tested against PLAIN first (a regular
#: expression per cell costs more than the cast). Whatever text DuckDB reads as a number
#: (digits, a sign, a point, an exponent, `_` between digits, spaces around; `inf`, `nan`)
#: Python's float(), and so parse_cell, reads as the same number, but for `+-5`, which is
#: kept from the cast (tests/inputs/test_plaincsv.py compares them on thousands of texts;
#: 250,000 when this was written); parse_cell then refuses what lies outside the type's
#: range, which `_in_range` tests on the numbers. A cell DuckDB cannot read, or out of range,
#: goes to parse_cell like any cell not in plain form.
CAST = ("count", "days", "amount", "share")


def _in_range(values: np.ndarray, kind: str) -> np.ndarray:
    """Which numbers parse_cell takes as they are for a signal of type `kind` (never NaN or ±inf)."""
    with np.errstate(invalid="ignore"):
        if kind == "count":
            return (values >= 0) & (values < TOO_LARGE) & (values == np.floor(values))
        if kind == "days":
            return (values >= 0) & (values < TOO_LARGE)
        if kind == "amount":
            return np.abs(values) < TOO_LARGE
        return (values >= 0) & (values <= 1)  # share


def _plain_value(column: str, signal: Signal) -> str | None:
    """SQL for one signal column: its float (NaN when empty), or NULL for a cell not in plain form.
    A number type (CAST): NULL when empty, -inf where DuckDB cannot read it, else its number."""
    if signal.type in CAST:
        # `+-5`: the one text DuckDB reads (as -5) where float() refuses (a fuzz test looks for more)
        return f"CASE WHEN {column} IS NOT NULL THEN CASE WHEN contains({column}, '+-') THEN {_ODD} ELSE coalesce(TRY_CAST({column} AS DOUBLE), {_ODD}) END END"
    empty = f"CASE WHEN {blank(column)} THEN 'NaN'::DOUBLE END"
    if signal.type in PLAIN:  # DuckDB's casts ignore the spaces around
        value = f"CAST((TRY_CAST({column} AS DATE) - DATE '1970-01-01') + {EPOCH_ORDINAL} AS DOUBLE)"  # NULL for 2026-02-31
        return f"CASE WHEN {column} IS NULL THEN 'NaN'::DOUBLE WHEN regexp_full_match({column}, {literal(PLAIN[signal.type])}) THEN {value} ELSE {empty} END"
    if signal.type == "boolean":  # the yes/no words, in any case
        found = word_lookup(f"lower(trim({column}, ' '))", {word: str(float(value)) for word, value in BOOLEANS.items()})
    elif signal.type == "category":  # the category's values exactly
        found = word_lookup(f"trim({column}, ' ')", {value: str(float(i)) for i, value in enumerate(signal.data["values"])})
    else:
        return None
    return f"coalesce({found}, {empty})"


def _maybe_odd(column: str, signal: Signal) -> str:
    """SQL: the cell's text where it may not be in plain form, else NULL. For a number type, every
    cell outside PLAIN's form (PLAIN's numbers are all in range: a superset of those `read` found)."""
    if signal.type in CAST:
        return f"CASE WHEN NOT regexp_full_match({column}, {literal(PLAIN[signal.type])}) THEN {column} END"
    return f"CASE WHEN ({_plain_value(column, signal) or 'NULL'}) IS NULL THEN {column} END"


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


def _lines(path: Path, wanted: list[int]) -> list[bytes]:
    """The file's lines of these numbers (0-based, ascending), without their `\n`; fewer when the
    file has fewer lines. Read in blocks, the newlines found by numpy: never the whole file at once."""
    found: list[bytes] = []
    want, line, carry = iter(wanted), 0, b""  # line: the number of the line `carry` begins
    number = next(want, None)
    with path.open("rb") as f:
        while number is not None and (block := f.read(1 << 20)):
            ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n")).tolist()
            while number is not None and number < line + len(ends):
                k = number - line
                found.append(carry + block[:ends[0]] if k == 0 else block[ends[k - 1] + 1:ends[k]])
                number = next(want, None)
            carry = block[ends[-1] + 1:] if ends else carry + block
            line += len(ends)
    if number == line and carry:  # the last line, without a newline at its end
        found.append(carry)
    return found


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
        # without NULLs reach numpy as plain arrays, with no mask to build or fill. (A number
        # type's empty cells stay NULL: its -inf and NaN may also be a cell's own `-inf`, `nan`.)
        return self.query(self._read_columns(numbers))

    @staticmethod
    def _read_columns(numbers: dict[str, tuple[int, Signal]]) -> dict[str, str]:
        """read_query's columns: name → SQL."""
        return {name: _plain_value(f"c{i}", signal) if signal.type in CAST else f"coalesce({_plain_value(f'c{i}', signal) or 'NULL'}, {_ODD})"
                for name, (i, signal) in numbers.items()}

    def read(self, texts: list[int], numbers: dict[str, tuple[int, Signal]]) -> tuple[list[list[str]], dict[str, np.ndarray], dict[str, np.ndarray]] | None:
        """Text columns (cells as read, "" when empty); signal columns as floats (NaN =
        unknown, and where a cell is not in plain form); and, for the columns that have such
        cells, those cells' texts (an object array, None where the cell was plain). None when
        the file is not plain.

        One pass reads the numbers and the texts; the few cells not in plain form are then
        fetched by `odd_texts` (for a CSV file, from their lines, not by a second pass)."""
        columns = self._read_columns(numbers) | {f"t{i}": f"c{i}" for i in texts}
        found = self._scan(self.query(columns)) if columns else {}
        if found is None:
            return None
        values, not_plain = {}, {}
        for name, (_, signal) in numbers.items():
            column = found[name]
            if signal.type in CAST:
                empty = np.ma.getmaskarray(column)
                values[name] = number = np.array(np.ma.getdata(column), dtype=np.float64)
                odd = ~empty & ~_in_range(number, signal.type)
                number[empty] = np.nan
                if signal.type == "count":
                    number += 0.0  # `-0` is the count 0 (parse_cell: int(-0.0)), not -0.0
            else:
                values[name] = number = np.ascontiguousarray(column, dtype=np.float64)
                odd = np.isneginf(number)
            if odd.any():
                number[odd] = np.nan  # until parse_cell has read the cell
                not_plain[name] = odd
        odd_texts = self.odd_texts(not_plain, numbers) if not_plain else {}
        if odd_texts is None:
            return None
        return _texts(found, texts), values, odd_texts

    def odd_texts(self, not_plain: dict[str, np.ndarray], numbers: dict[str, tuple[int, Signal]]) -> dict[str, np.ndarray] | None:
        """The texts of the cells `read` found not in plain form (per column, an object array, None
        where the cell was plain); None when the file is not plain after all. A plain CSV file has
        row n on line n + 1: those lines are read again by the csv module, cut as DuckDB cut them
        (every row as wide as the header, no cell of these empty); else `odd_texts_by_scan`."""
        rows = np.flatnonzero(np.logical_or.reduce(list(not_plain.values())))
        lines = _lines(self._path, (rows + 1).tolist())
        if len(lines) < len(rows):
            return self.odd_texts_by_scan(not_plain, numbers)
        try:
            cells = dict(zip(rows.tolist(), csv.reader((line.decode("utf-8").removesuffix("\r") for line in lines),
                                                       delimiter=self._delimiter, quotechar='"', doublequote=True, strict=True), strict=True))
        except (UnicodeDecodeError, csv.Error):
            return self.odd_texts_by_scan(not_plain, numbers)
        odd_texts = {}
        for name, odd in not_plain.items():
            i = numbers[name][0]
            column = np.full(self.size, None, dtype=object)
            for row in np.flatnonzero(odd).tolist():
                found = cells[row]
                if len(found) != len(self.header) or not found[i]:
                    return self.odd_texts_by_scan(not_plain, numbers)
                column[row] = found[i]
            odd_texts[name] = column
        return odd_texts

    def odd_texts_by_scan(self, not_plain: dict[str, np.ndarray], numbers: dict[str, tuple[int, Signal]]) -> dict[str, np.ndarray] | None:
        """`odd_texts` by a second pass over the file: each column's cells that may not be in plain form."""
        cells = self._scan(self.query({f"odd:{name}": _maybe_odd(f"c{numbers[name][0]}", numbers[name][1]) for name in not_plain}))
        if cells is None:
            return None
        odd_texts = {}
        for name, odd in not_plain.items():
            column = cells[f"odd:{name}"]
            missing = np.ma.getmaskarray(column) & odd
            if missing.any():  # every cell found not plain has its text (_maybe_odd): else read it all by the csv route
                return None
            odd_texts[name] = np.where(odd, np.ma.getdata(column).astype(object), None)
        return odd_texts

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
