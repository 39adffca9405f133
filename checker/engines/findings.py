"""The findings of a check computed in SQL and written as Parquet (`check --output findings.parquet`).

On the default engine the account table's columns are handed to an embedded DuckDB as they
are (numpy arrays, no Python loop per account), `checker.engines.rules_sql` computes the
findings there, and `COPY … TO … (FORMAT parquet)` writes one row per finding. The findings
that come from Python-only inputs (data notes, the account review) are few; they are made
here from the account table and the merged reviews and join the SQL's in the same table.

The summary (counts by kind and severity, accounts flagged, evidence coverage, the stage
matrix declared × best fit, expectations not evaluated) is computed in SQL too; `check`
writes it as JSON beside the Parquet file (`findings.summary.json` for `findings.parquet`), and
the rules' advice and handbook links as `findings.rules.parquet` (checker/engines/rules_table.py).
"""
from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from checker.engines.output_table import DuckTables, OutputTable, check_target, rules_of, save
from checker.engines.rules_sql import FINDING_COLUMNS, JUDGED, SIGNALS, RulesSQL, shown_value, text
from checker.engines.rules_table import register_rules, rules_path
from checker.engines.status import (
    EARLIER_KEYS,
    NEW,
    STILL_OPEN,
    EarlierColumns,
    EarlierParquet,
    accounts_path,
    accounts_sql,
    changes_sql,
    marked_sql,
    register_earlier,
    register_parquet,
)
from checker.evaluate import DATA_KIND, DATA_SEVERITY, Evaluation, Evaluator, data_rule_id
from checker.inputs.accounts import AccountTable
from checker.inputs.engine import error_line
from checker.inputs.files import InputError
from checker.playbook.model import FINDING_KINDS, SEVERITIES, Playbook
from checker.reviews import ReviewState, add_review_findings, coverage

if TYPE_CHECKING:
    from checker.inputs.engine import Engine
    from checker.inputs.logs import Kept

FINDINGS = "pb_findings"
MARKED = "pb_marked"  # the findings with their status since an earlier run (--baseline)
EXTRA = "pb_python_findings"  # the findings made in Python (data, review), as rows of FINDING_COLUMNS
_TYPES = {"account_index": "BIGINT", "row": "BIGINT", "near_line": "BOOLEAN", "seq": "INTEGER"}  # of EXTRA's columns; the others are text
#: The columns findings.parquet holds, in order (account_index and seq order the rows only where a test reads them).
PARQUET_COLUMNS = tuple(c for c in FINDING_COLUMNS if c not in ("account_index", "seq"))
#: The order of the rows written: the export's, then each account's findings as the JSON report lists them (the rest makes it total).
ORDER = "account_index, seq, rule, signal, observed, expected"
WAIVER_COLUMNS = ("waived_until", "waived_reason", "waived_by")  # with --waivers: the waiver silencing the finding, NULL for the others
WAIVED = "pb_waived"  # with --waivers: per account, rule and kind the waiver covering it (checker/history/narrow_sql.py)
WITH_WAIVERS = "pb_with_waivers"
NARROWED = "pb_narrowed"  # the findings --owner, --kind and --min-severity keep
#: DuckDB's memory limit for the findings (None: DuckDB's default, 80 % of the machine's). Sorting the rows (ORDER)
#: takes the command's peak from 517 MB to 773 MB at 300,000 accounts, 1.23 GB to 2.05 GB at 1,000,000 (README,
#: "Findings as a table"). A lower limit made DuckDB spill, and fail: at 1,000,000 accounts 256 MB and 512 MB ran
#: out of memory while pinning the sort's blocks (400 MB and 600 MB passed once each): not a limit to rely on.
MEMORY_LIMIT: str | None = None


def register(con: duckdb.DuckDBPyConnection, table: AccountTable, playbook: Playbook, name: str = SIGNALS, signals: Iterable[str] | None = None) -> None:
    """The account table as the relation `name` (rules_sql's input): its numpy columns as they are, NaN read as NULL;
    `signals`: only these of the playbook's (checker/engines/signals_view.py: the others are in the engine)."""
    data: dict[str, np.ndarray] = {
        "account_index": np.arange(len(table), dtype=np.int64),
        "account_id": np.array(table.ids, dtype=object),
        "row": np.asarray(table.rows, dtype=np.int64),
        "account_name": np.array(table.names, dtype=object),
        "owner": np.array(table.owners, dtype=object),
        "declared_stage": np.array(table.declared, dtype=object),
    }
    for signal in playbook.signals if signals is None else signals:
        data[signal] = np.asarray(table.columns.get(signal), dtype=np.float64)
    con.register(name, data)


