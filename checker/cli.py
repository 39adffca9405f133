"""The `playbook` command: parse arguments, build what the command needs, run, return an exit code.

Exit codes: 0 = ran and found nothing at or above the failure level; 1 = problems or
findings at or above it; 2 = usage or input error (one message on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from checker.check import CheckResult, Filters, Sources, owner_key, read_signals, run_check
from checker.history.baseline import Baseline, load_baseline, write_index
from checker.history.changes import annotate, comparable, report_columns
from checker.history.waivers import append_waiver, check_rules, known_rules, login, read_waivers
from checker.inputs.accounts import AccountTable
from checker.inputs.files import InputError
from checker.options import PARQUET, UsageError, inputs_from, output_table_from, parse, report_format, usage_lang
from checker.playbook.messages import render, suggestion, words
from checker.playbook.model import FINDING_KINDS, SEVERITIES, Playbook, load_playbook
from checker.playbook.problems import PlaybookInvalid
from checker.playbook.thresholds import ThresholdsInvalid, apply_thresholds, read_thresholds
from checker.playbook.validate import BUNDLED, names_missing_path, validate
from checker.progress import Progress
from checker.reports import REPORTERS
from checker.reports.proposals import proposals_csv
from checker.reports.review_sheet import review_sheet
from checker.reports.rules import explain_rule, rules_table, summary
from checker.reports.signals import SIGNAL_FORMATS
from checker.reports.text import filter_line, left_out_line, local_links_notes, source_lines
from checker.reviews import review_notes

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _say_how_read(args: argparse.Namespace, playbook: Playbook, table: AccountTable, sources: Sources) -> None:
    """On stderr: --mapping entries that matched nothing, and the preset auto-detection chose."""
    for note in review_notes(sources.review, playbook, args.lang):  # reviews of accounts not in the export, rows not filled
        print(f"playbook: {note}", file=sys.stderr)
    for miss in table.mapping_unmatched:
        print(f"playbook: {playbook.text('cli.mapping_unmatched', args.lang, mapping=args.mapping, miss=miss)}", file=sys.stderr)
    if args.preset == "auto" and sources.preset != "canonical":
        reason = words(sources.preset_reason, args.lang, playbook.messages)
        print(f"playbook: {playbook.text('cli.preset_chosen', args.lang, preset=sources.preset, reason=reason)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse(argv)
    except UsageError as exc:  # one line in the language asked for, not argparse's usage block
        print(f"playbook: {exc.render(usage_lang(argv))}", file=sys.stderr)
        return EXIT_USAGE
    playbook: Playbook | None = None
    try:
        if args.command == "validate":
            return cmd_validate(args.paths or [BUNDLED], args.lang)
        playbook = _load(args.playbooks)
        if getattr(args, "thresholds", None):  # the company's own lines (issue 24)
            playbook = apply_thresholds(playbook, read_thresholds(args.thresholds, playbook))
        if args.command == "calibrate":
            return cmd_calibrate(args, playbook)
        if args.command == "check":
            return cmd_check(args, playbook)
        if args.command == "signals":
            return cmd_signals(args, playbook)
        if args.command == "sample":
            return cmd_sample(args, playbook)
        if args.command == "waive":
            return cmd_waive(args, playbook)
        if args.command == "review-sheet":
            return cmd_review_sheet(args, playbook)
        if args.command == "summary":
            print(summary(playbook, args.lang))
        elif args.command == "rules" and args.rule:
            text = explain_rule(playbook, args.rule, args.lang, args.handbook_url or playbook.manifest["handbook_url"])
            if text is None:
                raise UsageError("error.no_rule", rule=args.rule, hint=suggestion(args.rule, playbook.rules_by_id))
            print(text)
        elif args.command == "rules":
            print(rules_table(playbook, args.lang))
        return EXIT_OK
    except PlaybookInvalid as exc:
        for problem in exc.problems:
            print(problem.render(getattr(args, "lang", "en")), file=sys.stderr)
        print(f"playbook: {render('cli.playbooks_invalid', getattr(args, 'lang', 'en'), n=len(exc.problems))}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, InputError, ThresholdsInvalid) as exc:
        lang = getattr(args, "lang", "en")
        print(f"playbook: {exc.render(lang, playbook.messages if playbook else None)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # e.g. --output into a folder we may not write to
        print(f"playbook: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


@contextlib.contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Pause Python's cycle collector for the length of a check.

    A check builds hundreds of thousands of small lists and dicts and frees them all at the
    end; none of them forms a reference cycle, yet the collector would walk the growing heap
    again and again (a fifth of the time of a large check). Reference counting still frees
    everything; the collector runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cmd_check(args: argparse.Namespace, playbook: Playbook) -> int:
    with _without_cycle_collector():
        return _check(args, playbook)


def _check(args: argparse.Namespace, playbook: Playbook) -> int:
    args.format = report_format(args)
    if args.format == PARQUET:
        return _check_parquet(args, playbook)
    output_table_from(args)  # --output-table, --replace and --summary are a findings output's: refused here, in one line
    inputs = inputs_from(args)
    if args.baseline and args.baseline.suffix.lower() == ".parquet":  # read by an engine, for a Parquet output (checker/engines/status.py)
        raise UsageError("history.baseline_parquet_output", path=args.baseline)
    baseline = load_baseline(args.baseline, playbook.manifest["version"]) if args.baseline else None  # bad input stops before the check
    waivers = read_waivers(args.waivers) if args.waivers else None
    with Progress() as progress:
        result = run_check(inputs, playbook, args.as_of or date.today(), args.lang, args.handbook_url or playbook.manifest["handbook_url"], progress,
                           args.max_accounts)
    if baseline or waivers:
        if waivers:
            check_rules(waivers, known_rules(playbook, result.evaluation.distinct))
        for note in annotate(result, baseline, waivers, args.show_waived).notes:
            print(f"playbook: {note.render(args.lang, playbook.messages)}", file=sys.stderr)
    _say_how_read(args, playbook, result.table, result.sources)
    if args.propose_stages:
        text, said = proposals_csv(result, args.propose_stages)
        write_atomically(args.propose_stages, [text])
        print(f"playbook: {said}", file=sys.stderr)
    if args.format == "csv":  # one row per finding has no place for them: the logs' warnings go to stderr
        for log in result.sources.as_json(args.lang, playbook.messages)["logs"]:
            for warning in log["warnings"]:
                print(f"playbook: {log['file']}: {warning}", file=sys.stderr)
    result = _filtered(result, args)  # after the history, which compares every finding with the baseline
    colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    notes = local_links_notes(result, args.handbook_url)
    for note in notes:
        print(f"playbook: {note}", file=sys.stderr)
    width = shutil.get_terminal_size().columns if args.output is None and sys.stdout.isatty() else 80  # wrap to the terminal, not to a guess
    report = REPORTERS[args.format](result, colour=colour, scores=args.scores, details=args.details, notes=notes, width=max(width, 60))
    _emit(args.output, [report] if isinstance(report, str) else report)
    if args.output and args.format == "json":  # what next week's --baseline reads of it, beside it
        write_index(args.output, result.as_of, result.playbook_version, report_columns(result))
    if args.output:
        wrote = playbook.text("cli.wrote", args.lang, path=args.output, findings=playbook.text("count.findings", args.lang, n=result.count()),
                              accounts=playbook.text("count.accounts", args.lang, n=len(result.table)))
        print(f"playbook: {wrote}", file=sys.stderr)
    return _exit_code(args.fail_on, (result.history or result).count)  # a waived finding does not count


def _check_parquet(args: argparse.Namespace, playbook: Playbook) -> int:
    """`check --output findings.parquet` or `--output-table NAME`: the findings computed in SQL (checker/engines/findings.py),
    one row each, narrowed and marked as the JSON report's (checker/history/narrow_sql.py), and the summary beside them."""
    from checker.engines.choose import open_engine, shown
    from checker.engines.findings import parquet_check
    from checker.history.narrow_sql import SQLNarrowing

    target = output_table_from(args)  # before the exports are read
    if target is None and args.output is None:
        raise UsageError("parquet.needs_output")
    if folderless := next((p for p in (args.output, args.summary) if p is not None and not p.resolve().parent.is_dir()), None):  # before the exports are read
        raise UsageError("error.output_folder", path=folderless, folder=folderless.resolve().parent)
    if refused := next((o for o, given in (("--propose-stages", args.propose_stages), ("--scores", args.scores), ("--details", args.details)) if given), None):
        raise UsageError("parquet.not_with", option=refused)
    inputs, as_of = inputs_from(args), args.as_of or date.today()
    if args.baseline and args.baseline.suffix.lower() == ".parquet":  # last week's Parquet output, read by the engine (checker/engines/status.py)
        from checker.engines.status import load_parquet_baseline

        baseline = load_parquet_baseline(args.baseline, playbook.manifest["version"], as_of)
    else:
        baseline = load_baseline(args.baseline, playbook.manifest["version"]) if args.baseline else None  # bad input stops before the check
    waivers = read_waivers(args.waivers) if args.waivers else None
    filters = Filters(tuple(args.owner), tuple(args.kind), args.min_severity)
    # On Spark an account table (or a Parquet export) stays there too, unless a JSON baseline or waivers need its ids here.
    inputs.accounts_in_engine = args.engine == "spark" and not isinstance(baseline, Baseline) and waivers is None
    with Progress() as progress, tempfile.TemporaryDirectory(prefix="playbook-") as work:
        # On Spark one engine reads the logs and runs the rules: their signals stay there (checker/engines/signals_view.py).
        opened = open_engine(args.engine, Path(work)) if args.engine == "spark" else None
        try:
            table, sources = read_signals(inputs, playbook, as_of, args.lang, progress, engine=opened)
            if isinstance(baseline, Baseline):  # a JSON report (a Parquet baseline's accounts are compared in the engine)
                comparable(baseline, as_of, table.ids)
            progress.step(playbook.text("progress.evaluating", args.lang, n=playbook.number(len(table), args.lang)))
            narrowing = SQLNarrowing(filters, waivers, playbook, as_of, table.ids if waivers else []) if filters or waivers else None
            report, counted = parquet_check(table, sources.review, playbook, as_of, args.lang, target or args.output, Path(work),
                                            baseline.columns if isinstance(baseline, Baseline) else baseline, baseline.as_of if baseline else None,
                                            engine=args.engine, narrow=narrowing, opened=opened, kept=sources.kept, handbook_url=args.handbook_url)
            owners = table.owners if args.owner else []  # (of an account table kept in Spark: asked there, before it stops)
        finally:
            if opened is not None:
                opened.close()
    summary = report["summary"]
    summary["sources"] = sources.as_json(args.lang, playbook.messages)
    if waivers is not None and narrowing is not None:  # as the JSON report's summary has them, and on stderr
        summary["waiver_notes"] = [note.render(args.lang, playbook.messages) for note in narrowing.notes]
        for note in summary["waiver_notes"]:
            print(f"playbook: {note}", file=sys.stderr)
    _say_how_read(args, playbook, table, sources)
    for log in summary["sources"]["logs"]:  # as with --format csv: the logs' warnings have no row of their own
        for warning in log["warnings"]:
            print(f"playbook: {log['file']}: {warning}", file=sys.stderr)
    _say_unknown_owners(args, playbook, owners)
    if line := left_out_line(summary.get("left_out"), lambda key, **values: playbook.text(key, args.lang, **values)):
        print(f"playbook: {line}", file=sys.stderr)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    beside = args.summary or (args.output.with_suffix(".summary.json") if target is None else None)
    if beside is not None:
        write_atomically(beside, [text])
    findings, accounts = playbook.text("count.findings", args.lang, n=summary["findings"]), playbook.text("count.accounts", args.lang, n=summary["accounts"])
    if target is None:
        wrote = playbook.text("cli.wrote", args.lang, path=args.output, findings=findings, accounts=accounts)
    else:
        where = playbook.text("output_table.in_database", args.lang, path=target.database) if target.database is not None else ""
        wrote = playbook.text("output_table.wrote", args.lang, engine=shown(args.engine), table=target.name, where=where, findings=findings, accounts=accounts)
    print(f"playbook: {wrote}", file=sys.stderr)
    if beside is not None:
        print(f"playbook: {playbook.text('parquet.wrote_summary', args.lang, path=beside)}", file=sys.stderr)
    else:  # a table's summary: on stdout, for the routine that runs it to keep
        _emit(None, [text])
    return _exit_code(args.fail_on, lambda levels: sum(counted.get(s, 0) for s in levels))  # a waived finding does not count


