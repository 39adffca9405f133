"""Run a whole check: read the exports, compute signals, evaluate every account, one result."""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from checker.evaluate import Evaluation, Evaluator, Finding
from checker.found import Filters, owner_key
from checker.inputs.accounts import AccountTable, UnusableRow, read_accounts
from checker.inputs.assessments import Assessments, merge_reviews, read_assessments
from checker.inputs.files import InputError, peek_header, unzip_data_export
from checker.inputs.mappings import Mapping, detect_preset, load_mapping, presets, read_rates
from checker.inputs.tables import TableSource
from checker.playbook.messages import Problem, words
from checker.playbook.model import FINDING_KINDS, SEVERITIES, Playbook
from checker.progress import Progress
from checker.reviews import ReviewState, add_review_findings, coverage, say_no_stage_once

if TYPE_CHECKING:  # DuckDB (checker.inputs.engine) is loaded only when there are logs or tables to read
    from checker.inputs.engine import Engine


@dataclass(frozen=True)
class AccountView:
    """One account of a result, as reporters see it."""

    index: int
    account_id: str
    account_name: str
    owner: str
    declared: str | None
    declared_raw: str
    best_fit_stage: str | None
    findings: list[Finding]
    result: CheckResult

    def fit_scores(self) -> dict[str, np.ndarray]:
        return self.result.evaluation.fit_scores(self.index)

    def evidence_scores(self) -> dict[str, np.ndarray]:
        return self.result.evaluation.evidence_scores(self.index)


@dataclass
class Sources:
    """Where the signals came from: the preset, the logs, and which values the account export kept."""

    preset: str = "canonical"
    preset_reason: object = ""  # a messages.Problem, rendered in the run's language
    logs: list = field(default_factory=list)  # logs.LogStats
    derived: list[str] = field(default_factory=list)
    kept_from_accounts: dict[str, int] = field(default_factory=dict)
    from_accounts: dict[str, np.ndarray] = field(default_factory=dict)  # per derived signal: accounts whose value is the export's own
    origins: dict[str, list[str]] = field(default_factory=dict)  # per derived signal: the logs it came from
    review: ReviewState = field(default_factory=ReviewState)  # the reviews merged (--assessments) and the no-stage note
    kept: Any = None  # read_signals(engine=…): the logs' signals left in the engine (checker.inputs.logs.Kept)

    def as_json(self, lang: str = "en", messages: dict | None = None) -> dict:
        def said(items: list) -> list[str]:  # problems in the report's language
            return [words(p, lang, messages) for p in items]

        return {
            "preset": self.preset,
            "signals_from_logs": self.derived,
            "account_values_kept": self.kept_from_accounts,
            "logs": [
                {"file": s.name, "kind": s.kind, "rows_read": s.rows_read, "rows_used": s.rows_used, "rows_rejected": s.rows_rejected,
                 "rows_without_account": s.rows_without_account, "rows_without_account_leads": s.rows_leads,
                 "rows_bad_date": s.rows_bad_date, "rows_no_date": s.rows_no_date,
                 "rows_unknown_account": s.rows_unknown_account, "unknown_account_examples": s.unknown_accounts,
                 "rows_unknown_account_contact": s.rows_unknown_contact,
                 "rows_linked_via_contact": s.rows_linked_contact, "rows_linked_via_deal": s.rows_linked_deal,
                 "rows_unclassified_type": s.rows_unclassified, "footer_rows": s.footer_rows,
                 "rows_generic_type": s.rows_generic, "rows_generic_type_unclassified": s.rows_generic_unclassified,
                 "type_column_candidates": s.type_columns,
                 "rows_child_copies": s.rows_child_copies, "rows_skipped_file": s.rows_skipped, "rows_won_without_amount": s.rows_won_no_amount,
                 "mixed_encoding": dict(zip(("lines_utf8", "lines_windows_1252"), s.mixed_encoding, strict=True)) if s.mixed_encoding else None,
                 "covers_from": s.covers_from.isoformat() if s.covers_from else None,
                 "covers_to": s.covers_to.isoformat() if s.covers_to else None,
                 "unrecognised_activity_types": s.unknown_types, "unrecognised_deal_statuses": s.unknown_statuses,
                 "problems": said(s.first_problems), "warnings": said(s.warnings)}
                for s in self.logs
            ],
        }


