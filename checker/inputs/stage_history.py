"""The day each account's stage was declared (`stage_declared_on`), from the CRM's field history.

Salesforce records the changes of a tracked account field in AccountHistory, which the weekly
Data Export writes as AccountHistory.csv: `AccountId`, `CreatedDate` (when the change was
made), `Field` (the API name of the field changed), `OldValue`, `NewValue`. The latest change
of the field the account export's stage was read from is the day the current stage was
declared. An account whose stage field has no change in the history (set when the account was
created, or tracked only since later) keeps an unknown date.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from checker.inputs.accounts import AccountTable
from checker.inputs.files import InputError, read_table
from checker.inputs.mappings import normalise_header

COLUMNS = ("AccountId", "CreatedDate", "Field")


def declared_on(table: AccountTable, paths: list[Path]) -> np.ndarray | None:
    """Per account of `table` (by position) the ordinal day its stage field last changed, NaN where
    the history has no such change; None when the account export's stage column is unknown."""
    stage_field = table.headers.get("declared_stage")
    if not stage_field:
        return None
    latest: dict[str, date] = {}
    for path in paths:
        history = read_table(path)
        keys = [normalise_header(h) for h in history.header]
        missing = [c for c in COLUMNS if normalise_header(c) not in keys]
        if missing:  # not a field history at all: one message, never a silent skip
            raise InputError("error.stage_history_columns", path=path, missing=", ".join(missing), found=", ".join(h.strip() for h in history.header[:12]))
        account, created, changed = (keys.index(normalise_header(c)) for c in COLUMNS)
        for line, row in zip(history.lines, history.rows, strict=True):
            if len(row) <= max(account, created, changed) or row[changed].strip().casefold() != stage_field.strip().casefold():
                continue
            try:
                day = date.fromisoformat(row[created].strip()[:10])
            except ValueError:  # Salesforce writes it itself, always ISO: anything else is a damaged file
                raise InputError("error.stage_history_date", path=path, line=line, value=row[created].strip()) from None
            key = row[account].strip()
            if key not in latest or day > latest[key]:
                latest[key] = day
    return np.array([float(latest[i].toordinal()) if i in latest else np.nan for i in table.ids], dtype=np.float64)
