"""The `playbook` command: parse arguments, build what the command needs, run, return an exit code.

Exit codes: 0 = ran and found nothing at or above the failure level; 1 = problems or
findings at or above it; 2 = usage or input error (one message on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import os
import stat
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from checker import __version__
from checker.check import Inputs, run_check
from checker.inputs.files import InputError
from checker.inputs.mappings import presets
from checker.playbook.messages import Problem, render, suggestion, words
from checker.playbook.model import LANGUAGES, SEVERITIES, Playbook, load_playbook
from checker.playbook.problems import PlaybookInvalid
from checker.playbook.validate import BUNDLED, names_missing_path, validate
from checker.progress import Progress
from checker.reports import REPORTERS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Problem):
    """A problem with the command line; reported in one line (in --lang), exit 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playbook", description="Relationship Playbook: validate the playbooks, list the rules, check CRM exports.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check playbook files (default: the bundled playbooks)", description="Check playbook YAML files: strict YAML, JSON Schema, then cross-references. Prints every problem as file:line: $.path: message.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders to check (default: the bundled playbooks/)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the messages")

    p = sub.add_parser("summary", help="validate the playbooks and summarise what they hold")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--lang", choices=LANGUAGES, default="en")

    p = sub.add_parser("check", help="check a CRM account export against the playbook",
                       description="Flag accounts whose behaviour does not match their declared stage, with evidence, the playbook's advice and a link to the handbook.",
                       epilog=f"formats: {', '.join(REPORTERS)}. Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or input error.")
    p.add_argument("accounts", type=Path, metavar="ACCOUNTS", help="account export: CSV, XLSX, or a zipped Salesforce Data Export")
    p.add_argument("--activities", type=Path, action="append", default=[], metavar="FILE", help="activity export (calls, meetings, e-mails, tasks); repeatable")
    p.add_argument("--deals", type=Path, action="append", default=[], metavar="FILE", help="deal / opportunity export; repeatable")
    p.add_argument("--contacts", type=Path, action="append", default=[], metavar="FILE", help="contacts export (contact id and/or name, and account): links activities that name only a contact to its account; repeatable")
    p.add_argument("--currency-rates", type=Path, metavar="FILE", help="CSV of currency code and rate (value of one unit): deals in several currencies are converted, not summed as they are")
    p.add_argument("--history-from", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the logs hold only the history since this date: time windows reaching before it are unknown, not zero")
    p.add_argument("--preset", choices=["auto", *sorted(presets())], default="auto", help="which CRM wrote the exports (default: auto, recognised from the headers)")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="your company's column mapping (YAML, schema/mapping.schema.json), e.g. custom stage fields")
    p.add_argument("--date-format", choices=["iso", "dmy", "mdy"], help="day/month order for dates like 03/04/2026 when the data cannot tell")
    p.add_argument("--sheet", metavar="NAME", help="the sheet to read from XLSX files (default: the first)")
    p.add_argument("--format", choices=list(REPORTERS), default="table", help="output format (default: table)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write the report here (whole or not at all) instead of stdout")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date every time window counts back from (default: today)")
    p.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="error", help="exit 1 when a finding at or above this severity exists (default: error)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages and handbook links")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--handbook-url", metavar="URL", help="base URL of the handbook for links (default: the playbook's handbook_url)")
    p.add_argument("--scores", action="store_true", help="table format: show every account with its best-fit scores")

    p = sub.add_parser("sample", help="write a realistic sample account export, generated from the stage profiles",
                       description="Generate fictional accounts across every stage and ending: clean ones (verified by the checker), drifting ones and a few with the data mistakes real exports carry. The bundled docs/samples/accounts.csv is `playbook sample --accounts 300 --as-of 2026-10-31`.")
    p.add_argument("--accounts", type=int, default=300, metavar="N", help="how many accounts (default 300)")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date the sample's dates count back from (default: today)")
    p.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same file")
    p.add_argument("--output", type=Path, metavar="FILE", help="write here instead of stdout")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")

    p = sub.add_parser("rules", help="list every expectation the checker evaluates, or explain one")
    p.add_argument("rule", nargs="?", metavar="RULE", help="a rule id: show its test, rationale, action, source and handbook link")
    p.add_argument("--handbook-url", metavar="URL", help="base URL of the handbook for the link (default: the playbook's handbook_url)")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--lang", choices=LANGUAGES, default="en")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    playbook: Playbook | None = None
    try:
        if args.command == "validate":
            return cmd_validate(args.paths or [BUNDLED], args.lang)
        playbook = _load(args.playbooks)
        if args.command == "check":
            return cmd_check(args, playbook)
        if args.command == "sample":
            return cmd_sample(args, playbook)
        if args.command == "summary":
            print(summary(playbook, args.lang))
        elif args.command == "rules" and args.rule:
            print(explain_rule(playbook, args.rule, args.lang, args.handbook_url or playbook.manifest["handbook_url"]))
        elif args.command == "rules":
            print(rules_table(playbook, args.lang))
        return EXIT_OK
    except PlaybookInvalid as exc:
        for problem in exc.problems:
            print(problem.render(getattr(args, "lang", "en")), file=sys.stderr)
        print(f"playbook: {render('cli.playbooks_invalid', getattr(args, 'lang', 'en'), n=len(exc.problems))}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, InputError) as exc:
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


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None


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
    if not args.accounts.is_file():
        raise UsageError("error.no_file", path=args.accounts)
    if args.output and args.output.resolve() == args.accounts.resolve():
        raise UsageError("error.output_is_input")
    inputs = Inputs(args.accounts, args.activities, args.deals, args.preset, args.mapping, args.date_format, args.sheet,
                    args.contacts, args.currency_rates, args.history_from)
    with Progress() as progress:
        result = run_check(inputs, playbook, args.as_of or date.today(), args.lang, args.handbook_url or playbook.manifest["handbook_url"], progress)
    for miss in result.table.mapping_unmatched:
        print(f"playbook: {playbook.text('cli.mapping_unmatched', args.lang, mapping=args.mapping, miss=miss)}", file=sys.stderr)
    if args.preset == "auto" and result.sources.preset != "canonical":
        reason = words(result.sources.preset_reason, args.lang, playbook.messages)
        print(f"playbook: {playbook.text('cli.preset_chosen', args.lang, preset=result.sources.preset, reason=reason)}", file=sys.stderr)
    if args.format == "csv":  # one row per finding has no place for them: the logs' warnings go to stderr
        for log in result.sources.as_json(args.lang, playbook.messages)["logs"]:
            for warning in log["warnings"]:
                print(f"playbook: {log['file']}: {warning}", file=sys.stderr)
    colour = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = REPORTERS[args.format](result, colour=colour, scores=args.scores)
    chunks = [report] if isinstance(report, str) else report
    if args.output:
        write_atomically(args.output, chunks)
        print(f"playbook: {playbook.text('cli.wrote', args.lang, path=args.output, findings=result.count(), accounts=len(result.table))}", file=sys.stderr)
    else:
        sys.stdout.flush()
        for chunk in chunks:
            sys.stdout.buffer.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        sys.stdout.buffer.flush()
    if args.fail_on == "never":
        return EXIT_OK
    levels = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
    return EXIT_FINDINGS if result.count(levels) else EXIT_OK


def cmd_sample(args: argparse.Namespace, playbook: Playbook) -> int:
    from checker.sample import sample_csv  # only this command generates data

    text = sample_csv(playbook, args.as_of or date.today(), args.accounts, args.seed)
    if args.output:
        write_atomically(args.output, [text])
    else:
        sys.stdout.write(text)
    return EXIT_OK


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


def summary(playbook: Playbook, lang: str = "en") -> str:
    """A short overview of what the playbooks hold, for `make run` and for editors."""
    def t(key: str, **values: object) -> str:
        return playbook.text(f"summary.{key}", lang, **values)

    lines = [t("head", title=playbook.manifest["title"][lang], version=playbook.manifest["version"], files=len(playbook.files)), ""]
    for key, phases in (("stages", playbook.stages), ("endings", playbook.endings)):
        lines.append(t(key, n=len(phases)))
        for phase in phases:
            count = len([r for r in playbook.rules if r.owner == phase.id])
            lines.append(f"  {phase.order}. {phase.id:<16} {phase.name[lang]:<40} {t('expectations', n=count)}")
    lines.append(t("catalogues", n=len(playbook.catalogues)))
    for cat in playbook.catalogues.values():
        lines.append(f"  {cat['id']:<19} {t('catalogue', entries=len(cat['items']), rules=len(cat.get('rules', [])))}")
    kinds = Counter(r.kind for r in playbook.rules)
    severities = Counter(r.severity for r in playbook.rules)
    lines += [
        "",
        t("counts", signals=len(playbook.signals), sources=len(playbook.sources), terms=len(playbook.glossary)),
        t("rules", n=len(playbook.rules), kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
          severities=", ".join(f"{s} {severities[s]}" for s in SEVERITIES)),
    ]
    return "\n".join(lines)


def explain_rule(playbook: Playbook, rule_id: str, lang: str, handbook_url: str) -> str:
    """One rule in full, the way the handbook's rule catalogue shows it."""
    from checker.evaluate import (
        Evaluator,  # it phrases tests and citations the way findings do
    )

    rule = playbook.rules_by_id.get(rule_id)
    if rule is None:
        raise UsageError("error.no_rule", rule=rule_id, hint=suggestion(rule_id, playbook.rules_by_id))
    words = Evaluator(playbook, date.today(), lang, handbook_url)
    applies = ", ".join(playbook.phases[p].name[lang] for p in rule.applies_to)
    when = "".join(f"\n  {playbook.text('check.rule_when', lang)} {c.signal} {c.op} {c.value}" for c in rule.when)
    return "\n".join([
        f"{rule.id}  [{rule.severity}] {rule.kind}" + (f", {rule.direction}" if rule.direction else ""),
        f"  {rule.title[lang]}",
        f"  {playbook.text('check.rule_applies_to', lang)}: {applies}",
        f"  {playbook.text('check.rule_test', lang)}: {rule.signal} {words.expected(rule)}{when}",
        "", *textwrap.wrap(rule.rationale[lang], 80, initial_indent="  ", subsequent_indent="  "),
        "", *textwrap.wrap("→ " + rule.action[lang], 80, initial_indent="  ", subsequent_indent="    "),
        "", f"  ({words.citation(rule.sources)})", f"  {words.url(rule.page, rule.id)}",
    ])


def rules_table(playbook: Playbook, lang: str = "en") -> str:
    """Every rule on one line: id, kind, severity, where it applies, the test and its title."""
    lines = []
    for rule in playbook.rules:
        test = f"{rule.signal} {rule.op}" + ("" if rule.op == "recorded" else f" {rule.value}" + (f" × {rule.relative_to}" if rule.relative_to else ""))
        lines.append(f"{rule.id}  [{rule.severity}] {rule.kind}  ({', '.join(rule.applies_to)})\n    {test}: {rule.title[lang]}")
    return "\n".join(lines)