def _exit_code(fail_on: str, count: Callable[[tuple[str, ...]], int]) -> int:
    """1 when `count` finds findings at or above --fail-on's severity, else 0 (always 0 for `never`)."""
    return EXIT_FINDINGS if fail_on != "never" and count(tuple(SEVERITIES[: SEVERITIES.index(fail_on) + 1])) else EXIT_OK


def cmd_calibrate(args: argparse.Namespace, playbook: Playbook) -> int:
    """The calibration page and the suggested lines (checker/calibrate, drawn by checker/reports/calibration.py)."""
    from checker.reports.calibration import calibration_files
    if not (args.output or args.overlay):  # before reading anything
        raise UsageError("calibrate.nothing_asked")
    inputs = inputs_from(args)
    with _without_cycle_collector(), Progress() as progress:
        table, sources = read_signals(inputs, playbook, args.as_of or date.today(), args.lang, progress)
        files = calibration_files(table, playbook, args.as_of or date.today(), args.lang, args.output, args.overlay)  # all or nothing
    _say_how_read(args, playbook, table, sources)
    for path, text, said in files:
        if text is not None:
            write_atomically(path, [text])
        print(f"playbook: {said}", file=sys.stderr)
    return EXIT_OK


def cmd_waive(args: argparse.Namespace, playbook: Playbook) -> int:
    kinds = set(FINDING_KINDS)
    if args.rule not in kinds and args.rule not in (known := known_rules(playbook)):
        raise UsageError("error.no_rule", rule=args.rule, hint=suggestion(args.rule, known | kinds))
    if not args.reason.strip():
        raise UsageError("history.empty_reason")
    rule, kind = (None, args.rule) if args.rule in kinds else (args.rule, None)
    if args.until < date.today():  # it would waive nothing, from the day it is written
        raise UsageError("history.waive_past", until=args.until.isoformat(), today=date.today().isoformat())
    by = args.by.strip() if args.by is not None else login()
    append_waiver(args.waivers, args.account, rule, kind, args.reason.strip(), args.until, by, playbook.text("history.waivers_header", args.lang))
    print(playbook.text("history.waive_added", args.lang, path=args.waivers, account=args.account, rule=args.rule, until=args.until.isoformat()))
    return EXIT_OK


