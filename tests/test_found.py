"""The findings as columns (checker/found.py) give what per-account lists give, and lists are built only when asked for."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from conftest import SAMPLE

from checker.check import Inputs, run_check
from checker.found import Found, NotEvaluated
from checker.history.changes import report_columns


def test_gathered_parts_keep_each_accounts_order_and_every_account():
    rng = np.random.default_rng(7)
    size, distinct = 50, [f"f{k}" for k in range(40)]
    parts, expected = [], [[] for _ in range(size)]
    for _ in range(6):  # parts in the order an account lists them, each with its accounts ascending or not
        accounts = np.sort(rng.choice(size, size=rng.integers(0, 20), replace=False))
        codes = rng.integers(0, len(distinct), size=len(accounts))
        parts.append((accounts, codes))
        for a, c in zip(accounts.tolist(), codes.tolist(), strict=True):
            expected[a].append(distinct[c])
    found = Found.gather(size, parts, distinct)
    assert found.lists() == expected
    assert found.flagged() == sum(map(bool, expected))
    assert len(found) == sum(map(len, expected))
    assert set(found.used().tolist()) == {distinct.index(f) for row in expected for f in row}
    pieces = [f.encode() for f in distinct]
    assert found.joined(pieces, b",") == [b",".join(f.encode() for f in row) for row in expected]
    assert all(a is not b for a, b in zip(found.lists(), found.lists(), strict=True))  # an account's list is its own


def test_no_findings_and_no_accounts():
    empty = Found.gather(3, [], ["x"])
    assert empty.lists() == [[], [], []] and empty.joined([b"x"], b",") == [b"", b"", b""] and empty.flagged() == 0
    assert Found.gather(0, [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))], []).lists() == []


@pytest.mark.parametrize("rules", [3, 64, 70])  # up to 64 rules a row is one integer; more take the general way
def test_rules_not_evaluated_as_rows_and_lists(rules):
    rng = np.random.default_rng(rules)
    matrix = rng.random((200, rules)) < 0.1
    matrix[:50] = False  # many accounts share a row
    names = [f"rule-{k}" for k in range(rules)]
    unknown = NotEvaluated(matrix, names)
    expected = [[names[k] for k in np.flatnonzero(row)] for row in matrix]
    assert unknown.lists() == expected
    distinct, which = unknown.rows()
    assert [distinct[k] for k in which] == expected
    assert len(distinct) == len({tuple(row) for row in expected})
    assert unknown.total() == sum(map(len, expected))


@pytest.fixture(scope="module")
def result(playbook):
    return run_check(Inputs(SAMPLE), playbook, date(2026, 10, 31), "en", "http://h")


def test_the_lists_are_built_when_first_asked_for_and_the_columns_then_set_aside(result):
    evaluation = replace(result.evaluation, findings=None, not_evaluated=None)  # a fresh object (replace would ask for the lists)
    assert "findings" not in evaluation.__dict__ and evaluation.flat is evaluation.found
    lists = evaluation.findings
    assert evaluation.findings is lists and evaluation.flat is None  # the lists may change from now on: they are the truth
    assert lists == evaluation.found.lists()
    assert evaluation.not_evaluated == evaluation.unknown.lists() and evaluation.flat_unknown is None
    with pytest.raises(AttributeError):
        evaluation.no_such_thing  # noqa: B018


def test_summary_and_index_are_the_same_from_the_columns_and_from_the_lists(result):
    from_columns = replace(result, evaluation=replace(result.evaluation, findings=None, not_evaluated=None))
    from_lists = replace(result, evaluation=replace(result.evaluation, found=None, unknown=None,
                                                    findings=result.evaluation.found.lists(), not_evaluated=result.evaluation.unknown.lists()))
    assert from_columns.evaluation.flat is not None and from_lists.evaluation.flat is None
    assert from_columns.summary() == from_lists.summary()
    assert from_columns.summary()["accounts_flagged"] > 0 and from_columns.summary()["expectations_not_evaluated"] > 0
    columns, lists = report_columns(from_columns), report_columns(from_lists)
    assert isinstance(columns.finding, np.ndarray)  # from the columns: written by write_index without a list per finding

    def plain(c):
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in c.__dict__.items()}

    assert plain(columns) == plain(lists) and len(columns.finding) == sum(map(len, from_lists.evaluation.findings))
