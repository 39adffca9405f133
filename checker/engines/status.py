"""Week over week in SQL: each finding of a Parquet output marked `new` or `still-open` against
an earlier run's report (`check --output findings.parquet --baseline LAST.json`) or its Parquet
output (`--baseline last/findings.parquet`), and the summary's `changes`, as
`checker.history.changes` gives them for the other formats.

A finding is the same finding from one run to the next when its account, its rule and, for a
data finding (one rule id for every bad cell), its column are (history.baseline.FindingKey);
its `first_seen` is the earlier run's, or this run's date for a new one. The earlier run
arrives as its report's columns (`history.baseline.Columns`: what `--baseline` reads, from the
index beside the report when there is one); they are handed to DuckDB as arrays and compared
there with a join, no Python loop per finding. An earlier Parquet output is read by the engine
itself (`register_parquet`: on Spark, by the executors), never by this process: its findings, the
accounts file written beside them (`ACCOUNTS_SUFFIX`: every account's declared stage and best fit,
which the findings alone do not tell) and the summary beside them (the run's date and playbook
version). A finding without `first_seen` (a run without a baseline) was first seen on that run's
date; of a key repeated, the finding of the account's last row in the export counts, as the JSON
report's last finding does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np

from checker.engines.rules_sql import FINDING_COLUMNS, JUDGED, SIGNALS, text
from checker.inputs.engine import error_line
from checker.inputs.files import InputError

EARLIER = "pb_earlier"  # the earlier run's findings, one row each
EARLIER_KEYS = "pb_earlier_keys"  # … one row per finding key: a key repeated counts once, as its last finding
EARLIER_ACCOUNTS = "pb_earlier_accounts"
NEW, STILL_OPEN = "new", "still-open"  # as checker.history.changes writes them
#: Beside findings.parquet: findings.accounts.parquet, one row per account (what a later run's --baseline reads).
ACCOUNTS_SUFFIX = ".accounts.parquet"
ACCOUNT_COLUMNS = ("account_id", "row", "declared_stage", "best_fit_stage")
_READ = {"findings": ("account_id", "row", "rule", "kind", "signal", "first_seen"), "accounts": ACCOUNT_COLUMNS}


class EarlierColumns(Protocol):  # (an EarlierParquet is read by register_parquet)
    """What the comparison reads of the earlier report (history.baseline.Columns has these)."""

    ids: list[str]
    declared: list[str | None]
    best_fit: list[str | None]
    account: list[int]
    finding: list[int]
    first_seen: list[int]
    dates: list[str]
    distinct: list[tuple]


def _key(table: str) -> str:
    """The finding's column in its key: a data finding's column, else ''."""
    return f"COALESCE(CASE WHEN {table}.kind = 'data' THEN {table}.signal END, '')"


def register_earlier(con: duckdb.DuckDBPyConnection, columns: EarlierColumns) -> None:
    """The earlier report's findings and accounts as the relations EARLIER and EARLIER_ACCOUNTS."""
    ids = np.array(columns.ids, dtype=object)
    findings = np.asarray(columns.finding, dtype=np.int64)
    distinct = columns.distinct
    con.register(EARLIER, {
        "n": np.arange(len(findings), dtype=np.int64),
        "account_id": ids[np.asarray(columns.account, dtype=np.int64)] if len(findings) else np.array([], dtype=object),
        "rule": np.array([d[0] for d in distinct], dtype=object)[findings] if len(findings) else np.array([], dtype=object),
        "col": np.array([d[2] or "" for d in distinct], dtype=object)[findings] if len(findings) else np.array([], dtype=object),
        "first_seen": np.array(columns.dates, dtype=object)[np.asarray(columns.first_seen, dtype=np.int64)] if len(findings) else np.array([], dtype=object),
    })
    con.register(EARLIER_ACCOUNTS, {"n": np.arange(len(ids), dtype=np.int64), "account_id": ids,
                                    "declared": np.array(columns.declared, dtype=object), "best_fit": np.array(columns.best_fit, dtype=object)})


def marked_sql(findings: str, as_of: date) -> tuple[str, str]:
    """(the earlier run's finding keys, the findings with their `status` and `first_seen`) as two SELECTs."""
    keys = f"SELECT account_id, rule, col, ARG_MAX(first_seen, n) AS first_seen FROM {EARLIER} GROUP BY account_id, rule, col"
    picked = ", ".join(f"f.{c}" for c in FINDING_COLUMNS if c not in ("status", "first_seen"))
    marked = (f"SELECT {picked}, CASE WHEN e.rule IS NULL THEN '{NEW}' ELSE '{STILL_OPEN}' END AS status, "
              f"COALESCE(e.first_seen, {text(as_of.isoformat())}) AS first_seen "
              f"FROM {findings} AS f LEFT JOIN {EARLIER_KEYS} AS e ON f.account_id = e.account_id AND f.rule = e.rule AND {_key('f')} = e.col")
    return keys, marked


