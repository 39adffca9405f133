"""Reporters: turn a CheckResult into JSON, CSV, a terminal table, Markdown or HTML, one module each.

Picked by name from REPORTERS (`--format`). Everything that comes from the export is
treated as untrusted: CSV cells are neutralised against spreadsheet formula injection and
Markdown is escaped so that a wiki renders no HTML from it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from checker.reports.csv import to_csv
from checker.reports.html import to_html
from checker.reports.json import to_json
from checker.reports.markdown import to_markdown
from checker.reports.table import to_table

#: `--format` name → reporter. A reporter returns the report as text, or as an iterable of
#: chunks (text, or UTF-8 bytes) when the report can be large.
REPORTERS: dict[str, Callable[..., str | Iterable[str | bytes]]] = {
    "table": to_table,
    "json": to_json,
    "csv": to_csv,
    "markdown": to_markdown,
    "html": to_html,
}
