"""`check --output-table NAME`: the findings written as a table of the engine instead of a Parquet file.

The rows and columns are `findings.parquet`'s (checker/engines/findings.py writes the same
SELECT, in the same order). Where the table goes is the engine's business, through two calls on
what holds the findings (the engine's side of the seam; a warehouse engine implements the same two):

- `table_columns(name) -> list[str] | None`: the columns of the engine's table `name`, None when
  it has none of that name;
- `write_tables(writes, replace)`: each (query, name) of `writes` saved as the table `name`, replacing
  one of that name when `replace`; all in one transaction where the engine has one (whole or not at
  all, as far as the engine can promise it);
- `catalog_lasts() -> bool`: whether a table written now outlasts the run (a local Spark's
  in-memory catalog goes with it: the write is refused rather than made for nobody).

On DuckDB (`DuckTables`) the table is one of the database file `--database FILE.duckdb`, which is
attached writable for the write only (for reading tables it is attached read-only) and created
when missing; the table is replaced in one transaction, so a failed write leaves last week's. On
Spark (`SparkEngine.write_table`) it is `saveAsTable` in the session's catalog. On a PostgreSQL URL
(`warehouse_output.WarehouseTables`) it is a table of that database, the rows streamed there from
the DuckDB the rules ran in, in one transaction.

Beside the findings goes their rules table `NAME_rules` (checker/engines/rules_table.py: each
rule's advice and handbook link), written with them. An existing table of either name is refused
unless `--replace` is given, and even then only a findings table (one with the findings' key
columns) and a rules table (the rules' key columns) are replaced: a mistyped name never overwrites
another table.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import duckdb

from checker.inputs.engine import EngineError, error_line
from checker.inputs.files import InputError
from checker.inputs.signal_sql import identifier, literal
from checker.playbook.messages import Problem

_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: The columns that make a table a findings table (one --replace may replace).
KEY_COLUMNS = ("account_id", "rule", "kind", "severity")
#: … and a rules table (one --replace may replace beside it), named NAME_rules.
RULE_KEY_COLUMNS, RULES_TABLE_SUFFIX = ("rule", "kind", "action", "handbook_url"), "_rules"
#: PostgreSQL's longest name (NAMEDATALEN - 1 bytes): a longer one it cuts short without a word, and the next
#: week's run then meets a table it did not ask for. Held on every engine, so that a name works on each.
LONGEST_NAME = 63
_ATTACHED = "pb_output"


@dataclass(frozen=True)
class OutputTable:
    """Where `--output-table` writes: the table's name (`NAME` or `SCHEMA.NAME`), DuckDB's database file, whether to replace."""

    name: str
    database: Path | None = None  # the duckdb engine's --database
    replace: bool = False
    url: str | None = None  # a warehouse's --engine URL: the table is written there (checker/engines/warehouse_output.py)


def name_problem(name: str) -> Problem | None:
    """Why `name` is no table name to write (a Problem, exit 2), or None: one or two parts, each an unquoted SQL identifier."""
    parts = name.split(".")
    if len(parts) > 2 or not all(_PART.match(part) for part in parts):
        return Problem("output_table.bad_name", name=name)
    if len(longest := max([*parts[:-1], parts[-1] + RULES_TABLE_SUFFIX], key=len)) > LONGEST_NAME:
        return Problem("output_table.long_name", name=name, part=longest, longest=LONGEST_NAME, most=LONGEST_NAME - len(RULES_TABLE_SUFFIX))
    return None


class TableWriter(Protocol):
    """The engine's side of `--output-table` (see the module's docstring)."""

    def table_columns(self, name: str) -> list[str] | None: ...
    def write_tables(self, writes: Sequence[tuple[str, str]], replace: bool) -> None: ...
    def catalog_lasts(self) -> bool: ...


class DuckTables:
    """TableWriter for the findings in a DuckDB connection: the tables of the database file, attached writable while open."""

    def __init__(self, con: duckdb.DuckDBPyConnection, database: Path):
        self.con, self.database = con, database
        try:
            con.execute(f"ATTACH {literal(str(database))} AS {_ATTACHED}")
        except duckdb.Error as exc:  # not a DuckDB file, a read-only file or folder, a file another process holds
            raise InputError("output_table.database", path=database, detail=error_line(exc)) from None

    def _target(self, name: str) -> str:
        return ".".join([_ATTACHED, *(identifier(part) for part in name.split("."))])

    def table_columns(self, name: str) -> list[str] | None:
        schema, table = name.split(".") if "." in name else ("main", name)
        found = self.con.execute("SELECT table_type FROM information_schema.tables WHERE table_catalog = ? AND lower(table_schema) = lower(?) "
                                 "AND lower(table_name) = lower(?)", [_ATTACHED, schema, table]).fetchall()
        if not found:
            return None
        return [row[0] for row in self.con.execute(f"DESCRIBE SELECT * FROM {self._target(name)}").fetchall()]

    def catalog_lasts(self) -> bool:
        return True  # a database file

    def write_tables(self, writes: Sequence[tuple[str, str]], replace: bool) -> None:
        self.con.execute("SET preserve_insertion_order = true")  # the table's rows stored in the query's order, as the Parquet file has them
        self.con.execute("BEGIN TRANSACTION")
        try:
            for sql, name in writes:
                self.con.execute(f"CREATE {'OR REPLACE ' if replace else ''}TABLE {self._target(name)} AS {sql}")
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise EngineError(error_line(exc)) from None

    def close(self) -> None:
        self.con.execute(f"DETACH {_ATTACHED}")


def rules_of(target: OutputTable) -> OutputTable:
    """The rules table beside the findings table `target`: NAME_rules, in the same schema and database."""
    return replace(target, name=target.name + RULES_TABLE_SUFFIX)


def save(writer: TableWriter, sql: str, target: OutputTable, engine: str, rules: str | None = None) -> None:
    """Write the findings' query `sql` as the table `target` names, and the query `rules` as the rules table beside it,
    through the engine's `writer`; an existing table only with --replace, and only one of its kind; what the engine
    refuses is one message."""
    check_target(writer, target, engine)
    writes = [(sql, target.name)] + ([(rules, rules_of(target).name)] if rules is not None else [])
    try:
        writer.write_tables(writes, target.replace)
    except EngineError as exc:
        raise InputError("output_table.failed", engine=engine, table=target.name, where=_where(target), detail=str(exc).rstrip(".")) from None


def check_target(writer: TableWriter, target: OutputTable, engine: str) -> None:
    """Refuse (InputError) a table that would not outlast the run, an existing one without --replace, another kind of
    table: the findings table `target` and the rules table beside it."""
    if not writer.catalog_lasts():
        raise InputError("output_table.catalog_gone", engine=engine, table=target.name)
    _check_one(writer, target, engine, KEY_COLUMNS, "output_table.exists", "output_table.not_findings")
    _check_one(writer, rules_of(target), engine, RULE_KEY_COLUMNS, "output_table.rules_exists", "output_table.not_rules", findings=target.name)


def _check_one(writer: TableWriter, target: OutputTable, engine: str, keys: tuple[str, ...], exists: str, other: str, **values: str) -> None:
    """Refuse the table `target` when it exists without --replace (the message `exists`), or lacks the `keys` of its kind (`other`)."""
    where = _where(target)
    try:
        columns = writer.table_columns(target.name)
    except EngineError as exc:
        raise InputError("output_table.failed", engine=engine, table=target.name, where=where, detail=str(exc).rstrip(".")) from None
    if columns is not None and not target.replace:
        raise InputError(exists, engine=engine, table=target.name, where=where, **values)
    if columns is not None and not set(keys) <= {c.lower() for c in columns}:
        raise InputError(other, engine=engine, table=target.name, where=where, columns=", ".join(keys), **values)


def precheck(target: OutputTable) -> None:
    """On DuckDB, before the exports are read: an existing database file can be written to and check_target passes.
    (A missing file is created by the write; Spark's catalog is asked when the findings are written; a warehouse's
    table by checker/engines/warehouse_output.py's precheck.)"""
    if target.database is None or not target.database.is_file():
        return
    con = duckdb.connect()
    try:
        tables = DuckTables(con, target.database)
        check_target(tables, target, "duckdb")
        tables.close()
    finally:
        con.close()


def _where(target: OutputTable) -> Problem | str:
    return Problem("output_table.in_database", path=target.database) if target.database is not None else ""


__all__ = ["KEY_COLUMNS", "RULE_KEY_COLUMNS", "DuckTables", "OutputTable", "TableWriter", "check_target", "name_problem", "precheck", "rules_of", "save"]
