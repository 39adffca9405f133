"""Signals from activity and deal logs, computed by DuckDB.

The logs can be millions of rows, so they never pass through Python row by row: DuckDB
reads the CSV, maps the CRM's headers and values to canonical fields, parses dates and
amounts, classifies activities by the keywords in `playbooks/activity-keywords.yaml`, and
aggregates one row of signals per account, relative to --as-of. The definitions follow
the signal catalogue's `measurement` texts; a window the log does not cover yields an
unknown signal, never zero.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import duckdb
import numpy as np

from checker.inputs.columns import EPOCH_ORDINAL
from checker.inputs.files import InputError
from checker.inputs.log_dates import date_sql
from checker.inputs.log_files import prepare
from checker.inputs.mappings import Mapping
from checker.inputs.signal_sql import (
    activity_signals,
    blank,
    complaint_topic,
    deal_signals,
    identifier,
    literal,
    regex_alternatives,
    text_columns,
    word_lookup,
)
from checker.inputs.values import BOOLEANS
from checker.playbook.model import Playbook
from checker.playbook.schemas import SCHEMA_DIR

ACTIVITY_FIELDS = ("account_id", "date", "type", "topic", "customer_contact", "our_contact", "status")
DEAL_FIELDS = ("account_id", "date", "amount", "status", "competitive")
MEMORY_LIMIT = "600MB"
# The canonical activity types, as the activity-keywords schema lists them.
ACTIVITY_TYPES = tuple(json.loads((SCHEMA_DIR / "activity-keywords.schema.json").read_text(encoding="utf-8"))
                       ["properties"]["interaction_types"]["items"]["enum"])


@dataclass
class LogStats:
    """What happened to every row of one log: used, or why not."""

    name: str
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0  # could not be parsed as CSV rows (ragged, bad quoting)
    rows_without_account: int = 0
    rows_bad_date: int = 0
    rows_unknown_account: int = 0  # account id not in the account export
    footer_rows: int = 0
    first_problems: list[str] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    covers_from: date | None = None


@dataclass
class Derived:
    """Signals computed from logs: signal id → float column aligned with the account table."""

    values: dict[str, np.ndarray]
    stats: list[LogStats]
    origins: dict[str, list[str]] = field(default_factory=dict)  # signal -> the logs it was computed from



def _select(field_name: str, by_field: dict[str, str], implied_type: str | None) -> str:
    """One canonical column of a log's raw table, as SQL."""
    if field_name in by_field:
        return f"{identifier(by_field[field_name])} AS {field_name}"
    if field_name == "type" and implied_type:
        return f"{literal(implied_type)} AS type"  # a per-type export: every row is of this type
    return f"NULL::VARCHAR AS {field_name}"


