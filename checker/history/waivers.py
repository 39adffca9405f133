"""Waivers: findings the team has decided to live with, until a date (`--waivers FILE`).

The file is YAML read by the playbooks' strict loader (duplicate keys, YAML 1.1 surprises)
and validated by `schema/waivers.schema.json`, so its problems read like the playbooks':
`file:line: $.path: message`. `append_waiver` is `playbook waive`: one entry added to the
end of the file, the result validated before it replaces the old file.
"""
from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from checker.evaluate import Finding, data_rule_id
from checker.inputs.files import InputError
from checker.playbook.cache import validated
from checker.playbook.messages import Problem, suggestion
from checker.playbook.model import Playbook
from checker.playbook.problems import Problem as FileProblem
from checker.playbook.problems import display_path
from checker.playbook.schemas import SCHEMA_DIR
from checker.playbook.validate import schema_problems
from checker.playbook.yamlload import load_yaml


@dataclass(frozen=True)
class Waiver:
    """One entry of a waivers file."""

    line: int
    accounts: tuple[str, ...]
    rule: str | None
    kind: str | None
    reason: str
    by: str
    until: date

    def covers(self, finding: Finding) -> bool:
        return (self.rule is None or finding.rule == self.rule) and (self.kind is None or finding.kind == self.kind)

    @property
    def what(self) -> str:
        """The rule id or kind, as the file names it."""
        return self.rule or str(self.kind)


@dataclass
class Waivers:
    name: str  # the file, as messages name it
    entries: list[Waiver]
    missing: bool = False  # the file does not exist yet (a first run): no waiver, and one note that says so


def login() -> str:
    """Who is running the command, for a waiver's `by`; empty when the system cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _at(problem: FileProblem) -> Problem:
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return Problem("history.at", where=f"{where}: {problem.path}" if problem.path else where, message=problem.words or problem.message)


class _Invalid(Exception):
    """The waivers file broke its schema (the problems are kept by the caller)."""


def _schema_problems(path: Path, loaded: object) -> list:
    """The file against `schema/waivers.schema.json`; a file valid before, unchanged (same bytes,
    schemas and validating code), is known valid from the playbook cache (checker.playbook.cache):
    the weekly run need not load the JSON Schema library for a file it checked last week."""
    found: list = []

    def check() -> list:
        found.extend(schema_problems(loaded, "waivers.schema.json"))
        if found:
            raise _Invalid
        return []

    with contextlib.suppress(_Invalid):
        validated([path], check)
    return found


def read_waivers(path: Path) -> Waivers:
    """Read and validate a waivers file; every problem in it is reported, by line.

    A file that does not exist yet is an empty list (the weekly command works on its first run,
    before anyone has waived anything; the history notes it once); a folder in its place is an error."""
    if not path.exists():
        return Waivers(display_path(path), [], missing=True)
    if not path.is_file():
        raise InputError("error.no_file", path=f"--waivers {path}")
    name = display_path(path)
    loaded, problems = load_yaml(path)
    # An unquoted `until: 2026-12-31` is what people write; it is read as the text it is (and checked below).
    problems = [p for p in problems if not (p.words and p.words.key == "yaml.date" and p.path.endswith(".until"))]
    if loaded is not None and not problems:
        problems = _schema_problems(path, loaded)
    if loaded is None or problems:
        raise InputError("history.waivers_invalid", problems=[_at(p) for p in problems])
    entries, bad = [], []
    for i, entry in enumerate(loaded.data["waivers"]):
        line = loaded.line(("waivers", i))
        try:
            until = date.fromisoformat(entry["until"])
        except ValueError:
            bad.append(Problem("history.at", where=f"{name}:{loaded.line(('waivers', i, 'until'))}: $.waivers[{i}].until",
                               message=Problem("history.not_a_date", value=entry["until"])))
            continue
        accounts = entry["account"] if isinstance(entry["account"], list) else [entry["account"]]
        entries.append(Waiver(line, tuple(str(a) for a in accounts), entry.get("rule"), entry.get("kind"), entry["reason"], entry.get("by", ""), until))
    if bad:
        raise InputError("history.waivers_invalid", problems=bad)
    return Waivers(name, entries)


def known_rules(playbook: Playbook, findings: Iterable[Finding] = ()) -> set[str]:
    """Every rule id a waiver may name: the verdict, the playbook's rules (as `playbook rules` lists them), the data findings' and any a run raised."""
    return ({playbook.manifest["verdict"]["id"]} | set(playbook.rules_by_id) | {data_rule_id(k) for k in playbook.messages if k.startswith("data.")}
            | {f.rule for f in findings})


def check_rules(waivers: Waivers, known: Iterable[str]) -> None:
    """Refuse a waiver naming a rule that does not exist (a typo would silently waive nothing)."""
    known = set(known)
    bad = [Problem("history.at", where=f"{waivers.name}:{w.line}", message=Problem("history.unknown_rule", rule=w.rule, hint=suggestion(w.rule, known)))
           for w in waivers.entries if w.rule is not None and w.rule not in known]
    if bad:
        raise InputError("history.waivers_invalid", problems=bad)


def append_waiver(path: Path, account: str, rule: str | None, kind: str | None, reason: str, until: date, by: str, header: str) -> None:
    """Add one entry to the end of a waivers file (created, with its schema modeline, when missing).

    The new text is validated before it replaces the old file, so a file whose `waivers:` list
    is not where an entry can be appended is left untouched and the message says so.
    """
    values = {"account": account, "rule": rule, "kind": kind, "reason": reason, "by": by or None, "until": until.isoformat()}
    # JSON strings are valid YAML double-quoted scalars: any text the user gives stays text.
    entry = "".join(f"{'  - ' if not lines else '    '}{key}: {orjson.dumps(value).decode()}\n"
                    for lines, (key, value) in enumerate((k, v) for k, v in values.items() if v is not None))
    if path.exists():
        before = read_waivers(path)
        text = path.read_text(encoding="utf-8")
        text = (text if text.endswith("\n") or not text else text + "\n") + entry
    else:
        before = None
        schema = Path(os.path.relpath(SCHEMA_DIR / "waivers.schema.json", path.resolve().parent)).as_posix()
        text = f"# yaml-language-server: $schema={schema}\n" + "".join(f"# {line}\n" for line in header.splitlines()) + "waivers:\n" + entry
    folder = path.resolve().parent
    if not folder.is_dir():
        raise InputError("error.no_folder", option="--waivers", path=folder)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        try:
            after = read_waivers(Path(temp))
        except InputError:
            after = None
        if after is None or len(after.entries) != (len(before.entries) if before else 0) + 1:
            raise InputError("history.cannot_append", path=display_path(path))
        if before is not None:
            shutil.copymode(path, temp)
        else:  # the permissions any new file gets (the umask), not the owner-only ones of a temporary file
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
