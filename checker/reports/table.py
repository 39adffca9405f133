"""The terminal table: findings wrapped to the width, coloured only on request."""
from __future__ import annotations

import textwrap

from checker.check import CheckResult
from checker.reports import changes
from checker.reports.text import encoding_lines, filter_line, fit_text, log_lines, stage_line, summary_line

_SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}


def to_table(result: CheckResult, colour: bool = False, scores: bool = False, width: int = 80, **_: object) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines: list[str] = []
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ", break_long_words=True)
    for account in result.accounts():
        if not changes.listed(account) and not scores:
            continue
        head = f"{account.account_id}  {account.account_name}"
        lines.append(paint(head[:width], "1"))
        lines.append(f"  {stage_line(account)}"[:width])
        if scores:
            lines.extend(textwrap.wrap(fit_text(account), width=width, initial_indent="  ", subsequent_indent="    "))
        for note in changes.account_lines(account):
            lines.extend(textwrap.wrap(note, width=width, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False))
        for f, mark in changes.shown(account):
            label = paint(f"{result.text(f'report.severity.{f.severity}'):<8}", _SEVERITY_COLOURS[f.severity])
            lines.append(f"  {label} {f.rule}")
            if marked := changes.mark_text(result, mark):
                lines[-1:] = textwrap.wrap(f"{lines[-1]}  [{marked}]", width=width + len(label) - 8, subsequent_indent="    ", break_on_hyphens=False)
            lines.extend(wrap.wrap(f.message))
            lines.extend(wrap.wrap("→ " + f.action))
            if f.source:
                lines.extend(wrap.wrap(f"({f.source})"))
            lines.append("    " + f.handbook_url)  # never wrapped: it must stay clickable
        lines.append("")
    for _, message in result.unusable:
        lines.extend(textwrap.wrap(message, width=width))
    lines.extend(textwrap.wrap(summary_line(result), width=width))
    for line in [filter_line(result), *encoding_lines(result), *changes.summary_lines(result)]:
        lines.extend(textwrap.wrap(line, width=width))
    for line in log_lines(result):
        lines.extend(textwrap.wrap(line, width=width, subsequent_indent="    "))
    return "\n".join(lines) + "\n"
