"""Findings marked against an earlier run in SQL (checker/engines/status.py): the key, the last of a
repeated key, and SQL that translates to Spark. The end-to-end comparison with the JSON report's
marks is in test_findings.py."""
from __future__ import annotations

from datetime import date

import sqlglot
from sqlglot.errors import ErrorLevel

from checker.engines.findings import sql_check
from checker.engines.status import changes_sql, marked_sql
from checker.history.baseline import Columns
from checker.inputs.accounts import DataNote, table_from_values
from checker.playbook.model import Playbook

AS_OF = date(2026, 10, 31)


def test_a_data_finding_is_the_same_finding_only_in_the_same_column(playbook: Playbook) -> None:
    notes = [DataNote("data.invalid_value", "share_of_wallet", {"value": "lots"}), DataNote("data.invalid_value", "open_books", {"value": "?"})]
    table = table_from_values(playbook, [{"account_id": "A", "declared": "basic", "notes": notes}], frozenset())
    earlier = Columns()
    at = earlier.add_account("A", "basic", None)
    earlier.add_finding(at, ("data-invalid-value", "data", "share_of_wallet", "warning", "…"), "2026-09-30")
    earlier.add_finding(at, ("data-invalid-value", "data", "revenue_12m", "warning", "…"), "2026-08-31")
    earlier.add_finding(at, ("data-invalid-value", "data", "share_of_wallet", "warning", "…"), "2026-10-15")  # repeated: the last counts
    check = sql_check(table, playbook, AS_OF, "en")
    check.mark(earlier, date(2026, 10, 24))
    marks = {signal: (status, first) for signal, status, first in check.rows("signal, status, first_seen")}
    assert marks == {"share_of_wallet": ("still-open", "2026-10-15"), "open_books": ("new", "2026-10-31")}
    changes = check.summary()["changes"]
    assert (changes["new"], changes["still_open"], changes["resolved"], changes["since"]) == (1, 1, 1, "2026-10-24")  # revenue_12m's is resolved


def test_the_comparison_translates_to_spark() -> None:
    for sql in (*marked_sql("pb_findings", AS_OF), changes_sql("pb_marked", AS_OF)):
        spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        assert len(spark) == 1 and spark[0].startswith("SELECT")
