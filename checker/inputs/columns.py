"""Signal values as columns: one float array per signal, NaN where the value is unknown.

Rules are evaluated on whole columns at once (see evaluate.py), which keeps a check of a
hundred thousand accounts well under a second. Every signal type maps to floats without
losing meaning: booleans to 1/0, dates to their ordinal day number, categories to the
index of the value in the signal's `values` list.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from checker.playbook.model import Signal

UNKNOWN = float("nan")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # numpy and SQL count days from 1970-01-01; columns hold ordinals


def encode(value: object, signal: Signal) -> float:
    """One parsed value as the float the columns hold."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, date):
        return float(value.toordinal())
    if isinstance(value, str):
        return float(signal.data["values"].index(value))
    return float(value)


def decode(number: float, signal: Signal) -> object:
    """The float back as the value a person (and the JSON report) reads."""
    if number != number:  # NaN
        return None
    if signal.type == "boolean":
        return bool(number)
    if signal.type == "date":
        return date.fromordinal(int(number))
    if signal.type == "category":
        return signal.data["values"][int(number)]
    if signal.type in ("count", "days") and float(number).is_integer():
        return int(number)
    return float(number)


def column(values: list[object], signal: Signal) -> np.ndarray:
    return np.array([encode(v, signal) for v in values], dtype=np.float64)


class Columns:
    """The signal columns of a set of accounts, and which signals the export had at all."""

    def __init__(self, size: int, data: dict[str, np.ndarray], present: frozenset[str]):
        self.size = size
        self.data = data
        self.present = present  # signal columns the export has (a `recorded` test needs them)

    def get(self, signal: str) -> np.ndarray:
        """The column, or all-unknown when the export does not have it."""
        found = self.data.get(signal)
        if found is None:
            found = np.full(self.size, np.nan)
            self.data[signal] = found
        return found

    def value(self, signal: str, index: int, signals: dict[str, Signal]) -> object:
        return decode(self.get(signal)[index], signals[signal])

    @classmethod
    def from_records(cls, records: list[dict[str, object]], signals: dict[str, Signal], present: frozenset[str] | None = None) -> Columns:
        """Columns from per-account dicts of parsed values (for small inputs and tests)."""
        names = set().union(*(r.keys() for r in records)) if records else set()
        data = {n: column([r.get(n) for r in records], signals[n]) for n in names}
        return cls(len(records), data, frozenset(names) if present is None else present)
