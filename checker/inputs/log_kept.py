"""The logs' signals left in the engine (`LogReader(keep=True)`, issue 25): on Spark with a Parquet
output the rules run where the signals are (checker/engines/signals_view.py), so they are never fetched."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.inputs.accounts import DataNote
from checker.inputs.log_coverage import LogStats, coverage_warnings, deal_notes


@dataclass
class Kept:
    """The logs' signals left in the engine (`LogReader(keep=True)`), never fetched: each a column of a table
    there, one row per account of the log (`position`: its place in the account table). The accounts a log
    has no row for have 0 for a signal of `zero` (none happened), else unknown; `relationship_start` is the
    earliest of `earliest` (each log's first date) unless --history-from made the logs a window."""

    columns: dict[str, tuple[str, str] | None] = field(default_factory=dict)  # signal -> (table, column); None: relationship_start, from `earliest`
    earliest: list[tuple[str, str]] = field(default_factory=list)  # (table, column) of each log's first date
    zero: frozenset[str] = frozenset()
    # Set by `checker.check` and `checker.engines.signals_view`, which merge them with the account table there:
    own: frozenset[str] = frozenset()  # the kept signals the account export has too (its value wins)
    reviewed: np.ndarray | None = None  # the positions of the reviewed accounts, whose logs' values were merged here
    replaced: list[str] = field(default_factory=list)  # … the signals (not the export's) whose values there are the merged ones
    reviewed_counts: dict[str, int] = field(default_factory=dict)  # of those accounts: the export's values kept over the logs'
    counted: dict[str, int] = field(default_factory=dict)  # every account's (Sources.kept_from_accounts)


def keep_signals(reader: Any, kept: Kept, table: str, query: str, first: str, stat: LogStats, short: bool,
                 notes: dict[int, list[DataNote]], origins: dict[str, list[str]]) -> None:
    """One log's signals as the engine's table `table` (the loop of `LogReader._derive` without fetching them; `reader`: the LogReader): the same
    signals kept, in the same order; the data notes (deals in several currencies, won deals without an
    amount) fetched for the accounts that have one."""
    reader.db.run(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT s.account_id AS position, s.* EXCLUDE (account_id) FROM ({query}) s")
    names = [n for n in reader.db.arrays(f"SELECT * FROM {table} LIMIT 0") if n != "position"]
    coverage_warnings(stat, reader.as_of, reader._windows(names), reader.history_from)
    if reader.history_from is None:  # as relationship_start's place in `values`: where the first log made it
        kept.columns.setdefault("relationship_start", None)
        kept.earliest.append((table, first))
    noted = [n for n in ("currencies", "unpriced") if n in names]
    if noted:
        noting = {"currencies": "currencies IS NOT NULL", "unpriced": "unpriced > 0"}  # what deal_notes notes (it reads the rest away)
        found = reader.db.arrays(f"SELECT position, {', '.join(noted)} FROM {table} WHERE " + " OR ".join(noting[n] for n in noted))
        deal_notes(np.asarray(found.pop("position"), dtype=np.intp), found, notes)
    fields = reader.activity_fields if first == "first_activity" else reader.deal_fields
    for signal in names:
        if signal in (first, *noted) or reader.NEEDS.get(signal, "account_id") not in fields or reader.before_history(signal):
            continue
        if signal == "contact_changes_unhandled_12m" and short:
            continue
        kept.columns[signal] = (table, signal)
        origins[signal] = [stat.name]