def cmd_signals(args: argparse.Namespace, playbook: Playbook) -> int:
    """The signals the checker judges, as a canonical account table (checker/reports/signals.py)."""
    inputs = replace(inputs_from(args), stage_required=False)  # the signals need no declared stage
    as_of = args.as_of or date.today()
    with _without_cycle_collector(), Progress() as progress:
        table, sources = read_signals(inputs, playbook, as_of, args.lang, progress)
    _say_how_read(args, playbook, table, sources)
    for line in source_lines(sources, playbook, args.lang):  # what became of every log row, as `check` reports it
        print(f"playbook: {line}", file=sys.stderr)
    _emit(args.output, SIGNAL_FORMATS[args.format](table, sources, playbook, as_of))
    if args.output:
        accounts = playbook.text("count.accounts", args.lang, n=len(table))
        print(f"playbook: {playbook.text('cli.wrote_signals', args.lang, path=args.output, accounts=accounts)}", file=sys.stderr)
    return EXIT_OK


def cmd_review_sheet(args: argparse.Namespace, playbook: Playbook) -> int:
    """The review sheet (checker/reports/review_sheet.py) of the accounts that lack evidence."""
    if args.output.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError("sheet.bad_output", path=args.output)
    with _without_cycle_collector(), Progress() as progress:
        result = run_check(inputs_from(args), playbook, args.as_of or date.today(), args.lang, playbook.manifest["handbook_url"], progress)
    _say_how_read(args, playbook, result.table, result.sources)
    sheet, said = review_sheet(result, args.owner, args.output)
    write_atomically(args.output, [sheet])
    print(f"playbook: {said}", file=sys.stderr)
    return EXIT_OK