def python_findings(table: AccountTable, evaluator: Evaluator, review: ReviewState) -> list[tuple]:
    """The findings the SQL does not compute: data notes (seq 1, after the verdict) and the
    account review's (last), as rows of FINDING_COLUMNS without a best fit (filled in SQL)."""
    rows: list[tuple] = []

    def row(index: int, rule: str, kind: str, severity: str, evidence: dict, seq: int) -> tuple:
        return (index, table.ids[index], table.rows[index], table.names[index], table.owners[index], table.declared[index], None, rule, kind, severity,
                evidence.get("signal"), shown_value(evidence.get("observed")), shown_value(evidence.get("expected")), False, None, None, seq)

    for index, notes in sorted(table.notes.items()):
        for note in notes:
            rows.append(row(index, data_rule_id(note.code), DATA_KIND, DATA_SEVERITY, {"signal": note.column, "observed": note.values.get("value")}, 1))
    last = len(evaluator.playbook.rules) + 2
    reviews = Evaluation([], np.zeros((0, 0, 2)), defaultdict(list), [])  # type: ignore[arg-type]  # only the accounts a review names get a list
    add_review_findings(reviews, table, review, evaluator)
    for index, found in sorted(reviews.findings.items()):
        rows.extend(row(index, f.rule, f.kind, f.severity, f.evidence or {}, last) for f in found)
    return rows


