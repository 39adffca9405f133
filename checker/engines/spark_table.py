"""`check --engine spark --output findings.parquet` with the account table kept in Spark (issue 25).

With an `--accounts-table` (or a Parquet account export) the account table is parsed on the
executors (spark_accounts.py) and stays there: the logs are linked to its ids and names there
(`known_ids`), the rules read it there (the view ACCOUNTS of signals_view.py), the data notes'
findings are made there from its `notes` column, and the summary's counts (accounts, rows with
data problems, declared stages, accounts without a stage) are counted there. What comes to this
process: the counts, the unusable rows (the summary lists each), and the few notes the logs give
(deals in several currencies, won deals without an amount).

`SparkTable` stands for `AccountTable` on that path: the numbers the summary reports of the
export, without the per-account lists. Reviews (`--assessments`), `--stage-history`, an XLSX,
CSV or zip export, a JSON `--baseline` and `--waivers` need the table in this process: `applies` says when this path is taken, and the others stay as they were.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from checker.engines.rules_sql import shown_value
from checker.engines.spark_accounts import ACCOUNT_ROWS, SparkAccounts, parse_accounts
from checker.engines.spark_launch import failure
from checker.evaluate import DATA_KIND, DATA_SEVERITY, data_rule_id
from checker.inputs.accounts import DataNote, UnusableRow
from checker.inputs.columns import Columns
from checker.inputs.files import InputError, is_parquet
from checker.inputs.mappings import Mapping
from checker.inputs.signal_sql import literal
from checker.inputs.tables import TableSource
from checker.playbook.model import Playbook
from checker.reviews import ReviewState, coverage_of, says_no_stage_once

#: `PLAYBOOK_SPARK_ACCOUNTS=driver`: the account table read in this process, as before (a cluster whose executors lack this package).
DRIVER_ENV = "PLAYBOOK_SPARK_ACCOUNTS"
_LOG_NOTES = "pb_log_notes"  # the logs' notes (few), by account


@dataclass
class SparkTable:
    """An account table kept in Spark (ACCOUNT_ROWS), as `AccountTable` serves the findings output: its counts and
    what the summary reports of the export; `notes` holds only the notes the logs gave, by account."""

    path: Path
    accounts: SparkAccounts
    engine: Any  # the SparkEngine that holds it
    notes: dict[int, list[DataNote]] = field(default_factory=dict)
    columns: Columns = field(init=False)
    declared_count: int = 0  # accounts whose declared stage is one (counted by `say_no_stage_once`)
    without_stage: int = 0  # … whose stage cell is empty
    encoding: str = "utf-8"
    footer_rows: int = 0
    mixed_encoding: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        self.columns = Columns(self.accounts.size, {}, self.accounts.present)  # which signals it has; their values stay in Spark

    def __len__(self) -> int:
        return self.accounts.size

    @property
    def rows_read(self) -> int:
        return self.accounts.rows_read

    @property
    def unusable(self) -> list[UnusableRow]:
        return self.accounts.unusable

    @property
    def ignored_columns(self) -> list[str]:
        return self.accounts.header.ignored

    @property
    def mapping_unmatched(self) -> list[str]:
        return self.accounts.header.unmatched

    @property
    def view(self) -> str:
        """The engine's view of the table (what the logs are linked to: LogReader.derive)."""
        return ACCOUNT_ROWS

    def say_no_stage_once(self, playbook: Playbook, state: ReviewState) -> None:
        """reviews.say_no_stage_once, counted in Spark: when most accounts have no stage, their `data.no_stage` notes are
        left out of the findings (`note_findings`) and the coverage says it once."""
        declared, without = self.engine.one(f"SELECT COUNT(declared_stage), COALESCE(SUM(CASE WHEN declared_stage IS NULL AND declared_raw = '' "
                                            f"THEN 1 ELSE 0 END), 0) FROM {ACCOUNT_ROWS}")
        self.declared_count, self.without_stage = int(declared), int(without)
        state.said_once = says_no_stage_once(self.without_stage, len(self), playbook)

    @property
    def owners(self) -> list[str]:
        """The owners named (each once, collected when asked: `--owner`'s hint)."""
        return [owner for (owner,) in self.engine.rows(f"SELECT DISTINCT owner FROM {ACCOUNT_ROWS} ORDER BY owner")]


def applies(accounts: Path | TableSource, engine: Any, reviews: bool, stage_history: bool) -> bool:
    """Whether the account table can stay in the engine: Spark keeping the logs' signals, an account table of its catalog
    or a Parquet export (neither has footers: a mapping's footer patterns are a CSV's), and nothing that needs the table
    here (reviews, stage history)."""
    if engine is None or getattr(engine, "name", None) != "spark" or reviews or stage_history or os.environ.get(DRIVER_ENV) == "driver":
        return False
    return isinstance(accounts, TableSource) or is_parquet(accounts)


