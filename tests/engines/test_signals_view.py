"""The logs' signals left in the engine and merged with the account table there (checker/engines/signals_view.py).

`check --engine spark --output findings.parquet` never fetches the signals: the log reader keeps
them in the engine (`read_signals(engine=…)`, `LogReader(keep=True)`) and the rules' input is a
view joining them to the account table's columns. The same path runs on DuckDB here (no Spark
needed), against the usual one (the signals fetched and merged in numpy): the same Parquet rows
and the same summary (counts, coverage, the logs' coverage, `account_values_kept`) on every CRM
fixture, with --history-from, and on a generated set whose export has values the logs also give
and whose reviews fill and contradict both; and the rows that do come back are only the reviewed
accounts' and those with a data note. test_spark.py runs the Spark path against DuckDB's.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
import yaml

from checker.check import read_signals
from checker.engines.findings import parquet_check
from checker.inputs.engine import DuckEngine
from checker.options import _parser, inputs_from
from checker.playbook.model import load_playbook

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ROOT / "tests" / "fixtures" / "exports"


def fixture_args(name: str) -> list[str]:
    spec = yaml.safe_load((EXPORTS / name / "expected.yaml").read_text(encoding="utf-8"))
    folder = EXPORTS / name
    return [str(folder / a) if (folder / a).exists() else a for a in spec["args"]] + ["--as-of", str(spec["as_of"])]


def parquet_run(args: list[str], work: Path, kept: bool, database: Path | None = None) -> tuple[list[tuple], dict]:
    """(the Parquet rows sorted, the summary as `check` writes it) of `check ARGS --output findings.parquet` on DuckDB,
    the signals kept in the engine or fetched and merged in numpy."""
    parsed = _parser().parse_args(["check", *args])
    playbook, inputs = load_playbook(), inputs_from(parsed)
    work.mkdir()
    engine = DuckEngine(work, database) if kept else None  # (without: read_signals opens its own, on --database)
    try:
        table, sources = read_signals(inputs, playbook, parsed.as_of, "en", engine=engine)
        assert (sources.kept is not None) == (kept and bool(sources.logs))
        report, _ = parquet_check(table, sources.review, playbook, parsed.as_of, "en", work / "findings.parquet", work,
                                  opened=engine, kept=sources.kept)
        report["summary"]["sources"] = sources.as_json("en", playbook.messages)
        rows = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(work / "findings.parquet")]).fetchall()
    finally:
        if engine is not None:
            engine.close()
    return sorted(rows, key=repr), json.loads(json.dumps(report, default=str))


def same_both_ways(args: list[str], tmp_path: Path) -> tuple[list[tuple], dict]:
    fetched = parquet_run(args, tmp_path / "fetched", kept=False)
    kept = parquet_run(args, tmp_path / "kept", kept=True)
    assert kept[1] == fetched[1]
    assert kept[0] == fetched[0]
    return kept


@pytest.mark.parametrize("name", sorted(p.parent.name for p in EXPORTS.glob("*/expected.yaml") if "args" in yaml.safe_load(p.read_text(encoding="utf-8"))))
def test_every_crm_fixture_gives_the_same_findings_with_its_signals_kept_in_the_engine(tmp_path, name):
    rows, report = same_both_ways(fixture_args(name), tmp_path)
    assert report["summary"]["accounts"] and (rows or not report["summary"]["findings"])


def test_a_log_that_is_only_a_window_gives_no_relationship_start_kept_either(tmp_path):
    _, report = same_both_ways([*fixture_args("canonical"), "--history-from", "2025-06-01"], tmp_path)
    assert "relationship_start" not in report["summary"]["sources"]["signals_from_logs"]


def test_the_accounts_as_a_table_of_the_engine_with_the_signals_kept_there(tmp_path):
    """--accounts-table and the log tables: the engine that reads them keeps the signals (read_signals' engine is the
    account table's too)."""
    folder = EXPORTS / "canonical"
    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as db:
        for name in ("accounts", "activities", "deals"):
            db.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / (name + '.csv')}')")
    args = ["--database", str(database), "--accounts-table", "accounts", "--activities-table", "activities", "--deals-table", "deals",
            "--preset", "canonical", "--as-of", "2026-10-31"]
    fetched = parquet_run(args, tmp_path / "fetched", kept=False)
    kept = parquet_run(args, tmp_path / "kept", kept=True, database=database)
    assert kept == fetched and kept[0]
    assert kept[0] == parquet_run(fixture_args("canonical"), tmp_path / "files", kept=False)[0]  # the files' findings


def generated_with_reviews(folder: Path, accounts: int, activities: int, deals: int) -> list[str]:
    """test_spark's generated export with logs, its accounts also giving two signals the activities give (some cells
    empty: the logs' value then), and reviews of every 37th account filling and contradicting the export's, the
    logs' and the stage (one review of an account not in the export)."""
    from tests.engines.test_spark import _generate

    args = _generate(folder, accounts, activities, deals)
    path = Path(args[0])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0] += ["interactions_90d", "last_health_check"]
    for i, row in enumerate(rows[1:]):
        row += [str(i % 9) if i % 3 == 0 else "", f"2026-03-0{1 + i % 9}" if i % 5 == 0 else ""]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    reviews = folder / "reviews.csv"
    with reviews.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["account_id", "account_name", "reviewed_on", "reviewer", "declared_stage", "customer_contacts_12m", "interactions_90d",
                      "last_health_check", "next_review", "share_of_wallet", "open_books"])
        for i in range(0, accounts, 37):
            out.writerow([f"A{i}", f"Yritys {i} Oy", "2026-09-01", "Anna", "cooperation" if i % 2 else "", i % 7, i % 4 if i % 2 else "",
                          "2026-05-01" if i % 3 else "", f"2026-12-0{1 + i % 9}", "0.4" if i % 5 == 0 else "", "yes" if i % 4 == 0 else ""])
        out.writerow(["ZZZ", "nobody", "2026-09-01", "Anna", "", 3, "", "", "", "", ""])
    return [*args, "--assessments", str(reviews)]


def counted_fetches(monkeypatch, engine: type) -> list[int]:
    """The rows each `engine.arrays` call brings to this process, as they are fetched (test_spark.py's too)."""
    fetched: list[int] = []
    arrays = engine.arrays

    def counted(self, sql):
        found = arrays(self, sql)
        fetched.append(len(next(iter(found.values()))) if found else 0)
        return found

    monkeypatch.setattr(engine, "arrays", counted)
    return fetched


def test_merging_in_the_engine_keeps_the_exports_values_and_the_reviews_as_numpy_does(tmp_path, monkeypatch):
    args = generated_with_reviews(tmp_path, 3000, 40_000, 6000)
    fetched = counted_fetches(monkeypatch, DuckEngine)
    expected = parquet_run(args, tmp_path / "fetched", kept=False)
    assert max(fetched) >= 2900  # every account of a log
    fetched.clear()
    rows, report = parquet_run(args, tmp_path / "kept", kept=True)
    assert report == expected[1] and rows == expected[0]
    summary = report["summary"]
    kept = summary["sources"]["account_values_kept"]
    assert kept["interactions_90d"] > 0 and kept["last_health_check"] > 0  # the export's values won over the logs'
    reviews = summary["coverage"]["reviews"]
    assert reviews["values_used"] > 0 and reviews["disagreements"] > 0 and reviews["not_in_export"]
    assert {r[7] for r in rows} >= {"review-disagrees", "stage-mismatch", "warning-sign"}  # kind
    # Kept: the reviewed accounts' values and the data notes' accounts came here, not every account's signals.
    assert 0 < sum(fetched) < 3000 * 0.25
