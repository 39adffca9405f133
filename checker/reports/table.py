"""The terminal table: by default one header line per account and one line per finding
(`--details`: every finding in full), fitted to the width, coloured only on request."""
from __future__ import annotations

import re
import textwrap

from checker.check import AccountView, CheckResult
from checker.evaluate import Evaluator, Finding
from checker.reports import changes
from checker.reports.coverage import coverage_lines
from checker.reports.text import (
    encoding_lines,
    filter_line,
    fit_text,
    log_lines,
    observed_text,
    short_name,
    source_text,
    stage_line,
    summary_line,
    verdict_text,
)

_SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}
#: Stands for ESC in our own colour codes until the text is made safe (same length, so wrapping is unchanged).
_ESC = "\ue000"
#: Control characters an export may hold (ESC among them): a terminal would obey them, so they are shown as "?".
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _terminal(text: str) -> str:
    """The report as a terminal may print it: the export's control characters neutralised, only our colours kept."""
    return re.sub(f"{_ESC}(\\[\\d{{1,2}}m)", "\x1b\\1", _CONTROLS.sub("?", text))


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """The text on as many lines as it needs (never cut); `indent` before every line after the first."""
    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False) or [text]


def header_lines(account: AccountView, width: int) -> list[str]:
    """`id  name  (owner)  declared → best fit  verdict` on one line when it fits; else the
    stages and verdict on a line of their own, so that names are never cut for them."""
    result = account.result
    owner = f"  ({account.owner})" if account.owner else ""
    head = f"{account.account_id}  {account.account_name}{owner}"
    tail = f"{short_name(result, account.declared, account.declared_raw)} → {short_name(result, account.best_fit_stage)}  {verdict_text(account)}".rstrip()
    if len(head) + 2 + len(tail) <= width:
        return [f"{head}  {tail}"]
    return [*_wrap(head, width, "    "), *_wrap(f"    {tail}", width, "    ")]


def finding_lines(result: CheckResult, f: Finding, mark: object, words: Evaluator, width: int) -> list[str]:
    """`SEVERITY rule  observed, expected …  [NEW]`, wrapped under the rule where it is too long (a short mark kept whole)."""
    label = f"{result.text(f'report.severity.{f.severity}'):<8}"
    marked = changes.mark_text(result, mark, short=True)
    if len(marked) <= 20:  # NEW, since 10-24: one piece that never breaks across lines
        marked = marked.replace(" ", "\u00a0")
    text = f"  {label} {f.rule}  {observed_text(result, f, words)}" + (f"  [{marked}]" if marked else "")
    return [line.replace("\u00a0", " ") for line in ([text] if len(text) <= width else _wrap(text, width, " " * 11))]


def to_table(result: CheckResult, colour: bool = False, scores: bool = False, width: int = 80, details: bool = False,
             notes: list[str] | None = None, **_: object) -> str:
    def paint(text: str, code: str) -> str:
        return f"{_ESC}[{code}m{text}{_ESC}[0m" if colour else text

    if not details:
        return _terminal(_concise(result, paint, scores, width, notes or []))

    lines: list[str] = []
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ", break_long_words=True)
    for account in result.accounts():
        if not changes.listed(account) and not scores:
            continue
        owner = f"  ({account.owner})" if account.owner else ""
        lines.extend(paint(line, "1") for line in _wrap(f"{account.account_id}  {account.account_name}{owner}", width, "    "))
        lines.extend(_wrap(f"  {stage_line(account)}", width, "    "))
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
                lines.extend(wrap.wrap(f"({source_text(result, f)})"))
            lines.append("    " + f.handbook_url)  # never wrapped: it must stay clickable
        lines.append("")
    return _terminal("\n".join([*lines, *_footer(result, width, notes or [])]) + "\n")


def _concise(result: CheckResult, paint, scores: bool, width: int, notes: list[str]) -> str:
    """One header line per listed account, then one line per finding: severity, rule, observed vs. expected."""
    lines: list[str] = []
    words = Evaluator(result.playbook, result.as_of, result.lang, "")  # phrases observed values as findings do
    for account in result.accounts():
        if not changes.listed(account) and not scores:
            continue
        lines.extend(paint(line, "1") for line in header_lines(account, width))
        if scores:
            lines.extend(textwrap.wrap(fit_text(account), width=width, initial_indent="  ", subsequent_indent="    "))
        for note in changes.account_lines(account):
            lines.extend(textwrap.wrap(note, width=width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False))
        for f, mark in changes.shown(account):
            own = finding_lines(result, f, mark, words, width)
            label = f"{result.text(f'report.severity.{f.severity}'):<8}"
            own[0] = own[0].replace(label, paint(label, _SEVERITY_COLOURS[f.severity]), 1)
            lines.extend(own)
    if lines:
        lines.append("")
    return "\n".join([*lines, *_footer(result, width, notes)]) + "\n"


def _footer(result: CheckResult, width: int, notes: list[str]) -> list[str]:
    """Unusable rows, the summary, filters, encoding, changes and each log's coverage line: the same in both forms."""
    lines: list[str] = []
    for _, message in result.unusable:
        lines.extend(textwrap.wrap(message, width=width))
    lines.extend(textwrap.wrap(summary_line(result), width=width))
    lines.extend(line for text in coverage_lines(result) for line in textwrap.wrap(text, width=width))
    for line in [filter_line(result), *encoding_lines(result), *changes.summary_lines(result)]:
        lines.extend(textwrap.wrap(line, width=width))
    for line in log_lines(result):
        lines.extend(textwrap.wrap(line, width=width, subsequent_indent="    "))
    for note in notes:
        lines.extend(textwrap.wrap(note, width=width))
    return lines
