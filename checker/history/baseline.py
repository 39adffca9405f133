"""An earlier run's JSON report, read as the baseline this run is compared with (`--baseline`).

Only what a comparison needs is read: the run's date and playbook version, and per account
its declared stage, best fit and findings (rule, kind, the column of a data finding, severity,
message and the date each was first seen). Reports of the first format and the later
`report_version: 2` (rule texts in a top-level `rules` object) both carry these, so both are
accepted; `schema/baseline.schema.json` says which parts are read.

Reading a report of 100,000 accounts whole would build a Python object for every value in it
(about 700 MB and seconds); what a comparison needs is a small part. So, fastest first:

1. the **index** written beside the report by the run that wrote it (`REPORT.json.idx`,
   `write_index`): those parts as columns; used only when the report beside it is still the
   one it was written for (same size and modification time), else ignored;
2. the report **line by line**: the JSON writer puts each account on a line of its own, so the
   accounts are parsed one at a time and dropped (memory stays small);
3. the report **whole**, for a report re-formatted by hand or by another tool.

All three give the same `Baseline` (a test checks it on every kind of report).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import orjson

from checker.inputs.files import InputError
from checker.playbook.messages import Problem
from checker.playbook.problems import Problem as FileProblem
from checker.playbook.problems import display_path
from checker.playbook.validate import schema_problems
from checker.playbook.yamlload import Loaded

#: How a finding is recognised from one run to the next: account, rule and, for data findings
#: (one rule id for every bad cell), the column. Messages and observed values may change.
FindingKey = tuple[str, str, str | None]

#: The index's name beside its report, and what its head says it is.
INDEX_SUFFIX = ".idx"
INDEX_FORMAT = "playbook-baseline-index"
INDEX_VERSION = 1


class Seen(NamedTuple):
    """A finding of the baseline: what the report said of it, and since when it has been open."""

    rule: str
    kind: str
    severity: str
    message: str
    first_seen: date


#: A distinct finding of a report: rule, kind, column (of a data finding, else None), severity, message.
Distinct = tuple[str, str, str | None, str, str]


def _intern(codes: dict, values: list, value: object) -> int:
    """`value`'s index in `values`, appended (and indexed in `codes`) the first time it is seen."""
    code = codes.get(value)
    if code is None:
        code = codes[value] = len(values)
        values.append(value)
    return code


@dataclass
class Columns:
    """A report's accounts and findings as parallel lists (what the index holds).

    Accounts in report order; findings in report order, each with the index of its account,
    of its text (`distinct`: a report holds far fewer distinct findings than findings) and the
    date it was first seen. Within an account a finding's key may repeat: the last one read
    counts, at the place of the first (as a dict filled in order keeps them)."""

    ids: list[str] = field(default_factory=list)
    declared: list[str | None] = field(default_factory=list)
    best_fit: list[str | None] = field(default_factory=list)
    account: list[int] = field(default_factory=list)
    finding: list[int] = field(default_factory=list)
    first_seen: list[int] = field(default_factory=list)  # index into `dates`
    dates: list[str] = field(default_factory=list)  # ISO dates
    distinct: list[Distinct] = field(default_factory=list)
    codes: dict[Distinct, int] = field(default_factory=dict, repr=False)  # distinct → its index
    date_codes: dict[str, int] = field(default_factory=dict, repr=False)  # ISO date → its index

    def add_account(self, account_id: str, declared: str | None, best_fit: str | None) -> int:
        self.ids.append(account_id)
        self.declared.append(declared)
        self.best_fit.append(best_fit)
        return len(self.ids) - 1

    def code(self, finding: Distinct) -> int:
        return _intern(self.codes, self.distinct, finding)

    def date_code(self, iso: str) -> int:
        return _intern(self.date_codes, self.dates, iso)

    def add_finding(self, account: int, finding: Distinct, first_seen: str) -> None:
        self.account.append(account)
        self.finding.append(self.code(finding))
        self.first_seen.append(self.date_code(first_seen))


