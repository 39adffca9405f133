"""CRM export files as they come: encodings, delimiters, Excel sheets, zipped Data Exports and
report footers, read into raw tables of text cells.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from checker.inputs.signal_sql import literal
from checker.playbook.messages import Problem, suggestion


class InputError(Problem):
    """An input file as a whole cannot be used; the message (a key of playbooks/messages) says what to do."""


@dataclass
class RawTable:
    """A table as read from a file: header, rows as text cells, and where each row came from."""

    name: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # line (CSV) or sheet row (XLSX) of each row
    encoding: str
    footer_rows: int = 0
    mixed: tuple[int, int] | None = None  # lines read as UTF-8 and as Windows-1252, when the file mixes them


_UTF16_BOMS, _ZIP, _PDF, _PARQUET = (b"\xff\xfe", b"\xfe\xff"), b"PK\x03\x04", b"%PDF", b"PAR1"


def special_start(raw: bytes) -> bool:
    """Whether decode_bytes does more with a file starting so than try UTF-8 (UTF-16, a zip, Parquet, not text)."""
    return raw.startswith((*_UTF16_BOMS, _ZIP, _PDF, _PARQUET)) or b"\x00" in raw[:4096]


def is_parquet(path: Path) -> bool:
    """Whether a file is (meant to be) Parquet: so named, or starting as Parquet files do."""
    if path.suffix.lower() == ".parquet":
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) == _PARQUET
    except OSError:
        return False


def parquet_outline(path: Path) -> tuple[list[str], list[str], int]:
    """A Parquet file's column names, their DuckDB types and its number of rows, from its footer."""
    import duckdb  # loaded only for a Parquet file

    if not path.is_file():
        raise InputError("error.no_file", path=path)
    try:
        with duckdb.connect() as db:
            columns = db.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})").fetchall()
            rows = db.execute(f"SELECT count(*) FROM read_parquet({literal(str(path))})").fetchone()[0]
    except duckdb.Error as error:
        raise InputError("error.parquet_unreadable", path=path, detail=parquet_detail(error)) from None
    return [c[0] for c in columns], [c[1] for c in columns], rows


