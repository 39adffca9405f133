"""Reporters: turn a CheckResult into JSON, CSV, a terminal table or Markdown.

Picked by name from REPORTERS (`--format`). Everything that comes from the export is
treated as untrusted: CSV cells are neutralised against spreadsheet formula injection and
Markdown is escaped so that a wiki renders no HTML from it.
"""
from __future__ import annotations

import csv
import html
import io
import json
import textwrap
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import orjson

from checker.check import AccountView, CheckResult

_SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}


def accounts_json(result: CheckResult) -> Iterator[dict]:
    """Every account of the JSON report, in input order.

    What many accounts share (a finding, a row of fit scores) is serialised once and
    reused as an `orjson.Fragment`: a report of 100,000 accounts holds far fewer distinct
    findings than findings.
    """
    table, evaluation = result.table, result.evaluation
    fragment = {id(f): orjson.Fragment(orjson.dumps(f._asdict())) for f in evaluation.distinct}  # the report's finding object
    stages, fit = evaluation.stage_ids, evaluation.fit
    # Each account's row of scores as one integer (its digits in base `most + 1`), to find the distinct rows fast.
    flat = fit.reshape(len(fit), 2 * len(stages)).astype(np.int64)
    digits = int(flat.max(initial=0)) + 1
    if digits ** flat.shape[1] < 2**63:
        _, first, which = np.unique(flat @ (digits ** np.arange(flat.shape[1], dtype=np.int64)), return_index=True, return_inverse=True)
    else:  # very many expectations per stage: the slower general way
        _, first, which = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    fits = [orjson.Fragment(orjson.dumps(dict(zip(stages, pairs, strict=True)), option=orjson.OPT_SERIALIZE_NUMPY))
            for pairs in fit[first]]
    rows = zip(table.ids, table.names, table.owners, table.rows, table.declared, table.declared_raw,
               evaluation.best_fit, which.reshape(-1).tolist(), evaluation.findings, evaluation.not_evaluated, strict=True)
    for account_id, name, owner, row, declared, raw, best, fit_at, findings, not_evaluated in rows:
        yield {
            "account_id": account_id,
            "account_name": name,
            "owner": owner or None,
            "row": row,
            "declared_stage": declared,
            "declared_stage_raw": raw,
            "best_fit_stage": best,
            "fit": fits[fit_at],
            "findings": [fragment[id(f)] for f in findings],
            "not_evaluated": not_evaluated,
        }


def to_json(result: CheckResult, **_: object) -> Iterator[str | bytes]:
    """The report as one JSON document, written in chunks: the head indented for people,
    then one account per line (compact, so a large report stays fast and small enough).
    """
    head = {
        "as_of": result.as_of.isoformat(),
        "lang": result.lang,
        "playbook_version": result.playbook_version,
        "input": result.input_name,
        "summary": result.summary(),
        "unusable_rows": [{"row": row.row, "message": message} for row, message in result.unusable],
    }
    yield json.dumps(head, indent=2, ensure_ascii=False)[:-2] + ',\n  "accounts": ['
    # Account by account: small pieces a buffered writer copies straight into its buffer
    # (big joined chunks would each be fresh memory the system has to map in).
    separator = b"\n    "
    dumps = orjson.dumps
    for account in accounts_json(result):
        yield separator
        yield dumps(account)
        separator = b",\n    "
    yield "\n  ]\n}\n"


CSV_COLUMNS = ["account_id", "account_name", "owner", "declared_stage", "best_fit_stage", "rule", "kind", "severity",
               "message", "signal", "observed", "expected", "action", "source", "handbook_url"]


