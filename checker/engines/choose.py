"""`--engine`: which engine aggregates the logs, whether this install can run it, and starting it.

`duckdb` (embedded, the default) and `spark` exist, and a warehouse by its connection URL:
PostgreSQL's (`postgresql://user@host:5432/db`, checker/engines/warehouse.py). Other warehouses'
URLs (`snowflake://…`, `bigquery://…`) are recognised and refused with one message, until an
engine for them exists and is tested.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from checker.inputs.files import InputError
from checker.playbook.messages import Problem, suggestion

if TYPE_CHECKING:  # DuckDB (checker.inputs.engine) is loaded only when there are logs to read
    from checker.inputs.engine import Engine

ENGINES = ("duckdb", "spark")
#: What messages list as the engines there are.
OFFERED = "duckdb, spark, postgresql://user@host:5432/database"


def shown(name: str) -> str:
    """An --engine value as messages show it: a URL without its password."""
    if "://" not in name:
        return name
    from checker.engines.warehouse import masked

    return masked(name)


def engine_problem(name: str) -> Problem | None:
    """Why `--engine name` cannot run here (a Problem to report, exit 2), or None."""
    if name == "duckdb":
        return None
    if name == "spark":
        from checker.engines.spark import INSTALL, missing, unsupported_pandas

        if install := missing():
            return Problem("error.engine_not_installed", engine=name, install=install)
        if pandas := unsupported_pandas():
            return Problem("error.engine_pandas", engine=name, version=pandas, install=INSTALL)
        if not os.environ.get("SPARK_REMOTE") and not _java():
            return Problem("error.engine_no_java", engine=name)
        return None
    if "://" in name:
        from checker.engines.warehouse import SCHEMES, scheme
        from checker.engines.warehouse import missing as warehouse_missing

        if scheme(name) not in SCHEMES:
            return Problem("error.engine_url", engine=shown(name), engines=OFFERED)
        if install := warehouse_missing():
            return Problem("error.warehouse_not_installed", engine=shown(name), install=install)
        return None
    return Problem("error.engine_unknown", engine=name, engines=", ".join(ENGINES), hint=suggestion(name, ENGINES))


def open_engine(name: str, workdir: Path, database: Path | None = None) -> Engine | None:
    """The engine named (None: the log reader's own DuckDB; a DuckDB on `database`, --database, whose
    tables are logs); one that cannot start is an InputError naming it and its log."""
    if name == "duckdb":
        if database is None:
            return None
        from checker.inputs.engine import DuckEngine, EngineError

        try:
            return DuckEngine(workdir, database)
        except EngineError as exc:  # not a DuckDB file, or one another process holds
            raise InputError("error.database_unreadable", path=database, detail=str(exc)) from None
    if "://" in name:  # a warehouse (engine_problem has checked its scheme and driver)
        from checker.engines.warehouse import WarehouseEngine
        from checker.inputs.engine import EngineError

        try:
            return WarehouseEngine.connect(name)
        except EngineError as exc:
            raise InputError("error.warehouse_failed", engine=shown(name), detail=str(exc).rstrip(".")) from None
    from checker.engines.spark import SparkEngine
    from checker.engines.spark_launch import failure, reach
    from checker.inputs.engine import EngineError

    if (remote := os.environ.get("SPARK_REMOTE")) and (unreachable := reach(remote)) is not None:
        raise unreachable
    try:
        return SparkEngine.start(workdir)
    except EngineError as exc:
        raise failure(name, str(exc), workdir / "spark.log") from None


def files_problem(name: str, files: dict[str, list[Path]]) -> Problem | None:
    """Why log files (`--activities FILE` …) cannot be read on `--engine name` (a Problem, exit 2), or None: a warehouse
    reads its own tables (the account export may still be a file: it is read here)."""
    if "://" not in name:
        return None
    for kind, paths in files.items():
        if paths:
            return Problem("error.warehouse_files", path=paths[0], engine=shown(name), option=f"--{kind}-table")
    return None


def _java() -> bool:
    """Whether a Java runtime is there for a local Spark (JAVA_HOME's, or `java` on the PATH)."""
    home = os.environ.get("JAVA_HOME")
    return bool(home and (Path(home) / "bin" / "java").exists()) or shutil.which("java") is not None
