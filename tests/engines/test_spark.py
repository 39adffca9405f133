"""The Spark engine against the embedded DuckDB: the same signals and findings, and where the two engines differ by nature.

One local Spark for the whole test session (it takes 10–30 s to start on two cores); each
`--engine spark` run takes a session of its own on it. Skipped with the reason when pyspark or Java
is missing, unless REQUIRE_SPARK=1 (as CI sets: .ci/run installs both), which makes them fail instead. Differential: `signals --format json` and `check --format json` byte for byte
(the reports print floats as Python does: a last-digit difference in a sum would show) on the
bundled sample, every CRM fixture, the real exports in ../shared/real-exports/ (when they are beside the
clone) and a generated set of 20,000 accounts with logs. Targeted: dates and time zones, NULLs and empty cells, the order of texts, regular
expressions (RE2 in DuckDB, Java's in Spark) — each engine method run on both engines.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
import yaml

from checker.cli import main
from checker.engines.choose import engine_problem
from checker.inputs.engine import DuckEngine, EngineError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "docs" / "samples" / "accounts.csv"
REAL = ROOT.parent / "shared" / "real-exports"  # real CRMs' exports, beside the clone (never in it)
REAL_CASES = ROOT / "tests" / "fixtures" / "real-exports"  # each folder's arguments and mapping (tests/inputs/test_logs_real_exports.py)
#: Every CRM fixture (tests/fixtures/exports/*/expected.yaml) but the canonical one, which has a test of its own.
CRM_FIXTURES = sorted(p.parent.name for p in (FIXTURES / "exports").glob("*/expected.yaml")
                      if "args" in yaml.safe_load(p.read_text(encoding="utf-8")) and p.parent.name != "canonical")

def test_the_canonical_fixture_gives_the_same_signals_and_findings_on_spark(spark, capsys, tmp_path):
    """The reference layout (every activity class, contact changes, tenders): `signals` and `check` alike."""
    args = _fixture_args("canonical")
    duck, on_spark = _both(capsys, tmp_path, "signals", args)
    assert on_spark == duck
    duck, on_spark = _both(capsys, tmp_path, "check", args)
    assert on_spark == duck


def need_spark() -> None:
    """Skip the test where pyspark or Java is missing, unless REQUIRE_SPARK=1 (CI), where that fails it."""
    problem = engine_problem("spark")
    if problem is not None:
        if os.environ.get("REQUIRE_SPARK") == "1":
            pytest.fail(f"REQUIRE_SPARK=1 but {problem}")
        pytest.skip(f"no local Spark: {problem}")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The test session's SparkSession: local[2], quiet, UTC; `--engine spark` runs in this process take a session of their own on it."""
    need_spark()
    from checker.engines.spark import SparkEngine

    with tempfile.TemporaryDirectory(prefix="playbook-spark-tests-") as work:
        engine = SparkEngine.start(Path(work))
        yield engine.spark
        engine.spark.stop()


@pytest.fixture
def spark_engine(spark: Any, tmp_path: Path) -> Iterator[Any]:
    """A Spark engine of the test's own (its temp views apart) on the shared session."""
    from checker.engines.spark import SparkEngine

    engine = SparkEngine.start(tmp_path)
    yield engine
    engine.close()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _both(capsys, tmp_path: Path, command: str, args: list[str]) -> tuple[str, str]:
    """The JSON output of `command` on the default engine and on Spark; both must succeed."""
    outputs = []
    for engine in ("duckdb", "spark"):
        target = tmp_path / f"{command}-{engine}.json"
        code, _, err = _run(capsys, command, *args, "--format", "json", "--output", str(target), "--engine", engine, "--fail-on", "never") \
            if command == "check" else _run(capsys, command, *args, "--format", "json", "--output", str(target), "--engine", engine)
        assert code == 0, err
        outputs.append(target.read_text(encoding="utf-8"))
    return outputs[0], outputs[1]


