"""Lines the table and the Markdown report share: the summary, the logs, an account's stage and fit."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from checker.check import AccountView, CheckResult, Sources
from checker.evaluate import Evaluator, Finding
from checker.playbook.model import Playbook


def count(result: CheckResult, what: str, n: int) -> str:
    """`1 account`, `2 accounts`, `1 asiakkuus`: a number of things through its plural message `count.<what>`."""
    return result.text(f"count.{what}", n=n)


def summary_line(result: CheckResult) -> str:
    s = result.summary()
    sev = s["findings_by_severity"]
    return result.text("report.summary", accounts=count(result, "accounts", s["accounts"]), flagged=s["accounts_flagged"],
                       errors=count(result, "errors", sev["error"]), warnings=count(result, "warnings", sev["warning"]),
                       infos=count(result, "infos", sev["info"]), rows=s["rows_read"], unusable=s["rows_unusable"],
                       not_evaluated=s["expectations_not_evaluated"]) + thresholds_note(result)


def thresholds_note(result: CheckResult) -> str:
    """` Company thresholds in use: FILE (sha256 …); …`, when the run laid a company's lines over the playbook's."""
    overlay = result.playbook.thresholds
    if overlay is None:
        return ""
    rules = ", ".join(f"{rule} {overlay.playbook_values[rule]:g} → {value:g}" for rule, value in overlay.values.items())
    return " " + result.text("thresholds.in_use", file=overlay.file, digest=overlay.digest, n=len(overlay.values), rules=rules)


def log_lines(result: CheckResult) -> list[str]:
    """The coverage line of each activity, deal and contacts log: what became of its rows, its
    first and last date, then its problems and warnings."""
    return source_lines(result.sources, result.playbook, result.lang)


def source_lines(sources: Sources, playbook: Playbook, lang: str) -> list[str]:
    """`log_lines` from the sources alone (`playbook signals` prints them too, with no check run)."""
    def text(key: str, **values: object) -> str:
        return playbook.text(key, lang, **values)

    lines = []
    counts = (("rejected", "rows_rejected"), ("without_account", "rows_without_account"), ("no_date", "rows_no_date"),
              ("bad_date", "rows_bad_date"), ("unknown_account", "rows_unknown_account"), ("footer", "footer_rows"),
              ("linked_contact", "rows_linked_via_contact"), ("linked_deal", "rows_linked_via_deal"),
              ("child", "rows_child_copies"), ("skipped", "rows_skipped_file"), ("won_no_amount", "rows_won_without_amount"))
    counts_unclassified = playbook.activity_keywords.get("unclassified_is_interaction", False)
    for log in sources.as_json(lang, playbook.messages)["logs"]:  # as the JSON report states them
        skipped = [text(f"report.log_{key}", n=log[field]) for key, field in counts if log[field]]
        if log["rows_unknown_account"] and log["unknown_account_examples"]:
            unknown = text("report.log_unknown_account", n=log["rows_unknown_account"])
            examples = ", ".join(f"'{e}'" for e in log["unknown_account_examples"])
            skipped[skipped.index(unknown)] = text("report.log_examples", counted=unknown, examples=examples)
        # Parts of a count follow it: leads among the rows without account, contacts of accounts
        # not exported among the unknown ones.
        for key, field, part in (("without_account", "rows_without_account", "rows_without_account_leads"),
                                 ("unknown_account", "rows_unknown_account", "rows_unknown_account_contact")):
            if log.get(part):
                whole = text(f"report.log_{key}", n=log[field])
                at = next(i for i, said in enumerate(skipped) if said.startswith(whole))
                skipped.insert(at + 1, text("report.log_leads" if key == "without_account" else "report.log_unknown_contact", n=log[part]))
        if log["rows_unclassified_type"]:
            skipped.append(text("report.log_unclassified" if counts_unclassified else "report.log_unclassified_not", n=log["rows_unclassified_type"]))
        if log.get("rows_generic_type"):  # generic tasks: how many their subject classified, how many it did not
            generic, vague = log["rows_generic_type"], log["rows_generic_type_unclassified"]
            skipped.append(text("report.log_generic", n=generic, by_subject=generic - vague, unclassified=vague))
        since = text("report.log_since", first=log["covers_from"], last=log["covers_to"]) if log["covers_from"] else ""
        lines.append(text("report.log", file=log["file"], read=text("count.rows", n=log["rows_read"]), used=log["rows_used"], since=since,
                          skipped=f"; {', '.join(skipped)}" if skipped else ""))
        if log.get("mixed_encoding"):
            lines.append("  " + text("report.log_mixed_encoding", utf8=log["mixed_encoding"]["lines_utf8"], legacy=log["mixed_encoding"]["lines_windows_1252"]))
        lines.extend(f"  {problem}" for problem in log["problems"] + log["warnings"])
        if log["unrecognised_activity_types"]:
            types = ", ".join(f"{t} ({n})" for t, n in log["unrecognised_activity_types"].items())
            lines.append("  " + text("report.log_types", types=types))
        for column, hint in (log.get("type_column_candidates") or {}).items():  # a custom type column the mapping does not read
            examples = ", ".join(f"'{e}'" for e in hint["examples"])
            lines.append("  " + text("report.log_type_column", column=column, n=hint["rows"], examples=examples, line=hint["mapping_line"]))
        if log["unrecognised_deal_statuses"]:
            statuses = ", ".join(f"{t or '-'} ({n})" for t, n in log["unrecognised_deal_statuses"].items())
            lines.append("  " + text("report.log_statuses", statuses=statuses))
    return lines


def phase_name(result: CheckResult, phase_id: str | None, raw: str | None = None) -> str:
    """A stage or ending as the report's reader calls it (its name in the data, in the run's
    language, lower-case inside a sentence); a declared value that is no phase as written; else `-`."""
    phase = result.playbook.phases.get(phase_id or "")
    if phase is None:
        return raw or "-"
    name = phase.name[result.lang]
    return name[:1].lower() + name[1:]


def short_name(result: CheckResult, phase_id: str | None, raw: str | None = None) -> str:
    """A phase in a word or two, for the terminal table's header line: its first alias in the run's
    language (the word people write in a CRM column: basic, perus), else its name."""
    phase = result.playbook.phases.get(phase_id or "")
    aliases = phase.data.get("aliases", {}).get(result.lang) if phase is not None else None
    return aliases[0] if aliases else phase_name(result, phase_id, raw)


def stage_line(account: AccountView) -> str:
    """Declared stage and best fit, as both the table and the Markdown report head an account."""
    result = account.result
    best = phase_name(result, account.best_fit_stage) if account.best_fit_stage else result.text("report.no_best_fit")
    return result.text("report.stage_line", declared=phase_name(result, account.declared, account.declared_raw), best=best)


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


def observed_text(result: CheckResult, f: Finding, words: Evaluator | None = None) -> str:
    """What was seen against what the playbook expects, in a few words, with units: every format phrases a value so."""
    e = f.evidence or {}
    if f.rule == result.playbook.manifest["verdict"]["id"]:
        fit = lambda pair: f"{pair[0]}/{pair[1]}" if pair else "-"  # noqa: E731
        return result.text("report.verdict_scores", declared=fit(e.get("declared_fit")), best=fit(e.get("best_fit")))
    if f.kind == "data":
        return result.text("report.data_cell", column=e.get("signal") or "-", value="-" if e.get("observed") is None else e["observed"])
    observed, signal = e.get("observed"), e.get("signal")
    if signal in result.playbook.signals and not isinstance(observed, str):
        words = words or Evaluator(result.playbook, result.as_of, result.lang, "")
        observed = words.show(signal, observed)
    elif observed is None:
        observed = result.text("check.unknown")
    return result.text("report.observed_vs_expected", observed=observed, expected=e.get("expected") or "-")


def source_text(result: CheckResult, f: Finding) -> str:
    """A finding's source citation, with the note that the figure is the playbook's own where it is."""
    rule = result.playbook.rules_by_id.get(f.rule)
    if not f.source or rule is None or not rule.calibrated:
        return f.source or ""
    return f"{f.source} ({result.text('report.calibrated')})"


def fit_text(account: AccountView) -> str:
    evidence = account.evidence_scores()
    parts = [account.result.text("report.fit_stage", stage=phase_name(account.result, stage), met=p, tested=e, evidence=f"{evidence[stage][0]}/{evidence[stage][1]}")
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
    return left_out_line(result.left_out, result.text)


def left_out_line(left: dict | None, text: Callable[..., str]) -> str:
    """filter_line of a summary's `left_out` (a Parquet or table output's too), `text(key, **values)` in the run's language."""
    if not left:
        return ""
    parts = [text(f"report.filter_{key}", values=", ".join(left[key])) for key in ("owners", "kinds") if left[key]]
    if left["min_severity"]:
        parts.append(text("report.filter_min_severity", level=text(f"handbook.severity.{left['min_severity']}")))
    return text("report.filtered", filters="; ".join(parts), findings=text("count.findings", n=left["findings"]),
                accounts=text("count.accounts", n=left["accounts_flagged"]))


#: Hosts that only this computer reaches: a handbook link to one is dead in a mailed or shared report.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def local_links_notes(result: CheckResult, handbook_url: str | None) -> list[str]:
    """The note, once, that the handbook links point to this computer: when no --handbook-url was
    given and the playbook's default `handbook_url` is a local address; else nothing."""
    default = result.playbook.manifest["handbook_url"]
    if handbook_url or urlsplit(default).hostname not in LOCAL_HOSTS:
        return []
    return [result.text("report.local_links", url=default)]