@dataclass
class CheckResult:
    as_of: date
    lang: str
    table: AccountTable
    evaluation: Evaluation
    unusable: list[tuple[UnusableRow, str]]  # with its message in the run's language
    playbook: Playbook  # for the report's words in the run's language
    sources: Sources = field(default_factory=Sources)
    history: Any = None  # checker.history.changes.History (a layer above) with --baseline or --waivers
    left_out: dict | None = None  # what Filters left out, when a report is filtered

    @property
    def playbook_version(self) -> str:
        return self.playbook.manifest["version"]

    @property
    def input_name(self) -> str:
        return self.table.path.name

    def text(self, key: str, **values: object) -> str:
        return self.playbook.text(key, self.lang, **values)

    def accounts(self) -> Iterator[AccountView]:
        t, e = self.table, self.evaluation
        for i in range(len(t)):
            yield AccountView(i, t.ids[i], t.names[i], t.owners[i], t.declared[i], t.declared_raw[i], e.best_fit[i], e.findings[i], self)

    def count(self, severities: tuple[str, ...] = SEVERITIES) -> int:
        """How many findings there are (of these severities)."""
        return sum(n for (_, severity), n in self.evaluation.counts.items() if severity in severities)

    def summary(self) -> dict:
        by_severity, by_kind = Counter(), Counter()
        for (kind, severity), n in self.evaluation.counts.items():
            by_severity[severity] += n
            by_kind[kind] += n
        return {
            "accounts": len(self.table),
            "accounts_flagged": flat.flagged() if (flat := self.evaluation.flat) is not None else len(self.evaluation.findings) - self.evaluation.findings.count([]),
            "findings": self.count(),
            "findings_by_severity": {s: by_severity[s] for s in SEVERITIES},
            "findings_by_kind": {k: by_kind[k] for k in FINDING_KINDS},
            "rows_read": self.table.rows_read,
            "rows_unusable": len(self.unusable),
            "rows_with_data_problems": len(self.table.notes) + len(self.unusable),
            "footer_rows_skipped": self.table.footer_rows,
            "expectations_not_evaluated": unknown.total() if (unknown := self.evaluation.flat_unknown) is not None else sum(map(len, self.evaluation.not_evaluated)),
            "signal_columns": sorted(self.table.columns.present),
            "ignored_columns": self.table.ignored_columns,
            "mapping_unmatched": self.table.mapping_unmatched,
            "encoding": self.table.encoding,
            "mixed_encoding": dict(zip(("lines_utf8", "lines_windows_1252"), self.table.mixed_encoding, strict=True)) if self.table.mixed_encoding else None,
            "sources": self.sources.as_json(self.lang, self.playbook.messages),
            "coverage": coverage(self.table, self.evaluation, self.sources.review, self.playbook, self.as_of),
        } | ({"left_out": self.left_out} if self.left_out else {}) \
          | ({"thresholds": self.playbook.thresholds.as_json()} if self.playbook.thresholds else {})

    def filtered(self, filters: Filters) -> CheckResult:
        """The same result with only the findings the filters keep; `left_out` counts the rest.

        Accounts stay (the account table is what was read); an account of another owner, or
        whose findings are all of other kinds or lower severities, is simply no longer flagged."""
        if not filters:
            return self
        levels, owners = filters.levels(), filters.owner_keys()
        findings: list[list[Finding]] = []
        counts: Counter[tuple[str, str]] = Counter()
        accounts_left = 0
        for owner, own in zip(self.table.owners, self.evaluation.findings, strict=True):
            keep = [] if owners and owner_key(owner) not in owners else [
                f for f in own if f.severity in levels and (not filters.kinds or f.kind in filters.kinds)]
            accounts_left += bool(own) and not keep
            counts.update((f.kind, f.severity) for f in keep)
            findings.append(keep)
        left = {"owners": list(filters.owners), "kinds": list(filters.kinds), "min_severity": filters.min_severity,
                "findings": self.count() - sum(counts.values()), "accounts_flagged": accounts_left}
        history = self.history.narrowed(findings) if self.history is not None else None  # the marks of the findings kept
        return replace(self, evaluation=replace(self.evaluation, findings=findings, counts=counts), left_out=left, history=history)


