"""The log pipeline on Spark (`--engine spark`): the same DuckDB SQL, translated (transpile.py), run by Spark SQL.

A local Spark (`local[2]`, its Python workers this Python) unless the environment names another: `SPARK_REMOTE` (a Spark
Connect address, `sc://host:15002`) or `SPARK_MASTER` (a master URL: `spark://host:7077`, `yarn`, `local[8]`). The run is
one Spark session of its own (its temp views apart from any other run's), time zone UTC. Java's and Spark's own output goes
to `spark.log` in the work folder, never to the terminal; an engine that cannot start, or a statement it refuses, is one
`EngineError` line, and the log is kept (`spark_launch.keep_log`) for the message to name.

Tables (`CREATE TABLE`) are materialised when made, as DuckDB makes them: a local checkpoint (kept by
the executors), or a reliable one in a folder every executor reaches when PLAYBOOK_SPARK_CHECKPOINT_DIR
or the session's `spark.checkpoint.dir` names one (`checkpoint_dir`); views stay lazy. CSV text is read by Spark's own reader, every column a string, rows that are no
rows of the file's width counted aside (a corrupt-record column), so that every row read is
accounted for; Parquet by its Parquet reader, every column cast to text.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import sqlglot
from sqlglot import exp

from checker.engines.spark_catalog import SparkCatalog
from checker.engines.spark_launch import LOCAL_MASTER, builder, keep_log
from checker.engines.spark_settings import Sizing
from checker.engines.transpile import Untranslatable, spark_sql
from checker.inputs.engine import EngineError, Rejects

#: What installs what `--engine spark` needs (the extra pins the versions PySpark supports).
INSTALL = "pip install 'relationship-playbook[spark]'"
#: A folder (any path Spark's file systems read: a local path, hdfs://, s3a://…) for reliable checkpoints of the tables.
CHECKPOINT_ENV = "PLAYBOOK_SPARK_CHECKPOINT_DIR"
_CORRUPT = "_corrupt_record"
_started_log: Path | None = None  # the log of the Spark this process started (its log4j writes there for good)
#: The SQL types of `table()` as Spark's.
_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "DOUBLE": "double", "BOOLEAN": "boolean", "VARCHAR[]": "array<string>"}


def missing() -> str | None:
    """What `--engine spark` needs and this install lacks (the extra), or None."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError:
        return INSTALL
    from importlib.util import find_spec

    return INSTALL if find_spec("pandas") is None else None  # mapInArrow's (spark_accounts.py); not imported here: 0.3 s


