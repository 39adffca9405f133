"""An account export in Parquet, read as a plain CSV export is (plaincsv.py).

Every column comes to the checker as text, DuckDB's own cast of the typed value to VARCHAR
(`12`, `0.94`, `true`, `1200.50`, `2026-10-01`), so each cell goes through the same plain
forms and, outside them, the same `values.parse_cell` as a CSV cell: a Parquet file and the
CSV it was made from give the same report. Only the date and time types are given as the
date they hold (`2026-10-01`, what parse_cell reads of `2026-10-01 10:00:00` too); a time
with a zone is taken in UTC, so that a run does not depend on the machine's zone.

Rows are numbered as a spreadsheet's: the first record is row 2, under the header.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from checker.inputs.files import InputError, parquet_detail, parquet_outline
from checker.inputs.plaincsv import PlainCsv
from checker.inputs.signal_sql import identifier, literal
from checker.playbook.model import Signal


def _as_text(column: str, kind: str) -> str:
    """SQL: a column's values as text cells."""
    if kind == "DATE" or (kind.startswith("TIMESTAMP") and "TIME ZONE" not in kind):
        return f"CAST(CAST({column} AS DATE) AS VARCHAR)"
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"CAST(CAST(timezone('UTC', {column}) AS DATE) AS VARCHAR)"
    return f"CAST({column} AS VARCHAR)"


class ParquetAccounts(PlainCsv):
    """A Parquet account export, read by DuckDB as PlainCsv reads a plain CSV file."""

    def __init__(self, path: Path, header: list[str], types: list[str], rows: int):
        super().__init__(path, header, "utf-8", ",", rows + 1)
        self._types = types

    @classmethod
    def open(cls, path: Path) -> ParquetAccounts:
        """The file's outline; InputError when it is no readable Parquet file."""
        header, types, rows = parquet_outline(path)
        return cls(path, header, types, rows)

    def source(self) -> str:
        cells = ", ".join(f"{_as_text(identifier(name), kind)} AS c{i}" for i, (name, kind) in enumerate(zip(self.header, self._types, strict=True)))
        return f"(SELECT {cells} FROM read_parquet({literal(str(self._path))}))"

    def refused(self, error: Exception) -> None:
        """A Parquet file has no other route: its problem is the message."""
        raise InputError("error.parquet_unreadable", path=self.name, detail=parquet_detail(error))

    def odd_texts(self, not_plain: dict[str, np.ndarray], numbers: dict[str, tuple[int, Signal]]) -> dict[str, np.ndarray] | None:
        """A Parquet file has no lines to read again: its cells not in plain form by a second pass."""
        return self.odd_texts_by_scan(not_plain, numbers)