@dataclass
class Inputs:
    """What one check reads."""

    accounts: Path
    activities: list[Path] = field(default_factory=list)
    deals: list[Path] = field(default_factory=list)
    preset: str = "auto"
    mapping: Path | None = None
    date_format: str | None = None
    sheet: str | None = None
    contacts: list[Path] = field(default_factory=list)
    currency_rates: Path | None = None
    history_from: date | None = None  # the logs hold only the history since this date (--history-from)
    assessments: list[Path] = field(default_factory=list)  # assessments files (--assessments): the account reviews
    stage_required: bool = True  # `playbook signals` reads an account export without a stage column too
    stage_history: list[Path] = field(default_factory=list)  # the CRM's field history (a Data Export's AccountHistory.csv)
    engine: str = "duckdb"  # what aggregates the logs (--engine; checker/engines/choose.py)
    accounts_in_engine: bool = False  # a findings output on Spark: the account table may stay there (engines/spark_table.py)
    database: Path | None = None  # the DuckDB file whose tables are exports (--database; checker/inputs/tables.py)


def choose_mapping(inputs: Inputs, engine: Engine | None = None) -> tuple[Mapping, Problem]:
    """The preset (named, or detected from the headers: the files', and the column names of the engine's tables
    when `engine` is the one that has them) with the company mapping on top."""
    if inputs.preset == "auto":
        from checker.inputs.tables import header_of

        read = [p for p in (inputs.accounts, *inputs.activities, *inputs.deals) if isinstance(p, Path) or engine is not None]
        headers = [peek_header(p, inputs.sheet) if isinstance(p, Path) else header_of(engine, p) for p in read]
        mapping, reason = detect_preset(headers, [p.name if isinstance(p, Path) else str(p) for p in read])
    else:
        mapping, reason = presets()[inputs.preset], Problem("cli.preset_by_option")
    if inputs.mapping:
        mapping = mapping.merged(load_mapping(inputs.mapping))
    if inputs.currency_rates:
        mapping = replace(mapping, currency_rates={**mapping.currency_rates, **read_rates(inputs.currency_rates)})
    return mapping, reason


def merge_derived(table: AccountTable, derived: dict[str, np.ndarray], sources: Sources) -> None:
    """Fill the account table's signals from the logs. A value in the account export wins."""
    cols = table.columns
    for signal, values in derived.items():
        if signal in cols.present:
            own = cols.get(signal)
            keep = ~np.isnan(own)
            sources.from_accounts[signal] = keep
            sources.kept_from_accounts[signal] = int(np.count_nonzero(keep & ~np.isnan(values)))
            cols.data[signal] = np.where(keep, own, values)
        else:
            cols.data[signal] = values
        sources.derived.append(signal)
    cols.present = frozenset(cols.present | set(derived))


def _keep(table: AccountTable, kept: Any, sources: Sources) -> None:
    """merge_derived for the logs' signals left in the engine (Derived.kept): which signals the table has now,
    whose the export's values are (they win there, `checker.engines.signals_view`); each export value kept is
    counted there too, into `kept_from_accounts` (its place in it taken now, as merge_derived takes it)."""
    own = table.columns.present
    kept.own = frozenset(s for s in kept.columns if s in own)
    kept.counted = sources.kept_from_accounts
    for signal in kept.columns:
        if signal in own:
            sources.kept_from_accounts[signal] = 0
        sources.derived.append(signal)
    table.columns.present = frozenset(own | set(kept.columns))
    sources.kept = kept


def check_table(table: AccountTable, playbook: Playbook, as_of: date, lang: str, handbook_url: str, sources: Sources) -> CheckResult:
    """Evaluate every account of an already read table."""
    evaluator = Evaluator(playbook, as_of, lang, handbook_url)
    evaluation = evaluator.evaluate(table)
    add_review_findings(evaluation, table, sources.review, evaluator)
    unusable = [(row, playbook.text(row.code, lang, row=row.row, **row.values)) for row in table.unusable]
    if table.rows_read != len(table) + len(unusable):
        raise AssertionError("every row read must be accounted for")
    return CheckResult(as_of, lang, table, evaluation, unusable, playbook, sources)


