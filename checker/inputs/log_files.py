"""A log file as DuckDB reads it: the file itself when it is a plain UTF-8 CSV, else a UTF-8
CSV copy in the work folder (other encodings re-encoded in chunks; Excel sheets and reports
with footers rewritten)."""
from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path
from typing import BinaryIO, TextIO

from checker.inputs.engine import Engine, EngineError
from checker.inputs.files import InputError, RawTable, decode_bytes, decode_lines, decode_text, header_of, parse_csv_text, read_xlsx, strip_footer
from checker.inputs.mappings import Mapping
from checker.inputs.tables import TableSource, missing_table

_NON_ASCII_LINE = re.compile(rb"[\x80-\xff][^\n]*")  # from a line's first non-ASCII byte to its end


def prepare(path: Path, kind: str, mapping: Mapping, sheet: str | None, workdir: Path) -> tuple[Path, str, list[str], int, str, tuple[int, int] | None]:
    """A UTF-8 CSV DuckDB can read directly: the file itself when possible, else a converted
    copy; with its header, footer rows, encoding and, when it mixes encodings, how many lines
    were read as UTF-8 and as Windows-1252 (the report says so)."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--{kind} {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return (*rewrite(strip_footer(read_xlsx(path, sheet), mapping.footers), kind, workdir), None)
    with path.open("rb") as f:
        head = f.read(65536)
    text, encoding = decode_bytes(head if len(head) < 65536 else head[: head.rfind(b"\n") + 1], str(path))
    if not mapping.footers:
        delimiter, header = header_of(text)
        if encoding == "utf-8" and (len(head) < 65536 or _utf8_throughout(path)):
            return path, delimiter, header, 0, encoding, None
        # Another encoding, or UTF-8 only at the start: re-encode to UTF-8 in chunks, so a huge
        # log never sits in memory.
        target = workdir / f"{kind}-{len(list(workdir.iterdir()))}.csv"
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            if encoding == "utf-16":
                _copy_utf16(source, out, path)
                return target, delimiter, header, 0, encoding, None
            utf8 = legacy = 0
            rest = source.read(len(codecs.BOM_UTF8)).removeprefix(codecs.BOM_UTF8)
            while block := source.read(1 << 20):
                block = rest + block
                cut = block.rfind(b"\n") + 1  # whole lines: decode_lines decides line by line
                lines, rest = block[:cut], block[cut:]
                utf8, legacy = _decode_block(lines, out, utf8, legacy)
            utf8, legacy = _decode_block(rest, out, utf8, legacy)
        # Not UTF-8 throughout, so some line is Windows-1252: with any UTF-8 line, the file mixes.
        return target, delimiter, header, 0, "mixed" if utf8 else "windows-1252", (utf8, legacy) if utf8 else None
    full, encoding, mixed = decode_text(path.read_bytes(), str(path))  # reports with footers are small
    table = parse_csv_text(full, str(path), encoding)
    return (*rewrite(strip_footer(table, mapping.footers), kind, workdir), mixed)


def prepare_log(path: Path | TableSource, kind: str, mapping: Mapping, sheet: str | None, workdir: Path,
                engine: Engine) -> tuple[Path | TableSource, str, list[str], int, tuple[int, int] | None]:
    """`prepare`, and a Parquet file or an engine's table (tables.py) as it is: its header from
    the engine, which reads its columns as text (engine.py); no delimiter, footer or mixed encoding."""
    if isinstance(path, TableSource):
        try:
            return path, "", engine.table_header(path.table), 0, None
        except EngineError as exc:  # no such table (or no database to hold it): one line naming the engine and the table
            raise missing_table(engine, path, exc) from None
    if path.suffix.lower() != ".parquet":
        source, delimiter, header, footer_rows, _, mixed = prepare(path, kind, mapping, sheet, workdir)
        return source, delimiter, header, footer_rows, mixed
    if not path.is_file():
        raise InputError("error.no_file", path=f"--{kind} {path}")
    return path, "", engine.header(path), 0, None


def _decode_block(raw: bytes, out: TextIO, utf8: int, legacy: int) -> tuple[int, int]:
    """Write whole lines decoded line by line; the running counts of lines read as UTF-8 and as
    Windows-1252 (decode_lines counts the latter only in a block that has a UTF-8 line)."""
    decoded, lines_utf8, lines_legacy = decode_lines(raw)
    out.write(decoded)
    return utf8 + lines_utf8, legacy + (lines_legacy if lines_utf8 else len(_NON_ASCII_LINE.findall(raw)))


def _utf8_throughout(path: Path) -> bool:
    """Whether the whole file is UTF-8 (its first 64 KB were), read in blocks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _copy_utf16(source: BinaryIO, out: TextIO, path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-16")()
    read = 0
    while block := source.read(1 << 20):
        try:
            out.write(decoder.decode(block))
        except UnicodeDecodeError as exc:  # an odd byte or a lone surrogate
            raise InputError("error.undecodable", path=path, position=read + exc.start + 1, encoding="UTF-16") from None
        read += len(block)
    out.write(decoder.decode(b"", final=True))


def rewrite(table: RawTable, kind: str, workdir: Path) -> tuple[Path, str, list[str], int, str]:
    """The table as a UTF-8 CSV in the work folder."""
    target = workdir / f"{kind}-{len(list(workdir.iterdir()))}.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(table.header)
        writer.writerows(table.rows)
    return target, ",", table.header, table.footer_rows, table.encoding
