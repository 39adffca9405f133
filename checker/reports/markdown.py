"""The Markdown report, for tickets and wikis: export text escaped so that no HTML renders from it."""
from __future__ import annotations

import html

from checker.check import CheckResult
from checker.reports.text import log_lines, stage_line, summary_line


def _md(text: object) -> str:
    """Escape text for a Markdown table cell: no HTML, no table breaks, no emphasis surprises."""
    escaped = html.escape("" if text is None else str(text), quote=False)
    for char in "\\`*_[]|#":
        escaped = escaped.replace(char, "\\" + char)
    return " ".join(escaped.split())


def to_markdown(result: CheckResult, **_: object) -> str:
    columns = result.text("report.columns")
    lines = [f"# {_md(result.text('report.title', date=result.as_of.isoformat()))}", "", _md(summary_line(result)), ""]
    coverage = log_lines(result)  # what each log gave, and its warnings: under the summary, where they are read
    if coverage:
        lines += [f"- {_md(line.strip())}" if not line.startswith("  ") else f"  - {_md(line.strip())}" for line in coverage] + [""]
    for account in result.accounts():
        if not account.findings:
            continue
        lines += [f"## {_md(account.account_id)} {_md(account.account_name)}", "",
                  _md(stage_line(account)), "",
                  f"| {columns} |", "| --- | --- | --- | --- | --- |"]
        for f in account.findings:
            lines.append(f"| {f.severity} | [{_md(f.rule)}]({f.handbook_url}) | {_md(f.message)} | {_md(f.action)} | {_md(f.source)} |")
        lines.append("")
    if result.unusable:
        lines += [f"## {result.text('report.unusable_rows')}", ""] + [f"- {_md(message)}" for _, message in result.unusable] + [""]
    return "\n".join(lines)
