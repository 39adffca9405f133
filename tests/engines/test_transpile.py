"""The DuckDB → Spark and DuckDB → PostgreSQL translations: each rewrite SQLGlot lacks, and every statement the log pipeline
sends (no Spark or PostgreSQL needed; tests/engines/test_warehouse.py runs the PostgreSQL SQL)."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from checker.cli import main
from checker.engines.transpile import Untranslatable, java_datetime_pattern, java_regex, spark_sql, to_dialect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_a_full_match_is_anchored_at_the_very_end_as_re2_anchors_it():
    sql = spark_sql("SELECT regexp_full_match(x, '0{15}|a b') FROM t")
    assert "RLIKE '^(?:0{15}|a b)\\\\z'" in sql  # \z: Java's $ would also match before a final line break


def test_posix_classes_are_written_as_java_reads_them():
    assert java_regex("[^[:alnum:]]+") == r"[^\p{Alnum}]+"
    assert java_regex("[[:space:][:digit:]]") == r"[\s\p{Digit}]"
    assert "\\\\p{Alnum}" in spark_sql("SELECT regexp_replace(x, '[^[:alnum:]]+', ' ', 'g') FROM t")


def test_a_word_lookup_becomes_a_map_lookup_not_a_zero_based_array_index():
    sql = spark_sql("SELECT ['open', 'won', NULL::VARCHAR][list_position(['open', 'closed won', 'task'], lower(s))] FROM t")
    assert sql == "SELECT ELEMENT_AT(MAP('open', 'open', 'closed won', 'won', 'task', CAST(NULL AS STRING)), LOWER(s)) FROM t"


def test_strptime_patterns_become_spark_datetime_patterns():
    assert java_datetime_pattern("%d/%m/%Y") == "d/M/yyyy"
    assert java_datetime_pattern("%d %b, %Y %H:%M") == "d MMM, yyyy H:m"
    assert java_datetime_pattern("%Y-%m-%dT%H:%M:%S") == "yyyy-M-d'T'H:m:s"
    assert spark_sql("SELECT try_strptime(trim(t), '%d.%m.%Y') FROM x") == "SELECT TRY_TO_TIMESTAMP(TRIM(t), 'd.M.yyyy') FROM x"
    with pytest.raises(Untranslatable, match="%Q"):
        java_datetime_pattern("%Q")


def test_rows_numbered_only_to_tell_them_apart_get_a_unique_id():
    assert spark_sql("SELECT *, row_number() OVER () AS rn FROM t") == "SELECT *, MONOTONICALLY_INCREASING_ID() AS rn FROM t"
    assert "ROW_NUMBER() OVER (ORDER BY" in spark_sql("SELECT row_number() OVER (ORDER BY a) FROM t")  # an ordered one stays


def test_elements_with_their_places_become_one_posexplode():
    sql = spark_sql("SELECT part, unnest(ws) AS w, generate_subscripts(ws, 1) AS i FROM t")
    assert sql == "SELECT part, POSEXPLODE(ws) AS (i, w) FROM t"
    with pytest.raises(Untranslatable, match="generate_subscripts"):
        spark_sql("SELECT generate_subscripts(ws, 1) AS i FROM t")


def test_planner_hints_and_excluded_columns():
    sql = spark_sql("WITH w AS NOT MATERIALIZED (SELECT * EXCLUDE (a) FROM t) SELECT * FROM w")
    assert sql == "WITH w AS (SELECT * EXCEPT (a) FROM t) SELECT * FROM w"


def test_a_function_without_a_translation_is_named_never_passed_through():
    with pytest.raises(Untranslatable, match="list_position"):
        spark_sql("SELECT list_position(l, x) FROM t")
    with pytest.raises(Untranslatable, match="jaro_similarity"):
        spark_sql("SELECT jaro_similarity(a, b) FROM t")


def test_every_statement_the_log_pipeline_sends_has_a_translation(tmp_path, monkeypatch):
    """Record what the log reader hands its (DuckDB) engine on every CRM fixture, and translate each statement to Spark and to PostgreSQL."""
    from checker.inputs.engine import DuckEngine

    sent: list[str] = []
    for method in ("run", "one", "rows", "arrays"):
        original = getattr(DuckEngine, method)

        def recorded(self, sql, _original=original):
            sent.append(sql)
            return _original(self, sql)

        monkeypatch.setattr(DuckEngine, method, recorded)
    fixtures = 0
    for expected in sorted((FIXTURES / "exports").glob("*/expected.yaml")):
        spec = yaml.safe_load(expected.read_text(encoding="utf-8"))
        if "args" not in spec:
            continue
        args = [str(expected.parent / a) if (expected.parent / a).exists() else a for a in spec["args"]]
        assert main(["signals", *args, "--as-of", str(spec["as_of"]), "--output", str(tmp_path / "out.csv")]) == 0
        fixtures += 1
    assert fixtures >= 10 and len(sent) > 300
    for sql in set(sent):
        assert spark_sql(sql)  # raises Untranslatable naming what has no translation
        tree = to_dialect(sql, "postgres")
        for star in tree.find_all(exp.Star):  # `* EXCLUDE (…)`: the warehouse engine writes these out from the columns PostgreSQL reports
            star.set("except_", None)
        assert tree.sql(dialect="postgres", unsupported_level=sqlglot.ErrorLevel.RAISE)


def test_a_double_as_text_goes_through_a_decimal_not_javas_scientific_notation():
    sql = spark_sql("SELECT CAST(CAST(s AS DOUBLE) AS VARCHAR) FROM t")
    assert "AS DECIMAL(38, 20)) AS STRING)" in sql and "RAISE_ERROR(" in sql and "CAST(CAST(s AS DOUBLE) AS STRING)" not in sql