def unsupported_pandas() -> str | None:
    """The installed pandas' version when PySpark does not support it (3 and later: an install made before
    the extra pinned `pandas<3` keeps it; Spark's Arrow paths then misbehave), else None."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("pandas")
    except PackageNotFoundError:  # missing() says what to install
        return None
    return found if int(found.split(".")[0]) >= 3 else None


def _first_line(exc: BaseException) -> str:
    """An exception's message without Java's stack trace: the first line of its root cause."""
    text = str(exc)
    java = getattr(exc, "java_exception", None)  # Py4JJavaError: the deepest Java cause says what went wrong
    if java is not None:
        try:
            while java.getCause() is not None:
                java = java.getCause()
            text = java.toString()
        except Exception:  # the JVM is gone: keep Py4J's own words
            pass
    if rpc := re.search(r'details = "([^"]*)"', text):  # Spark Connect's gRPC error: its status's details
        return rpc[1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any("Traceback (most recent call last)" in line for line in lines):  # a Python worker's: what it raised, its last line
        said = [line for line in lines if not re.fullmatch(r"SQLSTATE: \w+", line)]  # (Spark Connect puts the state on a line of its own)
        return re.sub(r"\s*SQLSTATE: \w+$", "", said[-1])
    return next(iter(lines), type(exc).__name__)


class SparkEngine(SparkCatalog):
    """The Engine of checker/inputs/engine.py on a Spark session."""

    name = "spark"

    def __init__(self, session: Any, log: Path, owned: bool):
        self.spark = session
        self.log = log
        self.owned = owned  # a session this engine started, stopped by close(); else one given to it (tests share one)
        self.cached: dict[str, Any] = {}  # the tables (materialised frames) by name
        self.loads: dict[str, tuple[Any, int, Path]] = {}  # read_text's relations: the cached frame with its corrupt-record column, the file's width, the file
        self.sizing = Sizing(session)  # a local Spark's shuffle partitions, by the bytes read (spark_settings.py)
        self._reliable: str | bool | None = None  # checkpoint_dir once asked: the folder, or False (local checkpoints)
        self._checkpoints: str | None = None  # the folder this engine's reliable checkpoints go to, when it set it

    @classmethod
    def start(cls, workdir: Path) -> SparkEngine:
        """An engine on a Spark session of its own: a new session on the Spark this process already
        runs (tests share one), else on a Spark started here (local, or SPARK_MASTER's) or reached
        through SPARK_REMOTE."""
        global _started_log
        log = workdir / "spark.log"
        log.touch()
        from pyspark.sql import SparkSession

        running = SparkSession.getActiveSession()
        try:
            if running is not None:
                own = running.newSession()  # temp views and settings of this run only
            elif remote := os.environ.get("SPARK_REMOTE"):  # Spark Connect (its server tried first: choose.open_engine); its logs are the cluster's
                own = SparkSession.builder.remote(remote).getOrCreate()
            else:
                _started_log = log
                own = builder(SparkSession, workdir, log).getOrCreate()
            own.conf.set("spark.sql.session.timeZone", "UTC")  # a date is a day, wherever the cluster runs
        except Exception as exc:  # Java missing, the cluster unreachable: Py4J's and pyspark's errors alike
            raise EngineError(f"could not start Spark: {_first_line(exc)}") from None
        # A session on a running Spark logs where that Spark was started.
        return cls(own, log if running is None or _started_log is None else _started_log, owned=running is None)

    # --- the Engine interface (checker/inputs/engine.py) --------------------------------------

    def run(self, sql: str) -> None:
        tree = _parse(sql)
        if isinstance(tree, exp.Drop):
            for table in tree.find_all(exp.Table):
                self.forget(table.name)
            return
        if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query):
            raise EngineError(f"the spark engine runs CREATE … AS SELECT and DROP only, not: {sql.strip()[:60]}")
        name = tree.this.name
        frame = self._frame(tree.expression.sql(dialect="duckdb"))
        if tree.kind == "TABLE":
            # DuckDB materialises a table when it is made: so here, before the view it may replace
            # (CREATE OR REPLACE t AS … FROM t) goes. A checkpoint also cuts the plan short:
            # what reads the table reads its rows, not the whole pipeline before it again.
            frame = self.materialise(frame)
        self.forget(name)
        frame.createOrReplaceTempView(name)
        if tree.kind == "TABLE":
            self.cached[name] = frame

    def one(self, sql: str) -> tuple:
        row = self.call(lambda: self._frame(sql).first())
        return tuple(row) if row is not None else None

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.call(lambda: self._frame(sql).collect())]

    def arrays(self, sql: str) -> dict[str, np.ndarray]:
        table = self.call(lambda: self._frame(sql).toArrow())
        return {name: _numpy(table.column(name)) for name in table.column_names}

    def table(self, name: str, columns: dict[str, list], types: dict[str, str]) -> None:
        import pyarrow as pa

        schema = ", ".join(f"`{c}` {_TYPES[types[c]]}" for c in columns)
        arrow = pa.table({c: pa.array(v, type=_arrow_type(types[c])) for c, v in columns.items()})
        frame = self.call(lambda: self.spark.createDataFrame(arrow, schema=schema))
        self.sizing.add(arrow.nbytes)
        self.forget(name)
        frame = frame.persist()
        frame.createOrReplaceTempView(name)
        self.cached[name] = frame

    def header(self, source: Path) -> list[str]:
        return self.call(lambda: self.spark.read.parquet(str(source)).columns)

    def read_text(self, name: str, source: Path, width: int, keep: list[int], delimiter: str) -> None:
        parquet = source.suffix.lower() == ".parquet"
        self.sizing.add(source.stat().st_size * (4 if parquet else 1))  # a Parquet file's text is about four times its size
        if parquet:  # each column as text, so that its values are parsed as a CSV's; no rejects
            frame = self.call(lambda: self.spark.read.parquet(str(source)))
            names = frame.columns
            self.forget(name)
            frame.selectExpr(*(f"CAST(`{names[i].replace('`', '``')}` AS STRING) AS c{i}" for i in keep)).createOrReplaceTempView(name)
            return
        schema = ", ".join([*(f"c{i} string" for i in range(width)), f"{_CORRUPT} string"])
        # multiLine: a quoted cell may hold line breaks (activity notes do), as DuckDB reads them.
        frame = self.call(lambda: self.spark.read.csv(str(source), schema=schema, header=True, sep=delimiter, quote='"', escape='"',
                                                       mode="PERMISSIVE", columnNameOfCorruptRecord=_CORRUPT, multiLine=True,
                                                       encoding="UTF-8", enforceSchema=True))
        # Spark reads the corrupt-record column only from a cached frame.
        frame = frame.select(*(f"c{i}" for i in keep), _CORRUPT).persist()
        self.forget(name)
        self.loads[name] = (frame, width, source)
        frame.where(f"{_CORRUPT} IS NULL").drop(_CORRUPT).createOrReplaceTempView(name)

    def rejects(self, name: str) -> Rejects:
        if name not in self.loads:  # a Parquet file: every row is a row
            return Rejects(0, None, None)
        frame, width, source = self.loads[name]
        bad = frame.where(f"{_CORRUPT} IS NOT NULL").select(_CORRUPT)
        count = self.call(bad.count)
        if not count:
            return Rejects(0, None, None)
        record = self.call(bad.first)[0]
        return Rejects(count, *_locate(source, record, width))

    # --- beyond the Engine interface: what `check --output findings.parquet` needs (checker/engines/spark_findings.py) ---

    def register(self, name: str, data: dict[str, np.ndarray]) -> None:
        """Numpy columns as the relation `name`, as DuckDB's `register` takes them: NaN and None are NULL,
        an object column is text (its values' str; a bool as `true`/`false`)."""
        import pyarrow as pa

        def arrow(values: np.ndarray) -> Any:
            if values.dtype == object:
                return pa.array([None if v is None else ("true" if v else "false") if isinstance(v, bool | np.bool_) else str(v) for v in values],
                                type=pa.string())
            return pa.array(values, from_pandas=True)  # a float's NaN as NULL

        table = pa.table({c: arrow(v) for c, v in data.items()})
        frame = self.call(lambda: self.spark.createDataFrame(table)).persist()
        self.forget(name)
        frame.createOrReplaceTempView(name)
        self.cached[name] = frame

    def write_parquet(self, sql: str, path: Path) -> None:
        """A query's rows written by Spark as Parquet at `path`, whole or not at all (made beside it, then renamed).
        On a local Spark one file (one task writes it, streaming: Parquet's writer holds one row group, not the
        rows); on a cluster a folder of part files (a Parquet dataset: DuckDB, pandas and Spark read it as one table)."""
        frame = self._frame(sql)
        local = not os.environ.get("SPARK_REMOTE") and (os.environ.get("SPARK_MASTER") or LOCAL_MASTER).startswith("local")
        temp = Path(tempfile.mkdtemp(dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".tmp"))
        target = temp / "parts"
        try:
            self.call(lambda: (frame.coalesce(1) if local else frame).write.parquet(str(target)))
            parts = sorted(target.glob("part-*.parquet"))
            one = local and len(parts) == 1
            if path.exists() and path.is_dir() == one:  # an earlier run's of the other kind is not replaced by a rename
                raise EngineError(f"{path} is already there as a {'folder' if one else 'file'}: remove it or name another output")
            if one:
                os.replace(parts[0], path)
            else:
                if path.is_dir():  # an earlier run's dataset: this one's replaces it
                    shutil.rmtree(path)
                os.replace(target, path)
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def close(self) -> None:
        for name in list(self.cached) + list(self.loads):
            self.forget(name)
        if self._checkpoints is not None:  # the folder of this run's reliable checkpoints, where this process can remove it
            folder = self._checkpoints.removeprefix("file:")
            if "://" not in folder:
                shutil.rmtree(folder, ignore_errors=True)
        if self.owned:
            self.spark.stop()

    # --- checkpoints: a table materialised where an executor lost does not lose it -------------

    def checkpoint_dir(self) -> str | None:
        """Where tables are checkpointed reliably (`checkpoint()`): PLAYBOOK_SPARK_CHECKPOINT_DIR, or the
        session's `spark.checkpoint.dir`; None: locally (`localCheckpoint()`, kept by the executors)."""
        if self._reliable is False:
            return None
        wanted = os.environ.get(CHECKPOINT_ENV)
        if not wanted:
            try:
                wanted = self.spark.conf.get("spark.checkpoint.dir", None)
            except Exception:  # a Spark Connect server that does not say: as not set
                wanted = None
            self._reliable = wanted or False
            return wanted or None
        if self._reliable is None:
            if os.environ.get("SPARK_REMOTE"):  # the server's setting, which a client cannot change
                raise EngineError(f"{CHECKPOINT_ENV} cannot be used with Spark Connect (SPARK_REMOTE): set spark.checkpoint.dir on the server")
            context = self.spark.sparkContext
            self.call(lambda: context.setCheckpointDir(wanted))  # a folder of this run's in it (removed by close)
            self._checkpoints = context.getCheckpointDir()
            self._reliable = wanted
        return wanted

    def materialise(self, frame: Any) -> Any:
        """A frame computed now and kept: in the checkpoint folder when there is one (checkpoint_dir), else by the executors."""
        if self.checkpoint_dir() is not None:
            return self.call(lambda: frame.checkpoint(eager=True))
        return self.call(lambda: frame.localCheckpoint(eager=True))

    # --- helpers ------------------------------------------------------------------------------

    def _frame(self, sql: str) -> Any:
        """A DuckDB query as a Spark DataFrame (lazy: nothing runs yet)."""
        try:
            translated = spark_sql(sql)
        except Untranslatable as exc:
            raise EngineError(f"the spark engine has no translation for: {exc}") from None
        return self.call(lambda: self.spark.sql(translated))

    def call(self, action: Any) -> Any:
        """Run a Spark action; its failure as one EngineError line (the Java trace stays in the log)."""
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        try:
            return action()
        except (PySparkException, Py4JError) as exc:
            kept = keep_log(self.log)
            raise EngineError(f"spark: {_first_line(exc)}" + (f" (Spark's log: {kept})" if kept else "")) from None

    def forget(self, name: str) -> None:
        """Drop a temp view, and what it kept cached."""
        if name in self.loads:
            self.loads.pop(name)[0].unpersist()
        if name in self.cached:
            _release(self.cached.pop(name))
        self.spark.catalog.dropTempView(name)


def _release(frame: Any) -> None:
    """A table's rows let go: a cached frame unpersisted; a locally checkpointed one's blocks too, which
    `unpersist()` does not reach and the executors would otherwise keep for as long as the Spark runs
    (a session given to the engine outlives the run: every run's tables piled up in its memory)."""
    frame.unpersist()
    plan = getattr(frame, "_jdf", None)  # Spark Connect's frames have none: its server releases them
    if plan is not None:
        plan = plan.queryExecution().logical()
        if plan.getClass().getSimpleName() == "LogicalRDD":
            plan.rdd().unpersist(False)


def _parse(sql: str) -> exp.Expression:
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise EngineError(f"the spark engine has no translation for: {str(exc).splitlines()[0]}") from None


def _arrow_type(sql_type: str) -> Any:
    import pyarrow as pa

    return {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "VARCHAR[]": pa.list_(pa.string())}[sql_type]


def _numpy(column: Any) -> np.ndarray:
    """An Arrow column as DuckDB's fetchnumpy gives it: numpy, NULLs masked, dates as datetime64."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count == 0:
        return array.to_numpy(zero_copy_only=False)
    mask = array.is_null().to_numpy(zero_copy_only=False)
    kind = array.type
    if pa.types.is_date32(kind):  # days since 1970, as numpy's datetime64[D]
        data = pc.fill_null(array.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        data = pc.fill_null(array, pa.scalar(False if pa.types.is_boolean(kind) else 0).cast(kind)).to_numpy(zero_copy_only=False)
    else:
        data = array.to_numpy(zero_copy_only=False)
    return np.ma.masked_array(data, mask=mask)


def _locate(source: Path, record: str, width: int) -> tuple[int | None, str]:
    """The line where a rejected record starts in its file, and why it was rejected (Spark does not say)."""
    first = record.splitlines()[0] if record else ""
    found = None
    with source.open(encoding="utf-8", errors="replace", newline="") as f:
        for number, line in enumerate(f, start=1):
            if line.rstrip("\r\n") == first and number > 1:
                found = number
                break
    cells = next(csv.reader([record]), []) if record else []
    detail = f"expected {width} columns, found {len(cells)}" if len(cells) != width else "a cell Spark could not read (quoting)"
    return found, detail


__all__ = ["INSTALL", "LOCAL_MASTER", "SparkEngine", "missing", "unsupported_pandas"]
