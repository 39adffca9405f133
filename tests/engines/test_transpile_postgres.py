"""The DuckDB → PostgreSQL rewrites (checker/engines/transpile_postgres.py), without a PostgreSQL: what each writes, and
what has no translation. tests/engines/test_warehouse.py runs the SQL on a real PostgreSQL against DuckDB;
test_transpile.py translates every statement the pipeline sends on every fixture."""
from __future__ import annotations

import re

import pytest

from checker.engines.transpile import Untranslatable, dialect_sql
from checker.engines.transpile_postgres import postgres_regex, strptime_regex


def test_re2_classes_are_written_out_as_re2_reads_them_not_as_the_databases_locale_does():
    assert postgres_regex(r"[\s €$£]|EUR") == "[\\t\\n\\f\\r  €$£]|EUR"
    assert postgres_regex(r"^\s*(\d{4})") == "^[\\t\\n\\f\\r ]*([0-9]{4})"
    assert postgres_regex("[^[:alnum:]]+") == "[^0-9A-Za-z]+"
    assert postgres_regex("a.b") == "a[^\\n]b"  # RE2's . stops at a line break; Tcl's does not
    letters = postgres_regex(r"\p{L}+")
    assert letters.startswith("[A-Za-z") and re.fullmatch(letters, "hävittyжΩǅ") and not re.search(letters, "0_ -·")  # Python's re reads the ranges alike


def test_what_re2_and_postgres_read_differently_is_named_never_passed_through():
    for pattern, named in ((r"\bword\b", "escape \\\\b"), ("a(?i)b", "the group"), ("a+?", "lazy"), ("[[:foo:]]", "foo"), (r"[\S]", "escape \\\\S")):
        with pytest.raises(Untranslatable, match=named):
            postgres_regex(pattern)


def test_strptime_patterns_become_anchored_expressions_and_their_parts():
    assert strptime_regex("%d.%m.%Y") == (r"^\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,4})\s*$", ["d", "m", "Y"])
    assert strptime_regex("%d %b %Y %H:%M")[1] == ["d", "b", "Y", "H", "M"]
    with pytest.raises(Untranslatable, match="%Q"):
        strptime_regex("%Q")


def test_duckdb_functions_postgres_lacks_become_postgres_sql():
    sql = dialect_sql("SELECT TRY_CAST(s AS DATE), TRY_CAST(a AS DOUBLE), any_value(x), arg_min(k, v), contains(s, ';') FROM t", "postgres")
    assert sql == ("SELECT PG_TEMP.TRY_DATE(s), PG_TEMP.TRY_DOUBLE(a), (ARRAY_AGG(x) FILTER(WHERE NOT x IS NULL))[1], "
                   "(ARRAY_AGG(k ORDER BY v) FILTER(WHERE NOT v IS NULL))[1], POSITION(';' IN s) > 0 FROM t")
    assert dialect_sql("SELECT ['o', 'w'][list_position(['open', 'won'], lower(s))] FROM t", "postgres") == \
        """SELECT CASE (LOWER(s COLLATE "und-x-icu") COLLATE "C") WHEN 'open' THEN 'o' WHEN 'won' THEN 'w' END FROM t"""
    assert dialect_sql("SELECT regexp_extract(s, '^(a)', 1) FROM (SELECT 1)", "postgres").startswith(
        "SELECT CASE WHEN s IS NULL THEN NULL ELSE COALESCE((REGEXP_MATCH(s, '^(a)'))[1], '') END FROM (SELECT 1) AS _q")
    aliases = re.findall(r"AS (_q\d+)", dialect_sql("SELECT * FROM (SELECT 1) JOIN (SELECT 2) ON true JOIN (SELECT 3) ON true", "postgres"))
    assert len(aliases) == len(set(aliases)) == 3  # each subquery its own name (PostgreSQL 15 wants one)
    with pytest.raises(Untranslatable, match="TRY_CAST to BIGINT"):
        dialect_sql("SELECT TRY_CAST(s AS BIGINT) FROM t", "postgres")
