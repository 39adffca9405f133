"""Parse one CRM cell into a signal value, by the signal's type.

An empty cell is unknown (None), never zero. A value that cannot be read raises
`BadValue` carrying a reason key from `playbooks/messages/`, so the caller can report it
in the user's language and treat the signal as unknown.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime

from checker.playbook.messages import Problem

UNKNOWN_MARKERS = frozenset({"", "n/a", "na", "null", "none", "-", "—"})

BOOLEANS = {
    "true": True, "false": False, "yes": True, "no": False, "y": True, "n": False,
    "kyllä": True, "kylla": True, "ei": False, "k": True, "e": False, "1": True, "0": False,
    "x": True, "tosi": True, "epätosi": False,
}
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s.*)?$")
SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(?:[\s,T].*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
#: Day, English month name, year, as Zoho CRM writes it: `16 Apr, 2021 00:03:00` (also `16-Apr-2021`).
MONTH_NAMED = re.compile(r"^\s*(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})(?:[\s,T].*)?$")
MONTHS = {m: n for n, names in enumerate((("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
                                          ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
                                          ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for m in names}
#: --date-format's and the mapping's named orders; anything else must be a strftime pattern.
DATE_ORDERS = ("iso", "dmy", "mdy")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")
_CURRENCY = re.compile(r"^(?:€|eur|\$|usd|£|gbp|sek|kr)\s*|\s*(?:€|eur|\$|usd|£|gbp|sek|kr)$", re.IGNORECASE)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
#: No count or amount in a CRM export reaches this; a longer number is a mistake (and past
#: what a float holds exactly).
TOO_LARGE = 10**15


class DateOrderError(Problem):
    """A date column whose day/month order cannot be decided."""


class BadValue(ValueError):
    """A cell that cannot be read as its signal's type; `reason` is a message key."""

    def __init__(self, reason: str, **details: object):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def is_unknown(cell: str) -> bool:
    return cell.strip().casefold() in UNKNOWN_MARKERS


def parse_number(cell: str) -> float:
    """`1 234,5`, `1,234.5`, `1234.5`, `€ 1 200` → float."""
    text = _CURRENCY.sub("", cell.strip().translate(_MINUS)).translate(_SPACES)
    if "," in text and "." in text:
        # The later separator is the decimal one; the other groups thousands.
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise BadValue("reason.number") from None
    if math.isnan(value) or (math.isinf(value) and not any(c.isdigit() for c in text)):
        raise BadValue("reason.number")  # `nan`, `inf`, `infinity` written out
    if abs(value) >= TOO_LARGE:  # digits past what a float holds come out as infinity
        raise BadValue("reason.too_large")
    return value


def parse_count(cell: str) -> int:
    text = cell.strip()
    if text.isascii() and text.isdigit():  # isdigit alone also takes `²`, which int() refuses
        if int(text) >= TOO_LARGE:
            raise BadValue("reason.too_large")
        return int(text)
    try:
        value = parse_number(text)
    except BadValue as exc:
        if exc.reason == "reason.too_large":
            raise
        raise BadValue("reason.count") from None
    if value < 0 or value != int(value):
        raise BadValue("reason.count")
    return int(value)


def parse_share(cell: str) -> float:
    text = cell.strip()
    percent = text.endswith("%")
    value = parse_number(text.rstrip("%"))
    if percent:
        value /= 100
    elif value > 1:
        raise BadValue("reason.share_ambiguous")
    if not 0 <= value <= 1:
        raise BadValue("reason.share_range")
    return value


def parse_boolean(cell: str) -> bool:
    try:
        return BOOLEANS[cell.strip().casefold()]
    except KeyError:
        raise BadValue("reason.boolean") from None


def date_pattern(text: str) -> str:
    """A --date-format or mapping `date_format` value: iso, dmy, mdy or a strftime pattern
    (`%d %b, %Y %H:%M:%S`) that writes and reads back a date; ValueError otherwise."""
    if text in DATE_ORDERS:
        return text
    sample = datetime(2026, 4, 16, 9, 5, 7)
    try:
        back = datetime.strptime(sample.strftime(text), text)
    except ValueError:
        back = None
    if "%" not in text or back is None or back.date() != sample.date():
        raise ValueError(text)
    return text