@dataclass
class Baseline:
    path: Path
    as_of: date
    playbook_version: str
    columns: Columns
    read_from: str = "report"  # "index", "report" (line by line) or "whole"

    @property
    def name(self) -> str:
        return display_path(self.path)

    @cached_property
    def accounts(self) -> dict[str, int]:
        """Account id → its position in the baseline."""
        return {account_id: i for i, account_id in enumerate(self.columns.ids)}

    @cached_property
    def findings(self) -> dict[FindingKey, int]:
        """Finding key → the finding's position (the last of a repeated key)."""
        c = self.columns
        ids, rule_column = c.ids, [(d[0], d[2]) for d in c.distinct]
        return dict(zip(((ids[a], *rule_column[f]) for a, f in zip(c.account, c.finding, strict=True)), range(len(c.finding)), strict=True))

    @cached_property
    def dates(self) -> list[date]:
        """The dates findings were first seen, by their code (`Columns.first_seen`)."""
        return [date.fromisoformat(text) for text in self.columns.dates]

    def stages(self, account_id: str) -> tuple[str | None, str | None]:
        i = self.accounts[account_id]
        return self.columns.declared[i], self.columns.best_fit[i]

    def seen(self, at: int) -> Seen:
        rule, kind, _, severity, message = self.columns.distinct[self.columns.finding[at]]
        return Seen(rule, kind, severity, message, self.dates[self.columns.first_seen[at]])