def _fixture_args(name: str) -> list[str]:
    spec = yaml.safe_load((FIXTURES / "exports" / name / "expected.yaml").read_text(encoding="utf-8"))
    folder = FIXTURES / "exports" / name
    return [str(folder / a) if (folder / a).exists() else a for a in spec["args"]] + ["--as-of", str(spec["as_of"])]


@pytest.mark.parametrize("name", CRM_FIXTURES)
def test_every_crm_fixture_gives_the_same_signals_and_findings_on_spark(spark, capsys, tmp_path, name):
    """The signals JSON holds every value and every count of the logs' coverage; the check's report every finding
    (floats within 1e-9: a sum's last digit may follow the order it was added in)."""
    for command in ("signals", "check"):
        duck, on_spark = _both(capsys, tmp_path, command, _fixture_args(name))
        assert _close(json.loads(on_spark), json.loads(duck)), f"{command} {name}"


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-exports/ is not beside the clone")
@pytest.mark.parametrize("name", sorted(p.parent.name for p in REAL_CASES.glob("*/case.yaml")
                                        if "accounts" in yaml.safe_load(p.read_text(encoding="utf-8"))))
def test_every_real_export_gives_the_same_signals_and_findings_on_spark(spark, capsys, tmp_path, name):
    """Real CRMs' own files (mixed encodings, XLSX, placeholder ids, four currencies): the same on both engines."""
    case = yaml.safe_load((REAL_CASES / name / "case.yaml").read_text(encoding="utf-8"))
    args = [str(REAL / name / case["accounts"]), "--mapping", str(REAL_CASES / name / "mapping.yaml"), "--as-of", str(case["as_of"])]
    args += [a for kind in ("activities", "deals", "contacts") for f in case.get(kind, []) for a in (f"--{kind}", str(REAL / name / f))]
    for command in ("signals", "check"):
        duck, on_spark = _both(capsys, tmp_path, command, args)
        assert _close(json.loads(on_spark), json.loads(duck)), f"{command} {name}"


def test_the_sample_gives_the_same_report_and_needs_no_spark_without_logs(spark, capsys, tmp_path):
    duck, on_spark = _both(capsys, tmp_path, "check", [str(SAMPLE), "--as-of", "2026-10-31"])
    assert on_spark == duck and json.loads(duck)["accounts"]


def _generate(folder: Path, accounts: int, activities: int, deals: int) -> list[str]:
    """A seeded canonical export with logs: every stage, a few contacts per account, prices, complaints, deals won and lost."""
    db = duckdb.connect()
    db.execute("SELECT setseed(0.25)")
    stages = "['exploratory', 'basic', 'cooperation', 'interdependence', 'integrated', 'paused', 'fading']"
    types = "['call', 'meeting', 'email', 'visit', 'note', 'complaint', 'development', 'health-check', 'joint-planning', 'handover', '']"
    paths = [folder / "accounts.csv", folder / "activities.csv", folder / "deals.csv"]
    db.execute(f"""COPY (SELECT 'A' || i AS account_id, 'Yritys ' || i || ' Oy' AS account_name, {stages}[1 + (i % 7)] AS declared_stage,
                  'Owner ' || (i % 40) AS owner, round(random(), 2) AS share_of_wallet, CASE WHEN random() < 0.3 THEN 'yes' ELSE 'no' END AS confidential_exchange,
                  ['++', '+-', '-+', '--'][1 + (i % 4)] AS portfolio_class FROM range({accounts}) t(i)) TO '{paths[0]}' (HEADER)""")
    db.execute(f"""COPY (SELECT CASE WHEN random() < 0.01 THEN 'X' || i ELSE 'A' || (hash(i) % {accounts}) END AS account_id,
                  CASE WHEN random() < 0.005 THEN 'soon' ELSE strftime(DATE '2026-10-31' - CAST(floor(random() * 800) AS INT) + 30 * (random() < 0.02)::INT, '%Y-%m-%d') END AS date,
                  {types}[1 + CAST(floor(random() * 11) AS INT)] AS type,
                  CASE WHEN random() < 0.1 THEN 'Price increase ' || (i % 7) WHEN random() < 0.05 THEN 'Complaint: late delivery' ELSE 'Topic ' || (i % 13) END AS topic,
                  CASE WHEN random() < 0.05 THEN NULL ELSE 'Contact ' || (hash(i * 7) % 6) END AS customer_contact, 'Rep ' || (hash(i * 3) % 4) AS our_contact,
                  CASE WHEN random() < 0.2 THEN 'open' ELSE 'closed' END AS status FROM range({activities}) t(i)) TO '{paths[1]}' (HEADER)""")
    db.execute(f"""COPY (SELECT 'A' || (hash(i * 11) % {accounts}) AS account_id, strftime(DATE '2026-10-31' - CAST(floor(random() * 800) AS INT), '%Y-%m-%d') AS date,
                  CASE WHEN random() < 0.03 THEN NULL ELSE round(random() * 50000, 2) END AS amount, ['open', 'won', 'lost'][1 + CAST(floor(random() * 3) AS INT)] AS status,
                  CASE WHEN random() < 0.2 THEN 'true' ELSE 'false' END AS competitive FROM range({deals}) t(i)) TO '{paths[2]}' (HEADER)""")
    return [str(paths[0]), "--activities", str(paths[1]), "--deals", str(paths[2]), "--preset", "canonical", "--as-of", "2026-10-31"]


