"""One meaning, two runtimes: the rules as SQL (checker/engines/rules_sql.py, run on DuckDB) against
the numpy evaluator (checker/evaluate.py) on the same accounts.

For the bundled sample, every CRM export fixture, the real exports (when ../shared/real-exports/
is there), seeded random answer sets (the review page's
differential test's: values on and beside every line and at the edges of the near-the-line
bands), every training case and a playbook with moved lines and another ladder: the same
findings (account, rule, kind, severity, declared stage, observed value, expected) and the same
best fit per account. The findings the SQL leaves to Python (data, reviews) are left out of
both sides. And every query translates to Spark SQL (SQLGlot), where issue 25 runs it next.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlglot
import yaml
from conftest import FIXTURES, SAMPLE
from generated_accounts import AS_OF, answer_sets, move_lines, training_cases
from sqlglot.errors import ErrorLevel

from checker.check import Inputs, read_signals
from checker.engines.findings import sql_check
from checker.engines.rules_sql import RulesSQL
from checker.evaluate import Evaluator
from checker.handbook.review import asked
from checker.inputs.accounts import AccountTable, table_from_values
from checker.options import _parser, inputs_from
from checker.playbook.model import REVIEW_KINDS, Playbook, load_playbook
from tests.inputs.test_assessments_real_exports import inputs as real_inputs
from tests.inputs.test_logs_real_exports import FOLDERS, REAL
from tests.inputs.test_logs_real_exports import case as real_case

SAMPLE_AS_OF = date(2026, 10, 31)
PYTHON_ONLY = {"data", *REVIEW_KINDS}  # rules_sql's docstring: not computed in the engine
EXPORTS = sorted(p.parent for p in (FIXTURES / "exports").glob("*/expected.yaml") if p.parent.name != "bad")


def _text(value: object) -> str | None:
    """An evidence value as the SQL writes `observed` (the JSON report's value, as text)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def evaluator_says(table: AccountTable, playbook: Playbook, as_of: date) -> tuple[set[tuple], list[str | None]]:
    evaluation = Evaluator(playbook, as_of, "en", "http://h").evaluate(table)
    found = {(i, f.rule, f.kind, f.severity, table.declared[i], _text(f.evidence["observed"]), f.evidence["expected"])
             for i, fs in enumerate(evaluation.findings) for f in fs if f.kind not in PYTHON_ONLY}
    return found, evaluation.best_fit


def sql_says(table: AccountTable, playbook: Playbook, as_of: date) -> tuple[set[tuple], list[str | None]]:
    check = sql_check(table, playbook, as_of, "en")
    rows = check.rows("account_index, rule, kind, severity, declared_stage, observed, expected")
    best = dict(check.con.execute("SELECT account_index, best_fit_stage FROM pb_judged").fetchall())
    return {r for r in rows if r[2] not in PYTHON_ONLY}, [best[i] for i in range(len(table))]


def assert_one_meaning(table: AccountTable, playbook: Playbook, as_of: date) -> set[tuple]:
    expected, expected_best = evaluator_says(table, playbook, as_of)
    got, got_best = sql_says(table, playbook, as_of)
    assert sorted(got - expected)[:5] == [] and sorted(expected - got)[:5] == [], f"SQL only {len(got - expected)}, evaluator only {len(expected - got)}"
    differ = [(table.ids[i], e, g) for i, (e, g) in enumerate(zip(expected_best, got_best, strict=True)) if e != g]
    assert differ == [], f"{len(differ)} best fits differ; the first: {differ[0]}"
    return got


def test_the_sample(playbook: Playbook) -> None:
    table, _ = read_signals(Inputs(SAMPLE), playbook, SAMPLE_AS_OF, "en")
    found = assert_one_meaning(table, playbook, SAMPLE_AS_OF)
    kinds = {f[2] for f in found}
    assert kinds == {"stage-mismatch", "warning-sign", "termination", "portfolio"}  # every kind the SQL computes, reached
    assert {f[3] for f in found if f[1] == "stage-fit"} == {"error", "warning", "info"}


@pytest.mark.parametrize("folder", EXPORTS, ids=[p.name for p in EXPORTS])
def test_every_crm_export_fixture(playbook: Playbook, folder: Path) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    args = [str(folder / a) if (folder / a).exists() else a for a in expected["args"]]
    inputs = inputs_from(_parser().parse_args(["check", *args]))
    as_of = date.fromisoformat(str(expected["as_of"]))
    table, _ = read_signals(inputs, playbook, as_of, "en")
    found = assert_one_meaning(table, playbook, as_of)
    assert found  # each fixture's stories make rules fire


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-exports/ is not beside the clone")
@pytest.mark.parametrize("folder", [f for f in FOLDERS if "accounts" in real_case(f)])  # hubspot's is a deal export alone
def test_every_real_export(playbook: Playbook, folder: str) -> None:
    """Acceptance: the real CRMs' exports (read from ../shared/real-exports/, never copied), with their logs."""
    inputs, as_of = real_inputs(folder)
    table, _ = read_signals(inputs, playbook, as_of, "en")
    assert len(table) > 0
    assert_one_meaning(table, playbook, as_of)


def test_random_answer_sets_with_every_signal_and_the_asked_ones(playbook: Playbook) -> None:
    everything = list(playbook.signals)
    accounts = answer_sets(playbook, 600, seed=7, signals=everything, unknown=0.15)
    found = assert_one_meaning(table_from_values(playbook, accounts, frozenset(everything)), playbook, AS_OF)
    assert sum(1 for f in found if f[1] != "stage-fit") > 1000
    questions = asked(playbook)
    accounts = answer_sets(playbook, 1200, seed=19, signals=questions)
    assert_one_meaning(table_from_values(playbook, accounts, frozenset(questions)), playbook, AS_OF)


def test_every_training_case(playbook: Playbook) -> None:
    for case in training_cases(playbook):  # each with only the signals its facts state
        assert_one_meaning(table_from_values(playbook, [case], frozenset(k for k in case if k in playbook.signals)), playbook, AS_OF)


def test_the_sets_reach_every_outcome_near_the_line_included(playbook: Playbook) -> None:
    """The sets above are worth comparing: they reach every verdict, SKIPPED and UNKNOWN codes, near misses."""
    everything = list(playbook.signals)
    table = table_from_values(playbook, answer_sets(playbook, 600, seed=7, signals=everything, unknown=0.15), frozenset(everything))
    check = sql_check(table, playbook, AS_OF, "en")
    near = check.con.execute("SELECT COUNT(*) FROM pb_findings WHERE near_line").fetchone()[0]
    codes = {c for i in range(len(playbook.rules)) for (c,) in check.con.execute(f"SELECT DISTINCT c{i} FROM pb_judged").fetchall()}
    verdicts = set(check.con.execute("SELECT DISTINCT severity FROM pb_findings WHERE rule = 'stage-fit'").fetchall())
    assert near > 20 and codes == {0, 1, 2, 3} and verdicts == {("error",), ("warning",), ("info",)}


def test_a_playbook_with_other_lines_and_another_ladder(playbook_copy: Path) -> None:
    """The SQL has no number of its own: move lines, the best-fit rule, the ladder and the grace, and both still agree."""
    move_lines(playbook_copy, {"playbook.yaml": [("declared_grace_days: 90", "declared_grace_days: 400"), ("  margin: 0.1\n", "  margin: 0.2\n")]})
    changed = load_playbook(playbook_copy)
    everything = list(changed.signals)
    accounts = answer_sets(changed, 600, seed=7, signals=everything, unknown=0.15)
    table = table_from_values(changed, accounts, frozenset(everything))
    found = assert_one_meaning(table, changed, AS_OF)
    # and the changes do change the findings: the bundled playbook's SQL says otherwise
    assert found != sql_says(table_from_values(load_playbook(), accounts, frozenset(everything)), load_playbook(), AS_OF)[0]
    sample, _ = read_signals(Inputs(SAMPLE), changed, SAMPLE_AS_OF, "en")
    assert_one_meaning(sample, changed, SAMPLE_AS_OF)


def test_a_recorded_test_of_a_column_the_export_lacks_is_unknown_not_failed(playbook: Playbook) -> None:
    recorded = next(r for r in playbook.rules if r.op == "recorded")
    accounts = [{"account_id": "A", "declared": recorded.applies_to[0], "purchases_12m": 2}]
    without = table_from_values(playbook, accounts, frozenset({"purchases_12m"}))
    assert recorded.id not in {f[1] for f in assert_one_meaning(without, playbook, AS_OF)}
    with_column = table_from_values(playbook, accounts, frozenset({"purchases_12m", recorded.signal}))
    assert recorded.id in {f[1] for f in assert_one_meaning(with_column, playbook, AS_OF)}


def test_every_query_translates_to_spark(playbook: Playbook) -> None:
    rules = RulesSQL(playbook, SAMPLE_AS_OF, "fi")
    for sql in (rules.judged_sql(), rules.findings_sql(), rules.not_evaluated_sql()):
        spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        assert len(spark) == 1 and spark[0].startswith("SELECT")
    for statement in rules.statements():  # what an engine runs
        (spark,) = sqlglot.transpile(statement, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        assert "TEMPORARY VIEW" in spark and " AS SELECT " in spark  # a TEMP TABLE becomes a view (without OR REPLACE: a Spark engine replaces its views itself)
        # and back: the Spark text still means the same to DuckDB's parser (nothing dropped on the way)
        assert sqlglot.parse_one(spark[0], read="spark") is not None


def test_the_spark_translation_read_back_gives_the_same_findings(playbook: Playbook) -> None:
    """Nothing is lost on the way to Spark's dialect: the Spark SQL, translated back and run on DuckDB,
    finds the same (what Spark itself computes is w25-spark's engine test: dates, NULLs and number text differ by engine)."""
    table, _ = read_signals(Inputs(SAMPLE), playbook, SAMPLE_AS_OF, "en")
    check = sql_check(table, playbook, SAMPLE_AS_OF, "en")

    def back(sql: str) -> str:
        (spark,) = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        return sqlglot.transpile(spark, read="spark", write="duckdb")[0]

    check.con.execute(f"CREATE OR REPLACE TEMP TABLE pb_judged_back AS {back(check.rules.judged_sql())}")
    order = "ORDER BY account_index, seq"
    found = check.con.execute(f"SELECT * FROM ({check.rules.findings_sql()}) AS f {order}").fetchall()
    assert len(found) > 300
    assert check.con.execute(f"SELECT * FROM ({back(check.rules.findings_sql('pb_judged_back'))}) AS f {order}").fetchall() == found
