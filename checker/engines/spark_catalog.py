"""The Spark engine's catalog: its tables and views read as the exports (`--activities-table NAME`,
checker/inputs/tables.py), the findings saved as one (`check --output-table NAME`,
checker/engines/output_table.py), and an earlier run's Parquet output read back (`--baseline
findings.parquet`). Part of `SparkEngine` (spark.py), whose session, calls and views these use."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from checker.inputs.engine import EngineError
from checker.inputs.tables import NOT_FOUND


class SparkCatalog:
    """SparkEngine's methods on the catalog's tables (a mixin: `spark`, `owned`, `sizing`, `call`, `_frame`
    and `forget` are SparkEngine's)."""

    spark: Any
    owned: bool
    sizing: Any
    call: Any  # SparkEngine.call(action): an action on the session, Spark's failures as EngineError
    _frame: Any  # SparkEngine._frame(sql): a statement translated, as a DataFrame
    forget: Any  # SparkEngine.forget(name): a view or table of that name dropped

    # `check --output-table NAME` (checker/engines/output_table.py): the findings saved as a table of the catalog.
    def table_columns(self, table: str) -> list[str] | None:
        if not self.call(lambda: self.spark.catalog.tableExists(table)):
            return None
        return self.call(lambda: self.spark.table(table).columns)

    def write_table(self, sql: str, table: str, replace: bool) -> None:
        frame = self._frame(sql)
        self.call(lambda: frame.write.mode("overwrite" if replace else "error").saveAsTable(table))

    def catalog_lasts(self) -> bool:
        """Whether a table saved now outlasts the run: not in the in-memory catalog of a Spark this run started and stops."""
        if not self.owned or os.environ.get("SPARK_REMOTE"):
            return True
        return self.call(lambda: self.spark.conf.get("spark.sql.catalogImplementation", "in-memory")) != "in-memory"

    def read_parquet(self, name: str, path: Path) -> list[str]:
        """A Parquet file or dataset (an earlier run's output: `--baseline findings.parquet`) as the view `name`, read
        by the executors; its column names."""
        frame = self.call(lambda: self.spark.read.parquet(str(path)))
        self.forget(name)
        frame.createOrReplaceTempView(name)
        return frame.columns

    # --- the engine's own tables as logs (--activities-table NAME; checker/inputs/tables.py) ----

    def table_header(self, table: str) -> list[str]:
        return self.frame_of(table).columns

    def read_table(self, name: str, table: str, keep: list[int]) -> None:
        frame = self.frame_of(table)  # a catalog table or a view: each column as text, no rejects
        self.sizing.add(None)  # its size unknown: not taken for small
        names = frame.columns
        self.forget(name)
        frame.selectExpr(*(f"CAST(`{names[i].replace('`', '``')}` AS STRING) AS c{i}" for i in keep)).createOrReplaceTempView(name)

    def export_table(self, table: str, target: Path) -> None:
        import pyarrow.parquet as pq

        # The account export: collected to this process through Arrow (the logs stay distributed).
        frame = self.frame_of(table)
        pq.write_table(self.call(frame.toArrow), target)

    def frame_of(self, table: str) -> Any:
        """The catalog's table or view `table`; one it lacks is EngineError(NOT_FOUND), for a message of one clean line
        (Spark's own words for it run to several sentences, with the unresolved plan in brackets)."""
        if not self.call(lambda: self.spark.catalog.tableExists(table)):
            raise EngineError(NOT_FOUND)
        return self.call(lambda: self.spark.table(table))
