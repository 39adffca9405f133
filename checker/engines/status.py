"""Week over week in SQL: each finding of a Parquet output marked `new` or `still-open` against
an earlier run's report (`check --output findings.parquet --baseline LAST.json`), and the
summary's `changes`, as `checker.history.changes` gives them for the other formats.

A finding is the same finding from one run to the next when its account, its rule and, for a
data finding (one rule id for every bad cell), its column are (history.baseline.FindingKey);
its `first_seen` is the earlier run's, or this run's date for a new one. The earlier run
arrives as its report's columns (`history.baseline.Columns`: what `--baseline` reads, from the
index beside the report when there is one); they are handed to DuckDB as arrays and compared
there with a join, no Python loop per finding.
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

import duckdb
import numpy as np

from checker.engines.rules_sql import FINDING_COLUMNS, JUDGED, SIGNALS, text

EARLIER = "pb_earlier"  # the earlier run's findings, one row each
EARLIER_KEYS = "pb_earlier_keys"  # … one row per finding key: a key repeated counts once, as its last finding
EARLIER_ACCOUNTS = "pb_earlier_accounts"
NEW, STILL_OPEN = "new", "still-open"  # as checker.history.changes writes them


class EarlierColumns(Protocol):
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
