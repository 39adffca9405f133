"""Logs as tables of Spark's catalog (`--engine spark --activities-table NAME`; checker/inputs/tables.py,
SparkEngine.read_table): the same signals as the files on the default engine.

Uses test_spark.py's session fixture (one local Spark per test run); skipped without pyspark or
Java unless REQUIRE_SPARK=1. The runs take sessions of their own on it, so the tables are made
where every session sees them: a global temp view (`global_temp.NAME`) and a catalog table saved in
the session's warehouse folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.cli import main
from tests.engines.test_spark import spark  # noqa: F401  (the shared session fixture)

CANONICAL = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "canonical"
COMMON = [str(CANONICAL / "accounts.csv"), "--preset", "canonical", "--format", "json", "--as-of", "2026-10-31"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_logs_as_spark_tables_give_the_signals_of_the_files_on_duckdb(spark: Any, capsys) -> None:  # noqa: F811
    code, expected, _ = _run(capsys, "signals", *COMMON, "--activities", str(CANONICAL / "activities.csv"), "--deals", str(CANONICAL / "deals.csv"))
    assert code == 0
    # Activities: every column text, as a view; deals: with the types Spark infers (dates, amounts, booleans), as a saved table.
    spark.read.csv(str(CANONICAL / "activities.csv"), header=True).createOrReplaceGlobalTempView("tables_test_activities")
    spark.read.csv(str(CANONICAL / "deals.csv"), header=True, inferSchema=True).write.mode("overwrite").saveAsTable("tables_test_deals")
    try:
        assert {t for _, t in spark.table("tables_test_deals").dtypes} > {"string"}
        code, found, err = _run(capsys, "signals", *COMMON, "--engine", "spark",
                                "--activities-table", "global_temp.tables_test_activities", "--deals-table", "tables_test_deals")
        assert code == 0, err
        assert found == expected.replace('"activities.csv"', '"global_temp.tables_test_activities"').replace('"deals.csv"', '"tables_test_deals"')
        assert "tables_test_deals: 19 rows read, 19 used" in err
        code, out, err = _run(capsys, "signals", *COMMON, "--engine", "spark", "--activities-table", "no_such_table")
        assert code == 2 and out == ""
        assert err == ("playbook: --activities-table no_such_table: the spark engine has no table or view of that name in its catalog. "
                       "Check the name (schema.table where it is in a schema; global_temp.NAME for a global temporary view)\n")
    finally:
        spark.catalog.dropGlobalTempView("tables_test_activities")
        spark.sql("DROP TABLE IF EXISTS tables_test_deals")


def test_the_accounts_as_a_spark_table_give_the_findings_of_the_file_on_duckdb(spark: Any, capsys) -> None:  # noqa: F811
    """The account table, typed as Spark infers it (numbers, booleans, dates), collected through Arrow: the same report."""
    check = ["--preset", "canonical", "--format", "json", "--as-of", "2026-10-31", "--fail-on", "never"]
    code, expected, _ = _run(capsys, "check", str(CANONICAL / "accounts.csv"), *check, "--activities", str(CANONICAL / "activities.csv"))
    assert code == 0
    spark.read.csv(str(CANONICAL / "accounts.csv"), header=True, inferSchema=True).write.mode("overwrite").saveAsTable("tables_test_accounts")
    spark.read.csv(str(CANONICAL / "activities.csv"), header=True).createOrReplaceGlobalTempView("tables_test_activities2")
    try:
        assert {t for _, t in spark.table("tables_test_accounts").dtypes} > {"string"}
        code, found, err = _run(capsys, "check", "--accounts-table", "tables_test_accounts", *check, "--engine", "spark",
                                "--activities-table", "global_temp.tables_test_activities2")
        assert code == 0, err
        assert found == expected.replace('"accounts.csv"', '"tables_test_accounts"').replace('"activities.csv"', '"global_temp.tables_test_activities2"')
        code, out, err = _run(capsys, "check", "--accounts-table", "no_such_accounts", *check, "--engine", "spark")
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "--accounts-table no_such_accounts: the spark engine has no table or view of that name in its catalog" in err
        assert "[" not in err and ".log" not in err  # Spark's own words (an error class, the unresolved plan) and its log stay out
    finally:
        spark.catalog.dropGlobalTempView("tables_test_activities2")
        spark.sql("DROP TABLE IF EXISTS tables_test_accounts")


def test_source_entries_of_the_mapping_name_spark_tables(spark: Any, capsys, tmp_path) -> None:  # noqa: F811
    """`source:` in the mapping names the tables of Spark's catalog as the options do; its `database` (a DuckDB file,
    the default engine's) is not Spark's and is left aside; --preset auto reads the tables' column names."""
    code, expected, _ = _run(capsys, "signals", *COMMON, "--activities", str(CANONICAL / "activities.csv"), "--deals", str(CANONICAL / "deals.csv"))
    assert code == 0
    spark.read.csv(str(CANONICAL / "activities.csv"), header=True).createOrReplaceGlobalTempView("source_test_activities")
    spark.read.csv(str(CANONICAL / "deals.csv"), header=True).createOrReplaceGlobalTempView("source_test_deals")
    (tmp_path / "crm.duckdb").write_bytes(b"")  # there, but never opened on Spark
    mapping = tmp_path / "ours.yaml"
    mapping.write_text("kind: mapping\nsource:\n  activities: global_temp.source_test_activities\n  deals: [global_temp.source_test_deals]\n"
                       "  database: crm.duckdb\n", encoding="utf-8")
    try:
        common = [a for a in COMMON if a not in ("--preset", "canonical")]  # --preset auto: the account file and the tables tell it
        code, found, err = _run(capsys, "signals", *common, "--engine", "spark", "--mapping", str(mapping))
        assert code == 0, err
        assert found == expected.replace('"activities.csv"', '"global_temp.source_test_activities"').replace('"deals.csv"', '"global_temp.source_test_deals"')
    finally:
        spark.catalog.dropGlobalTempView("source_test_activities")
        spark.catalog.dropGlobalTempView("source_test_deals")