def read_table(engine: Any, accounts: Path | TableSource, playbook: Playbook, mapping: Mapping, date_format: str | None,
               stage_required: bool = True) -> SparkTable:
    """The account export parsed in Spark (spark_accounts.py); a table missing from the catalog is one message."""
    from checker.inputs.engine import EngineError
    from checker.inputs.tables import missing_table

    if isinstance(accounts, TableSource):
        try:
            source = engine.frame_of(accounts.table)
        except EngineError as exc:
            raise missing_table(engine, accounts, exc) from None
        name, path = f"{accounts} ({engine.name})", Path(accounts.table)
    else:
        source, name, path = engine.call(lambda: engine.spark.read.parquet(str(accounts))), str(accounts), accounts
    try:
        return SparkTable(path, parse_accounts(engine, source, name, playbook, mapping, date_format, stage_required), engine)
    except EngineError as exc:
        if lacking := re.search(r"ModuleNotFoundError: No module named '([^']+)'", str(exc)):  # executors without this package
            from checker.engines.spark import INSTALL

            raise InputError("error.spark_workers_lack", engine=engine.name, module=lacking[1], install=INSTALL) from None
        raise failure(engine.name, str(exc), engine.log) from None


def register_accounts(table: SparkTable, playbook: Playbook, name: str, signals: list[str]) -> None:
    """The view `name` of the rules' account columns (findings.register's, for signals_view.ACCOUNTS): the export's
    signals from ACCOUNT_ROWS, the others unknown."""
    have = table.accounts.present
    picked = ", ".join(f"`{s}`" if s in have else f"CAST(NULL AS DOUBLE) AS `{s}`" for s in signals)
    _view(table.engine, name, f"SELECT account_index, account_id, row, account_name, owner, declared_stage{', ' if picked else ''}{picked} "
                             f"FROM {ACCOUNT_ROWS}")


def note_findings(table: SparkTable, name: str, said_once: bool) -> None:
    """The view `name` of the data notes' findings as findings.python_findings makes them (rules_sql.FINDING_COLUMNS, no best fit):
    the export's notes from ACCOUNT_ROWS (without `data.no_stage` when said once), and the logs' few, joined there."""
    engine = table.engine
    logged = [(index, data_rule_id(n.code), n.column, shown_value(n.values.get("value")))
              for index, notes in sorted(table.notes.items()) for n in notes]
    engine.table(_LOG_NOTES, {"account_index": [r[0] for r in logged], "rule": [r[1] for r in logged], "signal": [r[2] for r in logged],
                              "observed": [r[3] for r in logged]},
                 {"account_index": "BIGINT", "rule": "VARCHAR", "signal": "VARCHAR", "observed": "VARCHAR"})
    rest = ("CAST(NULL AS STRING) AS best_fit_stage", "rule", f"{literal(DATA_KIND)} AS kind", f"{literal(DATA_SEVERITY)} AS severity", "signal", "observed",
            "CAST(NULL AS STRING) AS expected", "false AS near_line", "CAST(NULL AS STRING) AS status", "CAST(NULL AS STRING) AS first_seen", "1 AS seq")
    first = "a.account_index, a.account_id, a.row, a.account_name, a.owner, a.declared_stage"
    skip = " WHERE n.code <> 'data.no_stage'" if said_once else ""
    own = (f"SELECT {first}, n.rule AS rule, n.column AS signal, n.value AS observed FROM {ACCOUNT_ROWS} AS a "
           f"LATERAL VIEW explode(a.notes) t AS n{skip}")
    logs = f"SELECT {first}, l.rule, l.signal, l.observed FROM {_LOG_NOTES} AS l JOIN {ACCOUNT_ROWS} AS a ON a.account_index = l.account_index"
    _view(engine, name, f"SELECT {first.replace('a.', '')}, {', '.join(rest)} FROM ({own} UNION ALL {logs}) AS a")


def noted(table: SparkTable, name: str) -> int:
    """The accounts with a data note (`note_findings`' view `name`): the summary's rows with data problems, less the unusable."""
    return int(table.engine.one(f"SELECT COUNT(DISTINCT account_index) FROM {name}")[0])


def coverage(table: SparkTable, state: ReviewState, playbook: Playbook, as_of: date) -> dict:
    """reviews.coverage of the table in Spark (its best fit is counted by the findings' summary)."""
    return coverage_of(len(table), table.declared_count, 0, table.without_stage, state, playbook, as_of)


def _view(engine: Any, name: str, sql: str) -> None:
    """A Spark SQL view, made as Spark SQL (no translation): lazy, read by the statements after it."""
    frame = engine.call(lambda: engine.spark.sql(sql))
    engine.forget(name)
    frame.createOrReplaceTempView(name)


__all__ = ["SparkTable", "applies", "coverage", "note_findings", "noted", "read_table", "register_accounts"]