def _close(a: object, b: object) -> bool:
    """JSON values equal, floats within a relative 1e-9 (a sum's last digit depends on the order it was added in)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_a_generated_set_of_20000_accounts_gives_the_same_signals_and_findings(spark, capsys, tmp_path):
    args = _generate(tmp_path, 20_000, 200_000, 30_000)
    duck, on_spark = _both(capsys, tmp_path, "signals", args)
    assert _close(json.loads(on_spark), json.loads(duck))
    duck, on_spark = _both(capsys, tmp_path, "check", args)
    duck_report, spark_report = json.loads(duck), json.loads(on_spark)
    assert _close(spark_report, duck_report)
    assert sum(len(a["findings"]) for a in duck_report["accounts"]) > 1000  # the set makes rules fire


# --- where engines differ by nature: each method on both engines ----------------------------

@pytest.fixture
def both(spark_engine, tmp_path):
    duck = DuckEngine(tmp_path)
    yield duck, spark_engine
    duck.close()


def _same(both, sql: str) -> list[tuple]:
    duck, spark = both
    expected = duck.rows(sql)
    assert spark.rows(sql) == expected, sql
    return expected


def test_dates_and_times_are_days_whatever_the_time_zone(both):
    for duck in both:
        duck.table("t", {"s": ["2026-10-31", " 2026-10-31 ", "2026-10-31T23:30:00-05:00", "2026-10-31T00:30:00+03:00", "2026-02-30", "31.10.2026", None]},
                   {"s": "VARCHAR"})
    rows = _same(both, "SELECT s, TRY_CAST(s AS DATE) AS d FROM t ORDER BY s")
    assert ("2026-02-30", None) in rows
    _same(both, "SELECT s, try_strptime(trim(s), '%d.%m.%Y')::DATE FROM t ORDER BY s")
    _same(both, "SELECT count(*) FILTER (WHERE TRY_CAST(s AS DATE) > '2026-10-30'::DATE - INTERVAL 1 DAY) FROM t")
    duck, spark = both
    got = spark.arrays("SELECT max(TRY_CAST(s AS DATE)) AS d, min(TRY_CAST(s AS DATE)) FILTER (WHERE s IS NULL) AS none FROM t")
    expected = duck.arrays("SELECT max(TRY_CAST(s AS DATE)) AS d, min(TRY_CAST(s AS DATE)) FILTER (WHERE s IS NULL) AS none FROM t")
    assert got["d"].astype("datetime64[D]")[0] == expected["d"].astype("datetime64[D]")[0] == np.datetime64("2026-10-31")
    assert np.ma.getmaskarray(got["none"])[0] and np.ma.getmaskarray(expected["none"])[0]  # unknown, never day 0


def test_nulls_stay_unknown_and_empty_cells_are_read_alike(both, tmp_path):
    source = tmp_path / "log.csv"
    source.write_text('id,amount,note\nA1,,""\nA2,12.5,x\nA3," ",\n', encoding="utf-8")
    for engine in both:
        engine.read_text("log", source, 3, [0, 1, 2], ",")
    _same(both, "SELECT c0, c1, c2, c1 IS NULL, c2 IS NULL FROM log ORDER BY c0")
    _same(both, "SELECT sum(TRY_CAST(c1 AS DOUBLE)), count(TRY_CAST(c1 AS DOUBLE)), max(c1), nullif(trim(c1), '') IS NULL FROM log GROUP BY 4 ORDER BY 4")
    _same(both, "SELECT count(*) FILTER (WHERE c1 = '12.5') / nullif(count(*) FILTER (WHERE false), 0) FROM log")  # NULL, not an error


def test_texts_are_ordered_by_code_point_on_both_engines(both):
    names = ["Öljy Oy", "oy", "Åland", "Z-Tuote", "ääni", "Älä", "a", "É", "_x", "10", "9", None]
    for engine in both:
        engine.table("t", {"name": names, "n": [1] * len(names)}, {"name": "VARCHAR", "n": "BIGINT"})
    rows = _same(both, "SELECT name FROM t ORDER BY 1")  # NULLs last, as DuckDB puts them
    assert rows[-1] == (None,) and rows[0] == ("10",)
    _same(both, "SELECT name, count(*) FROM t GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5")
    _same(both, "SELECT lower(name), upper(name) FROM t ORDER BY 1")


def test_regular_expressions_match_alike_in_re2_and_java(both):
    texts = ["Hinnat 2027: korotus!", "reklamaatio – toimitus", "000000000000000AAA", "000000000000000AAA\n", "a\nb", "Price  list", "ÄÖ-å", "", None]
    for engine in both:
        engine.table("t", {"s": texts}, {"s": "VARCHAR"})
    _same(both, "SELECT s, regexp_full_match(s, '0{15}(AAA)?|0{18}') FROM t ORDER BY s")  # a final line break is no match
    _same(both, "SELECT s, trim(regexp_replace(lower(s), '[^[:alnum:]]+', ' ', 'g')) FROM t ORDER BY s")  # POSIX classes (ASCII in both)
    _same(both, "SELECT s, regexp_matches(lower(s), 'price\\ list|reklamaatio|^a$') FROM t ORDER BY s")
    _same(both, r"SELECT s, regexp_extract_all(lower(s), '\p{L}+') FROM t ORDER BY s")  # Unicode letters: the Finnish words
    _same(both, "SELECT s, regexp_extract(s, '^\\s*(\\d{4})', 1) FROM t ORDER BY s")


def test_rejected_csv_rows_are_counted_with_their_line(both, tmp_path):
    source = tmp_path / "log.csv"
    source.write_text('id,date,type\nA1,2026-01-01,call\nA2,2026-01-02\nA3,2026-01-03,"multi\nline"\nA4,2026-01-04,call,extra\n', encoding="utf-8")
    duck, spark = both
    for engine in both:
        engine.read_text("log", source, 3, [0, 2], ",")
    assert spark.rows("SELECT c0, c2 FROM log ORDER BY c0") == duck.rows("SELECT c0, c2 FROM log ORDER BY c0") == [("A1", "call"), ("A3", "multi\nline")]
    expected, got = duck.rejects("log"), spark.rejects("log")
    assert (got.rows, got.first_line) == (expected.rows, expected.first_line) == (2, 3)
    assert "3 columns" in got.first_error


def test_an_engine_that_cannot_start_is_one_message_naming_it_and_its_log(tmp_path):
    """A Spark master that does not exist: exit 2, one line, no Java stack trace; the log it names holds the details."""
    need_spark()  # its own process starts Spark: no session needed here, but pyspark and Java are
    env = {**os.environ, "SPARK_MASTER": "nowhere://no-such-master", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SPARK_REMOTE", None)
    folder = FIXTURES / "exports" / "canonical"
    done = subprocess.run([sys.executable, "-m", "checker", "signals", str(folder / "accounts.csv"), "--activities", str(folder / "activities.csv"),
                           "--engine", "spark", "--as-of", "2026-10-31"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if "spark" in line.lower()]
    assert len(lines) == 1 and "Traceback" not in done.stderr and "\tat " not in done.stderr, done.stderr
    log = Path(lines[0].rsplit("Its log: ", 1)[1].strip())
    assert log.is_file() and "Master must" in log.read_text(encoding="utf-8")  # Spark's own words, there and not on the terminal
    log.unlink()


# --- check --engine spark --output findings.parquet: the rules' SQL on Spark -----------------

def _parquet_both(capsys, tmp_path: Path, args: list[str]) -> tuple[tuple[list, dict], tuple[list, dict]]:
    """(rows sorted, summary) of `check --output findings.parquet` on DuckDB and on Spark; both must succeed."""
    import pyarrow.parquet as pq

    out = []
    for engine in ("duckdb", "spark"):
        target = tmp_path / f"findings-{engine}.parquet"
        code, _, err = _run(capsys, "check", *args, "--output", str(target), "--engine", engine, "--fail-on", "never")
        assert code == 0, err
        assert target.is_file()  # one file, as DuckDB writes it (a local Spark's part files made into one)
        table = pq.read_table(target)
        rows = sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)
        summary = json.loads(target.with_suffix(".summary.json").read_text(encoding="utf-8"))
        assert summary.pop("findings_file") == target.name
        assert summary.pop("accounts_file") == f"findings-{engine}.accounts.parquet"
        assert summary.pop("rules_file") == f"findings-{engine}.rules.parquet"
        out.append((table.column_names, rows, summary))
    (duck_columns, duck_rows, duck_summary), (spark_columns, spark_rows, spark_summary) = out
    assert spark_columns == duck_columns
    return (duck_rows, duck_summary), (spark_rows, spark_summary)


def test_findings_parquet_on_spark_has_the_duckdb_rows_and_summary_with_a_baseline(spark, capsys, tmp_path):
    """The sample, marked against an earlier week's report (a changed export: findings new, still open, resolved)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    earlier, now = tmp_path / "earlier.csv", tmp_path / "now.csv"
    earlier.write_text("".join(lines[:-10]), encoding="utf-8")
    now.write_text("".join(lines[:1] + lines[6:]), encoding="utf-8")
    code, _, err = _run(capsys, "check", str(earlier), "--as-of", "2026-10-31", "--format", "json", "--output", str(tmp_path / "earlier.json"), "--fail-on", "never")
    assert code == 0, err
    duck, on_spark = _parquet_both(capsys, tmp_path, [str(now), "--as-of", "2026-11-30", "--baseline", str(tmp_path / "earlier.json")])
    assert on_spark == duck
    rows, summary = duck
    assert len(rows) > 100 and {r[13] for r in rows} == {"new", "still-open"}  # status
    assert summary["summary"]["changes"]["resolved"] > 0 and summary["summary"]["findings_by_kind"]["stage-mismatch"] > 0


