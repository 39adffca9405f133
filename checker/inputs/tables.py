"""Exports given as tables of the engine (`--accounts-table NAME`, `--activities-table`, `--deals-table`,
`--contacts-table`) instead of files: on DuckDB a table of the database file `--database FILE.duckdb`,
on Spark a table or view of its catalog (`spark.table(NAME)`).

A log table is read as a file with its column names as the header: the same mapping and preset
column names, every value as text (the engine's own text of it), so that each goes through the
same parsing as a CSV's. A table has no rejected rows, footer or encoding.

The account table is written by the engine to a Parquet file in the run's work folder (on Spark:
collected to this process through Arrow) and read as a Parquet account export is (parquet.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.inputs.files import InputError
from checker.playbook.messages import Problem

if TYPE_CHECKING:  # DuckDB (checker.inputs.engine) is loaded only when a table is read
    from checker.inputs.engine import Engine, EngineError

#: An engine's EngineError text for a table it does not have, when it has nothing more to say (Spark: not in its
#: catalog): the message then names the engine, option and table in one clean line, without the engine's words.
NOT_FOUND = "no such table"


@dataclass(frozen=True)
class TableSource:
    """A log as a table of the engine; it stands where a log's file `Path` stands (its `name` in the report)."""

    table: str
    kind: str  # accounts, activities, deals or contacts: the option it came from

    @property
    def name(self) -> str:
        return self.table

    @property
    def suffix(self) -> str:  # no file type: never a zip to unpack
        return ""

    @property
    def option(self) -> str:
        return f"--{self.kind}-table"

    def __str__(self) -> str:  # as messages name it: the option and the table
        return f"{self.option} {self.table}"


def missing_table(engine: Engine, source: TableSource, error: EngineError) -> InputError:
    """The message for a table the engine does not have: naming the option, the table, the engine (and --database)."""
    if str(error) == NOT_FOUND:
        return InputError("error.no_table_in_catalog", engine=engine.name, table=source.table, option=source.option)
    database = getattr(engine, "database", None)  # DuckDB's tables are those of --database
    where = Problem("hint.table_in_database", database=database) if database is not None else ""
    return InputError("error.no_table", engine=engine.name, table=source.table, option=source.option, detail=str(error), where=where)


def header_of(engine: Engine, source: TableSource) -> list[str]:
    """A table's column names: its header (a missing table is one message)."""
    from checker.inputs.engine import EngineError

    try:
        return engine.table_header(source.table)
    except EngineError as exc:
        raise missing_table(engine, source, exc) from None


def export_accounts(engine: Engine, source: TableSource, folder: Path) -> Path:
    """The account table as a Parquet file in the work folder, named as the table (reports name the export by it)."""
    target = folder / "tables" / source.table
    from checker.inputs.engine import EngineError

    target.parent.mkdir(exist_ok=True)
    try:
        engine.export_table(source.table, target)
    except EngineError as exc:
        raise missing_table(engine, source, exc) from None
    return target


def table_problem(engine: str, database: Path | None, tables: bool) -> Problem | None:
    """Why the tables named (or `--database`) cannot be read on `engine` (a Problem, exit 2), or None."""
    if database is not None and engine != "duckdb":
        return Problem("error.database_not_duckdb", engine=engine)
    if database is not None and not database.is_file():
        return Problem("error.no_file", path=f"--database {database}")
    if tables and engine == "duckdb" and database is None:
        return Problem("error.tables_need_database")
    return None