def parquet_detail(error: Exception) -> str:
    """DuckDB's reason, short: its first line, without the kind of error it starts with."""
    lines = str(error).strip().splitlines()
    text = (lines[0].partition(": ")[2] or lines[0]) if lines else error.__class__.__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    """The bytes Windows-1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) read as Latin-1 (C1 controls)."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("playbook-latin1", _latin1)
#: A UTF-8 lead byte and a continuation byte: a line without one is not UTF-8 (unless ASCII).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_NON_ASCII_LINE = re.compile(rb"[\x80-\xff][^\n]*")  # from a line's first non-ASCII byte to its end


def decode_lines(raw: bytes) -> tuple[str, int, int]:
    """Text of a file that is not UTF-8 as a whole, line by line: a line that is valid UTF-8 is
    read as UTF-8, any other as Windows-1252 (Latin-1 for the bytes it leaves undefined), but
    for the UTF-8 sequences in it (_decode_mixed_line).

    Salesforce's Data Export writes ISO-8859-1 with UTF-8 sequences from other sources mixed
    in (`\\xc3\\x81` for Á); read whole as either, such a file is garbled or refused. Returns the
    text and how many lines with non-ASCII bytes were read each way (the Windows-1252 ones
    counted only when some line is UTF-8; a line holding both counts each way)."""
    # Only the lines with a UTF-8 sequence in them are tried one by one; the runs of lines
    # between them are Windows-1252 and decoded whole (a large log has a million lines).
    parts: list[str] = []
    utf8 = 0
    both = 0  # lines holding UTF-8 sequences and Windows-1252 bytes: counted each way
    taken = 0  # raw[:taken] is in parts
    checked = 0  # lines before this offset are decided
    for match in _UTF8_SEQUENCE.finditer(raw):
        if match.start() < checked:
            continue  # on a line already decided
        start, end = raw.rfind(b"\n", 0, match.start()) + 1, raw.find(b"\n", match.end())
        end = len(raw) if end < 0 else end
        checked = end
        try:
            line = raw[start:end].decode("utf-8")
        except UnicodeDecodeError:
            line = _decode_mixed_line(raw[start:end])
            if line is None:
                continue  # Windows-1252, with the run of lines it is in
            both += 1
        parts.append(raw[taken:start].decode("cp1252", "playbook-latin1"))
        parts.append(line)
        utf8 += 1
        taken = end
    parts.append(raw[taken:].decode("cp1252", "playbook-latin1"))
    # The other non-ASCII lines are Windows-1252 (counted only for a file that mixes: it says so).
    legacy = sum(1 for _ in _NON_ASCII_LINE.finditer(raw)) - utf8 + both if utf8 else 0
    return "".join(parts), utf8, legacy


#: One well-formed UTF-8 sequence of two to four bytes.
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _plausible(char: str) -> bool:
    """Whether a UTF-8 sequence found in a Windows-1252 line is likely text written as UTF-8:
    a Latin letter or sign, or typographic punctuation (quotes, dashes, €, ™). Anything else
    (a C1 control, Cyrillic from `Ñ` + no-break space) is more likely two Windows-1252 bytes."""
    code = ord(char)
    return 0xA0 <= code <= 0x24F or 0x2010 <= code <= 0x20CF or code == 0x2122


def _decode_mixed_line(line: bytes) -> str | None:
    """A line that is not UTF-8 as a whole but holds UTF-8 sequences (a cell pasted from
    another source into a Latin-1 export): each plausible UTF-8 sequence as UTF-8, the rest as
    Windows-1252. None when no sequence is plausible (the line is Windows-1252)."""
    parts: list[str] = []
    taken = 0
    for match in _UTF8_CHAR.finditer(line):
        try:
            char = match.group().decode("utf-8")
        except UnicodeDecodeError:
            continue  # a surrogate or out of range: Windows-1252 bytes
        if not _plausible(char):
            continue
        parts.append(line[taken:match.start()].decode("cp1252", "playbook-latin1"))
        parts.append(char)
        taken = match.end()
    if not parts:
        return None
    parts.append(line[taken:].decode("cp1252", "playbook-latin1"))
    return "".join(parts)


def decode_text(raw: bytes, name: str) -> tuple[str, str, tuple[int, int] | None]:
    """Text, encoding and (for a file that mixes UTF-8 and Windows-1252 lines) how many lines
    were read each way. UTF-16 or UTF-8 by BOM, then UTF-8, then line by line (decode_lines):
    Windows-1252 (Excel in Finland) when no line is UTF-8, else `mixed`."""
    if raw.startswith(_UTF16_BOMS):
        return raw.decode("utf-16"), "utf-16", None
    if raw.startswith(_ZIP):
        raise InputError("error.zip_not_csv", path=name)
    if raw.startswith(_PARQUET):  # the account export may be Parquet (inputs/parquet.py); other files are read as text
        raise InputError("error.parquet_not_here", path=name)
    if b"\x00" in raw[:4096] or raw.startswith(_PDF):
        raise InputError("error.not_text", path=name)
    try:
        return raw.decode("utf-8-sig"), "utf-8", None
    except UnicodeDecodeError:
        pass
    text, utf8, legacy = decode_lines(raw)
    if utf8 and legacy:
        return text, "mixed", (utf8, legacy)
    return text, "windows-1252", None


def decode_bytes(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding (see decode_text)."""
    text, encoding, _ = decode_text(raw, name)
    return text, encoding


def sniff_delimiter(text: str) -> str:
    first = text[: text.find("\n")] if "\n" in text else text
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def header_of(text: str) -> tuple[str, list[str]]:
    """The delimiter and the header row of a CSV text (a quoted header may span lines)."""
    delimiter = sniff_delimiter(text)
    return delimiter, next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter), [])


def _line_numbers(text: str, delimiter: str, rows: int) -> list[int]:
    """The file line each row starts on. One line per row unless quoted cells span lines."""
    if text.count("\n") + (not text.endswith("\n")) == rows + 1:
        return list(range(2, rows + 2))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    starts, previous = [], 1
    for _ in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return starts