def read_signals(inputs: Inputs, playbook: Playbook, as_of: date, lang: str, progress: Progress | None = None,
                 engine: Engine | None = None) -> tuple[AccountTable, Sources]:
    """Read the exports and derive the signals from the logs: the account table the checker judges
    (`playbook check` evaluates it, `playbook signals` writes it out). `engine`: one already open (closed by
    who opened it) that reads the account table, if a table, and the logs, and keeps their signals
    (`Sources.kept`: the rules run there, `check --engine spark --output findings.parquet`)."""

    def step(key: str, **values: object) -> None:
        if progress:
            progress.step(playbook.text(f"progress.{key}", lang, **values))

    # The reviews first: a bad assessments file stops the run before the exports are read, and nothing of it is used.
    reviews = read_assessments(inputs.assessments, playbook, as_of) if inputs.assessments else None
    with tempfile.TemporaryDirectory(prefix="playbook-") as work:
        folder = Path(work)
        logs = (*inputs.activities, *inputs.deals)
        if isinstance(inputs.accounts, TableSource) or (inputs.preset == "auto" and any(isinstance(p, TableSource) for p in logs)):
            return _read_table_accounts(inputs, playbook, as_of, folder, step, reviews, engine)  # the engine opened first: its tables' headers
        if inputs.accounts.suffix.lower() != ".zip":
            return _read(inputs, playbook, as_of, folder, step, reviews=reviews, engine=engine, keep=engine is not None)
        archive = inputs.accounts
        files = unzip_data_export(archive, folder)
        unzipped = replace(inputs, accounts=files["accounts"][0], activities=inputs.activities + files.get("activities", []),
                           deals=inputs.deals + files.get("deals", []), contacts=inputs.contacts + files.get("contacts", []),
                           stage_history=inputs.stage_history + files.get("stage_history", []),
                           preset="salesforce" if inputs.preset == "auto" else inputs.preset)
        zipped = Problem("cli.preset_by_zip", path=archive.name) if inputs.preset == "auto" else None
        try:
            return _read(unzipped, playbook, as_of, folder, step, zipped, reviews, engine, keep=engine is not None)
        except InputError as exc:  # name the zip and its member, not the work folder's copy (gone by the time it is read)
            raise _renamed(exc, f"{folder}{os.sep}", f"{archive}:") from None


def _read_table_accounts(inputs: Inputs, playbook: Playbook, as_of: date, folder: Path, step: Callable[..., None],
                         reviews: Assessments | None, opened: Engine | None = None) -> tuple[AccountTable, Sources]:
    """read_signals of an account table (or of log tables whose headers tell the preset): the engine opened first, an
    account table written by it as a Parquet file in `folder`, read as a Parquet export; the same engine then reads the logs
    (`opened`: read_signals' engine, the logs' signals kept in it)."""
    from checker.engines.choose import open_engine
    from checker.inputs.tables import export_accounts

    engine = opened or open_engine(inputs.engine, folder, inputs.database)  # a DuckDB on --database, or Spark (options.table_problem)
    copy = None
    try:
        if isinstance(inputs.accounts, TableSource) and _in_engine(inputs, opened, reviews) is None:
            copy = export_accounts(engine, inputs.accounts, folder)
        return _read(replace(inputs, accounts=copy or inputs.accounts), playbook, as_of, folder, step, reviews=reviews, engine=engine, keep=opened is not None)
    except InputError as exc:  # name the table, not the work folder's copy
        raise (exc if copy is None else _renamed(exc, str(copy), f"{inputs.accounts} ({engine.name})")) from None
    finally:
        if opened is None:
            engine.close()


def _renamed(value: object, old: str, new: str) -> object:
    """A message value (a Problem, with the values in it) with `old` written `new` in its paths."""
    if isinstance(value, Problem):
        return type(value)(value.key, **{k: _renamed(v, old, new) for k, v in value.values.items()})
    if isinstance(value, list):
        return [_renamed(v, old, new) for v in value]
    if isinstance(value, str | Path) and old in str(value):
        return str(value).replace(old, new)
    return value


