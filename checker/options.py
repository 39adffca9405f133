"""The `playbook` command line: its options, and the inputs `check`, `signals`, `calibrate` and
`review-sheet` read from them. Its help is in the language `--lang` asks for: every text, argparse's
own words too, is a message of playbooks/messages/cli.yaml."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache, partial
from gettext import gettext
from pathlib import Path
from typing import Any

import yaml

from checker import __version__
from checker.check import Inputs
from checker.engines.choose import engine_problem, files_problem, shown
from checker.engines.output_table import OutputTable, name_problem, precheck
from checker.inputs.mapping_source import mapping_source
from checker.inputs.mappings import presets
from checker.inputs.tables import TableSource, table_problem
from checker.inputs.values import date_pattern
from checker.playbook.messages import MESSAGES_DIR, fill
from checker.playbook.model import FINDING_KINDS, LANGUAGES, SEVERITIES
from checker.playbook.usage import BadOption, Parser, UsageError, lang_of
from checker.reports import REPORTERS

PARQUET = "parquet"  # `check --format parquet`: the findings computed in SQL (checker/engines/findings.py), not a REPORTERS entry
#: The most accounts `check` writes a report of (any format but parquet) unless --max-accounts says otherwise: a check
#: to JSON takes about 150 MB of memory and writes 86 MB of JSON per 100,000 accounts (README, "Big outputs").
MOST_ACCOUNTS = 1_000_000
#: A command's --lang: without a default of its own, so that `playbook --lang fi COMMAND` (the top parser's
#: --lang, default en) holds for the command too; a --lang after the command wins.
_LANG: dict[str, Any] = {"choices": LANGUAGES, "default": argparse.SUPPRESS}


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options; a mistake in it is a UsageError (checker/playbook/usage.py), in the language it asks for.
    `--help` is in that language too: the parser is built in it (`--lang fi` anywhere on the line; LANG is not read)."""
    return _parser(usage_lang(argv)).parse_args(argv)


def usage_lang(argv: Sequence[str] | None) -> str:
    """The language to say a mistake of the command line in (its --lang, if it can be read)."""
    return lang_of(sys.argv[1:] if argv is None else argv, LANGUAGES)


@cache
def help_texts() -> dict[str, dict[str, str]]:
    """The messages `help.*` (playbooks/messages/cli.yaml), read alone: with libyaml in 2 ms, where all the
    message files (messages.bundled) take 0.25 s, which every command would pay for a help it rarely prints."""
    text = (MESSAGES_DIR / "cli.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["messages"]


class _Formatter(argparse.HelpFormatter):
    """argparse's help with its own fixed words in the parser's language.

    argparse takes "usage: " and its section headings through gettext (`argparse._`: English, as
    no catalogue ships, the same words in Python 3.11-3.13). Setting gettext for argparse would
    change its error texts too, which checker/playbook/usage.py reads; so two public hooks of the
    formatter swap the words here: the usage line's prefix, and a heading that is argparse's own
    (as gettext gives it). -h and --version get their help where _parser adds them.
    """

    def __init__(self, prog: str, usage: str, headings: dict[str, str], **kwargs: Any):
        super().__init__(prog, **kwargs)
        self.usage_prefix, self.heading_words = usage, headings

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action], groups: Iterable[Any], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, self.usage_prefix if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(self.heading_words.get(heading or "", heading))


class _Texts:
    """The help of the command line in one language: the messages `help.*` (playbooks/messages/cli.yaml)."""

    def __init__(self, lang: str):
        self.lang = lang
        headings = {gettext("positional arguments"): self("help.words.positionals"), gettext("options"): self("help.words.options")}
        self.formatter = partial(_Formatter, usage=self("help.words.usage") + " ", headings=headings)

    def __call__(self, key: str, **values: object) -> str:
        return fill(help_texts()[key][self.lang], values)

    def parser(self, make: Callable[..., Parser], **kwargs: str) -> Parser:
        """A parser by `make` (Parser, or a sub-command's add_parser) in this language, with its -h."""
        parser = make(**kwargs, add_help=False, formatter_class=self.formatter)
        parser.add_argument("-h", "--help", action="help", help=self("help.words.help"))
        return parser

    def command(self, sub: argparse._SubParsersAction, name: str, **texts: str) -> _Command:
        """The sub-command `name`: its line in `playbook --help`, description and epilog are `help.<name>.about` etc."""
        key = name.replace("-", "_")
        more = {part: self(f"help.{key}.{part}", **texts) for part in ("description", "epilog") if f"help.{key}.{part}" in help_texts()}
        return _Command(self.parser(sub.add_parser, name=name, help=self(f"help.{key}.about"), **more), key, self)


