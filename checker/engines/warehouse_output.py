"""`check --engine postgresql://… --output-table NAME`: the findings written into the warehouse.

On a warehouse the rules run on this machine, in DuckDB, on the signals the warehouse gave back
(warehouse.py); the findings' rows then go to PostgreSQL as Arrow record batches streamed from
DuckDB's result into ADBC's bulk ingest (PostgreSQL's binary COPY), never as Python rows. This is
output_table.py's TableWriter for a PostgreSQL session of its own (the log pipeline's session,
with its temp tables, is closed by then).

The name is read as PostgreSQL reads an unquoted name: `Analytics.Findings` is `analytics.findings`
(what a dashboard's `SELECT … FROM analytics.findings` finds); a name without a schema goes to the
session's current schema (the first of the search path that exists). The names are quoted when
written, so nothing of them is read as SQL.

Everything in one transaction, committed once the last row is in; a failure rolls it all back:
- a new table: CREATE TABLE with the columns' types as DuckDB's (text, bigint, double precision,
  boolean, date), then the rows;
- `--replace` of a findings table with the same columns: its rows deleted, the new ones added. The
  table itself stays, with its grants, indexes and the views on it, and its readers see last week's
  rows until the commit (TRUNCATE would lock them out for as long as the write takes);
- `--replace` of a findings table with other columns (a first run with `--waivers` adds three):
  dropped and made again (PostgreSQL refuses while a view depends on it, in its own words).
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import duckdb

from checker.engines.output_table import OutputTable, check_target, rules_of, save
from checker.engines.warehouse import driver_line, masked
from checker.inputs.engine import EngineError
from checker.inputs.files import InputError
from checker.inputs.signal_sql import identifier, literal

#: Rows per Arrow batch handed from DuckDB to the ingest: what this process holds of the findings at a time.
BATCH_ROWS = 65_536
#: PostgreSQL's type for each Arrow type DuckDB gives the findings' columns (format_type's spelling, to compare).
_TYPES = {"string": "text", "large_string": "text", "string_view": "text", "int64": "bigint", "int32": "integer",
          "double": "double precision", "bool": "boolean", "date32[day]": "date",
          "null": "text"}  # a column DuckDB found no value in and no type for: text (the waiver columns are cast to text already)
#: SQLSTATEs of what the user may not do (42501) and of a schema that is not there (3F000).
_NO_RIGHT, _NO_SCHEMA = "42501", "3F000"
#: What the driver's error says when reading the rows to ingest failed (DuckDB's error follows it).
_STREAM = "ArrowArrayStreamGetNext"


class WarehouseTables:
    """TableWriter (output_table.py) on a PostgreSQL session; `source`: the DuckDB connection the findings' SELECT runs in."""

    def __init__(self, url: str, source: duckdb.DuckDBPyConnection | None = None):
        import adbc_driver_manager
        import adbc_driver_postgresql.dbapi

        self.name, self.source = masked(url), source  # messages name the engine by its URL, never with the password
        try:
            self.connection = adbc_driver_postgresql.dbapi.connect(url)  # autocommit off: one transaction for the write
        except adbc_driver_manager.Error as exc:
            raise InputError("error.warehouse_failed", engine=self.name, detail=driver_line(exc)) from None
        self.cursor = self.connection.cursor()

    # --- the TableWriter interface (output_table.py) ---------------------------------------------

    def table_columns(self, name: str) -> list[str] | None:
        found = self._columns(*self.where(name))
        return None if found is None else [column for column, _ in found]

    def catalog_lasts(self) -> bool:
        return True  # the warehouse's own schemas

    def write_tables(self, writes: Sequence[tuple[str, str]], replace: bool) -> None:
        """The rows of each DuckDB query as its table (the findings, their rules), in one transaction (see the module's docstring)."""
        if self.source is None:
            raise ValueError("the findings' DuckDB connection is needed to write them")
        name, schema = writes[0][1], ""
        try:
            for sql, name in writes:
                schema, table = self.where(name)
                self._write(sql, schema, table)
            self.connection.commit()
        except BaseException as exc:
            self._rollback()
            import adbc_driver_manager

            if isinstance(exc, adbc_driver_manager.Error):
                raise self._problem(exc, name, schema) from None
            raise

    def _write(self, sql: str, schema: str, table: str) -> None:
        """The rows of the DuckDB query `sql` as the table `schema.table`, not yet committed."""
        reader = self.source.sql(sql).to_arrow_reader(BATCH_ROWS)  # type: ignore[union-attr]  # write_tables asked for it
        columns = [(field.name, _TYPES[str(field.type)]) for field in reader.schema]
        existing, target = self._columns(schema, table), f"{identifier(schema)}.{identifier(table)}"
        if existing == columns:  # last week's table, the same columns: its rows replaced, the table kept
            self.cursor.execute(f"DELETE FROM {target}")
        else:
            if existing is not None:
                self.cursor.execute(f"DROP TABLE {target}")
            self.cursor.execute(f"CREATE TABLE {target} ({', '.join(f'{identifier(c)} {t}' for c, t in columns)})")
        self.cursor.adbc_ingest(table, reader, mode="append", db_schema_name=schema)

    # --- what the user may do, asked before the rules run ------------------------------------------

    def where(self, name: str) -> tuple[str, str]:
        """The schema and table `name` means, as PostgreSQL reads it unquoted (lower case; no schema: the current one)."""
        parts = [part.lower() for part in name.split(".")]
        if len(parts) == 2:
            return parts[0], parts[1]
        schema = self._fetch("SELECT current_schema()::text")[0][0]
        if schema is None:  # no schema of the search path exists
            raise InputError("output_table.no_schema", engine=self.name, table=name, schema=self._fetch("SELECT current_setting('search_path')")[0][0])
        return schema, parts[0]

    def may_write(self, target: OutputTable) -> None:
        """Refuse (InputError) a schema that is not there, or a table this user may not make or refill, before the rules run."""
        schema, table = self.where(target.name)
        rights = self._fetch(f"SELECT has_schema_privilege(oid, 'CREATE'), has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = {literal(schema)}")
        if not rights:
            raise InputError("output_table.no_schema", engine=self.name, table=target.name, schema=schema)
        exists = self._fetch(f"SELECT has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'DELETE'), pg_has_role(c.relowner, 'USAGE') "
                             f"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {literal(schema)} AND c.relname = {literal(table)}")
        allowed = rights[0][1] and (any(exists[0]) if exists else rights[0][0])  # refilled (or, when owned, made again); or made
        if not allowed:
            user = self._fetch("SELECT current_user::text")[0][0]
            raise InputError("output_table.no_right", engine=self.name, table=target.name, schema=schema, user=user)

    def close(self) -> None:
        try:
            self.cursor.close()
            self.connection.close()
        except Exception:  # already gone (the server went away): nothing of ours is left there
            pass

    # --- helpers ----------------------------------------------------------------------------------

    def _columns(self, schema: str, table: str) -> list[tuple[str, str]] | None:
        """The columns of `schema.table` with their types (format_type's words), None when there is no such relation."""
        found = self._fetch(f"SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            f"WHERE n.nspname = {literal(schema)} AND c.relname = {literal(table)}")
        if not found:
            return None
        return [(c, t) for c, t in self._fetch(f"SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute "
                                               f"WHERE attrelid = {found[0][0]} AND attnum > 0 AND NOT attisdropped ORDER BY attnum")]

    def _fetch(self, sql: str) -> list[tuple]:
        import adbc_driver_manager

        try:
            self.cursor.execute(sql)
            return self.cursor.fetchall()
        except adbc_driver_manager.Error as exc:
            self._rollback()
            raise EngineError(driver_line(exc)) from None

    def _rollback(self) -> None:
        with contextlib.suppress(Exception):  # the connection gone: the server has rolled the transaction back itself
            self.connection.rollback()

    def _problem(self, exc: Any, name: str, schema: str) -> Exception:
        """A failed write (rolled back) as the message for it: no right, no schema, the server gone, or the words of
        PostgreSQL or of DuckDB (a failure computing the rows as they are read: EngineError)."""
        state = getattr(exc, "sqlstate", None) or ""
        if state == _NO_RIGHT:
            user = self._fetch("SELECT current_user::text")[0][0]
            return InputError("output_table.no_right", engine=self.name, table=name, schema=schema, user=user)
        if state == _NO_SCHEMA:
            return InputError("output_table.no_schema", engine=self.name, table=name, schema=schema)
        text = str(exc)
        if _STREAM in text:  # DuckDB failed while the ingest read its rows: its words, after the driver's
            return EngineError(text.rsplit("IOError: ", 1)[-1].strip().splitlines()[0])
        if state.startswith(("08", "57P")) or not self._alive():  # the server is gone (the driver says only "IO")
            return InputError("output_table.connection_lost", engine=self.name, table=name, detail=driver_line(exc).rstrip("."))
        return EngineError(driver_line(exc))

    def _alive(self) -> bool:
        """Whether the session still answers (after a failed write: was it the connection that failed?)."""
        try:
            self.cursor.execute("SELECT 1")
            self.cursor.fetchall()
        except Exception:
            return False
        return True

    def __enter__(self) -> WarehouseTables:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def precheck(target: OutputTable) -> None:
    """Before the exports are read: the warehouse reached, the schema there, an existing table refused without --replace
    (and another kind of table even with it), the right to make or refill the table."""
    if target.url is None:
        raise ValueError("a warehouse's output table needs its URL")
    with WarehouseTables(target.url) as tables:
        _checked(lambda: check_target(tables, target, tables.name), tables, target)
        _checked(lambda: tables.may_write(target), tables, target)
        _checked(lambda: tables.may_write(rules_of(target)), tables, target)


def write_findings(source: duckdb.DuckDBPyConnection, sql: str, target: OutputTable, rules: str | None = None) -> None:
    """The findings' rows (`sql`, run in the DuckDB `source`) written as the warehouse's table `target`, and the
    rules' (`rules`) as the table beside it, in one transaction."""
    if target.url is None:
        raise ValueError("a warehouse's output table needs its URL")
    with WarehouseTables(target.url, source) as tables:
        _checked(lambda: save(tables, sql, target, tables.name, rules), tables, target)


def _checked(action: Any, tables: WarehouseTables, target: OutputTable) -> None:
    """An action on the warehouse whose EngineError (a query refused, the server gone) is one message naming engine and table."""
    try:
        action()
    except EngineError as exc:
        raise InputError("output_table.failed", engine=tables.name, table=target.name, where="", detail=str(exc).rstrip(".")) from None


__all__ = ["BATCH_ROWS", "WarehouseTables", "precheck", "write_findings"]
