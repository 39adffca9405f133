"""The Spark session's settings (checker/engines/spark_settings.py): small data on a local Spark, Spark's own
settings past 8 MB of logs, a cluster's and the user's settings left as they are.

The first test runs on test_spark.py's local Spark (skipped without pyspark or Java unless REQUIRE_SPARK=1);
the others on a session object that records what is set, as a cluster's or a configured Spark's would see it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.engines.spark_settings import PER_PARTITION, SMALL, SMALL_DATA, Sizing, is_local
from tests.engines.test_spark import spark, spark_engine  # noqa: F401  (the shared session fixture)


def test_a_local_spark_runs_small_logs_as_small_data_and_large_ones_with_its_own_settings(spark_engine: Any, tmp_path: Path) -> None:  # noqa: F811
    conf = spark_engine.spark.conf
    source = tmp_path / "log.csv"
    source.write_text("id,date\nA1,2026-01-01\n", encoding="utf-8")
    spark_engine.read_text("log", source, 2, [0, 1], ",")
    assert conf.get("spark.sql.shuffle.partitions") == "1"
    assert {key: conf.get(key) for key in SMALL_DATA} == SMALL_DATA
    assert spark_engine.rows("SELECT c0, count(*) FROM log GROUP BY c0") == [("A1", 1)]
    spark_engine.read_table("same", "log", [0])  # a table of the engine: its size unknown, so not small
    cores = spark_engine.spark.sparkContext.defaultParallelism
    assert conf.get("spark.sql.shuffle.partitions") == str(2 * cores)
    assert conf.get("spark.sql.adaptive.enabled") == "true" and conf.get("spark.sql.codegen.wholeStage") == "true"  # Spark's own again
    assert spark_engine.rows("SELECT c0, count(*) FROM log GROUP BY c0") == [("A1", 1)]


class _Session:
    """What Sizing sees of a session: the context's configuration (what the user gave) and the session's settings."""

    def __init__(self, given: dict[str, str], cores: int = 2):
        self.settings: dict[str, str] = dict(given)
        self.sparkContext = self
        self.defaultParallelism = cores
        self.given = given
        self.conf = self

    def getConf(self) -> Any:
        return self

    def contains(self, key: str) -> bool:
        return key in self.given

    def set(self, key: str, value: str) -> None:
        self.settings[key] = value

    def unset(self, key: str) -> None:
        self.settings.pop(key, None)


def test_partitions_grow_with_the_bytes_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.setenv("SPARK_MASTER", "local[4]")
    session = _Session({}, cores=4)
    sizing = Sizing(session)
    assert session.settings == {"spark.sql.shuffle.partitions": "1", **SMALL_DATA}
    sizing.add(SMALL)
    assert session.settings["spark.sql.shuffle.partitions"] == "1"
    sizing.add(1)
    assert session.settings == {"spark.sql.shuffle.partitions": "8"}  # two per core; the small-data settings unset
    sizing.add(20 * PER_PARTITION)
    assert session.settings == {"spark.sql.shuffle.partitions": "21"}  # one per 128 MB


@pytest.mark.parametrize("environment", [{"SPARK_MASTER": "spark://head:7077"}, {"SPARK_MASTER": "yarn"}, {"SPARK_REMOTE": "sc://head:15002"}])
def test_a_cluster_keeps_its_own_settings(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("SPARK_MASTER", "SPARK_REMOTE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    assert not is_local()
    session = _Session({})
    sizing = Sizing(session)
    sizing.add(10)
    sizing.add(None)
    assert session.settings == {}


def test_what_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    given = {"spark.sql.shuffle.partitions": "64", "spark.sql.codegen.wholeStage": "true"}
    session = _Session(given)
    sizing = Sizing(session)
    assert session.settings["spark.sql.shuffle.partitions"] == "64" and session.settings["spark.sql.codegen.wholeStage"] == "true"
    assert session.settings["spark.sql.adaptive.enabled"] == "false"  # what the user left alone is still sized
    sizing.add(None)
    assert session.settings == given
