"""The findings output on Spark: the narrowing options and waivers as on DuckDB, and `--output-table` as a
table of Spark's catalog (saveAsTable; checker/engines/output_table.py, SparkEngine.write_table).

Uses test_spark.py's session fixture (one local Spark per test run); skipped without pyspark or Java
unless REQUIRE_SPARK=1. The runs take sessions of their own on that Spark, whose catalog outlasts
them (it is the test session's), so the table they save is read back here.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from conftest import AS_OF, SAMPLE, run

from tests.engines.test_spark import spark  # noqa: F401  (the shared session fixture)


def _rows(path: Path) -> list[tuple]:
    return [tuple(r.values()) for r in pq.read_table(path).to_pylist()]


def test_a_narrowed_and_waived_parquet_output_on_spark_is_duckdbs_row_for_row(spark: Any, capsys, tmp_path: Path) -> None:  # noqa: F811
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text('waivers:\n  - {account: [ACC-00004, ACC-00005], kind: stage-mismatch, reason: moving, until: "2027-01-31"}\n'
                       '  - {account: ACC-00003, rule: basic-buys, reason: known, by: Aino, until: "2027-01-31"}\n', encoding="utf-8")
    options = ["--owner", "oskari", "--owner", "Aino", "--min-severity", "warning", "--waivers", str(waivers), "--fail-on", "warning"]
    found = {}
    for engine in ("duckdb", "spark"):
        target = tmp_path / f"{engine}.parquet"
        code, _, err = run(capsys, "check", str(SAMPLE), *AS_OF, *options, "--engine", engine, "--output", str(target))
        assert code == 1, err
        summary = json.loads(target.with_suffix(".summary.json").read_text(encoding="utf-8"))
        assert (summary.pop("findings_file"), summary.pop("accounts_file"), summary.pop("rules_file")) == (
            target.name, f"{engine}.accounts.parquet", f"{engine}.rules.parquet")
        found[engine] = (_rows(target), summary, [line for line in err.splitlines() if "wrote" not in line], _rows(tmp_path / f"{engine}.rules.parquet"))
    assert found["spark"] == found["duckdb"]  # the same rows in the same order, the same summary and stderr, the same rules file
    rows, summary, _, _ = found["duckdb"]
    assert summary["summary"]["left_out"]["findings"] > 0 and summary["summary"]["changes"]["waived"] > 0
    assert {r[3] for r in rows} == {"Oskari", "Aino"} and [r[1] for r in rows] == sorted(r[1] for r in rows)  # the export's order


def test_output_table_on_spark_saves_the_findings_in_its_catalog_and_replaces_them_only_when_asked(spark: Any, capsys, tmp_path: Path) -> None:  # noqa: F811
    """An earlier findings table is refused without --replace and replaced with it; another table never (both refused before the rules run)."""
    name, other = "playbook_output_test_findings", "playbook_output_test_other"
    narrowing = ["--kind", "stage-mismatch", "--min-severity", "warning", "--fail-on", "never"]
    assert run(capsys, "check", str(SAMPLE), *AS_OF, *narrowing, "--output", str(tmp_path / "f.parquet"))[0] == 0
    expected = _rows(tmp_path / "f.parquet")
    spark.createDataFrame([("A", "r", "k", "error")], "account_id string, rule string, kind string, severity string").write.saveAsTable(name)
    spark.createDataFrame([(1,)], "x int").write.saveAsTable(other)
    common = ["check", str(SAMPLE), *AS_OF, "--engine", "spark", *narrowing]
    try:
        code, stdout, err = run(capsys, *common, "--output-table", name)
        assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1 and "already exists" in err and "--replace" in err
        code, stdout, err = run(capsys, *common, "--output-table", other, "--replace")
        assert code == 2 and stdout == "" and len(err.strip().splitlines()) == 1 and "not a findings table" in err
        code, stdout, err = run(capsys, *common, "--output-table", name, "--replace")
        assert code == 0, err
        assert f"wrote the table {name} (spark: " in err and json.loads(stdout)["findings_table"] == name
        spark.catalog.refreshTable(name)  # this session listed the table's files before the run replaced them
        table = spark.table(name)
        assert table.columns == json.loads(stdout)["columns"]
        assert sorted(map(tuple, table.collect()), key=repr) == sorted(expected, key=repr) and expected  # this run's findings in its place
        assert spark.table(other).collect()[0].x == 1
        rules = _rows(tmp_path / "f.rules.parquet")  # the rules beside the findings, as the Parquet output's rules file
        assert sorted(map(tuple, spark.table(f"{name}_rules").collect()), key=repr) == sorted(rules, key=repr) and rules
    finally:
        spark.sql(f"DROP TABLE IF EXISTS {name}_rules")
        spark.sql(f"DROP TABLE IF EXISTS {name}")
        spark.sql(f"DROP TABLE IF EXISTS {other}")


def test_a_catalog_that_goes_with_the_run_is_refused(spark: Any, tmp_path: Path) -> None:  # noqa: F811
    """A Spark the run itself started keeps its tables in an in-memory catalog, gone when the run stops it: nothing to write to."""
    from checker.engines.spark import SparkEngine

    assert SparkEngine(spark, tmp_path / "spark.log", owned=True).catalog_lasts() is False  # as if started by the run (never closed here)
    assert SparkEngine(spark, tmp_path / "spark.log", owned=False).catalog_lasts() is True  # a session on a Spark that outlives it
