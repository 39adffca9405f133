"""`playbook signals`: the account table the checker judges, one row per account, one column
per signal of the catalogue, so that ops can check the evidence by hand.

The CSV is a canonical account export: `playbook check` reads it back and finds what it found
on the CRM's own files (the cells it could not read are empty, that is unknown; their data
findings are in the check's report, not here). Cells are written the way the canonical export
writes them (counts as whole numbers, shares as 0–1, dates ISO, yes/no) and neutralised
against spreadsheet formula injection. The JSON says, for every known value, where it came
from: a column of the account export or the logs it was computed from.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date

import numpy as np

from checker.check import Sources
from checker.inputs.accounts import AccountTable
from checker.inputs.columns import decode
from checker.inputs.values import canonical_text
from checker.playbook.model import Playbook
from checker.reports.csv import neutralise

IDENTITY = ["account_id", "account_name", "declared_stage"]


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _values(table: AccountTable, playbook: Playbook, reviewed: frozenset[str] = frozenset()) -> Iterator[tuple[int, list[object]]]:
    """Each account's index and its signal values (None = unknown), in the catalogue's order;
    `reviewed`: signals the export lacks that reviews (--assessments) gave values."""
    signals = playbook.signals
    columns = [(table.columns.get(s) if s in table.columns.present or s in reviewed else None, signals[s]) for s in signals]
    for i in range(len(table)):
        yield i, [None if column is None else decode(column[i], signal) for column, signal in columns]


def _declared(table: AccountTable, i: int) -> str:
    """The normalised stage id; the file's own text when it is no stage (so the round trip keeps its note)."""
    return table.declared[i] or table.declared_raw[i]


def to_signals_csv(table: AccountTable, playbook: Playbook, reviewed: frozenset[str] = frozenset()) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*IDENTITY, *playbook.signals])
    for i, values in _values(table, playbook, reviewed):
        row = [table.ids[i], table.names[i], _declared(table, i), *map(canonical_text, values)]
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue()


def _origins(table: AccountTable, sources: Sources, playbook: Playbook) -> list[tuple[str, dict | None, np.ndarray | None, dict | None]]:
    """Per signal: where an account-export value came from, the accounts whose value is the
    export's own (None: all of them), and where a log value came from."""
    out = []
    for signal in playbook.signals:
        own = {"file": table.path.name, "column": table.headers[signal]} if signal in table.headers else None
        logs = {"logs": sources.origins.get(signal, [])} if signal in sources.derived else None
        kept = sources.from_accounts.get(signal) if logs else None
        out.append((signal, own, kept, logs))
    return out


def to_signals_json(table: AccountTable, sources: Sources, playbook: Playbook, as_of: date) -> Iterator[str]:
    """The signals as one JSON document: a head, then one account per line."""
    head = {
        "as_of": as_of.isoformat(),
        "playbook_version": playbook.manifest["version"],
        "input": table.path.name,
        "preset": sources.preset,
        "signals": list(playbook.signals),
        "logs": [s.name for s in sources.logs],
    }
    yield json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "accounts": ['
    origins = _origins(table, sources, playbook)
    merged = sources.review.merged
    reviewed = merged.used
    separator = "\n    "
    for i, values in _values(table, playbook, frozenset(reviewed)):
        found = {}
        for (signal, own, kept, logs), value in zip(origins, values, strict=True):
            if value is not None:
                found[signal] = own if logs is None or (kept is not None and kept[i]) else logs
                if signal in reviewed and reviewed[signal][i]:  # a value the CRM did not know: the review's (--assessments)
                    found[signal] = merged.reviewed[i].origin()
        account = {"account_id": table.ids[i], "account_name": table.names[i], "declared_stage": table.declared[i],
                   "declared_stage_raw": table.declared_raw[i],
                   "signals": {s: _json_value(v) for s, v in zip(playbook.signals, values, strict=True)}, "from": found}
        yield separator + json.dumps(account, ensure_ascii=False)
        separator = ",\n    "
    yield "\n  ]\n}\n"


#: `playbook signals --format` name → writer(table, sources, playbook, as_of).
SIGNAL_FORMATS = {
    "csv": lambda table, sources, playbook, as_of: to_signals_csv(table, playbook, frozenset(sources.review.merged.used)),
    "json": to_signals_json,
}
