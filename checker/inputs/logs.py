"""Signals from activity and deal logs, computed in SQL by an engine (engine.py: DuckDB by default).

The logs can be millions of rows, so they never pass through Python row by row: the engine
reads the CSV (or Parquet), maps the CRM's headers and values to canonical fields, parses dates and
amounts, classifies activities (log_classes.py), finds each row's account, directly or
through its contact or deal (log_links.py), counts what became of every row
(log_coverage.py) and aggregates one row of signals per account, relative to --as-of
(signal_sql.py). The definitions follow the signal catalogue's `measurement` texts; a window
the log does not cover yields an unknown signal, never zero.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np

from checker.inputs.accounts import DataNote
from checker.inputs.engine import DuckEngine, Engine, EngineError, as_float
from checker.inputs.files import InputError
from checker.inputs.log_classes import ACTIVITY_TYPES, amount_expr, classify_activities, competitive_expr, deal_status_expr, row_kinds
from checker.inputs.log_coverage import EXAMPLES, LogStats, count_rows, coverage_warnings, deal_notes, skip_reason, stale_warnings
from checker.inputs.log_dates import date_sql
from checker.inputs.log_files import prepare_log
from checker.inputs.log_kept import Kept, keep_signals
from checker.inputs.log_links import cell_links, contact_links, deal_links, lead_flag, resolved, row_status, select_field
from checker.inputs.log_type_columns import Candidate, candidates, type_hints
from checker.inputs.mappings import Mapping
from checker.inputs.signal_sql import activity_signals, deal_signals
from checker.inputs.tables import TableSource
from checker.playbook.messages import Problem
from checker.playbook.model import Playbook

ACTIVITY_FIELDS = ("account_id", "date", "type", "topic", "customer_contact", "our_contact", "status", "related")
DEAL_FIELDS = ("account_id", "date", "amount", "status", "competitive", "currency", "won", "closed", "deal_id", "deal_name")
CONTACT_FIELDS = ("contact_id", "contact_name", "account_id")


@dataclass
class Derived:
    """Signals computed from logs: signal id → float column aligned with the account table."""

    values: dict[str, np.ndarray]
    stats: list[LogStats]
    origins: dict[str, list[str]] = field(default_factory=dict)  # signal -> the logs it was computed from
    notes: dict[int, list[DataNote]] = field(default_factory=dict)  # account index → data notes from the logs
    kept: Kept | None = None  # with LogReader(keep=True): the signals left in the engine (`values` is empty then)


class LogReader:
    """Loads activity and deal logs into the engine (DuckDB unless another is given) and computes per-account signals."""

    def __init__(self, playbook: Playbook, mapping: Mapping, as_of: date, workdir: Path, date_format: str | None = None,
                 sheet: str | None = None, history_from: date | None = None, engine: Engine | None = None,
                 keep: bool = False):
        self.playbook = playbook
        self.mapping = mapping
        self.as_of = as_of
        self.workdir = workdir
        self.date_format = mapping.day_order(date_format)
        self.sheet = sheet
        self.history_from = history_from
        self.files: dict[str, str] = {}  # log kind -> its file names, for messages
        self.lookups: set[str] = set()  # the link tables built so far (log_links.resolved)
        self.activity_fields: set[str] = set()
        self.deal_fields: set[str] = set()
        self.probes: dict[str, dict[str, bool]] = {}  # log kind -> what one look at it found (_probe)
        self.type_candidates: list[tuple[str, list[Candidate], str, str, list[str]]] = []  # activity files' possible type columns
        self.db: Engine = engine or DuckEngine(workdir)  # every SQL statement goes through the engine (engine.py)
        self.keep = keep  # the signals stay in the engine (Derived.kept), for the rules to run there

    # --- loading ----------------------------------------------------------------------------------

    def _load(self, paths: list[Path], kind: str, fields: tuple[str, ...]) -> tuple[LogStats, set[str]]:
        """Load files into one raw view with canonical column names (missing fields as NULL), and
        look at it once (`_probe`). A file that cannot place its rows is skipped whole, with a note
        (log_coverage.skip_reason); the fields are empty when every file was skipped (no view then)."""
        selects, stats, present = [], [], set()
        for n, path in enumerate(paths):
            source, delimiter, header, footer_rows, mixed = prepare_log(path, kind, self.mapping, self.sheet, self.workdir, self.db)
            mapped = self.mapping.header_map(kind, header, set(fields))
            try:
                skip = skip_reason(path, kind, set(mapped.values()), header, self.mapping.via(), "contact_links" in self.lookups)
            except InputError as exc:
                if not isinstance(path, TableSource) or exc.key != "error.log_columns":
                    raise
                raise InputError("error.table_columns", engine=self.db.name, table=path.table, option=path.option,
                                 **{k: v for k, v in exc.values.items() if k != "path"}) from None
            table = f"raw_{kind}_{n}"
            per_row = self.mapping.per_row(kind, header, mapped)
            # Unmapped columns that may say an activity's type are kept for the coverage note (log_type_columns).
            found = candidates(header, set(mapped) | {i for c in per_row.values() for i in c}) if kind == "activities" and not skip else []
            # Only the mapped columns are kept: a CRM's activity export may carry dozens more
            # (descriptions, e-mail bodies) that no signal reads.
            columns = [0] if skip else sorted(set(mapped) | {i for c in per_row.values() for i in c} | {int(c.column[1:]) for c in found})
            if isinstance(source, TableSource):  # a table of the engine (tables.py), read as a file with its column names as header
                self.db.read_table(f"csv_{kind}_{n}", source.table, columns)
            else:
                self.db.read_text(f"csv_{kind}_{n}", source, len(header), columns, delimiter)
            self.db.run(f"CREATE TABLE {table} AS SELECT * FROM csv_{kind}_{n}")
            stat = LogStats(path.name, kind, footer_rows=footer_rows, mixed_encoding=mixed)
            stat.rows_read = self.db.one(f"SELECT count(*) FROM {table}")[0]
            rejected = self.db.rejects(f"csv_{kind}_{n}")
            stats.append(stat)
            if skip:  # every row of the file, readable or not, is counted as skipped
                stat.rows_read = stat.rows_skipped = stat.rows_read + rejected.rows
                stat.warnings.append(skip)  # a warning: CSV reports, whose rows are findings, print it on stderr
                self.db.run(f"DROP TABLE {table}")
                continue
            stat.rows_rejected = rejected.rows
            if stat.rows_rejected:
                stat.first_problems.append(Problem("log.rejected", file=path.name, line=rejected.first_line, detail=rejected.first_error))
            stat.rows_read += stat.rows_rejected
            by_field = {target: [f"c{i}" for i in per_row.get(target, [i])] for i, target in mapped.items()}
            present |= set(by_field) & set(fields) | {"account_id"}  # a file read has its accounts, directly or through its links
            implied = self.mapping.implied_type(header) if kind == "activities" and "type" not in by_field else None
            if implied:
                present.add("type")
            cols = ", ".join(select_field(f, by_field, implied, self.mapping.lead_id_patterns) for f in fields)
            if found:
                type_sql, topic_sql = (select_field(f, by_field, implied, []).rsplit(" AS ", 1)[0] for f in ("type", "topic"))
                read_now = [header[int(c[1:])].strip() for c in by_field.get("type", [])]
                self.type_candidates.append((table, found, type_sql, topic_sql, read_now))
            where = ""
            if kind == "activities":
                cols += f", {lead_flag(by_field.get('customer_contact'), self.mapping.lead_id_patterns)} AS lead"
                if "child" in by_field:
                    # Salesforce writes a group event once per invitee (IsChild copies): it counts once.
                    child = f"coalesce({competitive_expr(by_field['child'][0])} = 'true', false)"
                    stat.rows_child_copies = self.db.one(f"SELECT count(*) FROM {table} WHERE {child}")[0]
                    where = f" WHERE NOT {child}"
            selects.append(f"SELECT {cols} FROM {table}{where}")
        # Several files of one kind (Salesforce's Task.csv and Event.csv) are read as one log.
        total = LogStats(" + ".join(s.name for s in stats), kind, rows_read=sum(s.rows_read for s in stats),
                         rows_rejected=sum(s.rows_rejected for s in stats), footer_rows=sum(s.footer_rows for s in stats),
                         rows_child_copies=sum(s.rows_child_copies for s in stats), rows_skipped=sum(s.rows_skipped for s in stats),
                         first_problems=[p for s in stats for p in s.first_problems], warnings=[w for s in stats for w in s.warnings])
        mixed_files = [s.mixed_encoding for s in stats if s.mixed_encoding]
        if mixed_files:
            total.mixed_encoding = (sum(m[0] for m in mixed_files), sum(m[1] for m in mixed_files))
        if selects:
            self.db.run(f"CREATE VIEW {kind} AS " + " UNION ALL ".join(selects))
            self._probe(kind)
        self.files[kind] = ", ".join(str(p) for p in paths)
        return total, present

    def _probe(self, kind: str) -> None:
        """One pass over an activity or deal log, for what the SQL after it needs to know (before,
        one scan each): whether some cell lists several accounts or contacts (`;`); for activities
        the distinct (type, topic, status) with their rows (`probe_activities`), which the
        classification and the report's unrecognised types read."""
        if kind == "contacts":
            return  # a contact's account: always its first (log_links.contact_links)
        checks = {"several_ids": "contains(account_id, ';')"}
        if kind == "activities":
            checks["several_contacts"] = "contains(customer_contact, ';')"
        flags = ", ".join(f"coalesce(bool_or({sql}), false) AS {name}" for name, sql in checks.items())
        if kind == "activities":
            self.db.run(f"CREATE OR REPLACE TEMP TABLE probe_activities AS SELECT type, topic, status, count(*) AS n, {flags} FROM activities GROUP BY type, topic, status")
            found = self.db.one(f"SELECT {', '.join(f'coalesce(bool_or({name}), false)' for name in checks)} FROM probe_activities")
        else:
            found = self.db.one(f"SELECT {flags} FROM {kind}")
        self.probes[kind] = dict(zip(checks, found, strict=True))

    def _split_ids(self, view: str, source: str) -> tuple[str, bool]:
        """`source` with one row per account (HubSpot and others put several ids in one cell,
        `;`-separated, in the log `view`), each with `rn`, the number of the row it came from;
        and whether any was split."""
        if not self.probes[view]["several_ids"]:
            return f"SELECT * EXCLUDE (account_id), nullif(trim(account_id), '') AS account_id, NULL::BIGINT AS rn FROM ({source})", False
        numbered = f"(SELECT *, row_number() OVER () AS rn FROM ({source}))"
        return (f"SELECT * EXCLUDE (account_id, a), nullif(trim(a), '') AS account_id FROM {numbered} "
                f"CROSS JOIN unnest(string_split(coalesce(account_id, ''), ';')) AS t(a)"), True

    def _resolve(self, table: str, view: str, source: str, present: set[str], stat: LogStats) -> None:
        """The table `table`: every row of `source` (over the log `view`) with its account
        (`acc`), how it was found and its `status`; counted into `stat`."""
        rows, split = self._split_ids(view, source)
        # The account and date texts are kept only where they may explain a row or name an
        # account otherwise than by id (memory: a large log is held once, as this table).
        dropped = "account_id, date_text" + (", related" if view == "activities" else "")
        self.db.run(f"CREATE TEMP TABLE {table} AS SELECT * EXCLUDE ({dropped}), "
                    f"CASE WHEN how IS DISTINCT FROM 'account' THEN account_id END AS account_id, CASE WHEN d IS NULL THEN date_text END AS date_text "
                    f"FROM (SELECT *, {row_status('d', 'date_text')} AS status FROM ({resolved(f'({rows})', present, self.lookups)}))")
        # Account cells that are no known id (usually none, or a few distinct texts): as an
        # account's, a contact's or a deal's name; the cell wins over the row's contact or deal.
        # A log with a contact column of its own is never read as naming contacts in its account
        # cell (Dynamics' Regarding is a log without one): there an id of an account not exported
        # is an unknown account, even where a contact happens to have the same id, and the row's
        # own contact decides.
        own_contact = "customer_contact" in present
        ways = self.lookups - {"contact_links"} if own_contact else self.lookups
        if cell_links(self.db, f"SELECT account_id AS key FROM {table} WHERE account_id IS NOT NULL", ways):
            # The rows whose cell names a record take its account, and their status again (a
            # rebuilt table rather than an UPDATE: every engine runs it).
            self.db.run(f"""CREATE OR REPLACE TEMP TABLE {table} AS
                SELECT * EXCLUDE (status, named), CASE WHEN named THEN {row_status('d', 'date_text')} ELSE status END AS status
                FROM (SELECT t.* EXCLUDE (acc, how, named_contact), k.key IS NOT NULL AS named, CASE WHEN k.key IS NULL THEN t.acc ELSE k.acc END AS acc,
                             CASE WHEN k.key IS NULL THEN t.how ELSE k.how END AS how,
                             CASE WHEN k.key IS NULL THEN t.named_contact ELSE k.named_contact END AS named_contact
                      FROM {table} t LEFT JOIN cell_links k ON t.account_id = k.key)""")
        count_rows(self.db, stat, table, split)
        if stat.rows_unknown_account and "contact_links" in self.lookups:
            # Unknown values that are contacts whose account is not in the account export (Dynamics'
            # `Regarding` naming a person of a company not exported; elsewhere the row's own
            # contact): the report says so.
            counted = "count(DISTINCT rn)" if split else "count(*)"
            person = "customer_contact" if own_contact else "account_id"
            found = self.db.one(f"""SELECT {counted} FROM {table} WHERE status = 'unknown_account' AND lower(trim({person})) IN (
                SELECT lower(trim(k)) FROM contacts_resolved, unnest([contact_id, contact_name]) AS t(k) WHERE acc IS NULL AND k IS NOT NULL)""")[0]
            stat.rows_unknown_contact = min(found, stat.rows_unknown_account)

    def _windows(self, derived: object) -> dict[str, int]:
        """Signal id → how far back its window reaches, for the signals of one log."""
        return {s: sig.data["window_days"] for s, sig in self.playbook.signals.items() if "window_days" in sig.data and s in derived}

    def _contacts(self, paths: list[Path]) -> LogStats:
        """A contacts export: the lookup from a contact's id or name to its account."""
        stat, _ = self._load(paths, "contacts", CONTACT_FIELDS)
        contact_links(self.db, "contacts")
        self.lookups.add("contact_links")
        row = self.db.one("SELECT count(*) FILTER (WHERE acc IS NOT NULL), count(*) FILTER (WHERE acc IS NULL AND account_text IS NULL), "
                          "count(*) FILTER (WHERE acc IS NULL AND account_text IS NOT NULL) FROM contacts_resolved")
        stat.rows_used, stat.rows_without_account, stat.rows_unknown_account = row
        stat.unknown_accounts = [r[0] for r in self.db.rows(
            "SELECT trim(account_text) FROM contacts_resolved WHERE acc IS NULL AND account_text IS NOT NULL "
            f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {EXAMPLES}")]
        return stat

    def _activities(self, paths: list[Path]) -> LogStats:
        stat, present = self._load(paths, "activities", ACTIVITY_FIELDS)
        self.activity_fields = present
        if not present:  # every file skipped: nothing to count, its signals stay unknown
            return stat
        classify_activities(self.db, self.playbook.activity_keywords, self.mapping, ACTIVITY_TYPES, "probe_activities")
        row_kinds(self.db, self.mapping, "probe_activities")
        date_expr = date_sql(self.db, "date", "activities", self.date_format, self.files)
        # Several contact ids in one cell: the first is the primary (split only where some cell has several).
        contact = "split_part(customer_contact, ';', 1)" if self.probes["activities"]["several_contacts"] else "customer_contact"
        self._resolve("acts_rows", "activities", f"""
            SELECT a.account_id, a.related, a.lead, a.date AS date_text, {date_expr} AS d,
                   nullif(trim({contact}), '') AS customer_contact, nullif(trim(a.our_contact), '') AS our_contact,
                   k.kind_id, k.unclassified, k.generic  -- what the row is and its status: one number (joined back in `acts`)
            FROM activities a JOIN row_kinds k
                ON k.type = coalesce(a.type, '') AND k.topic = coalesce(a.topic, '') AND k.status_text = coalesce(a.status, '')""", present, stat)
        # The used rows as the signal SQL reads them (a view: no second copy of a large log), with
        # their classes; only complaints are compared by topic (worked out once per distinct subject).
        self.db.run("CREATE VIEW acts AS SELECT r.* EXCLUDE (account_id, acc, how, status, date_text, d, rn, customer_contact, named_contact, lead, kind_id), "
                    "k.* EXCLUDE (type, topic, status_text, ctype, typed, complaint_topic, unclassified, generic, kind_id), k.complaint_topic AS topic, "
                    "r.acc AS account_id, r.d AS date, coalesce(r.customer_contact, r.named_contact) AS customer_contact "
                    "FROM acts_rows r JOIN row_kinds k USING (kind_id) WHERE r.status = 'used'")
        if self.db.one("SELECT count(*) FROM acts WHERE customer_contact IS NOT NULL")[0]:
            present.add("customer_contact")  # contacts named in the account cell (and linked through --contacts)
        stat.unknown_types = dict(self.db.rows(
            "SELECT type, sum(n) FROM probe_activities JOIN (SELECT DISTINCT type FROM kinds WHERE NOT typed AND type <> '') USING (type) "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 10"))
        if stat.rows_unclassified:
            for table, found, type_sql, topic_sql, read_now in self.type_candidates:
                for header, hint in type_hints(self.db, table, found, type_sql, topic_sql, read_now).items():
                    stat.type_columns.setdefault(header, hint)
        self.activity_fields = present
        self._forget("activities", len(paths))
        return stat

    def _deals(self, paths: list[Path]) -> LogStats:
        stat, present = self._load(paths, "deals", DEAL_FIELDS)
        self.deal_fields = present
        if not present:  # every file skipped: nothing to count, its signals stay unknown
            return stat
        date_expr = date_sql(self.db, "date", "deals", self.date_format, self.files)
        self._resolve("dls_rows", "deals", f"""
            SELECT account_id, deal_id, deal_name, status AS status_text, date AS date_text, {date_expr} AS d,
                   {deal_status_expr(self.mapping, present)} AS cstatus, {amount_expr()} AS amount,
                   nullif(upper(trim(currency)), '') AS currency, {competitive_expr()} AS competitive, false AS unclassified, false AS lead, false AS generic
            FROM deals""", present, stat)
        self.db.run("CREATE VIEW dls AS SELECT acc AS account_id, d AS date, cstatus, amount, currency, competitive "
                    "FROM dls_rows WHERE status = 'used'")
        if "amount" in present:
            stat.rows_won_no_amount = self.db.one("SELECT count(DISTINCT rn) + count(*) FILTER (WHERE rn IS NULL) FROM dls_rows "
                                                  "WHERE status = 'used' AND cstatus = 'won' AND amount IS NULL")[0]
        currencies = [r[0] for r in self.db.rows("SELECT DISTINCT currency FROM dls WHERE currency IS NOT NULL ORDER BY 1")]
        missing = [c for c in currencies if c not in self.mapping.currency_rates]
        if len(currencies) > 1 and missing:
            # An account's revenue in a currency with no rate is in that currency: not comparable across accounts.
            stat.warnings.append(Problem("log.several_currencies", currencies=", ".join(currencies[:10]), missing=", ".join(missing[:10])))
        stat.unknown_statuses = dict(self.db.rows(
            "SELECT coalesce(trim(status_text), ''), count(*) FROM dls_rows WHERE status = 'used' AND cstatus IS NULL "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"))
        if present & {"deal_id", "deal_name"}:
            deal_links(self.db, "dls_rows")
            self.lookups.add("deal_links")
        self.deal_fields = present
        self._forget("deals", len(paths))
        return stat

    def _forget(self, kind: str, files: int) -> None:
        """Drop a log's raw text once its parsed table is built: memory for the aggregation, no spilling."""
        self.db.run(f"DROP VIEW IF EXISTS {kind}")
        for n in range(files):
            self.db.run(f"DROP TABLE IF EXISTS raw_{kind}_{n}")

    # Signals that need a column beyond account id and date.
    NEEDS: ClassVar[dict[str, str]] = {"customer_contacts_12m": "customer_contact", "our_contacts_12m": "our_contact", "contact_changes_unhandled_12m": "customer_contact",
              "competitive_tenders_12m": "competitive", "revenue_12m": "amount", "revenue_prev_12m": "amount",
              "joint_projects_active": "status", "repeat_complaints_open": "status"}
    _ZERO_WHEN_ABSENT: ClassVar[set[str]] = {
        "customer_contacts_12m", "our_contacts_12m", "interactions_90d", "interactions_prev_90d", "development_12m",
        "development_prev_12m", "joint_planning_12m", "contact_changes_unhandled_12m", "purchases_12m", "revenue_12m",
        "revenue_prev_12m", "competitive_tenders_12m", "repeat_complaints_open", "joint_projects_active",
    }

    def derive(self, account_ids: list[str] | str, activities: list[Path], deals: list[Path], account_names: list[str] | None = None,
               contacts: list[Path] | None = None) -> Derived:
        """Signals per account from the logs, aligned with `account_ids`; NaN where unknown."""
        try:
            return self._derive(account_ids, activities, deals, account_names, contacts or [])
        except EngineError as exc:  # a log the engine could not read: one line saying so, no traceback
            raise InputError("error.log_unreadable", detail=str(exc)) from None

    def _derive(self, account_ids: list[str] | str, activities: list[Path], deals: list[Path], account_names: list[str] | None, contacts: list[Path]) -> Derived:
        values: dict[str, np.ndarray] = {}
        stats: list[LogStats] = []
        origins: dict[str, list[str]] = {}
        kept = Kept(zero=frozenset(self._ZERO_WHEN_ABSENT)) if self.keep else None
        # Each account's position in the account table comes back with its signals.
        # (Accounts are known by their position in the account table: `acc` in every lookup.)
        if isinstance(account_ids, str):  # the account table is the engine's view of that name (engines/spark_table.py): linked there
            self.db.run(f"CREATE TEMP TABLE known_ids AS SELECT account_id, account_index AS position, account_name AS name FROM {account_ids}")
        else:
            self.db.table("known_ids", {"account_id": account_ids, "position": list(range(len(account_ids))), "name": account_names or [""] * len(account_ids)},
                          {"account_id": "VARCHAR", "position": "BIGINT", "name": "VARCHAR"})
        # Some CRMs (Dynamics) write the account's name, not its id, in activities and deals:
        # a value that is no known id but exactly one account's name stands for that account.
        self.db.run("""CREATE TEMP TABLE account_names AS
            SELECT lower(trim(name)) AS name_key, any_value(position) AS acc
            FROM known_ids WHERE trim(name) <> ''
            GROUP BY 1 HAVING count(*) = 1""")

        self.lookups.add("account_names")
        if contacts:
            stats.append(self._contacts(contacts))
        notes: dict[int, list[DataNote]] = {}
        handover = self.playbook.activity_keywords["handover_window_days"]
        change = self.playbook.activity_keywords["contact_change"]  # thresholds: activity-keywords.yaml
        # Deals first: activities about an opportunity are linked to its account through them.
        for paths, load, first in ((deals, self._deals, "first_deal"), (activities, self._activities, "first_activity")):
            if not paths:
                continue
            stat = load(paths)
            stats.append(stat)
            if not (self.activity_fields if first == "first_activity" else self.deal_fields):
                continue  # every file of the log was skipped (the report says why)
            if first == "first_activity":
                # A log too short to show that someone left cannot tell a contact change: unknown.
                short = stat.covers_from is None or (self.as_of - (self.history_from or stat.covers_from)).days < change["min_log_days"]
                query = activity_signals(self.as_of, self.playbook.signals, self.activity_fields, handover, change)
            else:
                short = False
                query = deal_signals(self.as_of, self.playbook.signals, self.deal_fields, self.mapping.currency_rates)
            if kept is not None:  # the signals stay in the engine: only the few accounts with a data note come here
                keep_signals(self, kept, f"pb_signals_{stat.kind}", query, first, stat, short, notes, origins)
                continue
            # The logs' accounts are positions in the account table already (`acc`): no join back to the ids.
            result = self.db.arrays(f"SELECT s.account_id AS position, s.* EXCLUDE (account_id) FROM ({query}) s")
            coverage_warnings(stat, self.as_of, self._windows(result), self.history_from)
            rows = np.asarray(result.pop("position"), dtype=np.intp)
            earliest = np.full(len(account_ids), np.nan)
            earliest[rows] = as_float(result.pop(first))
            # relationship_start: the earliest activity or deal (the account export's own date wins
            # later), unless the log is only a window (--history-from): its first date is not the start.
            if self.history_from is None:
                values["relationship_start"] = np.fmin(values.get("relationship_start", earliest), earliest)
            deal_notes(rows, result, notes)
            fields = self.activity_fields if first == "first_activity" else self.deal_fields
            for signal, column in result.items():
                if self.NEEDS.get(signal, "account_id") not in fields or self.before_history(signal):
                    continue  # the log has no such column, or the window reaches before its history: unknown
                if signal == "contact_changes_unhandled_12m" and short:
                    continue
                out = np.full(len(account_ids), np.nan)
                out[rows] = as_float(column)
                if signal in self._ZERO_WHEN_ABSENT:
                    absent = np.ones(len(account_ids), dtype=bool)
                    absent[rows] = False
                    out[absent] = 0.0  # no rows in the log for this account: none happened (revenue in mixed currencies stays unknown)
                values[signal] = out
                origins[signal] = [stat.name]
        if "relationship_start" in values or (kept is not None and "relationship_start" in kept.columns):
            origins["relationship_start"] = [s.name for s in stats if s.kind != "contacts"]  # the earliest activity or deal
        stale_warnings([s for s in stats if s.kind != "contacts"], self.as_of, self.playbook.activity_keywords["stale_log_days"])
        order = ("activities", "deals", "contacts")  # the report lists activities first
        return Derived(values, sorted(stats, key=lambda s: order.index(s.kind)), origins, notes, kept)

    def before_history(self, signal: str) -> bool:
        """Whether the signal's window reaches before --history-from (the log is only a window of the history)."""
        days = self.playbook.signals[signal].data.get("window_days") if signal in self.playbook.signals else None
        return bool(self.history_from and days and (self.as_of - self.history_from).days < days)

