"""The per-account table of a check made in the engine from the logs' signals where they are
(`check --engine spark --output findings.parquet`): the signals never come to this process.

The log reader leaves each log's signals in the engine (`LogReader(keep=True)`: a table per log,
one row per account of the log, `checker.inputs.logs.Kept`). Here the account table's columns go
to the engine once (`ACCOUNTS`) and the view `SIGNALS`, the rules' input (rules_sql.py), joins
them to the logs' tables by the account's position, merging as `checker.check.merge_derived` does
in numpy: a value of the account export wins, else the log's; an account with no row in a log has
0 for what would be counted there (none happened) and unknown for the rest; `relationship_start`
is the earliest first date of the logs; dates are ordinal days, as the account table holds them.

The account reviews (`--assessments`) fill a value the CRM (the export, then the logs) does not
know and are compared with the one it knows: they are few, so the logs' values of the reviewed
accounts alone are fetched (`fill_reviewed`) and merged into the account table before the reviews
are, as on the other path. `Sources.kept_from_accounts` (an export's value kept over the log's)
is counted in the engine.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from checker.engines.rules_sql import SIGNALS
from checker.inputs.accounts import AccountTable
from checker.inputs.columns import EPOCH_ORDINAL
from checker.inputs.engine import DuckEngine, Engine, as_float
from checker.inputs.logs import Kept
from checker.playbook.model import Playbook

ACCOUNTS = "pb_accounts"  # the account table's columns as read (and reviewed) in this process
REVIEWED = "pb_reviewed"  # the reviewed accounts (their positions) with the values merged in this process
_LOOKUP = "pb_reviewed_at"  # the reviewed accounts' positions, to fetch their logs' values


def connection(engine: Engine) -> Any:
    """The DuckDB connection (or its stand-in on Spark, spark_findings.py) that `checker.engines.findings` runs on `engine`."""
    if isinstance(engine, DuckEngine):
        return engine.db
    from checker.engines.spark_findings import SparkConnection

    return SparkConnection(engine)  # type: ignore[arg-type]  # the one other engine


def _number(expr: str, is_date: bool) -> str:
    """A log's value as the account table holds it (`engine.as_float`): a double, a date as its ordinal day."""
    if is_date:
        return f"CAST(date_diff('day', DATE '1970-01-01', {expr}) + {EPOCH_ORDINAL} AS DOUBLE)"
    return f"CAST({expr} AS DOUBLE)"


def _aliases(kept: Kept) -> dict[str, str]:
    tables = [t for t, _ in kept.earliest] + [where[0] for where in kept.columns.values() if where is not None]
    return {table: f"l{n}" for n, table in enumerate(dict.fromkeys(tables))}


def _joins(kept: Kept, key: str) -> str:
    return "".join(f" LEFT JOIN {table} AS {alias} ON {alias}.position = {key}" for table, alias in _aliases(kept).items())


def log_value(kept: Kept, signal: str, playbook: Playbook) -> str:
    """The SQL of a kept signal's value from its log, for an account (the log tables joined as `_joins`)."""
    alias = _aliases(kept)
    where = kept.columns[signal]
    if where is None:  # relationship_start: the earliest of the logs' first dates (np.fmin: an unknown one is passed over)
        firsts = [_number(f"{alias[t]}.{c}", True) for t, c in kept.earliest]
        return firsts[0] if len(firsts) == 1 else f"LEAST({', '.join(firsts)})"
    table, column = where
    spec = playbook.signals.get(signal)
    value = _number(f'{alias[table]}."{column}"', spec is not None and spec.type == "date")
    if signal in kept.zero:  # no row in the log: none happened
        return f"CASE WHEN {alias[table]}.position IS NULL THEN CAST(0 AS DOUBLE) ELSE {value} END"
    return value