def _say_unknown_owners(args: argparse.Namespace, playbook: Playbook, owners: list[str]) -> None:
    """On stderr: each --owner no account has (a typo filters out everything), with the likeliest one meant."""
    known = {owner_key(o) for o in set(owners)} if args.owner else set()
    for owner in args.owner:
        if owner_key(owner) not in known:
            print(f"playbook: {playbook.text('cli.owner_unknown', args.lang, owner=owner, hint=words(suggestion(owner, owners), args.lang, playbook.messages))}", file=sys.stderr)


def _filtered(result: CheckResult, args: argparse.Namespace) -> CheckResult:
    """The result as --owner, --kind and --min-severity narrow it; what they left out goes to stderr too (a CSV has no summary)."""
    _say_unknown_owners(args, result.playbook, result.table.owners)
    result = result.filtered(Filters(tuple(args.owner), tuple(args.kind), args.min_severity))
    if result.left_out:
        print(f"playbook: {filter_line(result)}", file=sys.stderr)
    return result


def cmd_sample(args: argparse.Namespace, playbook: Playbook) -> int:
    from checker.sample import sample_csv  # only this command generates data

    text = sample_csv(playbook, args.as_of or date.today(), args.accounts, args.seed)
    if args.output:
        write_atomically(args.output, [text])
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _load(directory: Path | None) -> Playbook:
    if directory is not None and not directory.is_dir():
        raise UsageError("error.no_folder", option="--playbooks", path=directory)
    return load_playbook(directory)