def neutralise(cell: object) -> str:
    """Make a cell safe to open in a spreadsheet: formulas become text."""
    text = "" if cell is None else str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(result: CheckResult, **_: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for account in result.accounts():
        for f in account.findings:
            evidence = f.evidence or {}
            row = [account.account_id, account.account_name, account.owner, account.declared, account.best_fit_stage,
                   f.rule, f.kind, f.severity, f.message, evidence.get("signal"), evidence.get("observed"),
                   evidence.get("expected"), f.action, f.source, f.handbook_url]
            writer.writerow([neutralise(c) for c in row])
    return out.getvalue()


def _summary_line(result: CheckResult) -> str:
    s = result.summary()
    sev = s["findings_by_severity"]
    return result.text("report.summary", accounts=s["accounts"], flagged=s["accounts_flagged"], errors=sev["error"],
                       warnings=sev["warning"], infos=sev["info"], rows=s["rows_read"], unusable=s["rows_unusable"],
                       not_evaluated=s["expectations_not_evaluated"])


def _log_lines(result: CheckResult) -> list[str]:
    """One line per activity or deal log: what became of its rows."""
    lines = []
    counts = (("rejected", "rows_rejected"), ("without_account", "rows_without_account"), ("bad_date", "rows_bad_date"),
              ("unknown_account", "rows_unknown_account"), ("footer", "footer_rows"))
    for log in result.sources.as_json()["logs"]:  # as the JSON report states them
        skipped = [result.text(f"report.log_{key}", n=log[field]) for key, field in counts if log[field]]
        since = result.text("report.log_since", date=log["covers_from"]) if log["covers_from"] else ""
        lines.append(result.text("report.log", file=log["file"], read=log["rows_read"], used=log["rows_used"], since=since,
                                 skipped=f"; {', '.join(skipped)}" if skipped else ""))
        lines.extend(f"  {problem}" for problem in log["problems"])
        if log["unrecognised_activity_types"]:
            types = ", ".join(f"{t} ({n})" for t, n in log["unrecognised_activity_types"].items())
            lines.append("  " + result.text("report.log_types", types=types))
    return lines


def _stage_line(account: AccountView) -> str:
    """Declared stage and best fit, as both the table and the Markdown report head an account."""
    return account.result.text("report.stage_line", declared=account.declared or account.declared_raw or "-", best=account.best_fit_stage or "-")


def _fit_text(account: AccountView) -> str:
    parts = [f"{stage} {p}/{e}" for stage, (p, e) in account.fit_scores().items() if e]
    return account.result.text("report.fit", scores=", ".join(parts) if parts else account.result.text("report.too_little_data"))


def to_table(result: CheckResult, colour: bool = False, scores: bool = False, width: int = 80, **_: object) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines: list[str] = []
    wrap = textwrap.TextWrapper(width=width, initial_indent="    ", subsequent_indent="    ", break_long_words=True)
    for account in result.accounts():
        if not account.findings and not scores:
            continue
        head = f"{account.account_id}  {account.account_name}"
        lines.append(paint(head[:width], "1"))
        lines.append(f"  {_stage_line(account)}"[:width])
        if scores:
            lines.extend(textwrap.wrap(_fit_text(account), width=width, initial_indent="  ", subsequent_indent="    "))
        for f in account.findings:
            label = paint(f"{result.text(f'report.severity.{f.severity}'):<8}", _SEVERITY_COLOURS[f.severity])
            lines.append(f"  {label} {f.rule}")
            lines.extend(wrap.wrap(f.message))
            lines.extend(wrap.wrap("→ " + f.action))
            if f.source:
                lines.extend(wrap.wrap(f"({f.source})"))
            lines.append("    " + f.handbook_url)  # never wrapped: it must stay clickable
        lines.append("")
    for _, message in result.unusable:
        lines.extend(textwrap.wrap(message, width=width))
    lines.extend(textwrap.wrap(_summary_line(result), width=width))
    for line in _log_lines(result):
        lines.extend(textwrap.wrap(line, width=width, subsequent_indent="    "))
    return "\n".join(lines) + "\n"


def _md(text: object) -> str:
    """Escape text for a Markdown table cell: no HTML, no table breaks, no emphasis surprises."""
    escaped = html.escape("" if text is None else str(text), quote=False)
    for char in "\\`*_[]|#":
        escaped = escaped.replace(char, "\\" + char)
    return " ".join(escaped.split())


def to_markdown(result: CheckResult, **_: object) -> str:
    columns = result.text("report.columns")
    lines = [f"# {_md(result.text('report.title', date=result.as_of.isoformat()))}", "", _md(_summary_line(result)), ""]
    for account in result.accounts():
        if not account.findings:
            continue
        lines += [f"## {_md(account.account_id)} {_md(account.account_name)}", "",
                  _md(_stage_line(account)), "",
                  f"| {columns} |", "| --- | --- | --- | --- | --- |"]
        for f in account.findings:
            lines.append(f"| {f.severity} | [{_md(f.rule)}]({f.handbook_url}) | {_md(f.message)} | {_md(f.action)} | {_md(f.source)} |")
        lines.append("")
    if result.unusable:
        lines += [f"## {result.text('report.unusable_rows')}", ""] + [f"- {_md(message)}" for _, message in result.unusable] + [""]
    return "\n".join(lines)


#: `--format` name → reporter. A reporter returns the report as text, or as an iterable of
#: chunks (text, or UTF-8 bytes) when the report can be large.
REPORTERS: dict[str, Callable[..., str | Iterable[str | bytes]]] = {
    "table": to_table,
    "json": to_json,
    "csv": to_csv,
    "markdown": to_markdown,
}
