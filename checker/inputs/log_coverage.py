"""What became of every row of a log (the report's coverage line), and the warnings about how
far a log reaches: a stale export, or one that starts after a signal's window does."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from checker.inputs.accounts import DataNote
from checker.inputs.engine import Engine
from checker.inputs.files import InputError
from checker.inputs.mappings import lines_to_add
from checker.inputs.values import known_date_form
from checker.playbook.messages import Problem

#: How many unknown account ids or names the report shows as examples.
EXAMPLES = 3


@dataclass
class LogStats:
    """What happened to every row of one log: used, or why not.

    rows_read = rows_rejected + rows_child_copies + rows_skipped + rows_without_account
    + rows_unknown_account + rows_no_date + rows_bad_date + rows_used; rows_linked_*,
    rows_unclassified and rows_won_no_amount are parts of rows_used."""

    name: str
    kind: str = "activities"
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0  # could not be parsed as CSV rows (ragged, bad quoting)
    rows_without_account: int = 0  # no account, and no contact or deal naming one
    rows_leads: int = 0  # part of rows_without_account: the row's person is a lead, not an account's contact
    rows_bad_date: int = 0
    rows_no_date: int = 0  # an empty date cell: unknown when, so not counted in any window
    rows_unknown_account: int = 0  # an account id or name the account export does not have
    rows_unknown_contact: int = 0  # part of rows_unknown_account: a contact (--contacts) whose account is not in the account export
    rows_linked_contact: int = 0  # used through the row's contact (--contacts)
    rows_linked_deal: int = 0  # used through the deal (opportunity) the row is about
    rows_unclassified: int = 0  # activities whose type is blank or unknown and whose subject says nothing
    rows_generic: int = 0  # part of rows_used: activities of a generic type (a task), classified by their subject
    rows_generic_unclassified: int = 0  # part of rows_generic (and of rows_unclassified): the subject said nothing either
    footer_rows: int = 0
    rows_child_copies: int = 0  # an invitee's copy of a group event (Salesforce IsChild): the event counts once, through its parent row
    rows_skipped: int = 0  # rows of files skipped whole: no column for the account (and nothing else linking them) or for the date
    rows_won_no_amount: int = 0  # part of rows_used (deals): won deals with an empty or unreadable amount (revenue unknown)
    mixed_encoding: tuple[int, int] | None = None  # lines read as UTF-8 and as Windows-1252, when the file mixes them
    unknown_accounts: list[str] = field(default_factory=list)  # a few examples
    first_problems: list[Problem | str] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    type_columns: dict[str, dict] = field(default_factory=dict)  # unmapped columns that may hold the type: header → rows filled among the unclassified, examples
    unknown_statuses: dict[str, int] = field(default_factory=dict)  # deal statuses that map to nothing
    covers_from: date | None = None
    covers_to: date | None = None
    warnings: list[Problem] = field(default_factory=list)


def count_rows(db: Engine, stat: LogStats, rows: str, split: bool) -> None:
    """Fill `stat` from `rows` (one row per log row, or per account of it when `split`, with
    `status`, `how`, `rn`, `account_id`, `d`, `date_text`, `unclassified`, `lead`, `generic`): every row read ends up in one count."""
    # A row listing several accounts is used when any of them is; its best status counts.
    rank = "CASE status WHEN 'used' THEN 0 WHEN 'bad_date' THEN 1 WHEN 'no_date' THEN 2 WHEN 'unknown_account' THEN 3 ELSE 4 END"
    used = "FILTER (WHERE status = 'used')"
    per_row = (f"SELECT arg_min(status, {rank}) AS status, arg_min(how, {rank}) AS how, bool_or(unclassified) AS unclassified, bool_or(lead) AS lead, "
               f"bool_or(generic) AS generic, min(d) {used} AS first, max(d) {used} AS last FROM {rows} GROUP BY rn" if split
               else f"SELECT status, how, unclassified, lead, generic, d AS first, d AS last FROM {rows}")
    row = db.one(f"""SELECT count(*) FILTER (WHERE status = 'used'), count(*) FILTER (WHERE status = 'without_account'),
        count(*) FILTER (WHERE status = 'unknown_account'), count(*) FILTER (WHERE status = 'bad_date'), count(*) FILTER (WHERE status = 'no_date'),
        count(*) FILTER (WHERE status = 'used' AND how = 'contact'), count(*) FILTER (WHERE status = 'used' AND how = 'deal'),
        count(*) FILTER (WHERE status = 'used' AND unclassified), count(*) FILTER (WHERE status = 'without_account' AND lead),
        count(*) FILTER (WHERE status = 'used' AND generic), count(*) FILTER (WHERE status = 'used' AND generic AND unclassified),
        min(first) {used}, max(last) {used} FROM ({per_row})""")  # and the first and last day used: one pass
    (stat.rows_used, stat.rows_without_account, stat.rows_unknown_account, stat.rows_bad_date, stat.rows_no_date, stat.rows_linked_contact,
     stat.rows_linked_deal, stat.rows_unclassified, stat.rows_leads, stat.rows_generic, stat.rows_generic_unclassified, first, last) = row
    stat.unknown_accounts = [r[0] for r in db.rows(
        f"SELECT trim(account_id) FROM {rows} WHERE status = 'unknown_account' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT {EXAMPLES}")]
    bad = db.one(f"SELECT any_value(date_text) FROM {rows} WHERE status = 'bad_date'")[0]
    if bad is not None:
        # A date in a known form is no real date (31.2.2026); another form may be read with --date-format.
        stat.first_problems.append(Problem("log.bad_date" if known_date_form(bad) else "log.bad_date_form", value=bad.strip()))
    if stat.rows_no_date:
        stat.first_problems.append(Problem("log.no_date", n=stat.rows_no_date))
    stat.covers_from, stat.covers_to = _day(first), _day(last)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else value  # type: ignore[return-value]


def coverage_warnings(stat: LogStats, as_of: date, windows: dict[str, int], history_from: date | None) -> None:
    """Warn when the log starts after a signal's window does (unless --history-from says the
    log is only a window: those signals are unknown then). `windows`: signal id → how many
    days back from --as-of its window reaches."""
    if stat.covers_from is None or history_from is not None:
        return
    uncovered = sorted(s for s, days in windows.items() if as_of - timedelta(days=days) < stat.covers_from)
    if uncovered:
        stat.warnings.append(Problem("log.starts_late", first=stat.covers_from.isoformat(), signals=", ".join(uncovered)))


def stale_warnings(stats: list[LogStats], as_of: date, stale_days: int) -> None:
    """Warn on every log when even the newest date of all of them is long before --as-of: the
    export is stale (one quiet log alone is no sign of it: deals can be months apart)."""
    ends = [s.covers_to for s in stats if s.covers_to is not None]
    if ends and (as_of - max(ends)).days > stale_days:
        for s in stats:
            if s.covers_to is not None:
                s.warnings.append(Problem("log.stale", last=s.covers_to.isoformat(), days=(as_of - s.covers_to).days, as_of=as_of.isoformat()))


def skip_reason(path: Path, kind: str, found: set[str], header: list[str], via: Problem | str, contacts_link: bool) -> Problem | None:
    """Why a log file is skipped whole (a note naming it), or None when it is read.

    A file with none of the log's fields (`found`) is no such log at all: one message, exit 2.
    One without a date column has nothing any window can count; one without an account column
    is still read when its rows' related records or, with a contacts export (`contacts_link`),
    their contacts can link them."""
    needed = ("account_id",) if kind == "contacts" else ("account_id", "date")
    missing = [f for f in needed if f not in found]
    if not missing:
        return None
    if kind == "contacts" or not found:
        raise InputError("error.log_columns", path=path, missing=", ".join(missing), via=via, found=", ".join(h.strip() for h in header),
                         add=lines_to_add(kind, missing, header))
    if "date" in missing:
        why = "log.skip_no_date"
    elif kind == "activities" and ("related" in found or ("customer_contact" in found and contacts_link)):
        return None  # read for what its related records or contacts link
    else:
        why = "log.skip_no_account_contacts" if kind == "activities" and "customer_contact" in found else "log.skip_no_account"
    # A file by its name; a table of the engine (inputs.tables.TableSource) as the option and table that named it.
    return Problem("log.file_skipped", file=path.name if isinstance(path, Path) else str(path), missing=", ".join(missing), reason=Problem(why), kind=kind, field=missing[-1],
                   found=", ".join(h.strip() for h in header[:12]) + (", …" if len(header) > 12 else ""))


def deal_notes(rows: np.ndarray, result: dict[str, np.ndarray], notes: dict[int, list[DataNote]]) -> None:
    """Data notes on the accounts (at positions `rows`) whose revenue the deal signals left unknown:
    deals in several currencies (`currencies`), won deals without an amount (`unpriced`); both
    columns are taken out of `result`."""
    for key, code in (("currencies", "data.mixed_currencies"), ("unpriced", "data.deal_without_amount")):
        column = result.pop(key, None)
        if column is None:
            continue
        absent = np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else np.zeros(len(column), dtype=bool)
        for position, found, masked in zip(rows.tolist(), np.asarray(column).tolist(), absent.tolist(), strict=True):
            if masked or not found or (key == "currencies" and not isinstance(found, str)):
                continue
            values = {"currencies": found} if key == "currencies" else {"n": int(found)}
            notes.setdefault(position, []).append(DataNote(code, "revenue_12m", values))
