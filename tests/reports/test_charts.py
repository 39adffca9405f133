"""The numbers behind the HTML report's charts, on a handful of made-up accounts."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from checker.evaluate import Finding
from checker.inputs.columns import Columns
from checker.reports import charts


def _finding(rule: str, kind: str = "stage-mismatch") -> Finding:
    return Finding(rule, kind, "warning", "m", None, "a", "s", f"https://h/en/x/#{rule}")


def _result(playbook, declared, best_fit, findings=None, records=None):
    findings = findings if findings is not None else [[] for _ in declared]
    columns = Columns.from_records(records or [{} for _ in declared], playbook.signals)
    return SimpleNamespace(playbook=playbook, table=SimpleNamespace(declared=declared, columns=columns),
                           evaluation=SimpleNamespace(best_fit=best_fit, findings=findings))


def test_stage_matrix_counts_declared_against_best_fit_with_endings_and_unknown_fit_apart(playbook):
    result = _result(playbook, ["basic", "basic", "basic", "fading", None], ["basic", "cooperation", None, "exploratory", "basic"])
    m = charts.stage_matrix(result)
    assert m.rows == [*(s.id for s in playbook.stages), *(e.id for e in playbook.endings), ""]
    assert m.columns == [*(s.id for s in playbook.stages), ""]
    cell = {(row, col): m.counts[i][j] for i, row in enumerate(m.rows) for j, col in enumerate(m.columns)}
    assert cell["basic", "basic"] == 1 and cell["basic", "cooperation"] == 1 and cell["basic", ""] == 1
    assert cell["fading", "exploratory"] == 1 and cell["", "basic"] == 1
    assert sum(map(sum, m.counts)) == 5 and m.largest == 1


def test_stage_matrix_has_no_unrecognised_row_when_every_stage_was_recognised(playbook):
    assert "" not in charts.stage_matrix(_result(playbook, ["basic"], ["basic"])).rows


def test_findings_by_rule_most_first_with_the_rules_kind_and_link():
    rows = charts.by_rule([[_finding("b"), _finding("a")], [_finding("b")], [], [_finding("d", "data")]])
    assert rows == [("b", "stage-mismatch", 2, "https://h/en/x/#b"), ("a", "stage-mismatch", 1, "https://h/en/x/#a"), ("d", "data", 1, "https://h/en/x/#d")]


def test_pareto_finds_the_share_of_accounts_that_bring_80_percent():
    # 10 accounts: two bring 80 of 100.
    revenue = np.array([50, 30, 5, 5, 2, 2, 2, 2, 1, 1], dtype=float)
    p = charts.pareto(revenue)
    assert p.accounts == 10 and p.unknown == 0 and p.total == 100
    assert p.accounts_for_80 == 2 and p.share_for_80 == 0.2
    assert p.points[0] == (0.0, 0.0) and p.points[-1] == (1.0, 1.0)
    assert (0.1, 0.5) in p.points and (0.2, 0.8) in p.points


def test_pareto_leaves_unknown_and_negative_revenue_out_and_counts_them():
    p = charts.pareto(np.array([np.nan, 100, -5, 0], dtype=float))
    assert p.accounts == 2 and p.unknown == 2
    assert p.accounts_for_80 == 1 and p.share_for_80 == 0.5


@pytest.mark.parametrize("revenue", [[np.nan, np.nan], [0.0, 0.0], []])
def test_no_pareto_curve_without_a_known_revenue(revenue):
    assert charts.pareto(np.array(revenue, dtype=float)) is None


def test_pareto_of_many_accounts_is_drawn_from_at_most_101_points():
    p = charts.pareto(np.arange(1, 100_001, dtype=float))
    assert len(p.points) <= charts.PARETO_POINTS and p.points[-1] == (1.0, 1.0)
    assert 0.55 < p.share_for_80 < 0.56  # a linear spread: 1 - sqrt(0.2) of the accounts


def test_portfolio_counts_accounts_and_flagged_per_class_and_the_unknown(playbook):
    records = [{"portfolio_class": c} for c in ("++", "++", "--", "+-")] + [{"portfolio_class": None}]
    findings = [[_finding("x")], [], [_finding("y")], [], [_finding("z")]]
    q = charts.portfolio(_result(playbook, [None] * 5, [None] * 5, findings, records))
    assert q.accounts == {"++": 2, "+-": 1, "-+": 0, "--": 1}
    assert q.flagged == {"++": 1, "+-": 0, "-+": 0, "--": 1}
    assert q.unknown == 1


def test_no_portfolio_chart_when_the_export_has_no_class(playbook):
    assert charts.portfolio(_result(playbook, ["basic"], ["basic"], records=[{"revenue_12m": 5.0}])) is None
