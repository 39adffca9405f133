"""Read the canonical account export (one row per account) into account records.

Every row read is accounted for: it becomes an account, or it is listed as unusable with
the reason (no account id, or a repeat of an earlier account id). Cell problems never drop
a row; they become `data` notes on the account and the cell counts as unknown.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from checker.model import Playbook
from checker.problems import did_you_mean
from checker.values import BadValue, is_unknown, parse_cell

REQUIRED = ("account_id", "account_name", "declared_stage")
OPTIONAL = ("owner",)


class InputError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass(frozen=True)
class DataNote:
    """A problem in one row's data, reported as a `data` finding on the account."""

    code: str  # message key
    column: str | None
    values: dict = field(default_factory=dict)


@dataclass
class AccountRecord:
    row: int  # 1-based line of the file, header = 1
    account_id: str
    account_name: str
    owner: str
    declared_raw: str
    declared: str | None  # normalised stage or ending id
    values: dict[str, object]  # signal id -> value; missing or None = unknown
    notes: list[DataNote] = field(default_factory=list)


@dataclass
class UnusableRow:
    row: int
    code: str  # message key
    values: dict = field(default_factory=dict)


@dataclass
class AccountFile:
    path: Path
    accounts: list[AccountRecord]
    unusable: list[UnusableRow]
    rows_read: int
    columns: list[str]  # signal columns present in the export
    ignored_columns: list[str]
    encoding: str


def normalise_header(name: str) -> str:
    """`Share of Wallet ` → `share_of_wallet`: case, spaces and `_`/space/`-` differences ignored."""
    return re.sub(r"[\s_\-]+", "_", name.strip().casefold()).strip("_")


def _label_key(label: str) -> str:
    return " ".join(label.casefold().replace("_", " ").replace("-", " ").split())


def stage_lookup(playbook: Playbook) -> dict[str, str]:
    """Every accepted spelling of a stage or ending (ids, names, aliases) → its id."""
    return {_label_key(label): phase.id for phase in playbook.phases.values() for label in phase.labels()}


def decode(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(f"{path}: this is a zip or Excel (.xlsx) file, not CSV; save it as CSV (UTF-8) and try again")
    if b"\x00" in raw[:4096]:
        raise InputError(f"{path}: this is not a text file; export the accounts as CSV")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel in Finland saves "CSV" as Windows-1252.
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start} cannot be decoded as UTF-8 or Windows-1252; save the file as CSV UTF-8") from None


def _dialect(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def read_accounts(path: Path, playbook: Playbook) -> AccountFile:
    """Read and parse the account export at `path`."""
    text, encoding = decode(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: {exc}") from None
    names = [normalise_header(h) for h in header]
    signals = playbook.signals
    known = set(REQUIRED) | set(OPTIONAL) | set(signals)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        hints = "; ".join(f"'{c}'{did_you_mean(c, names)}" for c in missing)
        raise InputError(f"{path}: line 1: missing required column(s) {hints}. Found: {', '.join(h.strip() for h in header)}")
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in known and n in seen:
            raise InputError(f"{path}: line 1: column '{header[i].strip()}' appears twice; keep one")
        seen.add(n)
    index = {n: i for i, n in enumerate(names) if n in known}
    signal_columns = [(n, i, signals[n].type, signals[n].data.get("values")) for n, i in index.items() if n in signals]
    stages = stage_lookup(playbook)

    accounts: list[AccountRecord] = []
    unusable: list[UnusableRow] = []
    first_row: dict[str, int] = {}
    rows_read = 0
    width = len(header)
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue  # blank line: not a row
            rows_read += 1
            notes: list[DataNote] = []
            if len(cells) != width:
                notes.append(DataNote("data.ragged_short" if len(cells) < width else "data.ragged_long", None, {"found": len(cells), "expected": width}))
                cells = (cells + [""] * width)[:width]
            account_id = cells[index["account_id"]].strip()
            if not account_id:
                unusable.append(UnusableRow(line, "data.no_account_id"))
                continue
            if account_id in first_row:
                unusable.append(UnusableRow(line, "data.duplicate_account", {"account": account_id, "first": first_row[account_id]}))
                continue
            first_row[account_id] = line
            values: dict[str, object] = {}
            for name, i, kind, allowed in signal_columns:
                cell = cells[i]
                try:
                    values[name] = parse_cell(cell, kind, allowed)
                except BadValue as bad:
                    values[name] = None
                    notes.append(DataNote("data.invalid_value", name, {"value": cell.strip(), "reason": bad.reason, **bad.details}))
            declared_raw = cells[index["declared_stage"]].strip()
            declared = stages.get(_label_key(declared_raw))
            if not declared_raw:
                notes.append(DataNote("data.no_stage", "declared_stage"))
            elif declared is None:
                notes.append(DataNote("data.unknown_stage", "declared_stage", {"value": declared_raw, "hint": did_you_mean(declared_raw, list(stages))}))
            name = cells[index["account_name"]].strip()
            if not name:
                notes.append(DataNote("data.no_name", "account_name"))
            owner = cells[index["owner"]].strip() if "owner" in index else ""
            accounts.append(AccountRecord(line, account_id, name, owner, declared_raw, declared, values, notes))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: {exc}; check the quoting") from None
    ignored = [h.strip() for h, n in zip(header, names) if n not in known]
    return AccountFile(path, accounts, unusable, rows_read, [c[0] for c in signal_columns], ignored, encoding)