def test_findings_parquet_on_spark_of_a_generated_set_of_20000_accounts_never_fetches_their_signals(spark, capsys, tmp_path, monkeypatch):
    """The generated set with logs, its export giving values the logs give too, and reviews (test_signals_view.py):
    Spark's rows and summary are DuckDB's, and what came back to this process from Spark is the reviewed
    accounts' values and the data notes' accounts, not the signals of every account."""
    from checker.engines.spark import SparkEngine
    from tests.engines.test_signals_view import counted_fetches, generated_with_reviews

    fetched = counted_fetches(monkeypatch, SparkEngine)
    args = generated_with_reviews(tmp_path, 20_000, 200_000, 30_000)
    (duck_rows, duck_summary), (spark_rows, spark_summary) = _parquet_both(capsys, tmp_path, args)
    assert _close(spark_summary, duck_summary)
    assert len(spark_rows) == len(duck_rows) > 20_000 and all(_close(_numeric(a), _numeric(b)) for a, b in zip(spark_rows, duck_rows, strict=True))
    assert duck_summary["summary"]["sources"]["account_values_kept"]["interactions_90d"] > 0
    assert 0 < sum(fetched) < 2_000  # 541 reviewed accounts, a few hundred with a won deal without an amount


def _numeric(row: tuple) -> list:
    """A Parquet row with its observed value as a number where it is one (a sum's last digit may differ)."""
    try:
        return [*row[:10], float(row[10]), *row[11:]]
    except (TypeError, ValueError):
        return list(row)


