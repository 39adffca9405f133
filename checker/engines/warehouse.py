"""The log pipeline in a warehouse reached by a connection URL (`--engine postgresql://user@host/db`):
the same DuckDB SQL, translated by SQLGlot (transpile.py), run where the tables are.

PostgreSQL is the first (and so far only) warehouse: `postgres://` or `postgresql://`, libpq's
URL, so libpq's environment works too (PGPASSWORD, PGHOST, ~/.pgpass, PGSSLMODE …). The driver is
ADBC's PostgreSQL driver (the `[postgres]` extra): results come back as Arrow columns, which is
what `arrays()` hands the checker (numpy), without a Python object per value.

The inputs are the warehouse's tables (`--activities-table`, …): every column read as its text
(`CAST(… AS TEXT)`, dates as `YYYY-MM-DD`), compared and ordered by code point (`COLLATE "C"`, as
DuckDB compares), so that each value goes through the same parsing as a CSV cell. Everything the
pipeline makes is a TEMP table or view of this session (PostgreSQL's `pg_temp` schema), with the
few functions the translation needs (transpile_postgres.FUNCTIONS): nothing is written to the user's
schemas, and closing the session drops it all. Only the per-account signals come back.

Other schemes (`snowflake://`, `bigquery://` …) are recognised and refused (choose.py): an engine
is offered only once it is tested.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import sqlglot
from sqlglot import exp

from checker.engines.transpile import Untranslatable, dialect_sql
from checker.engines.transpile_postgres import CASE_COLLATION, FUNCTIONS
from checker.inputs.engine import EngineError, Rejects
from checker.inputs.signal_sql import literal

#: The URL schemes of the warehouses this checker runs on, and the dialect of each.
SCHEMES = {"postgres": "postgres", "postgresql": "postgres"}

#: The SQL types of `table()` as PostgreSQL's (text compared by code point, as DuckDB compares).
_TYPES = {"VARCHAR": 'text COLLATE "C"', "BIGINT": "bigint", "DOUBLE": "double precision", "BOOLEAN": "boolean", "VARCHAR[]": 'text[] COLLATE "C"'}


def scheme(url: str) -> str:
    """The scheme of a connection URL, lower case ("" when it is none)."""
    return url.split("://", 1)[0].lower() if "://" in url else ""


def masked(url: str) -> str:
    """A connection URL as messages may show it: the password, if it holds one, as ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def missing() -> str | None:
    """What a PostgreSQL URL engine needs and this install lacks (the extra), or None."""
    try:
        import adbc_driver_postgresql  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return "pip install 'relationship-playbook[postgres]'"
    return None


def driver_line(exc: BaseException) -> str:
    """A driver error as one line: PostgreSQL's own words (ERROR: …, FATAL: …), without ADBC's prefix and the query."""
    text = str(exc)
    found = re.search(r"(?:ERROR|FATAL):\s+(.*)", text)
    if found:
        return found.group(1).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[0] if lines else type(exc).__name__
    line = re.sub(r"^[A-Z_]+: (\[libpq\] )?", "", line)
    return line


