"""Lines the table and the Markdown report share: the summary, the logs, an account's stage and fit."""
from __future__ import annotations

from checker.check import AccountView, CheckResult


def summary_line(result: CheckResult) -> str:
    s = result.summary()
    sev = s["findings_by_severity"]
    return result.text("report.summary", accounts=s["accounts"], flagged=s["accounts_flagged"], errors=sev["error"],
                       warnings=sev["warning"], infos=sev["info"], rows=s["rows_read"], unusable=s["rows_unusable"],
                       not_evaluated=s["expectations_not_evaluated"])


def log_lines(result: CheckResult) -> list[str]:
    """The coverage line of each activity, deal and contacts log: what became of its rows, its
    first and last date, then its problems and warnings."""
    lines = []
    counts = (("rejected", "rows_rejected"), ("without_account", "rows_without_account"), ("no_date", "rows_no_date"),
              ("bad_date", "rows_bad_date"), ("unknown_account", "rows_unknown_account"), ("footer", "footer_rows"),
              ("linked_contact", "rows_linked_via_contact"), ("linked_deal", "rows_linked_via_deal"),
              ("child", "rows_child_copies"), ("skipped", "rows_skipped_file"), ("won_no_amount", "rows_won_without_amount"))
    counts_unclassified = result.playbook.activity_keywords.get("unclassified_is_interaction", False)
    for log in result.sources.as_json(result.lang, result.playbook.messages)["logs"]:  # as the JSON report states them
        skipped = [result.text(f"report.log_{key}", n=log[field]) for key, field in counts if log[field]]
        if log["rows_unknown_account"] and log["unknown_account_examples"]:
            unknown = result.text("report.log_unknown_account", n=log["rows_unknown_account"])
            examples = ", ".join(f"'{e}'" for e in log["unknown_account_examples"])
            skipped[skipped.index(unknown)] = result.text("report.log_examples", counted=unknown, examples=examples)
        # Parts of a count follow it: leads among the rows without account, contacts of accounts
        # not exported among the unknown ones.
        for key, field, part in (("without_account", "rows_without_account", "rows_without_account_leads"),
                                 ("unknown_account", "rows_unknown_account", "rows_unknown_account_contact")):
            if log.get(part):
                whole = result.text(f"report.log_{key}", n=log[field])
                at = next(i for i, text in enumerate(skipped) if text.startswith(whole))
                skipped.insert(at + 1, result.text("report.log_leads" if key == "without_account" else "report.log_unknown_contact", n=log[part]))
        if log["rows_unclassified_type"]:
            skipped.append(result.text("report.log_unclassified" if counts_unclassified else "report.log_unclassified_not", n=log["rows_unclassified_type"]))
        since = result.text("report.log_since", first=log["covers_from"], last=log["covers_to"]) if log["covers_from"] else ""
        lines.append(result.text("report.log", file=log["file"], read=log["rows_read"], used=log["rows_used"], since=since,
                                 skipped=f"; {', '.join(skipped)}" if skipped else ""))
        if log.get("mixed_encoding"):
            lines.append("  " + result.text("report.log_mixed_encoding", utf8=log["mixed_encoding"]["lines_utf8"], legacy=log["mixed_encoding"]["lines_windows_1252"]))
        lines.extend(f"  {problem}" for problem in log["problems"] + log["warnings"])
        if log["unrecognised_activity_types"]:
            types = ", ".join(f"{t} ({n})" for t, n in log["unrecognised_activity_types"].items())
            lines.append("  " + result.text("report.log_types", types=types))
        if log["unrecognised_deal_statuses"]:
            statuses = ", ".join(f"{t or '-'} ({n})" for t, n in log["unrecognised_deal_statuses"].items())
            lines.append("  " + result.text("report.log_statuses", statuses=statuses))
    return lines


def stage_line(account: AccountView) -> str:
    """Declared stage and best fit, as both the table and the Markdown report head an account."""
    return account.result.text("report.stage_line", declared=account.declared or account.declared_raw or "-", best=account.best_fit_stage or account.result.text("report.no_best_fit"))


def fit_text(account: AccountView) -> str:
    evidence = account.evidence_scores()
    parts = [account.result.text("report.fit_stage", stage=stage, met=p, tested=e, evidence=f"{evidence[stage][0]}/{evidence[stage][1]}")
             for stage, (p, e) in account.fit_scores().items() if e]
    return account.result.text("report.fit", scores=", ".join(parts) if parts else account.result.text("report.too_little_data"))


def encoding_lines(result: CheckResult) -> list[str]:
    """A line when the account export mixed encodings (read line by line), else none."""
    mixed = result.summary()["mixed_encoding"]
    if not mixed:
        return []
    return [result.text("report.mixed_encoding", file=result.input_name, utf8=mixed["lines_utf8"], legacy=mixed["lines_windows_1252"])]


def filter_line(result: CheckResult) -> str:
    """What `--owner`, `--kind` and `--min-severity` left out of the report; empty when nothing was filtered."""
    left = result.left_out
    if not left:
        return ""
    parts = [result.text(f"report.filter_{key}", values=", ".join(left[key])) for key in ("owners", "kinds") if left[key]]
    if left["min_severity"]:
        parts.append(result.text("report.filter_min_severity", level=result.text(f"handbook.severity.{left['min_severity']}")))
    return result.text("report.filtered", filters="; ".join(parts), findings=left["findings"], accounts=left["accounts_flagged"])