def load_baseline(path: Path, playbook_version: str) -> Baseline:
    """Read an earlier JSON report; refuse one that is not a report or cannot be compared."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--baseline {path}")
    name = display_path(path)
    baseline = _from_index(path) or _from_lines(path, name) or _from_whole(path, name)
    if baseline.playbook_version != playbook_version:
        raise InputError("history.baseline_other_version", path=name, theirs=baseline.playbook_version, ours=playbook_version)
    return baseline


def index_path(report: Path) -> Path:
    return report.with_name(report.name + INDEX_SUFFIX)


def _from_index(path: Path) -> Baseline | None:
    """The index beside the report, if there is one written for this very file."""
    index = index_path(path)
    try:
        data = orjson.loads(index.read_bytes())
        stat = path.stat()
        if data.get("format") != INDEX_FORMAT or data.get("version") != INDEX_VERSION:
            return None
        if data["report"] != {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}:
            return None  # the report was written again or copied: read it, not the index
        columns = _decoded(data["columns"])
        if len({len(columns.account), len(columns.finding), len(columns.first_seen)}) > 1 or len({len(columns.ids), len(columns.declared), len(columns.best_fit)}) > 1:
            return None
        columns.distinct = [(rule, kind, column, severity, message) for rule, kind, column, severity, message in columns.distinct]
        for codes, values in ((columns.finding, columns.distinct), (columns.account, columns.ids), (columns.first_seen, columns.dates)):
            if codes and not 0 <= min(codes) <= max(codes) < len(values):
                return None
        return Baseline(path, date.fromisoformat(data["as_of"]), data["playbook_version"], columns, "index")
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None  # no index, or not one this code wrote: the report itself decides


def _from_lines(path: Path, name: str) -> Baseline | None:
    """The report as the JSON writer lays it out (the head, then one account per line), read an
    account at a time. None when the file is laid out otherwise."""
    try:
        with path.open("rb") as f:
            head = bytearray()
            for line in f:
                if line.strip() == b'"accounts": [':
                    break
                head += line
            else:
                return None
            head_data = orjson.loads(bytes(head).rstrip().rstrip(b",") + b"}")
            lines = _account_lines(f)
            first = next(lines, None)
            data = {**head_data, "accounts": [] if first is None else [first]}
            if not isinstance(head_data, dict) or _problems(path, data):
                return None  # let the whole-file reading find and say what is wrong
            as_of = _date(head_data["as_of"], name, "$.as_of")
            columns = Columns()
            _columns(columns, [] if first is None else [first], as_of, name, head_data.get("rules") or {})
            _columns(columns, lines, as_of, name, head_data.get("rules") or {}, start=1)
    except (orjson.JSONDecodeError, _NotLines, KeyError, TypeError, AttributeError):
        return None
    except OSError as exc:
        raise InputError("error.cannot_read", path=name, reason=exc.strerror) from None
    return Baseline(path, as_of, head_data["playbook_version"], columns, "report")


class _NotLines(Exception):
    """The accounts are not one per line."""


def _account_lines(f: Iterable[bytes]) -> Iterator[dict]:
    closed = False
    for line in f:
        text = line.strip()
        if closed:
            if text not in (b"}", b""):
                raise _NotLines
            continue
        if text == b"]":
            closed = True
            continue
        if text.endswith(b","):
            text = text[:-1]
        account = orjson.loads(text)
        if not isinstance(account, dict):
            raise _NotLines
        yield account
    if not closed:
        raise _NotLines


def _from_whole(path: Path, name: str) -> Baseline:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError("history.baseline_not_json", path=name, line=exc.lineno, detail=exc.msg) from None
    except OSError as exc:
        raise InputError("error.cannot_read", path=name, reason=exc.strerror) from None
    # The schema checks the head and the first account; the rest is read directly and validated
    # only when reading fails, to say where (validating 100,000 accounts takes a minute).
    try:
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise TypeError
        problems = _problems(path, {**data, "accounts": data["accounts"][:1]})
        if not problems:
            as_of = _date(data["as_of"], name, "$.as_of")
            columns = Columns()
            _columns(columns, data["accounts"], as_of, name, data.get("rules") or {})
    except (KeyError, TypeError, AttributeError):
        problems = _problems(path, data) or [FileProblem.of(name, 0, "$", "validate.raw", text="?")]
    if problems:
        raise InputError("history.baseline_not_report", path=name, where=problems[0].path, detail=problems[0].words)
    return Baseline(path, as_of, data["playbook_version"], columns, "whole")


def _problems(path: Path, data: object) -> list[FileProblem]:
    return schema_problems(Loaded(path, data, {(): 0}), "baseline.schema.json")


def _columns(columns: Columns, items: Iterable[dict], as_of: date, name: str, rules: dict, start: int = 0) -> None:
    """Append the accounts of a report (as parsed) to the columns."""
    shared = {rule: entry["evidence"] for rule, entry in rules.items() if isinstance(entry, dict) and isinstance(entry.get("evidence"), dict)}
    default_first = as_of.isoformat()
    for i, account in enumerate(items, start):
        at = columns.add_account(account["account_id"], account["declared_stage"], account["best_fit_stage"])
        # A finding waived in the earlier run is listed apart (unless shown); it is still open.
        for j, f in enumerate([*account["findings"], *account.get("waived", [])]):
            first = f.get("first_seen", default_first)
            if first is not default_first:
                _date(first, name, f"$.accounts[{i}].findings[{j}].first_seen")
            column = None
            if f["kind"] == "data":  # v2: the column may be in the rule's shared evidence
                column = {**shared.get(f["rule"], {}), **(f.get("evidence") or {})}.get("signal")
            columns.add_finding(at, (f["rule"], f["kind"], column, f.get("severity", ""), f.get("message", "")), first)


def _date(text: str, name: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except (ValueError, TypeError):
        raise InputError("history.baseline_not_report", path=name, where=where, detail=Problem("history.not_a_date", value=text)) from None


#: The index's columns of repeated text, stored as a list of the distinct values and an index into it per row.
CODED = ("declared", "best_fit")


def _coded(columns: Columns) -> dict:
    data = {name: value for name, value in columns.__dict__.items() if name not in ("codes", "date_codes")}
    for name in CODED:  # the distinct values in the order they first appear, each row's index among them
        values = {v: i for i, v in enumerate(dict.fromkeys(data[name]))}
        data[name] = {"values": list(values), "codes": list(map(values.__getitem__, data[name]))}
    return data


def _decoded(data: dict) -> Columns:
    decoded = dict(data)
    for name in CODED:
        values = data[name]["values"]
        decoded[name] = [values[code] for code in data[name]["codes"]]
    return Columns(**decoded)


def write_index(report: Path, as_of: date, playbook_version: str, columns: Columns) -> None:
    """The index of a JSON report just written (see the module's docstring), beside it.

    Written after the report, with the report's size and modification time: a report written
    or copied again later no longer matches, and the next run reads the report itself."""
    stat = report.stat()
    data = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "report": {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns},
            "as_of": as_of.isoformat(), "playbook_version": playbook_version, "columns": _coded(columns)}
    target = index_path(report)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        temp.write_bytes(orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY))  # report_columns may give numpy arrays
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)  # an index is only a shortcut: without it the next run reads the report