def test_last_weeks_findings_parquet_as_the_baseline_on_spark_marks_as_its_json_report_and_as_duckdb(spark, capsys, tmp_path):
    """Three weeks of the sample (test_status.py): on Spark, each week marked against the week before's Parquet
    output (read by Spark) as against its JSON report; and the same rows and summaries as on DuckDB."""
    from tests.engines.test_status import week_by_week

    (tmp_path / "spark").mkdir()
    (tmp_path / "duckdb").mkdir()
    on_spark = week_by_week(capsys, tmp_path / "spark", "spark")
    assert on_spark == week_by_week(capsys, tmp_path / "duckdb", "duckdb")


def test_what_spark_refuses_while_writing_findings_is_one_message_and_no_file(spark, capsys, tmp_path, monkeypatch):
    from checker.engines.spark_findings import SparkConnection
    from checker.inputs.engine import EngineError

    def refuse(self, sql, path):
        raise EngineError("spark: [UNSUPPORTED_FEATURE] something Spark lacks")

    monkeypatch.setattr(SparkConnection, "write_parquet", refuse)
    target = tmp_path / "findings.parquet"
    code, _, err = _run(capsys, "check", str(SAMPLE), "--as-of", "2026-10-31", "--output", str(target), "--engine", "spark")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "UNSUPPORTED_FEATURE" in err and "spark" in err
    assert not target.exists() and not target.with_suffix(".summary.json").exists()