def cmd_validate(paths: Sequence[Path], lang: str = "en") -> int:
    docs, problems = validate(paths)
    if names_missing_path(problems):
        for problem in problems:
            print(problem.render(lang), file=sys.stderr)
        return EXIT_USAGE
    for problem in problems:
        print(problem.render(lang))
    if problems:
        print(render("validate.summary_bad", lang, problems=len(problems), files=len({p.file for p in problems})))
        return EXIT_FINDINGS
    print(render("validate.summary_ok", lang, files=len(docs)))
    return EXIT_OK


def _emit(output: Path | None, chunks: Iterable[str | bytes]) -> None:
    """The report to --output (whole or not at all) or to stdout."""
    if output:
        write_atomically(output, chunks)
        return
    sys.stdout.flush()
    for chunk in chunks:
        sys.stdout.buffer.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
    sys.stdout.buffer.flush()


def write_atomically(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write the whole file or nothing: a temporary file in the same folder, then rename.

    The file gets the permissions of the one it replaces, or those any new file gets (the
    umask), like a plain `> file` would: not the owner-only ones of a temporary file."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise UsageError("error.output_folder", path=path, folder=folder)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb", buffering=1 << 20) as out:
            write = out.write
            for chunk in chunks:
                write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        with contextlib.suppress(OSError):  # a file system without permissions (FAT, some network shares)
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
