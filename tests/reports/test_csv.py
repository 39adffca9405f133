"""The CSV report: safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io

from conftest import AS_OF, run


def test_csv_neutralises_formulas(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('account_id,account_name,declared_stage,open_books\n=1+1,"=HYPERLINK(""http://x"")",cooperation,yes\n', encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), "--format", "csv", *AS_OF)
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["account_id"] == "'=1+1"
    assert row["account_name"].startswith("'=HYPERLINK")
