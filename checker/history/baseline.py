"""An earlier run's JSON report, read as the baseline this run is compared with (`--baseline`).

Only what a comparison needs is read: the run's date and playbook version, and per account
its declared stage, best fit and findings (with the date each was first seen). Reports of
the first format and the later `report_version: 2` (rule texts in a top-level `rules`
object) both carry these, so both are accepted; `schema/baseline.schema.json` says which
parts are read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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


def finding_key(account_id: str, rule: str, kind: str, evidence: dict | None) -> FindingKey:
    column = (evidence or {}).get("signal") if kind == "data" else None
    return (account_id, rule, column)


@dataclass(frozen=True)
class Seen:
    """A finding of the baseline: what the report said of it, and since when it has been open."""

    rule: str
    kind: str
    severity: str
    message: str
    first_seen: date


@dataclass
class BaselineAccount:
    declared: str | None
    best_fit: str | None
    findings: dict[FindingKey, Seen] = field(default_factory=dict)


@dataclass
class Baseline:
    path: Path
    as_of: date
    playbook_version: str
    accounts: dict[str, BaselineAccount]

    @property
    def name(self) -> str:
        return display_path(self.path)


def load_baseline(path: Path, playbook_version: str) -> Baseline:
    """Read an earlier JSON report; refuse one that is not a report or cannot be compared."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--baseline {path}")
    name = display_path(path)
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
            accounts = _accounts(data["accounts"], as_of, name, data.get("rules") or {})
    except (KeyError, TypeError, AttributeError):
        problems = _problems(path, data) or [FileProblem.of(name, 0, "$", "validate.raw", text="?")]
    if problems:
        raise InputError("history.baseline_not_report", path=name, where=problems[0].path, detail=problems[0].words)
    if data["playbook_version"] != playbook_version:
        raise InputError("history.baseline_other_version", path=name, theirs=data["playbook_version"], ours=playbook_version)
    return Baseline(path, as_of, data["playbook_version"], accounts)


def _problems(path: Path, data: object) -> list[FileProblem]:
    return schema_problems(Loaded(path, data, {(): 0}), "baseline.schema.json")


def _accounts(items: list[dict], as_of: date, name: str, rules: dict) -> dict[str, BaselineAccount]:
    accounts: dict[str, BaselineAccount] = {}
    for i, account in enumerate(items):
        account_id = account["account_id"]
        seen: dict[FindingKey, Seen] = {}
        # A finding waived in the earlier run is listed apart (unless shown); it is still open.
        for j, f in enumerate([*account["findings"], *account.get("waived", [])]):
            first = _date(f["first_seen"], name, f"$.accounts[{i}].findings[{j}].first_seen") if "first_seen" in f else as_of
            evidence = f.get("evidence")
            if isinstance(rules.get(f["rule"]), dict) and isinstance(rules[f["rule"]].get("evidence"), dict):  # v2: the rule's shared part
                evidence = {**rules[f["rule"]]["evidence"], **(evidence or {})}
            key = finding_key(account_id, f["rule"], f["kind"], evidence)
            seen[key] = Seen(f["rule"], f["kind"], f.get("severity", ""), f.get("message", ""), first)
        accounts[account_id] = BaselineAccount(account["declared_stage"], account["best_fit_stage"], seen)
    return accounts


def _date(text: str, name: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("history.baseline_not_report", path=name, where=where, detail=Problem("history.not_a_date", value=text)) from None