class LogReader:
    """Loads activity and deal logs into DuckDB and computes per-account signals."""

    def __init__(self, playbook: Playbook, mapping: Mapping, as_of: date, workdir: Path, date_format: str | None = None, sheet: str | None = None):
        self.playbook = playbook
        self.mapping = mapping
        self.as_of = as_of
        self.workdir = workdir
        self.date_format = mapping.day_order(date_format)
        self.sheet = sheet
        self.files: dict[str, str] = {}  # log kind -> its file names, for messages
        self._names: tuple[list[str], list[str]] | None = None  # account ids and names, until account_names is built
        self.db = duckdb.connect()
        self.db.execute("SET preserve_insertion_order = false")
        # Bounded memory: DuckDB spills to the work folder instead of growing with the logs.
        self.db.execute(f"SET memory_limit = {literal(MEMORY_LIMIT)}")
        self.db.execute(f"SET temp_directory = {literal(str(workdir / 'spill'))}")

    # --- loading ----------------------------------------------------------------------------------

    def _load(self, paths: list[Path], kind: str, fields: tuple[str, ...]) -> tuple[list[LogStats], set[str]]:
        """Load files into one raw view with canonical column names (missing fields as NULL)."""
        selects, stats, present = [], [], set()
        for n, path in enumerate(paths):
            source, delimiter, header, footer_rows, _ = prepare(path, kind, self.mapping, self.sheet, self.workdir)
            mapped = self.mapping.header_map(kind, header, set(fields))
            if "account_id" not in mapped.values() or "date" not in mapped.values():
                missing = [f for f in ("account_id", "date") if f not in mapped.values()]
                raise InputError("error.log_columns", path=path, missing=", ".join(missing), preset=self.mapping.id, found=", ".join(h.strip() for h in header))
            table = f"raw_{kind}_{n}"
            rejects = f"rej_{kind}_{n}"
            # Only the mapped columns are kept: a CRM's activity export may carry dozens more
            # (descriptions, e-mail bodies) that no signal reads.
            kept = ", ".join(f"c{i}" for i in sorted(mapped))
            self.db.execute(
                f"CREATE TABLE {table} AS SELECT {kept} FROM read_csv({literal(str(source))}, header=true, auto_detect=false, "
                f"columns={text_columns(len(header))}, delim={literal(delimiter)}, quote='\"', escape='\"', ignore_errors=true, store_rejects=true, "
                f"rejects_table={literal(rejects)}, rejects_scan={literal(rejects + '_scan')})")
            by_field = {target: f"c{i}" for i, target in mapped.items()}
            present |= set(by_field)
            implied = self.mapping.implied_type(header) if kind == "activities" and "type" not in by_field else None
            if implied:
                present.add("type")
            cols = ", ".join(_select(f, by_field, implied) for f in fields)
            selects.append(f"SELECT {cols} FROM {table}")
            stat = LogStats(path.name, footer_rows=footer_rows)
            stat.rows_read = self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            rejected = self.db.execute(f"SELECT count(DISTINCT line), min(line), any_value(error_message) FROM {rejects}").fetchone()
            stat.rows_rejected = rejected[0] or 0
            if stat.rows_rejected:
                stat.first_problems.append(f"{path.name}: line {rejected[1]}: {rejected[2]}")
            stat.rows_read += stat.rows_rejected
            stats.append(stat)
        if len(stats) > 1:  # several files of one kind (Salesforce's Task.csv and Event.csv) are read as one log
            stats = [LogStats(" + ".join(s.name for s in stats), rows_read=sum(s.rows_read for s in stats),
                              rows_rejected=sum(s.rows_rejected for s in stats), footer_rows=sum(s.footer_rows for s in stats),
                              first_problems=[p for s in stats for p in s.first_problems])]
        self.db.execute(f"CREATE VIEW {kind} AS " + " UNION ALL ".join(selects))
        self.files[kind] = ", ".join(str(p) for p in paths)
        return stats, present

    # --- parsing ----------------------------------------------------------------------------------

    def _vocabulary_expr(self, column: str, kind: str, canonical: tuple[str, ...], fallbacks: list[tuple[str, str]], default: str) -> str:
        vocab = {**{c: c for c in canonical}, **self.mapping.vocabulary(kind)}
        found = word_lookup(f"lower(trim(coalesce({column}, '')))", {k: literal(v) for k, v in vocab.items()})
        guesses = " ".join(f"WHEN regexp_matches(lower({column}), {literal(p)}) THEN {literal(v)}" for p, v in fallbacks)
        otherwise = f"CASE {guesses} ELSE {default} END" if guesses else default
        return f"coalesce({found}, {otherwise})"

    def _several(self, source: str, column: str) -> bool:
        """Whether some cell of `column` holds several `;`-separated values (CRMs list ids and contacts so)."""
        return bool(self.db.execute(f"SELECT count(*) FROM {source} WHERE contains({column}, ';')").fetchone()[0])

    def _split_ids(self, source: str) -> str:
        """`source` with one row per account: HubSpot and others put several ids in one cell, `;`-separated."""
        if not self._several(source, "account_id"):
            return f"SELECT * EXCLUDE (account_id), trim(account_id) AS account_id FROM {source}"  # one id per row throughout
        return (f"SELECT * EXCLUDE (account_id), trim(account_id) AS account_id FROM {source} WHERE NOT contains(account_id, ';') "
                f"UNION ALL SELECT * EXCLUDE (account_id, a), trim(a) AS account_id FROM {source} "
                f"CROSS JOIN unnest(string_split(account_id, ';')) AS t(a) WHERE contains(account_id, ';')")

    def _activities(self, paths: list[Path]) -> list[LogStats]:
        stats, present = self._load(paths, "activities", ACTIVITY_FIELDS)
        keywords = self.playbook.activity_keywords
        type_expr = self._vocabulary_expr("type", "activity_type", ACTIVITY_TYPES, [], "NULL")
        status_expr = self._vocabulary_expr("status", "activity_status", ("open", "closed"),
                                            [("complete|done|closed|finished|valmis|suljettu|tehty|^true$|^1$", "closed"),
                                             ("open|not started|in progress|waiting|deferred|avoin|kesken|^false$|^0$", "open")], "NULL")
        text = "lower(type || ' ' || topic)"
        classes = []
        for name, spec in keywords["classes"].items():
            words = spec["keywords"]["en"] + spec["keywords"]["fi"]
            types = ", ".join(literal(t) for t in spec.get("types", [])) or "NULL"
            classes.append(f"coalesce(ctype IN ({types}), false) OR regexp_matches({text}, {literal(regex_alternatives(words))}) AS c_{name.replace('-', '_')}")
        interaction = ", ".join(literal(t) for t in keywords["interaction_types"])
        date_expr = date_sql(self.db, "date", "activities", self.date_format, self.files)
        # Types and subjects repeat: classify each distinct pair once, then join.
        # Several contact ids in one cell: the first is the primary (split only where some cell has several).
        contact = "split_part(a.customer_contact, ';', 1)" if self._several("activities", "customer_contact") else "a.customer_contact"
        complaint = keywords["classes"]["complaint"]["keywords"]
        self.db.execute(f"""
            CREATE TEMP TABLE kinds AS
            SELECT *, CASE WHEN c_complaint THEN {complaint_topic("topic", complaint["en"] + complaint["fi"])} END AS complaint_topic
            FROM (SELECT type, topic, ctype, coalesce(ctype IN ({interaction}), false) AS interaction, {", ".join(classes)}
                  FROM (SELECT *, {type_expr} AS ctype FROM (SELECT DISTINCT coalesce(type, '') AS type, coalesce(topic, '') AS topic FROM activities)))""")
        self.db.execute(f"""
            CREATE TABLE acts AS
            SELECT a.account_id, a.d AS date, k.* EXCLUDE (type, topic, ctype, complaint_topic), a.cstatus,
                   nullif(trim({contact}), '') AS customer_contact,
                   nullif(trim(a.our_contact), '') AS our_contact,
                   k.complaint_topic AS topic  -- only complaints are compared by topic: worked out once per distinct subject
            FROM (SELECT *, {date_expr} AS d, {status_expr} AS cstatus FROM ({self._split_ids('activities')})) a
            JOIN kinds k ON k.type = coalesce(a.type, '') AND k.topic = coalesce(a.topic, '')
            WHERE a.account_id <> '' AND a.d IS NOT NULL""")
        self._count(stats, "activities", "acts", date_expr)
        stats[0].unknown_types = dict(self.db.execute(
            "SELECT type, count(*) FROM activities JOIN (SELECT DISTINCT type FROM kinds WHERE ctype IS NULL AND type <> '') USING (type) "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 10").fetchall())
        self.activity_fields = present
        self._forget("activities", len(paths))
        return stats

    def _deals(self, paths: list[Path]) -> list[LogStats]:
        stats, present = self._load(paths, "deals", DEAL_FIELDS)
        date_expr = date_sql(self.db, "date", "deals", self.date_format, self.files)
        status_expr = self._vocabulary_expr("status", "deal_status", ("open", "won", "lost"),
                                            [("won|voitettu|^true$", "won"), ("lost|hävitty|havitty|menetetty", "lost")], "'open'")
        # A plain number as it is; otherwise without spaces and currency, the later of ',' and
        # '.' being the decimal separator and the other one grouping thousands.
        amt = "regexp_replace(amount, '[\\s\u00a0€$£]|EUR|USD', '', 'g')"
        amount = (f"coalesce(TRY_CAST(amount AS DOUBLE), TRY_CAST(CASE WHEN {amt} LIKE '%,%' AND {amt} LIKE '%.%' "
                  f"THEN CASE WHEN strpos(reverse({amt}), ',') < strpos(reverse({amt}), '.') THEN replace(replace({amt}, '.', ''), ',', '.') "
                  f"ELSE replace({amt}, ',', '') END ELSE replace({amt}, ',', '.') END AS DOUBLE))")
        self.db.execute(f"""
            CREATE TABLE dls AS
            SELECT account_id, d AS date, cstatus, {amount} AS amount,
                   {word_lookup("lower(trim(competitive))", {w: str(v).lower() for w, v in BOOLEANS.items()})} AS competitive
            FROM (SELECT *, {date_expr} AS d, {status_expr} AS cstatus FROM ({self._split_ids('deals')}))
            WHERE account_id <> '' AND d IS NOT NULL""")
        self._count(stats, "deals", "dls", date_expr)
        self.deal_fields = present
        self._forget("deals", len(paths))
        return stats

    def _forget(self, kind: str, files: int) -> None:
        """Drop a log's raw text once its parsed table is built: memory for the aggregation, no spilling."""
        self.db.execute(f"DROP VIEW {kind}")
        for n in range(files):
            self.db.execute(f"DROP TABLE raw_{kind}_{n}")

    def _count(self, stats: list[LogStats], raw: str, parsed: str, date_expr: str) -> None:
        """Account for every row: used, no account, bad date, unknown account."""
        row = self.db.execute(
            f"SELECT count(*) FILTER (WHERE {blank('account_id')}), "
            f"count(*) FILTER (WHERE NOT {blank('account_id')} AND ({date_expr}) IS NULL), "
            f"any_value(date) FILTER (WHERE NOT {blank('account_id')} AND ({date_expr}) IS NULL) FROM {raw}").fetchone()
        total = stats[0]
        total.rows_without_account, total.rows_bad_date = row[0], row[1]
        if row[1]:
            total.first_problems.append(f"date '{row[2]}' cannot be read")
        unknown = self.db.execute(f"SELECT count(*) FROM {parsed} p ANTI JOIN known_ids k USING (account_id)").fetchone()[0]
        if unknown:
            # Some CRMs (Dynamics) write the account's name, not its id, in activities and deals:
            # a value that is no known id but exactly one account's name stands for that account.
            self._name_keys()
            self.db.execute(f"""
                UPDATE {parsed} SET account_id = n.account_id FROM account_names n
                WHERE lower({parsed}.account_id) = n.name_key AND {parsed}.account_id NOT IN (SELECT account_id FROM known_ids)""")
            unknown = self.db.execute(f"SELECT count(*) FROM {parsed} p ANTI JOIN known_ids k USING (account_id)").fetchone()[0]
        total.rows_unknown_account = unknown
        total.rows_used = sum(s.rows_read - s.rows_rejected for s in stats) - row[0] - row[1]
        start = self.db.execute(f"SELECT min(date) FROM {parsed}").fetchone()[0]
        total.covers_from = start.date() if hasattr(start, "date") else start

    def _name_keys(self) -> None:
        """The table `account_names` (an account's name, case-folded, → its id, for names
        only one account has), built the first time a log holds ids the export does not."""
        if self._names is not None:
            self.db.execute("""CREATE TEMP TABLE account_names AS
                SELECT lower(trim(name)) AS name_key, any_value(id) AS account_id
                FROM (SELECT unnest($1::VARCHAR[]) AS id, unnest($2::VARCHAR[]) AS name) WHERE trim(name) <> ''
                GROUP BY 1 HAVING count(*) = 1""", list(self._names))
            self._names = None

    # Signals that need a column beyond account id and date.
    _NEEDS: ClassVar[dict[str, str]] = {"customer_contacts_12m": "customer_contact", "our_contacts_12m": "our_contact", "contact_changes_unhandled_12m": "customer_contact",
              "competitive_tenders_12m": "competitive", "revenue_12m": "amount", "revenue_prev_12m": "amount",
              "joint_projects_active": "status", "repeat_complaints_open": "status"}
    _ZERO_WHEN_ABSENT: ClassVar[set[str]] = {
        "customer_contacts_12m", "our_contacts_12m", "interactions_90d", "interactions_prev_90d", "development_12m",
        "development_prev_12m", "joint_planning_12m", "contact_changes_unhandled_12m", "purchases_12m", "revenue_12m",
        "revenue_prev_12m", "competitive_tenders_12m", "repeat_complaints_open", "joint_projects_active",
    }

    def derive(self, account_ids: list[str], activities: list[Path], deals: list[Path], account_names: list[str] | None = None) -> Derived:
        """Signals per account from the logs, aligned with `account_ids`; NaN where unknown."""
        try:
            return self._derive(account_ids, activities, deals, account_names)
        except duckdb.Error as exc:  # a log DuckDB could not read: one line saying so, no traceback
            first = str(exc).strip().splitlines()[0]
            raise InputError("error.log_unreadable", detail=first) from None

    def _derive(self, account_ids: list[str], activities: list[Path], deals: list[Path], account_names: list[str] | None = None) -> Derived:
        values: dict[str, np.ndarray] = {}
        stats: list[LogStats] = []
        origins: dict[str, list[str]] = {}
        # Each account's position in the account table comes back with its signals.
        self.db.execute("CREATE TEMP TABLE known_ids AS SELECT unnest($1::VARCHAR[]) AS account_id, "
                        "generate_subscripts($1::VARCHAR[], 1) - 1 AS position", [account_ids])
        self._names = account_ids, account_names or [""] * len(account_ids)
        handover = self.playbook.activity_keywords["handover_window_days"]
        queries = {"first_activity": lambda: activity_signals(self.as_of, self.playbook.signals, self.activity_fields, handover),
                   "first_deal": lambda: deal_signals(self.as_of, self.playbook.signals, self.deal_fields)}
        for paths, load, first in ((activities, self._activities, "first_activity"), (deals, self._deals, "first_deal")):
            if not paths:
                continue
            log_stats = load(paths)
            stats.extend(log_stats)
            # Rows of accounts the export does not have were counted (rows_unknown_account) and are left out here.
            result = self.db.execute(f"SELECT k.position, s.* EXCLUDE (account_id) FROM ({queries[first]()}) s "
                                     "JOIN known_ids k USING (account_id)").fetchnumpy()
            rows = np.asarray(result.pop("position"), dtype=np.intp)
            earliest = np.full(len(account_ids), np.nan)
            earliest[rows] = _as_float(result.pop(first))
            # relationship_start: the earliest activity or deal (the account export's own date wins later).
            values["relationship_start"] = np.fmin(values.get("relationship_start", earliest), earliest)
            fields = self.activity_fields if load == self._activities else self.deal_fields
            for signal, column in result.items():
                if self._NEEDS.get(signal, "account_id") not in fields:
                    continue  # the log has no such column: the signal stays unknown
                out = np.full(len(account_ids), np.nan)
                out[rows] = _as_float(column)
                if signal in self._ZERO_WHEN_ABSENT:
                    out[np.isnan(out)] = 0.0  # no rows in the log for this account: none happened
                values[signal] = out
                origins[signal] = [s.name for s in log_stats]
        origins["relationship_start"] = [s.name for s in stats]  # the earliest activity or deal
        return Derived(values, stats, origins)


def _as_float(column: np.ndarray) -> np.ndarray:
    """DuckDB's numpy columns (ints, floats, datetimes, masked) as floats; dates as ordinal days."""
    if np.ma.isMaskedArray(column):
        mask = np.ma.getmaskarray(column)
        data = column.data
    else:
        mask, data = np.zeros(len(column), dtype=bool), column
    if np.issubdtype(data.dtype, np.datetime64):
        days = data.astype("datetime64[D]")
        result = days.astype(np.float64) + EPOCH_ORDINAL
        result[np.isnat(days)] = np.nan
    else:
        result = data.astype(np.float64)
    result[mask] = np.nan
    return result
