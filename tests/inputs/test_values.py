from __future__ import annotations

from datetime import date

import pytest

from checker.inputs.values import BadValue, parse_cell, unguarded


@pytest.mark.parametrize(
    ("cell", "kind", "expected"),
    [
        ("", "count", None),
        ("  ", "share", None),
        ("n/a", "boolean", None),
        ("3", "count", 3),
        (" 12 ", "count", 12),
        ("1 200", "count", 1200),
        ("4,0", "count", 4),
        ("0.45", "share", 0.45),
        ("0,45", "share", 0.45),
        ("45 %", "share", 0.45),
        ("45%", "share", 0.45),
        ("100 %", "share", 1.0),
        ("1", "share", 1.0),
        ("true", "boolean", True),
        ("Yes", "boolean", True),
        ("kyllä", "boolean", True),
        ("EI", "boolean", False),
        ("0", "boolean", False),
        ("2026-03-31", "date", date(2026, 3, 31)),
        ("2026-03-31T10:22:00Z", "date", date(2026, 3, 31)),
        ("31.3.2026", "date", date(2026, 3, 31)),
        ("1.12.2025", "date", date(2025, 12, 1)),
        ("1 234,50", "amount", 1234.5),
        ("1,234.50", "amount", 1234.5),
        ("€ 1 200", "amount", 1200.0),
        ("-300", "amount", -300.0),
        ("++", "category", "++"),
        ("+ −", "category", "+-"),
    ],
)
def test_parses_what_exports_write(cell, kind, expected):
    allowed = ["++", "+-", "-+", "--"] if kind == "category" else None
    assert parse_cell(cell, kind, allowed) == expected


@pytest.mark.parametrize(
    ("cell", "kind", "reason"),
    [
        ("several", "count", "reason.count"),
        ("-1", "count", "reason.count"),
        ("2.5", "count", "reason.count"),
        ("150 %", "share", "reason.share_range"),
        ("45", "share", "reason.share_ambiguous"),
        ("-5 %", "share", "reason.share_range"),
        ("maybe", "boolean", "reason.boolean"),
        ("31.2.2026", "date", "reason.date_impossible"),
        ("2026-13-01", "date", "reason.date_impossible"),
        ("March 3rd", "date", "reason.date_format"),
        ("12/03/2026", "date", "reason.date_format"),
        ("lots", "amount", "reason.number"),
        ("inf", "amount", "reason.number"),
        ("9" * 400, "count", "reason.too_large"),  # once a traceback: too large for a float
        ("-" + "9" * 400, "amount", "reason.too_large"),
        ("1 000 000 000 000 000", "amount", "reason.too_large"),
        ("1e15", "count", "reason.too_large"),
        ("²", "count", "reason.count"),  # a digit to str.isdigit, once a traceback
        ("+++", "category", "reason.category"),
    ],
)
def test_impossible_values_name_their_reason(cell, kind, reason):
    allowed = ["++", "+-", "-+", "--"] if kind == "category" else None
    with pytest.raises(BadValue) as info:
        parse_cell(cell, kind, allowed)
    assert info.value.reason == reason


def test_a_cell_is_read_past_a_spreadsheets_text_marker_once() -> None:
    assert [unguarded(c) for c in ("'+-", " '=1+1 ", "'-3", "''x", "it's", "")] == ["+-", "=1+1", "-3", "'x", "it's", ""]