def signals_sql(playbook: Playbook, kept: Kept) -> str:
    """The rules' input: the account table's columns (ACCOUNTS) with the logs' signals merged in (an export's
    value wins); a reviewed account's value of a signal the export lacks as merged in this process (REVIEWED)."""
    replaced = kept.replaced
    values = []
    for signal in playbook.signals:
        value = f'a."{signal}"'
        if signal in kept.columns:
            log = log_value(kept, signal, playbook)
            value = f"COALESCE({value}, {log})" if signal in kept.own else log
            if signal in replaced:
                value = f'CASE WHEN r.position IS NULL THEN {value} ELSE r."{signal}" END'
        values.append(value)
    picked = ", ".join(f'{v} AS "{s}"' for v, s in zip(values, playbook.signals, strict=True))
    reviewed = f" LEFT JOIN {REVIEWED} AS r ON r.position = a.account_index" if replaced else ""
    return (f"SELECT a.account_index, a.account_id, a.row, a.account_name, a.owner, a.declared_stage, {picked} "
            f"FROM {ACCOUNTS} AS a{_joins(kept, 'a.account_index')}{reviewed}")


def fill_reviewed(engine: Engine, table: AccountTable, kept: Kept, positions: list[int], named: set[str], playbook: Playbook) -> None:
    """Merge the logs' values of the signals `named` (those the reviews give) of the accounts at `positions` (the
    reviewed ones) into the account table, as `merge_derived` would have, so that the reviews are merged and
    compared with them as on the other path. What the export had there is counted aside (`Kept.reviewed_counts`)."""
    signals = [s for s in kept.columns if s in named and s in playbook.signals]
    if not positions or not signals:
        return
    engine.table(_LOOKUP, {"position": positions}, {"position": "BIGINT"})
    picked = ", ".join(log_value(kept, s, playbook) + f' AS "{s}"' for s in signals)
    found = engine.arrays(f"SELECT r.position, {picked} FROM {_LOOKUP} AS r{_joins(kept, 'r.position')}")
    at = np.asarray(found.pop("position"), dtype=np.intp)
    kept.reviewed = at
    for signal in signals:
        logged = as_float(found[signal])
        column = table.columns.get(signal)
        mine = column[at] if signal in kept.own else np.full(len(at), np.nan)
        if signal in kept.own:
            kept.reviewed_counts[signal] = int(np.count_nonzero(~np.isnan(mine) & ~np.isnan(logged)))
        else:
            kept.replaced.append(signal)  # its values there are read back once the reviews are merged (kept_view)
        column[at] = np.where(np.isnan(mine), logged, mine)


def uploaded(playbook: Playbook, kept: Kept) -> list[str]:
    """The signals of the account table that go to the engine (ACCOUNTS): the export's (the logs' are there)."""
    return [s for s in playbook.signals if s not in kept.columns or s in kept.own]


def kept_view(con: Any, table: AccountTable, playbook: Playbook, kept: Kept) -> None:
    """Once the account table is in the engine (ACCOUNTS: `uploaded`), the view SIGNALS over it and the logs'
    tables, and the export's values kept over the logs' counted there."""
    if kept.reviewed is not None:  # the reviewed accounts, with their merged values of the signals the export lacks
        at = kept.reviewed
        con.register(REVIEWED, {"position": at.astype(np.int64)} | {s: table.columns.get(s)[at].astype(np.float64) for s in kept.replaced})
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SIGNALS} AS {signals_sql(playbook, kept)}")
    counted = [s for s in kept.columns if s in kept.own and s in playbook.signals]
    if counted:
        # A reviewed account's value of a signal a review gives is the merged one: what the export had there was counted when it was merged.
        aside = {s: " AND r.position IS NULL" if s in kept.reviewed_counts else "" for s in counted}
        terms = ", ".join(f'SUM(CASE WHEN a."{s}" IS NOT NULL AND {log_value(kept, s, playbook)} IS NOT NULL{aside[s]} THEN 1 ELSE 0 END)' for s in counted)
        reviewed = f" LEFT JOIN {REVIEWED} AS r ON r.position = a.account_index" if kept.reviewed is not None else ""
        row = con.execute(f"SELECT {terms} FROM {ACCOUNTS} AS a{_joins(kept, 'a.account_index')}{reviewed}").fetchone()
        for signal, n in zip(counted, row, strict=True):
            kept.counted[signal] = int(n or 0) + kept.reviewed_counts.get(signal, 0)


__all__ = ["ACCOUNTS", "connection", "fill_reviewed", "kept_view", "signals_sql", "uploaded"]