@dataclass
class SQLCheck:
    """One check's findings in a DuckDB connection: the table JUDGED and the view FINDINGS."""

    con: duckdb.DuckDBPyConnection
    rules: RulesSQL
    accounts: int
    findings: str = FINDINGS  # the findings' table (MARKED once compared with an earlier run, then narrowed)
    since: date | None = None  # the earlier run's date, with a baseline
    every: str | None = None  # once narrowed by filters: the findings before them (what the summary's left_out counts against)
    left: dict | None = None  # … and the filters, as the summary's left_out names them
    waived: bool = False  # the findings carry WAIVER_COLUMNS (--waivers)
    counted: dict[str, int] | None = None  # by severity, the findings no waiver silences (what --fail-on counts), once summary() ran

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns written (findings.parquet's, or --output-table's)."""
        return PARQUET_COLUMNS + (WAIVER_COLUMNS if self.waived else ())

    def rows(self, columns: str = ", ".join(FINDING_COLUMNS)) -> list[tuple]:
        return self.con.execute(f"SELECT {columns} FROM {self.findings} ORDER BY account_index, seq, rule, signal").fetchall()

    def mark(self, earlier: EarlierColumns | EarlierParquet, since: date) -> None:
        """Mark every finding new or still open since the earlier run (checker/engines/status.py): its report's
        columns, or its Parquet output, read by the engine."""
        if isinstance(earlier, EarlierParquet):
            register_parquet(self.con, earlier)
        else:
            register_earlier(self.con, earlier)
        keys, marked = marked_sql(self.findings, self.rules.as_of)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {EARLIER_KEYS} AS {keys}")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {MARKED} AS {marked}")
        self.findings, self.since = MARKED, since

    def narrow(self, keep: str | None, waived: dict[str, np.ndarray] | None = None, left: dict | None = None) -> None:
        """With `waived` (columns account_id, rule, kind and WAIVER_COLUMNS: the waiver covering each such finding),
        mark every finding with its waiver; with `keep` (an SQL condition on a finding's columns), keep only the
        findings it holds for, `left` naming the filters for the summary's left_out. After `mark`: what is
        resolved since a baseline is of every finding. checker/history/narrow_sql.py makes them from the options."""
        source = self.findings
        if waived is not None:
            picked = ", ".join(f"f.{c}" for c in FINDING_COLUMNS)
            if len(waived["account_id"]):
                self.con.register(WAIVED, waived)
                sql = (f"SELECT {picked}, {', '.join(f'CAST(w.{c} AS VARCHAR) AS {c}' for c in WAIVER_COLUMNS)} FROM {source} AS f "  # text even when no waiver names its author
                       f"LEFT JOIN {WAIVED} AS w ON f.account_id = w.account_id AND f.rule = w.rule AND f.kind = w.kind")
            else:  # no waiver in force covers a finding: the columns, empty
                sql = f"SELECT {picked}, {', '.join(f'CAST(NULL AS VARCHAR) AS {c}' for c in WAIVER_COLUMNS)} FROM {source} AS f"
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {WITH_WAIVERS} AS {sql}")
            source, self.waived = WITH_WAIVERS, True
        self.findings = source
        if keep:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {NARROWED} AS SELECT * FROM {source} WHERE {keep}")
            self.every, self.findings, self.left = source, NARROWED, left

    def summary(self) -> dict:
        """The run's numbers, computed in SQL: as the JSON report's summary names them, and the stage matrix."""
        con = self.con
        silenced = "waived_until IS NOT NULL" if self.waived else "FALSE"
        counts = con.execute(f"SELECT kind, severity, {silenced} AS w, COUNT(*) FROM {self.findings} GROUP BY kind, severity, w").fetchall()
        by_severity = {s: sum(n for _, sev, _, n in counts if sev == s) for s in SEVERITIES}
        by_kind = {k: sum(n for kind, _, _, n in counts if kind == k) for k in FINDING_KINDS}
        total = sum(n for *_, n in counts)
        self.counted = {s: sum(n for _, sev, w, n in counts if sev == s and not w) for s in SEVERITIES}
        (flagged,) = con.execute(f"SELECT COUNT(DISTINCT account_index) FROM {self.findings}").fetchone()
        declared, fitted = con.execute(f"SELECT COUNT(declared_stage), COUNT(best_fit_stage) FROM {JUDGED}").fetchone()
        matrix: dict[str, dict[str, int]] = {}
        for row, column, n in con.execute(f"SELECT declared_stage, best_fit_stage, COUNT(*) FROM {JUDGED} GROUP BY declared_stage, best_fit_stage").fetchall():
            matrix.setdefault(row or "", {})[column or ""] = n
        n = self.accounts

        def part(count: int) -> dict:
            return {"count": count, "share": round(count / n, 4) if n else None}

        phases = [*self.rules.playbook.phases, ""]
        stages = [*(s.id for s in self.rules.stages), ""]
        changes = None
        if self.since is not None or self.waived:  # as the JSON summary's `changes`: with --baseline or --waivers
            changes = dict.fromkeys(("since", "new", "still_open", "resolved", "waived", "stages_moved", "accounts_added", "accounts_removed"))
            changes["waived"] = total - sum(self.counted.values())
            if self.since is not None:  # resolved and moved of every finding; new and still open of those kept and not waived
                row = con.execute(changes_sql(self.every or self.findings, self.since)).fetchone()
                changes |= dict(zip(("since", "new", "still_open", "resolved", "stages_moved", "accounts_added", "accounts_removed"), row, strict=True))
                if self.every or self.waived:
                    changes["new"], changes["still_open"] = con.execute(
                        f"SELECT CAST(COALESCE(SUM(CASE WHEN status = {text(NEW)} AND NOT ({silenced}) THEN 1 ELSE 0 END), 0) AS BIGINT), "
                        f"CAST(COALESCE(SUM(CASE WHEN status = {text(STILL_OPEN)} AND NOT ({silenced}) THEN 1 ELSE 0 END), 0) AS BIGINT) FROM {self.findings}").fetchone()
        left = None
        if self.every is not None:  # what the filters left out, as the JSON summary's left_out counts it
            every, accounts = con.execute(f"SELECT COUNT(*), COUNT(DISTINCT account_index) FROM {self.every}").fetchone()
            left = (self.left or {}) | {"findings": every - total, "accounts_flagged": accounts - flagged}
        return {
            "accounts": n,
            "accounts_flagged": flagged,
            "findings": total,
            "findings_by_severity": by_severity,
            "findings_by_kind": by_kind,
            "expectations_not_evaluated": con.execute(self.rules.not_evaluated_sql()).fetchone()[0],
            "coverage": {"accounts": n, "declared_stage": part(declared), "best_fit": part(fitted)},
            # Declared phase (rows: stages, endings, "" not recognised) × best-fit stage (columns, "" none): the diagonal is health.
            "stage_matrix": {r: {c: matrix.get(r, {}).get(c, 0) for c in stages} for r in phases if r or r in matrix},
        } | ({"changes": changes} if changes else {}) | ({"left_out": left} if left else {})

    def select(self) -> str:
        """The rows written, in ORDER: the same every run of the same export."""
        return f"SELECT {', '.join(self.columns)} FROM {self.findings} ORDER BY {ORDER}"

    def write_table(self, target: OutputTable, rules: str | None = None) -> None:
        """The findings as the engine's table `target` (`--output-table`; checker/engines/output_table.py), and the
        query `rules` as the table beside it (checker/engines/rules_table.py), in the same transaction where the engine has one."""
        if target.url is not None:  # a warehouse's: the rows computed here, streamed there (checker/engines/warehouse_output.py)
            from checker.engines.warehouse_output import write_findings

            write_findings(self.con, self.select(), target, rules)
        elif isinstance(self.con, duckdb.DuckDBPyConnection):
            if target.database is None:
                raise ValueError("a DuckDB output table needs its database file")
            tables = DuckTables(self.con, target.database)
            try:
                save(tables, self.select(), target, "duckdb", rules)
            finally:
                tables.close()
        else:  # Spark's (checker/engines/spark_findings.py), or any engine's connection with table_columns and write_table
            save(self.con, self.select(), target, getattr(self.con, "name", "spark"), rules)

    def write_parquet(self, path: Path) -> None:
        """COPY the findings to a Parquet file, whole or not at all (a temporary file beside it, then renamed),
        in ORDER (sorted by the engine, which spills to its work folder beyond its memory)."""
        select = self.select()
        write_parquet(self.con, select, path)


def write_accounts(check: SQLCheck, findings: Path) -> None:
    """Beside the findings, every account's declared stage and best fit (findings.accounts.parquet): what a later
    run's `--baseline findings.parquet` compares stages with and counts accounts by (checker/engines/status.py)."""
    write_parquet(check.con, accounts_sql(), path=accounts_path(findings))


def write_parquet(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    """The rows of `select` as the Parquet file `path`, whole or not at all (written beside, then renamed);
    on Spark, by Spark (checker/engines/spark_findings.py)."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        con.write_parquet(select, path)
        return
    handle, temp = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        con.execute(f"COPY ({select}) TO {text(temp)} (FORMAT parquet)")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sql_check(table: AccountTable, playbook: Playbook, as_of: date, lang: str, review: ReviewState | None = None,
              con: duckdb.DuckDBPyConnection | None = None, kept: Kept | None = None) -> SQLCheck:
    """Compute a check's findings in DuckDB (the rules as SQL plus the Python-only findings); `kept`: the logs'
    signals, left in the engine `con` runs on, are merged with the account table there (signals_view.py)."""
    from checker.engines.signals_view import ACCOUNTS, kept_view, uploaded
    from checker.engines.spark_table import SparkTable, note_findings, register_accounts

    con = con or duckdb.connect()
    rules = RulesSQL(playbook, as_of, lang, table.columns.present)
    name, signals = (SIGNALS, list(playbook.signals)) if kept is None else (ACCOUNTS, uploaded(playbook, kept))
    if isinstance(table, SparkTable):  # the account table kept in Spark: its view there (spark_table.py)
        register_accounts(table, playbook, name, signals)
    else:
        register(con, table, playbook, name, signals)  # the account table's columns go up once
    if kept is not None:
        kept_view(con, table, playbook, kept)
    judged, _ = rules.statements()
    con.execute(judged)
    sql = rules.findings_sql()
    if isinstance(table, SparkTable):  # its data notes' findings made in Spark (no review on that path)
        extra: list | bool = True
        note_findings(table, EXTRA, (review or ReviewState()).said_once)
    elif extra := python_findings(table, Evaluator(playbook, as_of, lang, ""), review or ReviewState()):  # joined in the same statement (no INSERT: an engine's temporary views take none)
        con.register(EXTRA, {name: np.array([r[i] for r in extra], dtype=object) for i, name in enumerate(FINDING_COLUMNS)})
    if extra:
        picked = ", ".join("j.best_fit_stage" if c == "best_fit_stage" else f"CAST(e.{c} AS {_TYPES.get(c, 'VARCHAR')})" for c in FINDING_COLUMNS)
        sql += f"\nUNION ALL\nSELECT {picked} FROM {EXTRA} AS e LEFT JOIN {JUDGED} AS j ON j.account_index = e.account_index"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {FINDINGS} AS {sql}")
    return SQLCheck(con, rules, len(table))


def written(check: SQLCheck, output: Path | OutputTable, narrow: Callable[[SQLCheck], None] | None, handbook_url: str | None = None) -> dict:
    """The findings narrowed (`narrow`: --owner, --kind, --min-severity, --waivers), written to the Parquet file
    (with its accounts file beside: what a later `--baseline findings.parquet` reads) or table, counted; the rules
    (their advice and handbook links under `handbook_url`: checker/engines/rules_table.py) beside them."""
    if narrow is not None:
        narrow(check)
    rules = register_rules(check.con, check.rules.playbook, check.rules.as_of, check.rules.lang, handbook_url)
    if isinstance(output, OutputTable):
        check.write_table(output, rules)
    else:
        check.write_parquet(output)
        write_accounts(check, output)
        write_parquet(check.con, rules, rules_path(output))
    return check.summary()


def parquet_check(table: AccountTable, review: ReviewState, playbook: Playbook, as_of: date, lang: str, output: Path | OutputTable, work: Path,
                  earlier: EarlierColumns | EarlierParquet | None = None, since: date | None = None, engine: str = "duckdb",
                  narrow: Callable[[SQLCheck], None] | None = None, opened: Engine | None = None, kept: Kept | None = None,
                  handbook_url: str | None = None) -> tuple[dict, dict[str, int]]:
    """`check --output findings.parquet` (or `--output-table NAME`): the findings computed in DuckDB (or on Spark:
    `engine`) and written to `output`, marked against the `earlier` run of `since` when given and narrowed by
    `narrow`; returns the summary (the numbers from SQL, what was read from the table) that `check` writes, and
    by severity the findings no waiver silences (what --fail-on counts). DuckDB spills to `work`.
    `opened`: the engine the logs were read by (closed by who opened it), `kept`: their signals left in it;
    `handbook_url`: the --handbook-url of the rules' links (None: the playbook's)."""
    if engine == "spark":  # the same SQL, through checker/engines/spark_findings.py
        from checker.engines.choose import open_engine
        from checker.engines.spark_findings import SparkConnection
        from checker.engines.spark_launch import failure
        from checker.inputs.engine import EngineError

        spark = SparkConnection(opened or open_engine(engine, work))  # type: ignore[arg-type]  # a SparkEngine for "spark"
        try:
            if isinstance(output, OutputTable):  # a table that cannot be written is refused before the rules run
                check_target(spark, output, engine)
            check = sql_check(table, playbook, as_of, lang, review, spark, kept)  # type: ignore[arg-type]
            if earlier is not None and since is not None:
                check.mark(earlier, since)
            summary = written(check, output, narrow, handbook_url)
        except EngineError as exc:
            raise failure(engine, str(exc), work / "spark.log") from None
        finally:
            if opened is None:
                spark.close()
    else:
        con = duckdb.connect() if opened is None else opened.db  # type: ignore[attr-defined]  # a DuckEngine's
        con.execute("SET preserve_insertion_order = false")  # what is written is in ORDER; the steps before it need keep no order (less memory)
        if opened is None:  # (an engine's spills where it was told)
            con.execute(f"SET temp_directory = {text(str(work))}")
            if MEMORY_LIMIT is not None:
                con.execute(f"SET memory_limit = {text(MEMORY_LIMIT)}")
        try:
            check = sql_check(table, playbook, as_of, lang, review, con, kept)
            if earlier is not None and since is not None:
                check.mark(earlier, since)
            summary = written(check, output, narrow, handbook_url)
        except duckdb.Error as exc:  # e.g. out of memory: one line, never a traceback
            raise InputError("findings_output.failed", engine="duckdb", detail=error_line(exc)) from None
    unusable = [{"row": row.row, "message": playbook.text(row.code, lang, row=row.row, **row.values)} for row in table.unusable]
    if table.rows_read != len(table) + len(unusable):
        raise AssertionError("every row read must be accounted for")
    # The coverage's review parts (recent reviews, no stage at all, the assessments files) are the
    # account review's, from Python-only inputs: as the JSON report has them, with the SQL's counts.
    from checker.engines import spark_table

    if isinstance(table, spark_table.SparkTable):  # counted in Spark
        covered, noted = spark_table.coverage(table, review, playbook, as_of), spark_table.noted(table, EXTRA)
    else:
        covered, noted = coverage(table, Evaluation([], np.zeros((0, 0, 2)), [], []), review, playbook, as_of), len(table.notes)
    summary["coverage"] = covered | summary["coverage"]
    summary |= {
        "rows_read": table.rows_read,
        "rows_unusable": len(unusable),
        "rows_with_data_problems": noted + len(unusable),
        "footer_rows_skipped": table.footer_rows,
        "signal_columns": sorted(table.columns.present),
        "ignored_columns": table.ignored_columns,
        "mapping_unmatched": table.mapping_unmatched,
        "encoding": table.encoding,
        "mixed_encoding": dict(zip(("lines_utf8", "lines_windows_1252"), table.mixed_encoding, strict=True)) if table.mixed_encoding else None,
    } | ({"thresholds": playbook.thresholds.as_json()} if playbook.thresholds else {})
    return {"as_of": as_of.isoformat(), "lang": lang, "playbook_version": playbook.manifest["version"], "input": table.path.name,
            **({"findings_table": output.name, "rules_table": rules_of(output).name} if isinstance(output, OutputTable)
               else {"findings_file": output.name, "accounts_file": accounts_path(output).name, "rules_file": rules_path(output).name}),
            "columns": list(check.columns), "summary": summary, "unusable_rows": unusable}, check.counted or {}
