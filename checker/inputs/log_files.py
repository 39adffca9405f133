"""A log file as DuckDB reads it: the file itself when it is a plain UTF-8 CSV, else a UTF-8
CSV copy in the work folder (other encodings re-encoded in chunks; Excel sheets and reports
with footers rewritten)."""
from __future__ import annotations

import codecs
import csv
from pathlib import Path

from checker.inputs.files import InputError, RawTable, decode_bytes, header_of, parse_csv_text, read_xlsx, strip_footer
from checker.inputs.mappings import Mapping


def prepare(path: Path, kind: str, mapping: Mapping, sheet: str | None, workdir: Path) -> tuple[Path, str, list[str], int, str]:
    """A UTF-8 CSV DuckDB can read directly: the file itself when possible, else a converted copy."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--{kind} {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return rewrite(strip_footer(read_xlsx(path, sheet), mapping.footers), kind, workdir)
    with path.open("rb") as f:
        head = f.read(65536)
    text, encoding = decode_bytes(head if len(head) < 65536 else head[: head.rfind(b"\n") + 1], str(path))
    if not mapping.footers:
        delimiter, header = header_of(text)
        if encoding == "utf-8":
            return path, delimiter, header, 0, encoding
        # Windows-1252 or UTF-16: re-encode to UTF-8 in chunks, so a huge log never sits in memory.
        target = workdir / f"{kind}-{len(list(workdir.iterdir()))}.csv"
        decoder = codecs.getincrementaldecoder("utf-16" if encoding == "utf-16" else "cp1252")()
        read = 0
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            while block := source.read(1 << 20):
                try:
                    out.write(decoder.decode(block))
                except UnicodeDecodeError as exc:  # past the first 64 KB: a byte Windows-1252 leaves undefined
                    raise InputError("error.undecodable", path=path, position=read + exc.start + 1) from None
                read += len(block)
            out.write(decoder.decode(b"", final=True))
        return target, delimiter, header, 0, encoding
    full, encoding = decode_bytes(path.read_bytes(), str(path))  # reports with footers are small
    return rewrite(strip_footer(parse_csv_text(full, str(path), encoding), mapping.footers), kind, workdir)


def rewrite(table: RawTable, kind: str, workdir: Path) -> tuple[Path, str, list[str], int, str]:
    """The table as a UTF-8 CSV in the work folder."""
    target = workdir / f"{kind}-{len(list(workdir.iterdir()))}.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(table.header)
        writer.writerows(table.rows)
    return target, ",", table.header, table.footer_rows, table.encoding
