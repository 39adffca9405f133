"""The SQL that aggregates activity and deal logs into one row of signals per account, and
the small SQL pieces both DuckDB readers (logs.py, plaincsv.py) share.

Each column follows the `measurement` text of its signal in the signal catalogue; windows
count back from --as-of. Runs on the `acts` and `dls` views that logs.py builds, whose
`account_id` is the account's position in the account table (an integer: the groupings are
on numbers, and the result needs no join back to the ids).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from checker.playbook.model import Signal


def literal(text: str) -> str:
    """A text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def blank(cell: str) -> str:
    """SQL: whether a cell is empty or only spaces (trim's notion of empty, without building the trimmed text)."""
    return f"({cell} IS NULL OR regexp_full_match({cell}, ' *'))"


def text_columns(width: int) -> str:
    """SQL: read_csv's `columns` for a file `width` columns wide, every cell as text, named c0, c1, …"""
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"


def word_lookup(cell: str, table: Mapping[str, str]) -> str:
    """SQL: the value (SQL text) that `table` gives the word in `cell`, NULL for any other word.

    Looked up by position in a list: unlike `cell IN (…)`, which DuckDB plans as a join (and
    a join does not keep a file's row order), and cheaper than a chain of comparisons."""
    return f"[{', '.join(table.values())}][list_position([{', '.join(map(literal, table))}], {cell})]"


