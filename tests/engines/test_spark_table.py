"""`check --engine spark --output findings.parquet` with the account table kept in Spark (checker/engines/spark_table.py)
against the path that reads it in this process: the same Parquet rows, accounts file, summary JSON and stderr.

Each case runs twice on Spark: once as it now runs (the account table parsed by the executors, never collected),
once with `spark_table.applies` answering no (read_accounts here, its columns uploaded, as before). Uses
test_spark.py's session fixture (one local Spark per test run).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from checker.cli import main
from checker.engines import spark_table
from checker.inputs.files import read_table
from tests.engines.test_spark import SAMPLE, _fixture_args, spark  # noqa: F401  (the shared session fixture)

APPLIES = spark_table.applies


def _parquet_accounts(source: Path, target: Path, extra: list[list[str | None]] | None = None) -> Path:
    """An account export's cells (and `extra` rows) as a Parquet file of text."""
    table = read_table(source)
    rows = [*table.rows, *(extra or [])]
    pq.write_table(pa.table({h: pa.array([r[i] if i < len(r) else "" for r in rows], pa.string()) for i, h in enumerate(table.header)}), target)
    return target


def _run(capsys, monkeypatch, tmp_path: Path, args: list[str], in_spark: bool) -> tuple[list, list, dict, list[str], list]:
    """(findings rows, accounts rows, summary, stderr, rules rows) of a findings output on Spark, the account table kept there or not."""
    used: list[bool] = []

    def counted(*a: Any) -> bool:
        used.append(answer := in_spark and APPLIES(*a))
        return answer

    monkeypatch.setattr(spark_table, "applies", counted)
    target = tmp_path / ("kept.parquet" if in_spark else "here.parquet")
    code = main(["check", *args, "--engine", "spark", "--output", str(target), "--fail-on", "never"])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert any(used) == in_spark
    summary = json.loads(target.with_suffix(".summary.json").read_text(encoding="utf-8"))
    summary.pop("findings_file"), summary.pop("accounts_file"), summary.pop("rules_file")
    accounts = pq.read_table(target.with_suffix(".accounts.parquet")).to_pylist()
    rules = pq.read_table(target.with_suffix(".rules.parquet")).to_pylist()
    said = [line.replace(target.stem, "OUT") for line in err.splitlines()]
    return pq.read_table(target).to_pylist(), accounts, summary, said, rules


def _same(capsys, monkeypatch, tmp_path: Path, args: list[str]) -> dict:
    here = _run(capsys, monkeypatch, tmp_path, args, False)
    kept = _run(capsys, monkeypatch, tmp_path, args, True)
    assert kept[0] == here[0]  # row for row, in the same order
    assert kept[1:3] == here[1:3]  # the accounts file, the summary
    assert [line for line in kept[3] if line not in here[3]] == [line for line in here[3] if line not in kept[3]] == []  # stderr
    assert kept[4] == here[4]  # the rules beside them
    return kept[2]


def test_the_canonical_fixture_with_logs_and_bad_rows_is_the_same_with_its_account_table_kept_in_spark(spark, capsys, monkeypatch, tmp_path):  # noqa: F811
    """The canonical fixture's accounts as Parquet, with rows no account is (a blank one, no id, a repeated id) and bad cells."""
    args = _fixture_args("canonical")
    width = len(read_table(Path(args[0])).header)
    bad = [[""] * width, ["", "Nameless Oy"] + [""] * (width - 2), [read_table(Path(args[0])).rows[0][0], "Again Oy"] + [""] * (width - 2)]
    args[0] = str(_parquet_accounts(Path(args[0]), tmp_path / "accounts.parquet", bad))
    summary = _same(capsys, monkeypatch, tmp_path, args)["summary"]
    assert summary["rows_unusable"] == 2 and summary["rows_with_data_problems"] >= 2 and summary["findings"] > 10


