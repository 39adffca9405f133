"""Logs given as tables of the engine (`--activities-table NAME`, `--deals-table`, `--contacts-table`)
instead of files: on DuckDB a table of the database file `--database FILE.duckdb`, on Spark a
table or view of its catalog (`spark.table(NAME)`).

A table is read as a file with its column names as the header: the same mapping and preset
column names, every value as text (the engine's own text of it), so that each goes through the
same parsing as a CSV's. A table has no rejected rows, footer or encoding.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.playbook.messages import Problem


@dataclass(frozen=True)
class TableSource:
    """A log as a table of the engine; it stands where a log's file `Path` stands (its `name` in the report)."""

    table: str
    kind: str  # activities, deals or contacts: the option it came from

    @property
    def name(self) -> str:
        return self.table

    @property
    def option(self) -> str:
        return f"--{self.kind}-table"

    def __str__(self) -> str:  # as messages name it: the option and the table
        return f"{self.option} {self.table}"


def table_problem(engine: str, database: Path | None, tables: bool) -> Problem | None:
    """Why the tables named (or `--database`) cannot be read on `engine` (a Problem, exit 2), or None."""
    if database is not None and engine != "duckdb":
        return Problem("error.database_not_duckdb", engine=engine)
    if database is not None and not database.is_file():
        return Problem("error.no_file", path=f"--database {database}")
    if tables and engine == "duckdb" and database is None:
        return Problem("error.tables_need_database")
    return None
