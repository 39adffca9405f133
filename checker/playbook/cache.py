"""A cache of validated playbooks, so that a check does not validate unchanged files again.

Validating every playbook file against its JSON Schema and cross-checking the references
takes about half a second, more than checking a typical export. The cache key is a hash
of every playbook file, every schema and the code that validates, so any change to any of
them validates afresh. The cache holds plain data only (`marshal`: loading it runs no code)
in the user's cache folder (`$PLAYBOOK_CACHE_DIR`, else `$XDG_CACHE_HOME` or `~/.cache`,
then `relationship-playbook/`); `PLAYBOOK_CACHE_DIR=off` turns it off. Only the newest
few entries are kept. When the cache cannot be read or written the playbooks are simply
validated: it is never an error.

`playbook validate` never uses the cache.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from checker.playbook.schemas import SCHEMA_DIR

_CODE = [Path(__file__).with_name(f"{module}.py") for module in ("validate", "yamlload", "schemas", "cache")]
_FORMAT = 1
KEEP = 8  # entries kept: a few playbook folders or versions side by side; older ones are removed

Documents = list[tuple[Path, object]]  # (file, data) of every valid playbook file, in load order


def folder() -> Path | None:
    """Where validated playbooks are kept, or None when caching is off."""
    chosen = os.environ.get("PLAYBOOK_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "relationship-playbook"


def key(files: list[Path]) -> str:
    """A hash of the playbook files (names and bytes), the schemas and the validating code."""
    digest = hashlib.sha256(f"format {_FORMAT} {sys.version}".encode())  # marshal's format follows Python's version
    for path in [*files, *sorted(SCHEMA_DIR.glob("*.json")), *_CODE]:
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def validated(files: list[Path], validate: Callable[[], Documents]) -> Documents:
    """The documents of `files`, from the cache when these exact files were validated before;
    else from `validate()` (which raises when they are invalid), then remembered."""
    where = folder()
    if where is None:
        return validate()
    try:
        entry = where / f"{key(files)}.marshal"
    except OSError:
        return validate()  # a file vanished or is unreadable: validation will say which
    try:
        stored = marshal.loads(entry.read_bytes())
        return [(Path(name), data) for name, data in stored]
    except (OSError, EOFError, ValueError, TypeError):
        pass  # not cached yet, or a damaged entry: validate
    documents = validate()
    _store(entry, [(str(path), data) for path, data in documents])
    return documents


def _store(entry: Path, stored: list[tuple[str, object]]) -> None:
    """Write one entry whole (a temporary file, then rename) and remove the oldest beyond KEEP."""
    temp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=entry.parent, delete=False, suffix=".tmp") as out:
            temp = Path(out.name)
            out.write(marshal.dumps(stored))
        os.replace(temp, entry)
        entries = sorted(entry.parent.glob("*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        if temp is not None:
            temp.unlink(missing_ok=True)  # a read-only home, a full disk, or data marshal cannot hold: do without
