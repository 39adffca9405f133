"""The Spark session's settings that depend on where it runs and on how much it reads (`--engine spark`).

Each of the log pipeline's ~100 statements is a Spark job of a few stages: on a fixture's few hundred rows
the run is all planning and scheduling, never computing (measured: 110 jobs, 170 stages, ~180 tasks for the
canonical fixture). So a local Spark (the default `local[2]`, or `SPARK_MASTER=local[…]`) whose logs read so
far total at most `SMALL` (about 100,000 activity rows of CSV) runs them as small data: one shuffle
partition, no adaptive re-planning (which runs each stage as a job of its own and plans the rest again after
it), no whole-stage code generation (compiling a class per stage costs more than the rows it would speed up)
and hash joins without broadcasts (a broadcast is a job too): about half the jobs and stages, and a third
less time. Past `SMALL` the session is Spark's own again (adaptive execution, code generation, broadcasts)
with two shuffle partitions per core, or one per `PER_PARTITION` of logs where that is more.

A cluster (`SPARK_MASTER` that is not `local…`, or `SPARK_REMOTE`) keeps its own settings: its
administrators sized `spark.sql.shuffle.partitions` for it. A value the user gave for any of these settings
(`spark-defaults.conf`, or `PYSPARK_SUBMIT_ARGS="--conf spark.sql.shuffle.partitions=64 pyspark-shell"`)
is kept anywhere.
"""
from __future__ import annotations

import math
import os
from typing import Any

#: Logs up to this many bytes are small data.
SMALL = 8 << 20
#: Beyond that, at least one shuffle partition per this many bytes of logs.
PER_PARTITION = 128 << 20
PARTITIONS = "spark.sql.shuffle.partitions"
#: Small data's settings (a local Spark's, unless the user set them); past SMALL, Spark's own.
SMALL_DATA = {"spark.sql.adaptive.enabled": "false", "spark.sql.codegen.wholeStage": "false",
              "spark.sql.autoBroadcastJoinThreshold": "-1", "spark.sql.join.preferSortMergeJoin": "false"}


def is_local() -> bool:
    """Whether the Spark this process runs is a local one (its own JVM, this machine's cores), not a cluster."""
    return not os.environ.get("SPARK_REMOTE") and (os.environ.get("SPARK_MASTER") or "local").startswith("local")


class Sizing:
    """A session's settings by the bytes of the logs it has read (a local Spark's only)."""

    def __init__(self, session: Any):
        self.session = session
        self.read = 0
        self.cores = 0
        self.given: set[str] = set()
        if is_local():
            conf = session.sparkContext.getConf()  # what the user set (spark-defaults.conf, PYSPARK_SUBMIT_ARGS) is kept
            self.given = {key for key in (PARTITIONS, *SMALL_DATA) if conf.contains(key)}
            self.cores = session.sparkContext.defaultParallelism
            self._set()

    @property
    def small(self) -> bool:
        return self.read <= SMALL

    @property
    def partitions(self) -> int:
        return 1 if self.small else max(2 * self.cores, math.ceil(self.read / PER_PARTITION))

    def add(self, size: int | None) -> None:
        """`size` more bytes read (None: a table of unknown size, taken as more than small)."""
        if self.cores:
            was = self.small
            self.read += SMALL + 1 if size is None else size
            self._set(was != self.small)

    def _set(self, changed: bool = True) -> None:
        if PARTITIONS not in self.given:
            self.session.conf.set(PARTITIONS, str(self.partitions))
        for key, value in SMALL_DATA.items():
            if changed and key not in self.given:
                if self.small:
                    self.session.conf.set(key, value)
                else:
                    self.session.conf.unset(key)


__all__ = ["PER_PARTITION", "SMALL", "Sizing", "is_local"]
