"""The Markdown report, for tickets and wikis: export text escaped so that no HTML renders from it."""
from __future__ import annotations

import re

from checker.check import CheckResult
from checker.reports import changes
from checker.reports.coverage import coverage_lines
from checker.reports.text import encoding_lines, filter_line, log_lines, source_text, stage_line, summary_line


def _md(text: object) -> str:
    """Escape text for a Markdown table cell: no HTML, no table breaks, no emphasis surprises.

    A backslash makes any punctuation literal in Markdown, so the source of the report reads as
    the text itself ("Ojasalo & Ojasalo", not "&amp;"): `<` cannot open a tag, `&` no entity."""
    escaped = "" if text is None else str(text)
    for char in "\\`*_[]|#<>":
        escaped = escaped.replace(char, "\\" + char)
    escaped = _ENTITY.sub(r"\\&", escaped)
    return " ".join(escaped.split())


#: `&` that would start a character reference (`&amp;`, `&#60;`); any other `&` is plain text in Markdown.
_ENTITY = re.compile(r"&(?=#?\w+;)")


def to_markdown(result: CheckResult, notes: list[str] | None = None, **_: object) -> str:
    columns = result.text("report.columns")
    lines = [f"# {_md(result.text('report.title', date=result.as_of.isoformat()))}", "", _md(summary_line(result)), ""]
    lines += [line for text in coverage_lines(result) for line in (_md(text), "")]
    lines += [line for text in [filter_line(result), *encoding_lines(result), *changes.summary_lines(result)] if text for line in (_md(text), "")]
    coverage = log_lines(result)  # what each log gave, and its warnings: under the summary, where they are read
    if coverage:
        lines += [f"- {_md(line.strip())}" if not line.startswith("  ") else f"  - {_md(line.strip())}" for line in coverage] + [""]
    for account in result.accounts():
        if not changes.listed(account):
            continue
        lines += [f"## {_md(account.account_id)} {_md(account.account_name)}", "",
                  _md(stage_line(account)), "", *[line for note in changes.account_lines(account) for line in (_md(note), "")]]
        findings = list(changes.shown(account))
        if findings:
            lines += [f"| {columns} |", "| --- | --- | --- | --- | --- |"]
        for f, mark in findings:
            marked = changes.mark_text(result, mark)
            lines.append(f"| {result.text(f'handbook.severity.{f.severity}')} | [{_md(f.rule)}]({f.handbook_url}) | {f'**{_md(marked)}** ' if marked else ''}"
                         f"{_md(f.message)} | {_md(f.action)} | {_md(source_text(result, f))} |")
        if findings:
            lines.append("")
    if result.unusable:
        lines += [f"## {result.text('report.unusable_rows')}", ""] + [f"- {_md(message)}" for _, message in result.unusable] + [""]
    lines += [line for note in notes or [] for line in ("---", "", _md(note), "")]  # e.g. that the handbook links point to this computer
    return "\n".join(lines)
