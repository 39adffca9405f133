"""The validated-playbook cache: used only for byte-identical files, never an error, off on request."""
from __future__ import annotations

from pathlib import Path

import pytest

import checker.playbook.model
from checker.playbook.model import load_playbook
from checker.playbook.problems import PlaybookInvalid


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLAYBOOK_CACHE_DIR", str(folder))
    return folder


def _no_validation(*_: object) -> None:
    raise AssertionError("validated although the cache holds these files")


def test_second_load_comes_from_the_cache_and_equals_the_first(playbook_copy, cache_dir, monkeypatch):
    first = load_playbook(playbook_copy)
    assert len(list(cache_dir.glob("*.marshal"))) == 1
    monkeypatch.setattr(checker.playbook.model, "validate", _no_validation)
    second = load_playbook(playbook_copy)
    assert [s.id for s in second.stages] == [s.id for s in first.stages]
    assert second.rules_by_id.keys() == first.rules_by_id.keys()
    assert second.messages == first.messages and second.files == first.files


def test_a_changed_file_is_validated_again(playbook_copy, cache_dir):
    load_playbook(playbook_copy)
    stage = playbook_copy / "stages" / "basic.yaml"
    stage.write_text(stage.read_text(encoding="utf-8").replace("signal: ", "signal: x", 1), encoding="utf-8")
    with pytest.raises(PlaybookInvalid):
        load_playbook(playbook_copy)
    with pytest.raises(PlaybookInvalid):  # an invalid playbook is never remembered
        load_playbook(playbook_copy)


def test_a_damaged_entry_is_ignored(playbook_copy, cache_dir):
    load_playbook(playbook_copy)
    (entry,) = cache_dir.glob("*.marshal")
    entry.write_bytes(b"\x00not marshal")
    assert len(load_playbook(playbook_copy).stages) == 5
    assert entry.read_bytes() != b"\x00not marshal"  # rewritten


def test_off_writes_nothing(playbook_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYBOOK_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_playbook(playbook_copy)
    assert not (tmp_path / "xdg").exists()


def test_an_unwritable_cache_folder_is_not_an_error(playbook_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLAYBOOK_CACHE_DIR", str(blocker / "cache"))
    assert len(load_playbook(playbook_copy).endings) == 4


def test_old_entries_are_removed(playbook_copy, cache_dir, monkeypatch):
    import os

    import checker.playbook.cache

    monkeypatch.setattr(checker.playbook.cache, "KEEP", 2)
    message = playbook_copy / "messages" / "checker.yaml"
    text = message.read_text(encoding="utf-8")
    for n in range(4):  # four versions of the playbooks, each validated and cached
        message.write_text(text + f"# edit {n}\n", encoding="utf-8")
        load_playbook(playbook_copy)
        newest = max(cache_dir.glob("*.marshal"), key=os.path.getmtime)
        os.utime(newest, (1_000_000 + n, 1_000_000 + n))  # distinct ages, oldest first
    assert len(list(cache_dir.glob("*.marshal"))) == 2
    assert not list(cache_dir.glob("*.tmp"))