def test_a_number_is_written_as_text_as_duckdb_writes_it_or_not_at_all(both):
    """rules_sql's observed values: Java would write 5.0E-4 and 1.5E7 where DuckDB (and the JSON report) write 0.0005 and 15000000.0."""
    values = [0.0005, 1 / 3000, 0.25, 1.5e7, 123456789.5, 0.0, 1.0, 2 / 3, None]
    for engine in both:
        engine.table("t", {"x": values}, {"x": "DOUBLE"})
    rows = _same(both, "SELECT x, CAST(CAST(x AS DOUBLE) AS VARCHAR) FROM t ORDER BY x")
    assert ("0.0005" in {r[1] for r in rows}) and ("15000000.0" in {r[1] for r in rows})
    spark = both[1]
    spark.table("t", {"x": [1e-7]}, {"x": "DOUBLE"})
    with pytest.raises(EngineError, match="outside 1e-4 to 1e16"):  # DuckDB writes 1e-07: no other text is written
        spark.rows("SELECT CAST(CAST(x AS DOUBLE) AS VARCHAR) FROM t")


# --- reliable checkpoints (last since session 7, when each run's local checkpoints still piled up in the suite's
# Spark and ran a later test out of its 1 GB heap; the runs now let them go: see the README's Findings on Spark) ----

