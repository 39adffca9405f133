"""The SQL engine the log pipeline runs on: what it needs of one, and the embedded DuckDB.

The log pipeline (logs.py and the log_* modules) never calls a database directly: it hands
SQL to an `Engine`. `DuckEngine`, DuckDB in this process, is the default; another engine (Spark,
issue 25: checker/engines/) implements the same few methods and translates the SQL.

The interface:

- `name`: the engine's name, for messages ("duckdb").
- `run(sql)`: a statement without a result: `CREATE [OR REPLACE] [TEMP] TABLE|VIEW name AS
  SELECT …`, `DROP TABLE|VIEW [IF EXISTS] name`.
- `one(sql) -> tuple | None`: the first row of a query (None when it has no row).
- `rows(sql) -> list[tuple]`: all rows of a small query (examples, distinct values, counts).
- `arrays(sql) -> dict[str, np.ndarray]`: a query's columns as numpy arrays, in the query's
  column order, NULLs masked (numpy masked arrays); dates as `datetime64`. DuckDB's
  `fetchnumpy` is the model.
- `table(name, columns, types)`: a temp table `name` from Python lists of equal length
  (`columns`: column → values, None for NULL; `types`: column → SQL type, `VARCHAR`,
  `BIGINT` or `VARCHAR[]`), in the lists' order.
- `read_text(name, source, width, keep, delimiter)`: the relation `name` (a view: each query
  reading it reads the file) over the CSV file `source`, UTF-8, `width` columns wide, header
  row first, `"` quoting and escaping, with the columns `c<i>` for i in `keep`, every one
  VARCHAR. Rows that are no CSV rows of that width (ragged, bad quoting) are left out and
  counted: `rejects(name)` tells how many, once a query has read `name`. A Parquet `source`
  (`.parquet`; `width` and `delimiter` unused) gives its i-th column as `c<i>`, cast to
  VARCHAR, so that its values are parsed as a CSV's are; it has no rejected rows.
- `header(source) -> list[str]`: the column names of a Parquet file, in order.
- `table_header(table) -> list[str]`: the column names of the engine's table (or view) `table`,
  in order (DuckDB: of the database file it was opened on, `--database`; Spark: of its catalog).
- `read_table(name, table, keep)`: the relation `name` over the engine's table `table`, its
  i-th column as `c<i>` for i in `keep`, cast to VARCHAR (as a Parquet file's); no rejected rows.
- `export_table(table, target)`: the engine's table `table` written whole, with its types, as the
  Parquet file `target` on this machine (the account export as a table: it is collected here).
- `rejects(name) -> Rejects`: the rows of `name`'s file left out (distinct lines), the first
  such line and the engine's message for it.
- `close()`: let go of the engine's resources.

`as_float(column)` turns a column of `arrays` into the float column the account table holds
(NaN where NULL, dates as ordinal days), whichever engine gave it.

An engine raises `EngineError` (one line naming what failed) for anything it cannot do; the
log reader turns that into one message and exit code 2.

The SQL is DuckDB's dialect, kept to what SQLGlot translates: no `UPDATE` (a table is rebuilt
with `CREATE OR REPLACE … AS SELECT … LEFT JOIN …`), no `$1` parameters (Python values come in
through `table()`), no DuckDB system tables (the rejects stay inside `read_text`/`rejects`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb
import numpy as np

from checker.inputs.columns import EPOCH_ORDINAL
from checker.inputs.signal_sql import identifier, literal

#: DuckDB's memory for the logs; beyond it, it spills to the work folder. (Measured: 2,000,000
#: activities stay under it, DuckDB's memory peaking at ~430 MB, nothing spilled; a higher limit
#: gained nothing. It is what keeps `bench_logs.py --huge`, 20,000,000 rows, under 1 GB.)
MEMORY_LIMIT = "600MB"


class EngineError(Exception):
    """Something the engine could not do (a file it could not read, a query it refused): its first line."""


@dataclass(frozen=True)
class Rejects:
    """The rows of a text file that are no rows of its table: how many (distinct lines), the first one and why."""

    rows: int
    first_line: int | None
    first_error: str | None


class Engine(Protocol):
    """What the log pipeline needs of an SQL engine (see the module's docstring)."""

    name: str

    def run(self, sql: str) -> None: ...
    def one(self, sql: str) -> tuple | None: ...
    def rows(self, sql: str) -> list[tuple]: ...
    def arrays(self, sql: str) -> dict[str, np.ndarray]: ...
    def table(self, name: str, columns: dict[str, list], types: dict[str, str]) -> None: ...
    def read_text(self, name: str, source: Path, width: int, keep: list[int], delimiter: str) -> None: ...
    def header(self, source: Path) -> list[str]: ...
    def rejects(self, name: str) -> Rejects: ...
    def table_header(self, table: str) -> list[str]: ...
    def read_table(self, name: str, table: str, keep: list[int]) -> None: ...
    def export_table(self, table: str, target: Path) -> None: ...
    def close(self) -> None: ...


def error_line(exc: BaseException) -> str:
    """A DuckDB error as one line: its first (the rest is the query and DuckDB's hints)."""
    return str(exc).strip().splitlines()[0]


def parquet_header(source: Path) -> list[str]:
    """The column names of a Parquet file, in order (preset detection reads them before any engine runs)."""
    try:
        return [row[0] for row in duckdb.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(source))})").fetchall()]
    except duckdb.Error as exc:
        raise EngineError(error_line(exc)) from None