def _read(inputs: Inputs, playbook: Playbook, as_of: date, folder: Path, step: Callable[..., None],
          reason: Problem | None = None, reviews: Assessments | None = None, engine: Engine | None = None,
          keep: bool = False) -> tuple[AccountTable, Sources]:
    """read_signals, once the files are where they can be read (a zip unpacked into `folder`); `engine`: one already open
    (an account table's), which reads the logs and is closed by who opened it; `keep`: the logs' signals stay in it."""
    mapping, chosen = choose_mapping(inputs, engine)
    sources = Sources(mapping.id, reason or chosen)
    step("reading", name=inputs.accounts.name)
    if keep and (in_engine := _in_engine(inputs, engine, reviews)) is not None:  # parsed by Spark's executors, kept there
        table: Any = in_engine(engine, inputs.accounts, playbook, mapping, inputs.date_format, inputs.stage_required)
    else:
        table = read_accounts(inputs.accounts, playbook, mapping, inputs.sheet, date_format=inputs.date_format, stage_required=inputs.stage_required)
    if inputs.activities or inputs.deals:
        from checker.engines.choose import open_engine
        from checker.inputs.log_lemmas import pick_forms
        from checker.inputs.logs import LogReader  # DuckDB is loaded only when there are logs to read

        if inputs.activities:  # the first run after an install or a keyword change picks the Finnish forms: said
            pick_forms(playbook.activity_keywords, lambda: step("lemmas"))
        step("logs")
        opened = engine or open_engine(inputs.engine, folder, inputs.database)  # None: the reader's own DuckDB
        reader = LogReader(playbook, mapping, as_of, folder, inputs.date_format, inputs.sheet, inputs.history_from, engine=opened, keep=keep)
        try:
            derived = reader.derive(getattr(table, "view", None) or table.ids, inputs.activities, inputs.deals, getattr(table, "names", None), inputs.contacts)
        finally:
            if engine is None:
                reader.db.close()
        if derived.kept is not None:
            _keep(table, derived.kept, sources)
        merge_derived(table, derived.values, sources)
        for index, notes in derived.notes.items():
            table.notes.setdefault(index, []).extend(notes)
        sources.logs = derived.stats
        sources.origins = derived.origins
    if inputs.stage_history:  # the day each stage was declared, where the export does not say (stage_history.py)
        from checker.inputs.stage_history import declared_on

        if (found := declared_on(table, inputs.stage_history)) is not None:
            merge_derived(table, {"stage_declared_on": found}, sources)
            sources.origins["stage_declared_on"] = [p.name for p in inputs.stage_history]
    if reviews is not None:  # after the logs: a value they give is the CRM's, which a review does not override
        if sources.kept is not None and engine is not None:  # the reviewed accounts' values from the logs, fetched (signals_view.py)
            from checker.engines.signals_view import fill_reviewed
            from checker.inputs.engine import EngineError

            at = {account_id: i for i, account_id in enumerate(table.ids)}
            try:
                fill_reviewed(engine, table, sources.kept, sorted({at[a] for a in reviews.reviews if a in at}),
                              {s for r in reviews.reviews.values() for s in r.values}, playbook)
            except EngineError as exc:
                raise InputError("error.log_unreadable", detail=str(exc)) from None
        sources.review.merged = merge_reviews(table, reviews, playbook)
    if isinstance(table, AccountTable):
        say_no_stage_once(table, playbook, sources.review)
    else:  # counted in Spark
        table.say_no_stage_once(playbook, sources.review)
    return table, sources


def _in_engine(inputs: Inputs, engine: Engine | None, reviews: Assessments | None) -> Callable[..., Any] | None:
    """The reader of an account table that stays in the engine (a findings output on Spark asked for it; engines/spark_table.py), or None."""
    from checker.engines import spark_table

    return spark_table.read_table if inputs.accounts_in_engine and spark_table.applies(inputs.accounts, engine, reviews is not None, bool(inputs.stage_history)) else None


def run_check(inputs: Inputs, playbook: Playbook, as_of: date, lang: str, handbook_url: str, progress: Progress | None = None,
              most_accounts: int = 0) -> CheckResult:
    """Read the exports and evaluate every account in them; more than `most_accounts` (0: any number) stop before the evaluation."""
    table, sources = read_signals(inputs, playbook, as_of, lang, progress)
    if most_accounts and len(table) > most_accounts:  # `check --max-accounts`: a report this large is better written as Parquet
        raise InputError("parquet.too_many_accounts", path=inputs.accounts.name, n=playbook.number(len(table), lang), most=playbook.number(most_accounts, lang))
    if progress:
        progress.step(playbook.text("progress.evaluating", lang, n=playbook.number(len(table), lang)))
    return check_table(table, playbook, as_of, lang, handbook_url, sources)


__all__ = ["AccountView", "CheckResult", "Filters", "Inputs", "Sources", "check_table", "owner_key", "read_signals", "run_check"]