def known_date_form(cell: str) -> bool:
    """Whether a text is written in a date form the checker knows (it may still be no real date:
    31.2.2026), so that a bad one is not sent to --date-format."""
    text = cell.strip()
    named = MONTH_NAMED.match(text)
    return bool(_ISO.match(text) or _DMY.match(text) or SLASHED.match(text) or (named and named.group(2).casefold() in MONTHS))


def parse_date(cell: str, order: str | None = None) -> date:
    """ISO (with or without time), d.m.yyyy, `16 Apr, 2021` (Zoho), d/m/yyyy or m/d/yyyy when
    `order` says which, and any form `order` gives as a strftime pattern."""
    text = cell.strip()
    if order and "%" in order:
        try:
            return datetime.strptime(text, order).date()
        except ValueError:
            pass  # not in the pattern: the forms every column may hold (an ISO date) still count
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif (match := _DMY.match(text)):
        day, month, year = (int(g) for g in match.groups())
    elif (match := MONTH_NAMED.match(text)) and match.group(2).casefold() in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2).casefold()], int(match.group(3))
    elif (match := SLASHED.match(text)) and order in ("dmy", "mdy"):
        first, second, year = (int(g) for g in match.groups())
        day, month = (first, second) if order == "dmy" else (second, first)
    else:
        raise BadValue("reason.date_format")
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("reason.date_impossible") from None


def unguarded(cell: str) -> str:
    """A cell past a leading `'`: a spreadsheet's text marker, which a CSV neutralised against
    formulas (ours: checker/reports/csv.py) writes before `+-`, `=…` or `-3`."""
    return cell.strip().removeprefix("'").strip()


def parse_category(cell: str, allowed: list[str]) -> str:
    text = unguarded(cell).translate(_MINUS).replace(" ", "")
    if text in allowed:
        return text
    raise BadValue("reason.category", values=", ".join(allowed))


def slashed_order(cells: list[str], preferred: str | None) -> str | None:
    """Day/month order of a column's d/m/yyyy or m/d/yyyy dates, decided by the data.

    A first part above 12 means day first; a second part above 12 means month first.
    When no date settles it, `preferred` (--date-format or the preset) decides; with none,
    the column is ambiguous and DateOrderError asks for --date-format — never a guess.
    """
    firsts, seconds, example = 0, 0, None
    cells = [c for c in cells if "/" in c]  # the common case, no slashed dates, costs one quick pass
    for cell in cells:
        match = SLASHED.match(cell)
        if match:
            example = example or cell.strip()
            firsts, seconds = max(firsts, int(match.group(1))), max(seconds, int(match.group(2)))
    if example is None or (preferred and "%" in preferred):
        return preferred  # no slashed dates, or a pattern that says how to read them
    if firsts > 12 and seconds > 12:
        raise DateOrderError("error.date_order_mixed", example=example)
    if firsts > 12:
        return "dmy"
    if seconds > 12:
        return "mdy"
    if preferred in ("dmy", "mdy"):
        return preferred
    raise DateOrderError("error.date_order_ambiguous", example=example)


def parse_cell(cell: str, signal_type: str, allowed: list[str] | None = None, order: str | None = None) -> object:
    """The value of `cell` for a signal of `signal_type`; None when the cell is empty."""
    if is_unknown(cell):
        return None
    if signal_type == "count":
        return parse_count(cell)
    if signal_type == "share":
        return parse_share(cell)
    if signal_type == "boolean":
        return parse_boolean(cell)
    if signal_type == "date":
        return parse_date(cell, order)
    if signal_type in ("amount", "days"):
        value = parse_number(cell)
        if signal_type == "days" and value < 0:
            raise BadValue("reason.count")
        return value
    if signal_type == "category":
        return parse_category(cell, allowed or [])
    raise ValueError(f"unknown signal type {signal_type!r}")


def canonical_text(value: object) -> str:
    """A value as the canonical account export writes it ("" = unknown): what parse_cell reads back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)
