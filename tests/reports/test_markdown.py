"""The Markdown report: export text escaped."""
from __future__ import annotations

from conftest import AS_OF, run


def test_markdown_escapes_export_text(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,declared_stage,open_books\nA1,<script>alert(1)</script> | x,cooperation,yes\n", encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), "--format", "markdown", *AS_OF)
    assert "<script>" not in out and "\\<script\\>" in out  # a backslash makes `<` literal: it opens no tag
    assert "\\| x" in out
