"""`check --engine spark --output findings.parquet`: the rules' SQL (checker/engines/rules_sql.py) run on Spark.

`checker.engines.findings` computes a check's findings and summary through a handful of calls
on a DuckDB connection (`execute` a statement or a query, `register` numpy columns);
`SparkConnection` makes those calls on a `SparkEngine`, so that the one definition of the
findings and of the summary serves both engines: each statement translated by transpile.py,
the account table's columns handed to Spark as Arrow (or kept there: spark_table.py), the per-account table materialised
there, the findings written by Spark (`SparkEngine.write_parquet`) and the summary's counts
computed by Spark. What Spark refuses is one `EngineError` line, never a wrong file.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from checker.engines.spark import SparkEngine


class _Result:
    def __init__(self, rows: list[tuple]):
        self._rows = rows

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


class SparkConnection:
    """The calls `checker.engines.findings` makes on a DuckDB connection, made on a Spark engine."""

    def __init__(self, engine: SparkEngine):
        self.engine = engine

    def execute(self, sql: str) -> _Result:
        if sql.lstrip().split(None, 1)[0].upper() in ("CREATE", "DROP"):
            self.engine.run(sql)
            return _Result([])
        return _Result(self.engine.rows(sql))

    def register(self, name: str, data: dict[str, np.ndarray]) -> None:
        self.engine.register(name, data)

    def write_parquet(self, sql: str, path: Path) -> None:
        self.engine.write_parquet(sql, path)

    # `--output-table NAME` (checker/engines/output_table.py's TableWriter)
    def table_columns(self, name: str) -> list[str] | None:
        return self.engine.table_columns(name)

    def write_tables(self, writes: Sequence[tuple[str, str]], replace: bool) -> None:
        """Each table saved in turn: Spark's catalog has no transaction (the findings first, then their rules)."""
        for sql, name in writes:
            self.engine.write_table(sql, name, replace)

    def catalog_lasts(self) -> bool:
        return self.engine.catalog_lasts()

    def read_parquet(self, name: str, path: Path) -> list[str]:
        """A Parquet file (or a folder of part files) as the relation `name`, read by Spark; its column names."""
        return self.engine.read_parquet(name, path)

    def close(self) -> None:
        self.engine.close()


__all__ = ["SparkConnection"]