def identifier(name: str) -> str:
    """A name as a quoted SQL identifier (a CRM header may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def regex_alternatives(words: list[str]) -> str:
    """A regular expression matching any of `words` (case-folded), longest first."""
    return "|".join(re.escape(w.casefold()) for w in sorted(set(words), key=len, reverse=True)) or "(?!)"


# The window starts the SQL uses, each read from a signal's `window_days` in the catalogue.
WINDOW_OF = {"d90": "interactions_90d", "d180": "interactions_prev_90d", "d365": "purchases_12m", "d730": "revenue_prev_12m"}


def _windows(as_of: date, signals: Mapping[str, Signal]) -> dict[str, str]:
    """The window starts as SQL date literals."""
    return {k: literal((as_of - timedelta(days=signals[s].data["window_days"])).isoformat()) + "::DATE" for k, s in WINDOW_OF.items()}


def complaint_topic(column: str, complaint_words: list[str]) -> str:
    """SQL: what a complaint is about, for telling repeats apart: its subject in lower case,
    without the words that only say it is a complaint, punctuation as single spaces."""
    stripped = f"regexp_replace(lower(trim({column})), {literal(regex_alternatives(complaint_words))}, '', 'g')"
    return f"trim(regexp_replace({stripped}, '[^[:alnum:]]+', ' ', 'g'))"


def activity_signals(as_of: date, signals: Mapping[str, Signal], has: set[str], handover_days: int, change: Mapping[str, int]) -> str:
    """SQL: one row of activity signals per account, from the `acts` table. `change`: the
    `contact_change` settings of activity-keywords.yaml (who counts as having left)."""
    absent_days = change["absent_days"]
    w = _windows(as_of, signals)
    a = literal(as_of.isoformat()) + "::DATE"
    # Distinct people per account come from small grouped tables rather than DISTINCT aggregates;
    # everything counted per account alone is one pass over `acts` (`agg`), past and future.
    contacts = "coalesce(folks.n, 0)" if "customer_contact" in has else "NULL"
    ours = "coalesce(ours.n, 0)" if "our_contact" in has else "NULL"
    past = f"date <= {a}"
    gone = literal((as_of - timedelta(days=absent_days)).isoformat()) + "::DATE"
    return f"""
        WITH w AS NOT MATERIALIZED (SELECT * FROM acts WHERE {past}),
        complaints AS (
            SELECT account_id, topic AS t, cstatus FROM w WHERE c_complaint),  -- topic: complaint_topic, set by logs.py
        topics AS (SELECT account_id, t FROM complaints GROUP BY 1, 2 HAVING count(*) >= 2),
        repeated AS (
            SELECT account_id, count(*) FILTER (WHERE cstatus = 'open') AS n
            FROM complaints JOIN topics USING (account_id, t) GROUP BY 1),
        people AS (
            SELECT account_id, customer_contact AS c, min(date) AS first, max(date) AS last, count(*) AS seen FROM w
            WHERE customer_contact IS NOT NULL GROUP BY 1, 2),
        folks AS (SELECT account_id, count(*) FILTER (WHERE last > {w['d365']}) AS n FROM people GROUP BY 1),
        agg AS (
            SELECT account_id,
                count(*) FILTER (WHERE interaction AND date > {w['d90']} AND {past}) AS interactions_90d,
                count(*) FILTER (WHERE interaction AND date > {w['d180']} AND date <= {w['d90']}) AS interactions_prev_90d,
                count(*) FILTER (WHERE interaction AND c_price AND date > {w['d90']} AND {past})
                    / nullif(count(*) FILTER (WHERE interaction AND date > {w['d90']} AND {past}), 0) AS price_share_90d,
                count(*) FILTER (WHERE c_development AND date > {w['d365']} AND {past}) AS development_12m,
                count(*) FILTER (WHERE c_development AND date > {w['d730']} AND date <= {w['d365']}) AS development_prev_12m,
                count(*) FILTER (WHERE c_joint_planning AND date > {w['d365']} AND {past}) AS joint_planning_12m,
                count(*) FILTER (WHERE c_development AND cstatus = 'open' AND {past}) AS joint_projects_active,
                max(date) FILTER (WHERE c_health_check AND {past}) AS last_health_check,
                max(date) FILTER (WHERE interaction AND {past}) AS last_interaction,
                min(date) FILTER (WHERE {past}) AS first_activity,
                min(date) FILTER (WHERE date > {a} AND coalesce(cstatus, 'open') = 'open') AS next_review
            FROM acts GROUP BY 1),
        -- Who has left: a regular contact (named on `regular_activities` activities in the
        -- `regular_window_days` before their last) absent for `absent_days`; someone seen once
        -- or twice is no lost contact. Only the absent people seen often enough, of accounts with a
        -- new contact this year, are joined back to their rows.
        fresh AS (SELECT DISTINCT p.account_id FROM people p JOIN agg USING (account_id) WHERE p.first > {w['d365']} AND p.first > agg.first_activity),
        gone AS (
            SELECT p.account_id, min(p.last) AS earliest_gone FROM (
                SELECT p.account_id, p.last FROM people p JOIN w ON w.account_id = p.account_id AND w.customer_contact = p.c
                WHERE p.last <= {gone} AND p.seen >= {int(change['regular_activities'])} AND p.account_id IN (SELECT account_id FROM fresh)
                    AND w.date > p.last - INTERVAL {int(change['regular_window_days'])} DAY
                GROUP BY p.account_id, p.c, p.last HAVING count(*) >= {int(change['regular_activities'])}) p
            GROUP BY 1),
        -- A new contact (first seen in the last 12 months, after the account's first activity) who
        -- took over from one who left (`gone`) before the new one's first activity: the account
        -- stayed active, someone else in touch since (never the new contact's own: its last is on
        -- or after its first).
        newcomers AS (
            SELECT p.account_id, p.first
            FROM people p JOIN agg USING (account_id) JOIN gone USING (account_id)
            WHERE p.first > {w['d365']} AND p.first > agg.first_activity AND gone.earliest_gone < p.first),
        handovers AS (SELECT account_id, date FROM w WHERE c_handover),
        changes AS (
            SELECT n.account_id, count(*) AS n FROM newcomers n
            WHERE NOT EXISTS (SELECT 1 FROM handovers h WHERE h.account_id = n.account_id
                AND h.date BETWEEN n.first - INTERVAL {int(handover_days)} DAY AND n.first + INTERVAL {int(handover_days)} DAY)
            GROUP BY 1),
        ours AS (SELECT account_id, count(DISTINCT our_contact) AS n FROM w WHERE date > {w['d365']} AND our_contact IS NOT NULL GROUP BY 1)
        SELECT agg.*, {contacts} AS customer_contacts_12m, {ours} AS our_contacts_12m,
               coalesce(repeated.n, 0) AS repeat_complaints_open, coalesce(changes.n, 0) AS contact_changes_unhandled_12m
        FROM agg LEFT JOIN repeated USING (account_id) LEFT JOIN changes USING (account_id)
             LEFT JOIN folks USING (account_id) LEFT JOIN ours USING (account_id)"""


def deal_signals(as_of: date, signals: Mapping[str, Signal], has: set[str], rates: Mapping[str, float] | None = None) -> str:
    """SQL: one row of deal signals per account, from the `dls` table.

    Amounts in different currencies are never added as they are: with a rate for every one
    of them (`rates`) they are converted; otherwise the account's revenue is unknown and
    `currencies` lists them (for a data note). A won deal without an amount leaves the revenue
    of its window unknown; `unpriced` counts such deals of the two windows (for a data note)."""
    w = _windows(as_of, signals)
    a = literal(as_of.isoformat()) + "::DATE"
    tenders = f"count(*) FILTER (WHERE competitive AND date > {w['d365']} AND date <= {a})" if "competitive" in has else "NULL"
    won = f"cstatus = 'won' AND amount IS NOT NULL AND date > {w['d730']} AND date <= {a}"
    if "currency" in has:
        rate = "CASE currency " + " ".join(f"WHEN {literal(c)} THEN {float(r)!r}" for c, r in (rates or {}).items()) + " END" if rates else "NULL"
        mixed = f"count(DISTINCT currency) FILTER (WHERE {won}) > 1"
        convertible = f"bool_and({rate} IS NOT NULL) FILTER (WHERE {won})"
        value = f"CASE WHEN NOT ({mixed}) THEN 1 WHEN {convertible} THEN 0 END"  # 1: as it is, 0: converted, NULL: unknown
        currencies = f"CASE WHEN {mixed} AND NOT coalesce({convertible}, false) THEN string_agg(DISTINCT currency, ', ' ORDER BY currency) FILTER (WHERE {won}) END"
        sums = {k: f"CASE {value} WHEN 1 THEN coalesce(sum(amount) FILTER (WHERE {won} AND {cond}), 0) "
                   f"WHEN 0 THEN coalesce(sum(amount * {rate}) FILTER (WHERE {won} AND {cond}), 0) END"
                for k, cond in (("revenue_12m", f"date > {w['d365']}"), ("revenue_prev_12m", f"date <= {w['d365']}"))}
    else:
        currencies = "NULL::VARCHAR"
        sums = {k: f"coalesce(sum(amount) FILTER (WHERE {won} AND {cond}), 0)"
                for k, cond in (("revenue_12m", f"date > {w['d365']}"), ("revenue_prev_12m", f"date <= {w['d365']}"))}
    if "amount" not in has:
        sums = dict.fromkeys(sums, "NULL")
        unpriced = "NULL::BIGINT"
    else:
        # A won deal with no amount makes its window's revenue unknown: missing is not zero.
        blank = f"cstatus = 'won' AND amount IS NULL AND date > {w['d730']} AND date <= {a}"
        sums = {k: f"CASE WHEN count(*) FILTER (WHERE {blank} AND {cond}) = 0 THEN {sums[k]} END"
                for k, cond in (("revenue_12m", f"date > {w['d365']}"), ("revenue_prev_12m", f"date <= {w['d365']}"))}
        unpriced = f"count(*) FILTER (WHERE {blank})"
    return f"""
        SELECT account_id,
            count(*) FILTER (WHERE cstatus = 'won' AND date > {w['d365']} AND date <= {a}) AS purchases_12m,
            {sums['revenue_12m']} AS revenue_12m,
            {sums['revenue_prev_12m']} AS revenue_prev_12m,
            {tenders} AS competitive_tenders_12m,
            max(date) FILTER (WHERE cstatus = 'won' AND date <= {a}) AS last_purchase,
            min(date) AS first_deal,
            {currencies} AS currencies,
            {unpriced} AS unpriced
        FROM dls GROUP BY 1"""

# Counts that are zero, not unknown, for an account with no rows in a log: the log is the
# record of what happened. (The report shows each log's first and last date and warns when a
# log starts inside a window or ends long before --as-of; --history-from makes the windows
# reaching before it unknown.)