class WarehouseEngine:
    """The Engine of checker/inputs/engine.py on a PostgreSQL session, through ADBC."""

    def __init__(self, connection: Any, url: str):
        self.connection = connection
        self.url = url
        self.name = masked(url)  # messages name the engine by its URL, never with the password
        self.cursor = connection.cursor()
        self.kinds: dict[str, str] = {}  # the relations this session made: name → TABLE or VIEW

    @classmethod
    def connect(cls, url: str) -> WarehouseEngine:
        """A session on the warehouse at `url` (libpq's URL; libpq's environment for what it leaves out), ready for the pipeline."""
        import adbc_driver_manager
        import adbc_driver_postgresql.dbapi

        try:
            connection = adbc_driver_postgresql.dbapi.connect(url, autocommit=True)
        except adbc_driver_manager.Error as exc:
            raise EngineError(f"could not connect to {masked(url)}: {driver_line(exc)}") from None
        engine = cls(connection, url)
        try:
            engine._prepare()
        except EngineError:
            engine.close()
            raise
        return engine

    def _prepare(self) -> None:
        """The session's settings (UTC, ISO dates) and the functions the translation calls."""
        self._execute("SET TIME ZONE 'UTC'")
        self._execute("SET DateStyle = 'ISO, YMD'")
        self._execute("SET IntervalStyle = 'postgres'")
        self._execute("SET enable_nestloop = off")
        version = self._fetch("SELECT current_setting('server_version_num')::int, current_setting('server_version')")[0]
        if version[0] < 130000:  # anycompatiblearray (pg_temp.array_cat_agg) is PostgreSQL 13's
            raise EngineError(f"{self.name}: PostgreSQL {version[1]}; the checker needs PostgreSQL 13 or newer")
        found = self._fetch(f"SELECT count(*) FROM pg_collation WHERE collname = {literal(CASE_COLLATION)}")
        if not found or not found[0][0]:
            raise EngineError(f"{self.name}: PostgreSQL without ICU (no collation {CASE_COLLATION}): the checker needs it to lower-case text as DuckDB does")
        for statement in FUNCTIONS:
            self._execute(statement)

    # --- the Engine interface (checker/inputs/engine.py) --------------------------------------

    def run(self, sql: str) -> None:
        tree = _parse(sql)
        if isinstance(tree, exp.Drop):
            for table in tree.find_all(exp.Table):
                self._drop(table.name)
            return
        if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query) or tree.kind not in ("TABLE", "VIEW"):
            raise EngineError(f"the {self.name} engine runs CREATE … AS SELECT and DROP only, not: {sql.strip()[:60]}")
        name = tree.this.name
        query = self._translate(tree.expression)
        if tree.kind == "TABLE":
            # A table rebuilt from itself (CREATE OR REPLACE t AS … FROM t): made beside it, then put in its place.
            temp = f"{name}__next"
            self._execute(f"DROP TABLE IF EXISTS {temp}")
            self._execute(f"CREATE TEMP TABLE {temp} AS {query}")
            self._drop(name)
            self._execute(f"ALTER TABLE {temp} RENAME TO {name}")
            # Autovacuum never looks at a session's temp tables: without statistics PostgreSQL takes each for a
            # few rows and plans nested loops (measured: 200,000 activities ran for over 18 minutes, not seconds).
            self._execute(f"ANALYZE {name}")
        else:
            self._drop(name)
            self._execute(f"CREATE TEMP VIEW {name} AS {query}")
        self.kinds[name] = tree.kind

    def one(self, sql: str) -> tuple | None:
        found = self._fetch(self._translate(_parse(sql)))
        return found[0] if found else None

    def rows(self, sql: str) -> list[tuple]:
        return self._fetch(self._translate(_parse(sql)))

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        query = self._translate(_parse(sql))
        self._execute(query)
        table = self._call(self.cursor.fetch_arrow_table)
        return {name: _numpy(table.column(i)) for i, name in enumerate(table.column_names)}

    def table(self, name: str, columns: dict[str, list], types: dict[str, str]) -> None:
        import pyarrow as pa

        self._drop(name)
        self._execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{c} {_TYPES[types[c]]}' for c in columns)})")
        self.kinds[name] = "TABLE"
        arrow = pa.table({c: pa.array(v, type=_arrow_type(types[c])) for c, v in columns.items()})
        if arrow.num_rows:
            self._call(lambda: self.cursor.adbc_ingest(name, arrow, mode="append", temporary=True))
        self._execute(f"ANALYZE {name}")  # statistics, as for the tables run() makes

    def read_text(self, name: str, source: Path, width: int, keep: list[int], delimiter: str) -> None:
        raise EngineError(f"{source}: the {self.name} engine reads tables, not files: load it into a table (--activities-table NAME …) or use --engine duckdb")

    def header(self, source: Path) -> list[str]:
        raise EngineError(f"{source}: the {self.name} engine reads tables, not files: load it into a table or use --engine duckdb")

    def rejects(self, name: str) -> Rejects:
        return Rejects(0, None, None)  # a table's rows are rows

    def table_header(self, table: str) -> list[str]:
        return [column for column, _ in self._columns(table)[1]]

    def read_table(self, name: str, table: str, keep: list[int]) -> None:
        source, columns = self._columns(table)
        self._drop(name)
        self._execute(f"CREATE TEMP VIEW {name} AS SELECT {', '.join(_as_text(*columns[i]) + f' AS c{i}' for i in keep)} FROM {source}")
        self.kinds[name] = "VIEW"

    def export_table(self, table: str, target: Path) -> None:
        import pyarrow.parquet as pq

        source, _ = self._columns(table)
        self._execute(f"SELECT * FROM {source}")
        # The account export: collected to this process through Arrow (the logs stay in the warehouse).
        arrow = self._call(self.cursor.fetch_arrow_table)
        pq.write_table(arrow.replace_schema_metadata(None).cast(_plain_schema(arrow.schema)), target)

    def close(self) -> None:
        try:
            self.cursor.close()
            self.connection.close()  # the session's temp tables, views and functions go with it
        except Exception:  # already gone (the server went away): nothing of ours is left there
            pass

    # --- helpers ------------------------------------------------------------------------------

    def _columns(self, table: str) -> tuple[str, list[tuple[str, str]]]:
        """The table (`name` or `schema.name`, as PostgreSQL reads a name) as the SQL that names it, and its columns with their types.
        A name without a schema is looked up on the search path without the session's own temporary schema: a user's table
        `activities` is theirs, never the view of that name the pipeline makes."""
        parts = self._fetch(f"SELECT parse_ident({literal(table)})")[0][0]
        if len(parts) == 1:
            found = self._fetch(f"SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                f"WHERE c.relname = {literal(parts[0])} AND n.nspname = ANY(current_schemas(false)) "
                                "ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1")
        else:
            found = self._fetch(f"SELECT to_regclass({literal(table)})::text")
        if not found or found[0][0] is None:
            raise EngineError(f"relation {table} does not exist (or this user may not see it)")
        source = found[0][0]
        columns = self._fetch(f"SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = {literal(source)}::regclass "
                              "AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
        return source, [(c, t) for c, t in columns]

    def _translate(self, tree: exp.Expression) -> str:
        """A parsed DuckDB query in PostgreSQL's SQL, its `* EXCLUDE (…)` written out from the columns PostgreSQL sees."""
        tree = tree.copy()
        try:
            self._expand_stars(tree)
            return dialect_sql(tree, "postgres")
        except Untranslatable as exc:
            raise EngineError(f"the {self.name} engine has no translation for: {exc}") from None

    def _expand_stars(self, tree: exp.Expression) -> None:
        """`* EXCLUDE (a)` and `t.* EXCLUDE (a)` (PostgreSQL has neither) as the columns they stand for, innermost first:
        the columns of the star's relations, as PostgreSQL reports them for the same FROM (…) LIMIT 0."""
        selects = [s for s in tree.find_all(exp.Select) if any(_excluding(e) for e in s.expressions)]
        for select in sorted(selects, key=lambda s: -s.depth):
            written: list[exp.Expression] = []
            for item in select.expressions:
                star = _excluding(item)
                if star is None:
                    written.append(item)
                    continue
                owner = item.table if isinstance(item, exp.Column) else ""
                probe = exp.Select(expressions=[exp.Column(this=exp.Star(), table=exp.to_identifier(owner)) if owner else exp.Star()])
                probe.set("from_", select.args["from_"].copy())
                probe.set("joins", [j.copy() for j in select.args.get("joins") or []])
                ctes = [c.copy() for a in [select, *_ancestors(select)] if a.args.get("with_") for c in a.args["with_"].expressions]
                if ctes:
                    probe.set("with_", exp.With(expressions=ctes))
                self._execute(dialect_sql(probe.limit(0), "postgres"))
                names = self._call(self.cursor.fetch_arrow_table).column_names
                dropped = {c.name for c in star.args["except_"]}
                written += [exp.column(exp.to_identifier(n, quoted=True), table=exp.to_identifier(owner) if owner else None) for n in names if n not in dropped]
            select.set("expressions", written)

    def _drop(self, name: str) -> None:
        kind = self.kinds.pop(name, None)
        if kind is not None:
            self._execute(f"DROP {kind} IF EXISTS {name}")

    def _execute(self, sql: str) -> None:
        self._call(lambda: self.cursor.execute(sql))

    def _fetch(self, sql: str) -> list[tuple]:
        self._execute(sql)
        return self._call(self.cursor.fetchall)

    def _call(self, action: Any) -> Any:
        """A driver call; its failure as one EngineError line naming the engine (PostgreSQL's words, no query, no password)."""
        import adbc_driver_manager

        try:
            return action()
        except adbc_driver_manager.Error as exc:
            raise EngineError(f"{self.name}: {driver_line(exc)}") from None
        except OverflowError as exc:  # a value Python cannot hold (a date after year 9999) in a row fetched as tuples
            raise EngineError(f"{self.name}: {exc}") from None


def _parse(sql: str) -> exp.Expression:
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise EngineError(f"the warehouse engine has no translation for: {str(exc).splitlines()[0]}") from None


def _excluding(item: exp.Expression) -> exp.Star | None:
    """The star of `* EXCLUDE (…)` or `t.* EXCLUDE (…)`, else None."""
    star = item.this if isinstance(item, exp.Column) else item
    if isinstance(star, exp.Star) and star.args.get("except_"):
        return star
    return None


def _ancestors(node: exp.Expression) -> list[exp.Expression]:
    found, parent = [], node.parent
    while parent is not None:
        if isinstance(parent, exp.Select):
            found.append(parent)
        parent = parent.parent
    return found


def _as_text(column: str, kind: str) -> str:
    """SQL: a column's value as text, compared by code point; a date or time as its day (YYYY-MM-DD, a zoned time in UTC), as parquet.py reads them."""
    quoted = '"' + column.replace('"', '""') + '"'
    if kind == "date" or kind.startswith("timestamp"):
        return f'CAST(CAST({quoted} AS date) AS text) COLLATE "C"'
    return f'CAST({quoted} AS text) COLLATE "C"'


def _arrow_type(sql_type: str) -> Any:
    import pyarrow as pa

    return {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string())}[sql_type]


def _plain_schema(schema: Any) -> Any:
    """The account table's Arrow schema without the driver's field metadata; a NUMERIC as text (its digits as written)."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name, pa.string() if pa.types.is_decimal(f.type) or f.type == pa.binary() else f.type) for f in schema])


def _numpy(column: Any) -> np.ndarray:
    """An Arrow column as DuckDB's fetchnumpy gives it: numpy, NULLs masked, dates as datetime64, a NUMERIC (a sum of integers) as float."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_decimal(array.type):
        array = array.cast(pa.float64())
    if array.null_count == 0:
        return array.to_numpy(zero_copy_only=False)
    mask = array.is_null().to_numpy(zero_copy_only=False)
    kind = array.type
    if pa.types.is_date32(kind):
        data = pc.fill_null(array.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        data = pc.fill_null(array, pa.scalar(False if pa.types.is_boolean(kind) else 0).cast(kind)).to_numpy(zero_copy_only=False)
    else:
        data = array.to_numpy(zero_copy_only=False)
    return np.ma.masked_array(data, mask=mask)


__all__ = ["SCHEMES", "WarehouseEngine", "masked", "missing", "scheme"]
