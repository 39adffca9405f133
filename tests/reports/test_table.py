"""The terminal table: 80 columns, colour only on a terminal."""
from __future__ import annotations

import sys

from conftest import AS_OF, SAMPLE, run


def test_table_fits_80_columns_and_is_plain_when_not_a_tty(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--scores", *AS_OF)
    assert "\033[" not in out
    assert all(len(line) <= 80 for line in out.splitlines() if "://" not in line)
    assert "fit: " in out


def test_table_is_coloured_on_a_terminal_unless_no_color(capsys, monkeypatch, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,declared_stage,competitive_tenders_12m\nA1,Acme,integrated,2\n", encoding="utf-8")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[31m" in run(capsys, "check", str(path), *AS_OF)[1]  # errors in red
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run(capsys, "check", str(path), *AS_OF)[1]
