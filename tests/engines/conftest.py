"""One local Spark for the whole test session (it takes 10–30 s to start on two cores).

Skipped with the reason when pyspark or Java is missing, unless REQUIRE_SPARK=1 (as CI sets:
.ci/run installs both), which makes the Spark tests fail instead.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.engines.choose import engine_problem


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's SparkSession: local[2], quiet, UTC; `--engine spark` runs in this process take a session of their own on it."""
    problem = engine_problem("spark")
    if problem is not None:
        if os.environ.get("REQUIRE_SPARK") == "1":
            pytest.fail(f"REQUIRE_SPARK=1 but {problem}")
        pytest.skip(f"no local Spark: {problem}")
    from checker.engines.spark import SparkEngine

    with tempfile.TemporaryDirectory(prefix="playbook-spark-tests-") as work:
        engine = SparkEngine.start(Path(work))
        yield engine.spark
        engine.spark.stop()


@pytest.fixture
def spark_engine(spark: Any, tmp_path: Path) -> Iterator[Any]:
    """A Spark engine of the test's own (its temp views apart) on the shared session."""
    from checker.engines.spark import SparkEngine

    engine = SparkEngine.start(tmp_path)
    yield engine
    engine.close()