def test_findings_parquet_on_spark_from_logs_has_the_duckdb_rows_and_summary(spark, capsys, tmp_path, monkeypatch):
    """The canonical fixture: the signals from the logs (on Spark, then the findings too), every table checkpointed
    reliably in a folder (PLAYBOOK_SPARK_CHECKPOINT_DIR), which the run empties when done."""
    from checker.engines.spark import CHECKPOINT_ENV, SparkEngine

    folder = tmp_path / "checkpoints"
    monkeypatch.setenv(CHECKPOINT_ENV, str(folder))
    made = []
    materialise = SparkEngine.materialise

    def seen(self, frame):
        made.append(self.checkpoint_dir())
        return materialise(self, frame)

    monkeypatch.setattr(SparkEngine, "materialise", seen)
    duck, on_spark = _parquet_both(capsys, tmp_path, _fixture_args("canonical"))
    assert on_spark == duck and duck[0]
    assert len(made) > 10 and set(made) == {str(folder)}  # every table (17 on this fixture)
    assert folder.is_dir() and not any(p.is_file() for p in folder.rglob("*"))


def test_tables_are_checkpointed_in_the_folder_named_else_locally(spark_engine, tmp_path, monkeypatch):
    """PLAYBOOK_SPARK_CHECKPOINT_DIR: a table's rows are written there (an executor lost loses nothing), a table
    rebuilt from itself reads its checkpoint; without it (nor spark.checkpoint.dir) nothing is written anywhere."""
    from checker.engines.spark import CHECKPOINT_ENV, SparkEngine

    spark_engine.table("t", {"x": [1, 2, 3]}, {"x": "BIGINT"})
    spark_engine.run("CREATE TABLE u AS SELECT x * 2 AS y FROM t")
    assert spark_engine.checkpoint_dir() is None and spark_engine.rows("SELECT y FROM u ORDER BY y") == [(2,), (4,), (6,)]
    folder = tmp_path / "checkpoints"
    monkeypatch.setenv(CHECKPOINT_ENV, str(folder))
    engine = SparkEngine.start(tmp_path)
    try:
        engine.table("t", {"x": [1, 2, 3]}, {"x": "BIGINT"})
        engine.run("CREATE TABLE u AS SELECT x * 2 AS y FROM t")
        written = [p for p in folder.rglob("*") if p.is_file()]
        assert engine.checkpoint_dir() == str(folder) and written
        engine.run("CREATE OR REPLACE TABLE u AS SELECT y + 1 AS y FROM u")
        assert engine.rows("SELECT y FROM u ORDER BY y") == [(3,), (5,), (7,)]
        assert len([p for p in folder.rglob("*") if p.is_file()]) > len(written)
    finally:
        engine.close()
    assert not any(p.is_file() for p in folder.rglob("*"))  # the run's checkpoints go with it


def test_a_run_on_a_spark_it_did_not_start_leaves_none_of_its_tables_in_that_sparks_memory(spark, capsys, tmp_path):
    """A notebook's Spark (or this suite's) outlives each run: the run's tables, checkpointed locally by the
    executors, are let go when it ends, not kept until that Spark stops (they filled the suite's 1 GB heap)."""
    def kept() -> int:
        return len(spark.sparkContext._jsc.sc().getRDDStorageInfo())

    import pyarrow as pa
    import pyarrow.parquet as pq

    from checker.inputs.files import read_table

    args = _fixture_args("canonical")
    cells = read_table(Path(args[0]))  # the accounts as Parquet too: their table is then parsed and kept in Spark (spark_accounts.py)
    pq.write_table(pa.table({h: [r[i] if i < len(r) else "" for r in cells.rows] for i, h in enumerate(cells.header)}), tmp_path / "accounts.parquet")
    before = kept()
    for target, form, accounts in ((tmp_path / "report.json", ["--format", "json"], args[0]), (tmp_path / "findings.parquet", [], args[0]),
                                   (tmp_path / "kept.parquet", [], str(tmp_path / "accounts.parquet"))):
        code = main(["check", accounts, *args[1:], *form, "--output", str(target), "--engine", "spark", "--fail-on", "never"])
        _, err = capsys.readouterr()
        assert code == 0, err
        assert kept() == before, target.name
