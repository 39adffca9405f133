"""Dates in a log, parsed by DuckDB: ISO on the fast path, else each distinct text once, the
day/month order of slashed dates decided for the whole column as for account exports; Zoho's
`16 Apr, 2021 00:03:00` is known too, and --date-format (or the mapping's `date_format`) may
give any other form as a strftime pattern."""
from __future__ import annotations

from checker.inputs.engine import Engine
from checker.inputs.files import InputError
from checker.inputs.signal_sql import blank, literal
from checker.inputs.values import DateOrderError, slashed_order

#: The days a date may be (Python's calendar, as in account exports; DuckDB also reads year 0
#: and dates BC): a date outside them is a bad date (and ISO dates outside them leave the fast path).
_CALENDAR = "DATE '0001-01-01' AND DATE '9999-12-31'"
_ISO = r"^\s*(\d{4}-\d{1,2}-\d{1,2})"
_DOTTED = r"^\s*(\d{1,2}\.\d{1,2}\.\d{4})"
_SLASHED = r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})"
_SLASHED_DATE = r"^\s*(\d{1,2}/\d{1,2}/\d{4})"  # the same, as one group to extract
_NAMED = r"^\s*(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?,?[ -](\d{4})"  # Zoho: 16 Apr, 2021 00:03:00


def date_sql(db: Engine, column: str, what: str, date_format: str | None, files: dict[str, str]) -> str:
    """SQL turning a text column into a DATE, the day/month order decided for the whole column."""
    iso_first = f"TRY_CAST({column} AS DATE)"  # DuckDB's cast allows spaces around
    # A log repeats its days many times: each distinct date text is looked at once.
    texts = f"dates_{what}"
    db.run(f"CREATE OR REPLACE TEMP TABLE {texts} AS SELECT DISTINCT {column} AS t FROM {what} WHERE {column} IS NOT NULL")
    other, beyond = db.one(f"SELECT count(*) FILTER (WHERE TRY_CAST(t AS DATE) IS NULL AND NOT {blank('t')}), "
                           f"count(*) FILTER (WHERE NOT TRY_CAST(t AS DATE) BETWEEN {_CALENDAR}) FROM {texts}")
    if not other and not beyond:
        return iso_first  # plain ISO dates throughout: the fast path
    # The same decision as for account exports (values.slashed_order), on the distinct slashed dates.
    slashed = sorted(r[0] for r in db.rows(
        f"SELECT DISTINCT regexp_extract(t, {literal(_SLASHED_DATE)}, 1) FROM {texts} "
        f"WHERE regexp_matches(t, {literal(_SLASHED)})"))  # sorted: the same example every run
    first = db.one(f"SELECT trim({column}) FROM {what} WHERE regexp_matches({column}, {literal(_SLASHED)}) LIMIT 1")
    try:
        order = slashed_order(([first[0]] if first else []) + slashed, date_format)  # the first one is the example named
    except DateOrderError as exc:
        raise InputError("error.log_problem", path=files[what], problem=exc) from None
    slash_format = "%d/%m/%Y" if order == "dmy" else "%m/%d/%Y"
    # A pattern says how slashed dates read: those it does not read are bad dates, not guessed.
    slashed_sql = "" if order and "%" in order else f"WHEN regexp_matches(t, {literal(_SLASHED)}) THEN try_strptime(regexp_extract(t, {literal(_SLASHED_DATE)}, 1), {literal(slash_format)}) "
    # A strftime pattern (--date-format, the mapping's date_format) first, then the known forms.
    pattern = f"WHEN try_strptime(trim(t), {literal(date_format)}) IS NOT NULL THEN try_strptime(trim(t), {literal(date_format)}) " if date_format and "%" in date_format else ""
    named = f"regexp_extract(t, {literal(_NAMED)}, 1) || ' ' || regexp_extract(t, {literal(_NAMED)}, 2) || ' ' || regexp_extract(t, {literal(_NAMED)}, 3)"
    day = (f"CASE {pattern}WHEN TRY_CAST(t AS DATE) IS NOT NULL THEN TRY_CAST(t AS DATE) WHEN regexp_matches(t, {literal(_ISO)}) THEN try_strptime(regexp_extract(t, {literal(_ISO)}, 1), '%Y-%m-%d') "
           f"WHEN regexp_matches(t, {literal(_NAMED)}) THEN try_strptime({named}, '%d %b %Y') "
           f"WHEN regexp_matches(t, {literal(_DOTTED)}) THEN try_strptime(regexp_extract(t, {literal(_DOTTED)}, 1), '%d.%m.%Y') "
           f"{slashed_sql}END::DATE")
    db.run(f"CREATE OR REPLACE TEMP TABLE days_{what} AS SELECT t, CASE WHEN d BETWEEN {_CALENDAR} THEN d END AS d "
                    f"FROM (SELECT t, {day} AS d FROM {texts})")
    return f"(SELECT d FROM days_{what} WHERE t = {column})"  # a lookup, which DuckDB runs as a join