class _Command:
    """A sub-command's parser whose options take their help from the messages: `help.<command>.<option>`, else `help.<option>`."""

    def __init__(self, parser: Parser, key: str, texts: _Texts):
        self.parser, self.key, self.texts = parser, key, texts

    def add(self, *flags: str, **kwargs: Any) -> argparse.Action:
        """parser.add_argument, with the help in the language; `{default}` in it is the option's default."""
        action = self.parser.add_argument(*flags, **kwargs)
        key = next((k for k in (f"help.{self.key}.{action.dest}", f"help.{action.dest}") if k in help_texts()), f"help.{self.key}.{action.dest}")
        default = f"{action.default:,}".replace(",", self.texts("help.digit_group")) if type(action.default) is int else action.default
        action.help = self.texts(key, default=default).replace("%", "%%")  # argparse fills %(…)s in a help
        return action


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line's parser, its help in `lang`."""
    texts = _Texts(lang)
    parser = texts.parser(Parser, prog="playbook", description=texts("help.playbook"))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help=texts("help.words.version"))
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help=texts("help.playbook.lang"))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = texts.command(sub, "validate")
    p.add("paths", nargs="*", type=Path, metavar="PATH")
    p.add("--lang", **_LANG)

    p = texts.command(sub, "summary")
    p.add("--playbooks", type=Path, metavar="DIR")
    p.add("--lang", **_LANG)

    p = texts.command(sub, "check", formats=", ".join([*REPORTERS, PARQUET]))
    _input_options(p)
    p.add("--format", choices=[*REPORTERS, PARQUET], default=None)
    p.add("--output", type=Path, metavar="FILE")
    p.add("--max-accounts", type=_count, default=MOST_ACCOUNTS, metavar="N")
    p.add("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--fail-on", choices=[*SEVERITIES, "never"], default="error")
    p.add("--lang", **_LANG)
    p.add("--playbooks", type=Path, metavar="DIR")
    p.add("--handbook-url", metavar="URL")
    p.add("--scores", action="store_true")
    p.add("--details", action="store_true")
    p.add("--owner", action="append", default=[], metavar="NAME")
    p.add("--kind", action="append", default=[], choices=FINDING_KINDS)
    p.add("--min-severity", choices=SEVERITIES)
    # Week over week (issue 16): compare with an earlier report, silence findings on purpose.
    p.add("--baseline", type=Path, metavar="PREVIOUS.json")
    p.add("--waivers", type=Path, metavar="FILE")
    p.add("--show-waived", action="store_true")
    p.add("--thresholds", type=Path, metavar="FILE")
    p.add("--propose-stages", type=Path, metavar="FILE")
    # Findings as rows of a table of the engine (issue 25; checker/engines/output_table.py).
    p.add("--output-table", metavar="NAME")
    p.add("--replace", action="store_true")
    p.add("--summary", type=Path, metavar="FILE")

    p = texts.command(sub, "waive")
    p.add("account", metavar="ACCOUNT")
    p.add("rule", metavar="RULE")
    p.add("--reason", required=True)
    p.add("--until", required=True, type=_as_of, metavar="YYYY-MM-DD")
    p.add("--by")
    p.add("--waivers", type=Path, default=Path("waivers.yaml"), metavar="FILE")
    p.add("--playbooks", type=Path, metavar="DIR")
    p.add("--lang", **_LANG)

    p = texts.command(sub, "signals")
    _input_options(p)
    p.add("--format", choices=["csv", "json"], default="csv")
    p.add("--output", type=Path, metavar="FILE")
    p.add("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--lang", **_LANG)
    p.add("--playbooks", type=Path, metavar="DIR")

    p = texts.command(sub, "review-sheet")
    _input_options(p)
    p.add("--output", type=Path, required=True, metavar="FILE")
    p.add("--owner", action="append", default=[], metavar="NAME")
    p.add("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--lang", **_LANG)
    p.add("--playbooks", type=Path, metavar="DIR")

    p = texts.command(sub, "sample")
    p.add("--accounts", type=_whole, default=300, metavar="N")
    p.add("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--seed", type=_whole, default=7)
    p.add("--output", type=Path, metavar="FILE")
    p.add("--playbooks", type=Path, metavar="DIR")

    p = texts.command(sub, "calibrate")
    _input_options(p)
    p.add("--output", type=Path, metavar="FILE")
    p.add("--overlay", type=Path, metavar="FILE")
    p.add("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--lang", **_LANG)
    p.add("--playbooks", type=Path, metavar="DIR")

    p = texts.command(sub, "rules")
    p.add("rule", nargs="?", metavar="RULE")
    p.add("--thresholds", type=Path, metavar="FILE")
    p.add("--handbook-url", metavar="URL")
    p.add("--playbooks", type=Path, metavar="DIR")
    p.add("--lang", **_LANG)
    return parser