def changes_sql(findings: str, since: date) -> str:
    """The summary's `changes` in one row: since, new, still open, resolved, stages moved, accounts added and removed."""
    now = f"SELECT DISTINCT account_id, rule, {_key('f')} AS col FROM {findings} AS f"
    before = f"SELECT account_id, ARG_MAX(declared, n) AS declared, ARG_MAX(best_fit, n) AS best_fit FROM {EARLIER_ACCOUNTS} GROUP BY account_id"
    return f"""SELECT {text(since.isoformat())} AS since,
  (SELECT COUNT(*) FROM {findings} WHERE status = '{NEW}') AS new,
  (SELECT COUNT(*) FROM {findings} WHERE status = '{STILL_OPEN}') AS still_open,
  (SELECT COUNT(*) FROM {EARLIER_KEYS} AS e LEFT JOIN ({now}) AS n ON e.account_id = n.account_id AND e.rule = n.rule AND e.col = n.col
     WHERE n.rule IS NULL AND e.account_id IN (SELECT account_id FROM {SIGNALS})) AS resolved,
  (SELECT COUNT(*) FROM ({before}) AS b JOIN {JUDGED} AS j ON b.account_id = j.account_id
     WHERE COALESCE(b.declared, '') <> COALESCE(j.declared_stage, '') OR COALESCE(b.best_fit, '') <> COALESCE(j.best_fit_stage, '')) AS stages_moved,
  (SELECT COUNT(*) FROM {SIGNALS} WHERE account_id NOT IN (SELECT account_id FROM {EARLIER_ACCOUNTS})) AS accounts_added,
  (SELECT COUNT(DISTINCT account_id) FROM {EARLIER_ACCOUNTS} WHERE account_id NOT IN (SELECT account_id FROM {SIGNALS})) AS accounts_removed"""


# --- an earlier Parquet output as the baseline (`--baseline findings.parquet`) ---------------------


@dataclass(frozen=True)
class EarlierParquet:
    """An earlier run's Parquet output: its findings, its accounts file and what its summary says."""

    findings: Path
    accounts: Path
    as_of: date
    playbook_version: str

    @property
    def name(self) -> str:
        return str(self.findings)


def beside(findings: Path, suffix: str) -> Path:
    """A file that goes with findings.parquet, named after it: `findings` + `suffix` (findings.accounts.parquet…)."""
    return findings.with_name(findings.name.removesuffix(".parquet") + suffix)


def accounts_path(findings: Path) -> Path:
    """findings.parquet's accounts file: findings.accounts.parquet."""
    return beside(findings, ACCOUNTS_SUFFIX)


def accounts_sql() -> str:
    """The accounts file's rows: every account's id, export row, declared stage and best fit."""
    return f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM {JUDGED}"


def load_parquet_baseline(path: Path, playbook_version: str, as_of: date) -> EarlierParquet:
    """`--baseline findings.parquet`: the summary and the accounts file beside it must be there; a run of another
    playbook version or a later date is refused (InputError), as a JSON baseline is."""
    summary, accounts = path.with_suffix(".summary.json"), accounts_path(path)
    for needed in (path, summary, accounts):
        if not needed.exists():
            raise InputError("history.baseline_parquet_incomplete", path=path, missing=needed.name)
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
        earlier = EarlierParquet(path, accounts, date.fromisoformat(data["as_of"]), str(data["playbook_version"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise InputError("history.baseline_parquet_summary", path=path, summary=summary.name, detail=str(exc) or type(exc).__name__) from None
    if earlier.playbook_version != playbook_version:
        raise InputError("history.baseline_other_version", path=path, theirs=earlier.playbook_version, ours=playbook_version)
    if earlier.as_of > as_of:
        raise InputError("history.baseline_later", path=path, theirs=earlier.as_of.isoformat(), ours=as_of.isoformat())
    return earlier


def register_parquet(con: Any, earlier: EarlierParquet) -> None:
    """The earlier Parquet output as the relations EARLIER and EARLIER_ACCOUNTS (register_earlier's), read by the
    engine; a file without the columns they need is an InputError naming it. Stops (InputError) when none of
    its accounts is in this run's export, as `checker.history.changes.comparable` does."""
    for kind, path in (("findings", earlier.findings), ("accounts", earlier.accounts)):
        raw = f"pb_earlier_{kind}_file"
        if isinstance(con, duckdb.DuckDBPyConnection):
            source = f"{path}/*.parquet" if path.is_dir() else str(path)  # a cluster's output is a folder of part files
            try:
                con.execute(f"CREATE OR REPLACE TEMP VIEW {raw} AS SELECT * FROM read_parquet({text(source)})")
                names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()]
            except duckdb.Error as exc:
                raise InputError("history.baseline_parquet_unreadable", path=path, detail=error_line(exc)) from None
        else:  # Spark (spark_findings.SparkConnection): its own Parquet reader
            names = con.read_parquet(raw, path)
        missing = [c for c in _READ[kind] if c not in names]
        if missing:
            raise InputError("history.baseline_parquet_columns", path=path, missing=", ".join(missing), found=", ".join(names))
    first = f"COALESCE(first_seen, {text(earlier.as_of.isoformat())})"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {EARLIER} AS SELECT row AS n, account_id, rule, {_key('f')} AS col, {first} AS first_seen "
                "FROM pb_earlier_findings_file AS f")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {EARLIER_ACCOUNTS} AS SELECT row AS n, account_id, declared_stage AS declared, "
                "best_fit_stage AS best_fit FROM pb_earlier_accounts_file")
    total, shared = con.execute(f"SELECT COUNT(*), COUNT(s.account_id) FROM (SELECT DISTINCT account_id FROM {EARLIER_ACCOUNTS}) AS e "
                                f"LEFT JOIN (SELECT DISTINCT account_id FROM {SIGNALS}) AS s ON e.account_id = s.account_id").fetchone()
    if total and not shared:
        raise InputError("history.baseline_other_export", path=earlier.name, n=total)
