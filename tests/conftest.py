from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from checker.cli import main
from checker.playbook.model import Playbook, load_playbook
from checker.playbook.validate import BUNDLED

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "samples" / "accounts.csv"
AS_OF = ["--as-of", "2026-10-31"]  # the date the sample export was generated for


def pytest_configure(config: pytest.Config) -> None:
    # The suite keeps its validated-playbook cache to itself, never in the user's folder.
    os.environ["PLAYBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="playbook-cache-")
    # The suite's one local Spark (tests/engines/test_spark.py) outlives hundreds of runs: a run whose account table
    # is kept in Spark leaves ~30 MB of its Java heap behind (README, "The account table in Spark"), which filled
    # Spark's default 1 GB in test_spark_table.py. 2 GB for the JVM this process starts (a user's run starts its own).
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--driver-memory 2g pyspark-shell")


@pytest.fixture(scope="session")
def playbook() -> Playbook:
    return load_playbook()


@pytest.fixture
def playbook_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled playbooks."""
    target = tmp_path / "playbooks"
    shutil.copytree(BUNDLED, target)
    return target


def write_encoded(path: Path, text: str, encoding: str) -> None:
    """`text` in `encoding`, or in UTF-8 where that encoding has no such character (random-input tests)."""
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(text.encode("utf-8"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """The CLI run in-process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