class DuckEngine:
    """DuckDB in this process, memory bounded: beyond `MEMORY_LIMIT` it spills to `workdir/spill`;
    with `database`, a DuckDB file attached read-only, whose tables `read_table` reads."""

    name = "duckdb"

    def __init__(self, workdir: Path | None = None, database: Path | None = None):
        self.db = duckdb.connect()
        self.database = database
        self._parquet: set[str] = set()  # relations read from Parquet files or tables: no rejects table
        # The pipeline never relies on row order (it numbers rows itself where it must).
        self.db.execute("SET preserve_insertion_order = false")
        if workdir is not None:  # bounded memory: DuckDB spills to the work folder instead of growing with the logs
            self.db.execute(f"SET memory_limit = {literal(MEMORY_LIMIT)}")
            self.db.execute(f"SET temp_directory = {literal(str(workdir / 'spill'))}")
        if database is not None:
            self._execute(f"ATTACH {literal(str(database))} AS source_db (READ_ONLY)")

    def _execute(self, sql: str, parameters: list | None = None) -> duckdb.DuckDBPyConnection:
        try:
            return self.db.execute(sql, parameters)
        except duckdb.Error as exc:
            raise EngineError(str(exc).strip().splitlines()[0]) from None

    def run(self, sql: str) -> None:
        self._execute(sql)

    def one(self, sql: str) -> tuple | None:
        found = self._execute(sql).fetchall()  # the whole result: a scan's rejects are stored once it is consumed
        return found[0] if found else None

    def rows(self, sql: str) -> list[tuple]:
        return self._execute(sql).fetchall()

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        try:
            return self._execute(sql).fetchnumpy()
        except duckdb.Error as exc:  # raised while fetching
            raise EngineError(str(exc).strip().splitlines()[0]) from None

    def table(self, name: str, columns: dict[str, list], types: dict[str, str]) -> None:
        # unnest of list parameters: a hundred thousand ids in milliseconds, their order kept.
        select = ", ".join(f"unnest(${n + 1}::{types[c]}[]) AS {c}" for n, c in enumerate(columns))
        self._execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", list(columns.values()))

    def header(self, source: Path) -> list[str]:
        return parquet_header(source)

    def read_text(self, name: str, source: Path, width: int, keep: list[int], delimiter: str) -> None:
        if source.suffix.lower() == ".parquet":
            names = self.header(source)
            columns = ", ".join(f"CAST({identifier(names[i])} AS VARCHAR) AS c{i}" for i in keep)
            self._execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {columns} FROM read_parquet({literal(str(source))})")
            self._parquet.add(name)
            return
        every = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        self._execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT {', '.join(f'c{i}' for i in keep)} FROM read_csv({literal(str(source))}, header=true, "
            f"auto_detect=false, columns={every}, delim={literal(delimiter)}, quote='\"', escape='\"', ignore_errors=true, store_rejects=true, "
            f"rejects_table={literal(f'rej_{name}')}, rejects_scan={literal(f'rej_{name}_scan')})")

    def rejects(self, name: str) -> Rejects:
        if name in self._parquet:
            return Rejects(0, None, None)
        # Each query reading the view adds its rejects again: the distinct lines count.
        found = self.one(f"SELECT count(DISTINCT line), min(line), any_value(error_message) FROM rej_{name}")
        return Rejects(found[0] or 0, found[1], found[2])

    def _source_table(self, table: str) -> str:
        """`table` (`name` or `schema.name`) in the attached database file."""
        if self.database is None:
            raise EngineError(f"duckdb has no table {table}: name the database file that holds it with --database FILE.duckdb")
        return "source_db." + ".".join(identifier(part) for part in table.split("."))

    def table_header(self, table: str) -> list[str]:
        return [row[0] for row in self._execute(f"DESCRIBE SELECT * FROM {self._source_table(table)}").fetchall()]

    def read_table(self, name: str, table: str, keep: list[int]) -> None:
        names = self.table_header(table)
        columns = ", ".join(f"CAST({identifier(names[i])} AS VARCHAR) AS c{i}" for i in keep)
        self._execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {columns} FROM {self._source_table(table)}")
        self._parquet.add(name)  # no rejects

    def export_table(self, table: str, target: Path) -> None:
        source = self._source_table(table)
        self.table_header(table)  # a missing table: DuckDB's words for it, not COPY's
        self._execute(f"COPY (SELECT * FROM {source}) TO {literal(str(target))} (FORMAT parquet)")

    def close(self) -> None:
        self.db.close()


def as_float(column: np.ndarray) -> np.ndarray:
    """A column of `arrays` (ints, floats, datetimes; masked where NULL) as floats, NaN where NULL; dates as ordinal days."""
    if np.ma.isMaskedArray(column):
        mask = np.ma.getmaskarray(column)
        data = column.data
    else:
        mask, data = np.zeros(len(column), dtype=bool), column
    if np.issubdtype(data.dtype, np.datetime64):
        days = data.astype("datetime64[D]")
        result = days.astype(np.float64) + EPOCH_ORDINAL
        result[np.isnat(days)] = np.nan
    else:
        result = data.astype(np.float64)
    result[mask] = np.nan
    return result