@pytest.mark.parametrize("name", ["dynamics", "zoho", "hubspot-fi"])
def test_crm_fixtures_with_logs_are_the_same_with_their_account_table_kept_in_spark(spark, capsys, monkeypatch, tmp_path, name):  # noqa: F811
    """Accounts linked by name (Dynamics), through contacts (Zoho), Finnish cells (HubSpot in Finnish)."""
    args = _fixture_args(name)
    args[0] = str(_parquet_accounts(Path(args[0]), tmp_path / "accounts.parquet"))
    assert _same(capsys, monkeypatch, tmp_path, args)["summary"]["accounts"] >= 3


def test_the_sample_narrowed_and_marked_without_logs_is_the_same_with_its_account_table_kept_in_spark(spark, capsys, monkeypatch, tmp_path):  # noqa: F811
    """No logs (no engine view of them), --owner and --min-severity narrowing the findings, last month's findings.parquet
    (DuckDB's) as the baseline."""
    path = _parquet_accounts(SAMPLE, tmp_path / "sample.parquet")
    earlier = tmp_path / "earlier.parquet"
    assert main(["check", str(path), "--as-of", "2026-10-31", "--output", str(earlier), "--fail-on", "never"]) == 0
    capsys.readouterr()
    summary = _same(capsys, monkeypatch, tmp_path, [str(path), "--as-of", "2026-11-30", "--owner", "Aino", "--min-severity", "warning",
                                                    "--baseline", str(earlier)])
    assert summary["summary"]["left_out"]["findings"] > 0 and summary["summary"]["changes"]["still_open"] > 0


def test_an_account_table_of_the_catalog_is_the_same_kept_in_spark(spark, capsys, monkeypatch, tmp_path):  # noqa: F811
    """--accounts-table: typed columns (inferred from the CSV), read as their text."""
    args = _fixture_args("canonical")
    spark.read.csv(args[0], header=True, inferSchema=True).write.mode("overwrite").saveAsTable("spark_table_test_accounts")
    try:
        summary = _same(capsys, monkeypatch, tmp_path, ["--accounts-table", "spark_table_test_accounts", *args[1:]])
    finally:
        spark.sql("DROP TABLE IF EXISTS spark_table_test_accounts")
    assert summary["input"] == "spark_table_test_accounts"


def test_a_generated_set_with_logs_is_the_same_kept_in_spark(spark, capsys, monkeypatch, tmp_path):  # noqa: F811
    """test_spark's generated export with logs (no reviews: those keep the table here), its export giving values the logs give too."""
    from tests.engines.test_signals_view import generated_with_reviews

    args = generated_with_reviews(tmp_path, 5_000, 50_000, 8_000)[:-2]
    args[0] = str(_parquet_accounts(Path(args[0]), tmp_path / "generated.parquet"))
    summary = _same(capsys, monkeypatch, tmp_path, args)["summary"]
    assert summary["sources"]["account_values_kept"]["interactions_90d"] > 0


def test_executors_without_this_package_are_one_line_naming_the_module_and_the_ways_out(spark, capsys, monkeypatch, tmp_path):  # noqa: F811
    """A cluster's executors whose Python lacks this package fail in the account table's parsing: the run says which module
    they could not import, what to install on them and the way round (the table read on the driver), not 'a Python worker failed'."""
    from checker.engines import spark_accounts

    def keys_on_a_bare_executor(*args: Any) -> Any:
        def run(batches: Any) -> Any:
            import relationship_playbook_not_on_this_executor  # noqa: F401  (as `import checker` fails there)
            yield from batches
        return run

    monkeypatch.setattr(spark_accounts, "_keys", keys_on_a_bare_executor)
    path = _parquet_accounts(SAMPLE, tmp_path / "sample.parquet")
    for lang, words in (("en", "could not import relationship_playbook_not_on_this_executor"), ("fi", "eivät löytäneet moduulia")):
        code = main(["check", str(path), "--as-of", "2026-10-31", "--engine", "spark", "--output", str(tmp_path / "f.parquet"), "--lang", lang])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert words in err and "pip install 'relationship-playbook[spark]'" in err and "PLAYBOOK_SPARK_ACCOUNTS=driver" in err
        assert not (tmp_path / "f.parquet").exists()
