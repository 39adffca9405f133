from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from checker.model import Playbook, load_playbook
from checker.validate import BUNDLED

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    # The suite keeps its validated-playbook cache to itself, never in the user's folder.
    os.environ["PLAYBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="playbook-cache-")


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
