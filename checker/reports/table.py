"""The terminal table: by default one header line per account and one line per finding
(`--details`: every finding in full), fitted to the width, coloured only on request."""
from __future__ import annotations

import re
import textwrap

from checker.check import AccountView, CheckResult
from checker.evaluate import Evaluator, Finding
from checker.reports import changes
from checker.reports.coverage import coverage_lines
from checker.reports.text import encoding_lines, filter_line, fit_text, log_lines, stage_line, summary_line

_SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}
#: Stands for ESC in our own colour codes until the text is made safe (same length, so wrapping is unchanged).
_ESC = "\ue000"
#: Control characters an export may hold (ESC among them): a terminal would obey them, so they are shown as "?".
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _terminal(text: str) -> str:
    """The report as a terminal may print it: the export's control characters neutralised, only our colours kept."""
    return re.sub(f"{_ESC}(\\[\\d{{1,2}}m)", "\x1b\\1", _CONTROLS.sub("?", text))


def _fit(text: str, width: int) -> str:
    """The text cut to the width, with … where it was cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def verdict_text(account: AccountView) -> str:
    """The account's verdict in a few words: fits, N stages behind or ahead, or too little data."""
    result, verdict = account.result, account.result.playbook.manifest["verdict"]
    for f in account.findings:
        if f.rule == verdict["id"] and f.evidence:
            words = verdict["distance_words"][result.lang]
            distance = words[min(f.evidence["distance"], len(words)) - 1]
            return result.text(f"report.verdict_{f.evidence['direction']}", distance=distance)
    if account.best_fit_stage is None:
        return result.text("report.too_little_data")
    if account.declared is None:
        return result.text("report.verdict_no_stage")
    return result.text("report.verdict_fits") if account.best_fit_stage == account.declared else ""


def header_line(account: AccountView, width: int) -> str:
    """`id  name  (owner)  declared → best fit  verdict`: the name and owner give way so that the verdict shows."""
    stages = f"{account.declared or account.declared_raw or '-'} → {account.best_fit_stage or '-'}"
    tail = f"  {stages}  {verdict_text(account)}".rstrip()
    owner = f"  ({account.owner})" if account.owner else ""
    room = width - len(account.account_id) - len(tail)
    who = f"  {account.account_name}{owner}"
    if len(who) > room:  # the owner gives way first (down to a third of the room), then the name
        owner_room = min(len(owner), max(room // 3, 0))
        who = _fit(f"  {account.account_name}", room - owner_room) + _fit(owner, owner_room)
    return _fit(f"{account.account_id}{who}{tail}", width)


def observed_text(result: CheckResult, f: Finding, words: Evaluator) -> str:
    """What was seen against what the playbook expects, in a few words."""
    e = f.evidence or {}
    if f.rule == result.playbook.manifest["verdict"]["id"]:
        fit = lambda pair: f"{pair[0]}/{pair[1]}" if pair else "-"  # noqa: E731
        return result.text("report.verdict_scores", declared=fit(e.get("declared_fit")), best=fit(e.get("best_fit")))
    if f.kind == "data":
        return result.text("report.data_cell", column=e.get("signal") or "-", value="-" if e.get("observed") is None else e["observed"])
    observed, signal = e.get("observed"), e.get("signal")
    if signal in result.playbook.signals and not isinstance(observed, str):
        observed = words.show(signal, observed)
    elif observed is None:
        observed = result.text("check.unknown")
    return result.text("report.observed_vs_expected", observed=observed, expected=e.get("expected") or "-")


def to_table(result: CheckResult, colour: bool = False, scores: bool = False, width: int = 80, details: bool = False, **_: object) -> str:
    def paint(text: str, code: str) -> str:
        return f"{_ESC}[{code}m{text}{_ESC}[0m" if colour else text

    if not details:
        return _terminal(_concise(result, paint, scores, width))

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
    return _terminal("\n".join([*lines, *_footer(result, width)]) + "\n")


def _concise(result: CheckResult, paint, scores: bool, width: int) -> str:
    """One header line per listed account, then one line per finding: severity, rule, observed vs. expected."""
    lines: list[str] = []
    words = Evaluator(result.playbook, result.as_of, result.lang, "")  # phrases observed values as findings do
    for account in result.accounts():
        if not changes.listed(account) and not scores:
            continue
        lines.append(paint(header_line(account, width), "1"))
        if scores:
            lines.extend(textwrap.wrap(fit_text(account), width=width, initial_indent="  ", subsequent_indent="    "))
        for note in changes.account_lines(account):
            lines.extend(textwrap.wrap(note, width=width, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False))
        for f, mark in changes.shown(account):
            label = f"{result.text(f'report.severity.{f.severity}'):<8}"
            marked = changes.mark_text(result, mark)
            suffix = f"  [{marked}]" if marked else ""
            head, body = f"  {label} {f.rule}", f"  {label} {f.rule}  {observed_text(result, f, words)}"
            if len(body + suffix) <= width or len(head + suffix) + 8 <= width:
                # A short mark (NEW, open since …) is kept whole on the line; what was seen gives way to it.
                own: list[str] = [_fit(body, width - len(suffix)) + suffix]
            else:  # a long one (a waiver's reason) gets lines of its own
                own = [_fit(body, width), *textwrap.wrap(f"[{marked}]", width=width, initial_indent="    ", subsequent_indent="    ")]
            own[0] = own[0].replace(label, paint(label, _SEVERITY_COLOURS[f.severity]), 1)
            lines.extend(own)
    if lines:
        lines.append("")
    return "\n".join([*lines, *_footer(result, width)]) + "\n"


def _footer(result: CheckResult, width: int) -> list[str]:
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
    return lines