def parse_csv_text(text: str, name: str, encoding: str, mixed: tuple[int, int] | None = None) -> RawTable:
    if not text.strip():
        raise InputError("error.empty_file", path=name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as exc:
        raise InputError("error.csv_syntax", path=name, line=reader.line_num, detail=exc) from None
    return RawTable(name, header, rows, _line_numbers(text, delimiter, len(rows)), encoding, mixed=mixed)


def read_xlsx(path: Path, sheet: str | None) -> RawTable:
    """The first sheet (or `sheet`) of an Excel workbook, cells as text (dates as ISO)."""
    import openpyxl  # imported here: only Excel input needs it

    # openpyxl warns on stderr about what it drops and the checker never reads (Dynamics'
    # data-validation extension, a workbook without a default style): not the user's concern.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise InputError("error.xlsx_unreadable", path=path, detail=exc.__class__.__name__) from None
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError("error.no_sheet", path=path, sheet=sheet, hint=suggestion(sheet, book.sheetnames), sheets=", ".join(book.sheetnames))
        ws = book[sheet] if sheet else book.worksheets[0]
        cells = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        book.close()
    while cells and not any(cells[0]):
        cells.pop(0)
    if not cells:
        raise InputError("error.sheet_empty", path=path, sheet=ws.title)
    header = cells[0]
    while header and not header[-1]:
        header.pop()
    # openpyxl pads rows to the sheet's width; cells beyond the header that are empty are not data.
    rows = [r[: len(header)] if not any(r[len(header):]) else r for r in cells[1:]]
    return RawTable(f"{path.name}[{ws.title}]", header, rows, list(range(2, len(rows) + 2)), "xlsx")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, sheet: str | None = None) -> RawTable:
    """Any supported table file: CSV (any delimiter and encoding above) or XLSX."""
    if not path.is_file():
        raise InputError("error.no_file", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("error.cannot_read", path=path, reason=exc.strerror) from None
    text, encoding, mixed = decode_text(raw, str(path))
    return parse_csv_text(text, str(path), encoding, mixed)


def strip_footer(table: RawTable, patterns: list[str]) -> RawTable:
    """Drop a report's footer: the trailing block of blank and one-cell rows (report name,
    'Grand Totals', copyright, 'Generated By', organisation), when a line of it matches one
    of `patterns`. Data rows have more than one filled cell, so they are never taken."""
    if not patterns:
        return table
    regexes = [re.compile(p, re.IGNORECASE) for p in patterns]
    start, matched = len(table.rows), False
    while start > 0:
        filled = [c.strip() for c in table.rows[start - 1] if c.strip()]
        if len(filled) > 1 and not any(r.search(" ".join(filled)) for r in regexes):
            break
        matched = matched or any(r.search(" ".join(filled)) for r in regexes)
        start -= 1
    if not matched:
        return table
    dropped = len(table.rows) - start
    return replace(table, rows=table.rows[:start], lines=table.lines[:start], footer_rows=table.footer_rows + dropped)


def unzip_data_export(path: Path, folder: Path) -> dict[str, list[Path]]:
    """A zipped Salesforce Data Export: Account.csv, Task.csv, Event.csv, Opportunity.csv, Contact.csv, AccountHistory.csv."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError("error.bad_zip", path=path) from None
    wanted = {"account.csv": "accounts", "task.csv": "activities", "event.csv": "activities", "opportunity.csv": "deals",
              "contact.csv": "contacts", "accounthistory.csv": "stage_history"}
    found: dict[str, list[Path]] = {}
    with archive:
        for member in archive.namelist():
            kind = wanted.get(Path(member).name.casefold())
            if kind:
                target = folder / Path(member).name
                target.write_bytes(archive.read(member))
                found.setdefault(kind, []).append(target)
    if "accounts" not in found:
        raise InputError("error.no_account_csv", path=path)
    return found


def peek_header(path: Path, sheet: str | None = None) -> list[str]:
    """The header row of a file, read cheaply (for preset detection)."""
    if not path.is_file():
        raise InputError("error.no_file", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet).header
    if is_parquet(path):  # the account export (inputs/parquet.py) or a log (log_files.prepare_log) as Parquet
        return parquet_outline(path)[0]
    with path.open("rb") as f:
        head = f.read(65536)
    text, _ = decode_bytes(head if len(head) < 65536 else head[: head.rfind(b"\n") + 1] or head, str(path))
    return header_of(text)[1]