def _input_options(p: _Command) -> None:
    """What `check` and `signals` both read: the exports and how to map them (see inputs_from)."""
    p.add("accounts", type=Path, nargs="?", metavar="ACCOUNTS")
    p.add("--activities", type=Path, action="append", default=[], metavar="FILE")
    p.add("--deals", type=Path, action="append", default=[], metavar="FILE")
    p.add("--contacts", type=Path, action="append", default=[], metavar="FILE")
    p.add("--currency-rates", type=Path, metavar="FILE")
    p.add("--history-from", type=_as_of, default=None, metavar="YYYY-MM-DD")
    p.add("--stage-history", type=Path, action="append", default=[], metavar="FILE")
    p.add("--preset", choices=["auto", *sorted(presets())], default="auto")
    p.add("--mapping", type=Path, metavar="FILE")
    p.add("--date-format", type=_date_format, metavar="dmy|mdy|iso|PATTERN")
    p.add("--sheet", metavar="NAME")
    p.add("--assessments", type=Path, action="append", default=[], metavar="FILE")
    p.add("--engine", default="duckdb", metavar="duckdb|spark|URL")
    # The logs as tables of the engine instead of files (issue 25; checker/inputs/tables.py).
    p.add("--accounts-table", metavar="NAME")
    for kind in ("activities", "deals", "contacts"):
        p.add(f"--{kind}-table", action="append", default=[], metavar="NAME")
    p.add("--database", type=Path, metavar="FILE.duckdb")


def inputs_from(args: argparse.Namespace) -> Inputs:
    """The files `check` or `signals` reads, from the options _input_options defines."""
    if args.mapping is not None and (source := mapping_source(args.mapping)) is not None:  # its `source:` entries: what the options leave unnamed
        args = source.under(args)
    if (args.accounts is None) == (args.accounts_table is None):  # one account export: a file or a table
        raise UsageError("error.accounts_file_or_table")
    if args.accounts is not None and not args.accounts.is_file():
        raise UsageError("error.no_file", path=args.accounts)
    if args.output and args.accounts is not None and args.output.resolve() == args.accounts.resolve():
        raise UsageError("error.output_is_input")
    if problem := engine_problem(args.engine):
        raise UsageError(problem.key, **problem.values)
    tables = {kind: [TableSource(name, kind) for name in getattr(args, f"{kind}_table")] for kind in ("activities", "deals", "contacts")}
    accounts = args.accounts if args.accounts is not None else TableSource(args.accounts_table, "accounts")
    if problem := table_problem(shown(args.engine), args.database, any(tables.values()) or args.accounts is None):
        raise UsageError(problem.key, **problem.values)
    if problem := files_problem(args.engine, {"activities": args.activities, "deals": args.deals, "contacts": args.contacts}):  # a warehouse reads its tables
        raise UsageError(problem.key, **problem.values)
    return Inputs(accounts, args.activities + tables["activities"], args.deals + tables["deals"], args.preset, args.mapping, args.date_format, args.sheet,
                  args.contacts + tables["contacts"], args.currency_rates, args.history_from, assessments=args.assessments, stage_history=args.stage_history,
                  engine=args.engine, database=args.database)


def report_format(args: argparse.Namespace) -> str:
    """`check`'s format: --format, else parquet for an --output ending in .parquet or an --output-table, else table."""
    if args.format:
        return args.format
    return PARQUET if args.output_table or (args.output is not None and args.output.suffix.lower() == ".parquet") else "table"


def output_table_from(args: argparse.Namespace) -> OutputTable | None:
    """`check --output-table NAME` (with --replace, --database) as what to write, or None; a combination
    that cannot be is a UsageError, and on DuckDB an existing table is refused before anything is read."""
    if args.replace and not args.output_table:
        raise UsageError("output_table.replace_alone")
    if args.summary is not None and report_format(args) != PARQUET:
        raise UsageError("output_table.summary_alone")
    if not args.output_table:
        return None
    if args.output is not None:
        raise UsageError("output_table.with_output")
    if args.format not in (None, PARQUET):
        raise UsageError("output_table.format", format=args.format)
    if problem := name_problem(args.output_table):
        raise UsageError(problem.key, **problem.values)
    if args.engine == "duckdb" and args.database is None:
        raise UsageError("output_table.needs_database")
    if args.database is not None and not args.database.resolve().parent.is_dir():
        raise UsageError("error.output_folder", path=args.database, folder=args.database.resolve().parent)
    url = args.engine if "://" in args.engine else None  # a warehouse's: the findings go into it
    name = args.output_table.lower() if url else args.output_table  # as PostgreSQL keeps an unquoted name: messages name that table
    target = OutputTable(name, args.database if args.engine == "duckdb" else None, args.replace, url)
    if args.engine == "duckdb" and not args.accounts_table and not any(getattr(args, f"{kind}_table") for kind in ("activities", "deals", "contacts")):
        args.database = None  # the output's alone: not read as an input (it may not exist yet)
    if url is None:
        precheck(target)
    elif problem := engine_problem(url):  # another warehouse's URL, or no [postgres] extra: said before the warehouse is asked
        raise UsageError(problem.key, **problem.values)
    else:  # the warehouse reached, its schema there, the table refused or the user's right to write it: before anything is read
        from checker.engines.warehouse_output import precheck as warehouse_precheck

        warehouse_precheck(target)
    return target


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise BadOption("usage.not_a_count", value=text)
    return int(text)


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadOption("usage.not_whole", value=text) from None


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadOption("usage.not_a_date", value=text) from None


def _date_format(text: str) -> str:
    try:
        return date_pattern(text)
    except ValueError:
        raise BadOption("usage.not_a_date_format", value=text) from None
