"""The Spark session's settings that depend on where it runs and on how much it reads (`--engine spark`).

Each of the log pipeline's ~100 statements is a Spark job of a few stages, and each stage has a task per
shuffle partition: on a fixture's few hundred rows the run is all scheduling, never computing. So a local
Spark (the default `local[2]`, or `SPARK_MASTER=local[…]`) sizes its shuffle partitions by the logs it has
read so far: one while they total at most `SMALL` (a CSV of about 300,000 activity rows), else two per core,
or one per `PER_PARTITION` of input where that is more. Adaptive execution coalesces small shuffle partitions
by size rather than keeping one per core (`parallelismFirst` off), as Spark advises where it is not the only
thing running.

A cluster (`SPARK_MASTER` that is not `local…`, or `SPARK_REMOTE`) keeps its own settings: its
administrators sized `spark.sql.shuffle.partitions` for it. A value the user gave for a setting
(`spark-defaults.conf`, or `PYSPARK_SUBMIT_ARGS="--conf spark.sql.shuffle.partitions=64 pyspark-shell"`)
is kept anywhere.
"""
from __future__ import annotations

import math
import os
from typing import Any

#: Logs up to this many bytes are read with one shuffle partition.
SMALL = 32 << 20
#: Beyond that, at least one shuffle partition per this many bytes of logs.
PER_PARTITION = 128 << 20
PARTITIONS = "spark.sql.shuffle.partitions"
#: Set once on a local Spark's session (unless the user set them).
LOCAL = {"spark.sql.adaptive.enabled": "true", "spark.sql.adaptive.coalescePartitions.enabled": "true",
         "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false"}


def is_local() -> bool:
    """Whether the Spark this process runs is a local one (its own JVM, this machine's cores), not a cluster."""
    return not os.environ.get("SPARK_REMOTE") and (os.environ.get("SPARK_MASTER") or "local").startswith("local")


class Sizing:
    """A session's shuffle partitions, grown with the bytes of the logs it reads (a local Spark only)."""

    def __init__(self, session: Any):
        self.session = session
        self.read = 0
        self.cores = 0
        self.given: set[str] = set()
        if is_local():
            conf = session.sparkContext.getConf()  # what the user set (spark-defaults.conf, PYSPARK_SUBMIT_ARGS) is kept
            self.given = {key for key in (PARTITIONS, *LOCAL) if conf.contains(key)}
            self.cores = session.sparkContext.defaultParallelism
            for key, value in LOCAL.items():
                if key not in self.given:
                    session.conf.set(key, value)
            self._set()

    @property
    def partitions(self) -> int:
        if self.read <= SMALL:
            return 1
        return max(2 * self.cores, math.ceil(self.read / PER_PARTITION))

    def add(self, size: int | None) -> None:
        """`size` more bytes read (None: a table of unknown size, taken as more than small)."""
        if self.cores:
            self.read += SMALL + 1 if size is None else size
            self._set()

    def _set(self) -> None:
        if PARTITIONS not in self.given:
            self.session.conf.set(PARTITIONS, str(self.partitions))


__all__ = ["PER_PARTITION", "SMALL", "Sizing", "is_local"]
