"""The engine seam: what the log pipeline asks of an engine, on the embedded DuckDB."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from checker.inputs.engine import DuckEngine, EngineError, as_float


def test_a_table_from_python_lists_keeps_their_order_types_and_nulls():
    engine = DuckEngine()
    engine.table("t", {"id": ["b", "a", None], "n": [2, 1, 3], "labels": [["x"], [], None]}, {"id": "VARCHAR", "n": "BIGINT", "labels": "VARCHAR[]"})
    assert engine.rows("SELECT id, n, labels FROM t") == [("b", 2, ["x"]), ("a", 1, []), (None, 3, None)]
    engine.table("t", {"id": [], "n": [], "labels": []}, {"id": "VARCHAR", "n": "BIGINT", "labels": "VARCHAR[]"})  # replaced, empty
    assert engine.one("SELECT count(*) FROM t") == (0,)


def test_arrays_are_numpy_columns_in_query_order_with_nulls_masked():
    engine = DuckEngine()
    found = engine.arrays("SELECT * FROM (VALUES (2, NULL::DATE), (1, DATE '2026-01-02')) v(n, d) ORDER BY n")
    assert list(found) == ["n", "d"]
    assert found["n"].tolist() == [1, 2]
    assert np.ma.getmaskarray(found["d"]).tolist() == [False, True]
    assert as_float(found["n"]).tolist() == [1.0, 2.0]
    days = as_float(found["d"])
    assert days[0] == date(2026, 1, 2).toordinal() and np.isnan(days[1])  # a date as its ordinal day; NULL is unknown, never 0


def test_read_text_keeps_the_chosen_columns_as_text_and_counts_each_rejected_line_once(tmp_path):
    source = tmp_path / "log.csv"
    source.write_text('id,date,extra\n1,2026-01-01,x\n2,2026-01-02,y,too many\n"3,2026-01-03,z\n4,01.02.2026,w\n', encoding="utf-8")
    engine = DuckEngine(tmp_path)
    engine.read_text("log", source, 3, [0, 1], ",")
    assert engine.rows("SELECT c0, c1 FROM log ORDER BY c0") == [("1", "2026-01-01")]
    assert engine.rows("SELECT count(*) FROM log") == [(1,)]  # a second reading of the file
    rejects = engine.rejects("log")
    assert (rejects.rows, rejects.first_line) == (2, 3)  # the ragged line, and the unclosed quote with the line it swallowed
    assert "Expected Number of Columns" in rejects.first_error


def test_what_the_engine_cannot_do_is_one_line_naming_it(tmp_path):
    engine = DuckEngine(tmp_path)
    with pytest.raises(EngineError) as caught:
        engine.read_text("gone", tmp_path / "missing.csv", 2, [0], ",")
    assert "missing.csv" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(EngineError):
        engine.run("CREATE TABLE x AS SELECT no_such_column FROM (SELECT 1 AS a)")
