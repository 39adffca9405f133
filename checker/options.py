"""The `playbook` command line: its options, and the inputs `check`, `signals`, `calibrate` and
`review-sheet` read from them."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from checker import __version__
from checker.check import Inputs
from checker.engines.choose import engine_problem, files_problem, shown
from checker.engines.output_table import OutputTable, name_problem, precheck
from checker.inputs.mapping_source import mapping_source
from checker.inputs.mappings import presets
from checker.inputs.tables import TableSource, table_problem
from checker.inputs.values import date_pattern
from checker.playbook.model import FINDING_KINDS, LANGUAGES, SEVERITIES
from checker.playbook.usage import BadOption, Parser, UsageError, lang_of
from checker.reports import REPORTERS

PARQUET = "parquet"  # `check --format parquet`: the findings computed in SQL (checker/engines/findings.py), not a REPORTERS entry
#: The most accounts `check` writes a report of (any format but parquet) unless --max-accounts says otherwise: a check
#: to JSON takes about 150 MB of memory and writes 86 MB of JSON per 100,000 accounts (README, "Big outputs").
MOST_ACCOUNTS = 1_000_000


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line's options; a mistake in it is a UsageError (checker/playbook/usage.py), in the language it asks for."""
    return _parser().parse_args(argv)


def usage_lang(argv: Sequence[str] | None) -> str:
    """The language to say a mistake of the command line in (its --lang, if it can be read)."""
    return lang_of(sys.argv[1:] if argv is None else argv, LANGUAGES)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="playbook", description="Relationship Playbook: validate the playbooks, list the rules, check CRM exports.")
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
                       epilog=f"formats: {', '.join([*REPORTERS, PARQUET])}. Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or input error.")
    _input_options(p)
    p.add_argument("--format", choices=[*REPORTERS, PARQUET], default=None,
                   help="output format (default: table; parquet when --output ends in .parquet: one row per finding, computed in SQL, and a summary JSON beside it)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write the report here (whole or not at all) instead of stdout")
    p.add_argument("--max-accounts", type=_count, default=MOST_ACCOUNTS, metavar="N",
                   help=f"refuse a report (any format but parquet) of more accounts than this (default {MOST_ACCOUNTS:,}; 0: no limit)")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date every time window counts back from (default: today)")
    p.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="error", help="exit 1 when a finding at or above this severity exists (default: error)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages and handbook links")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--handbook-url", metavar="URL", help="base URL of the handbook for links (default: the playbook's handbook_url)")
    p.add_argument("--scores", action="store_true", help="table format: show every account with its best-fit scores")
    p.add_argument("--details", action="store_true", help="table format: every finding in full (message, action, source, link) instead of one line each")
    p.add_argument("--owner", action="append", default=[], metavar="NAME", help="only this owner's accounts (repeatable); the summary says what was left out")
    p.add_argument("--kind", action="append", default=[], choices=FINDING_KINDS, help="only findings of this kind (repeatable)")
    p.add_argument("--min-severity", choices=SEVERITIES, help="only findings of this severity or higher")
    # Week over week (issue 16): compare with an earlier report, silence findings on purpose.
    p.add_argument("--baseline", type=Path, metavar="PREVIOUS.json", help="an earlier JSON report (or, for --output findings.parquet, an earlier "
                   "findings.parquet): mark findings new or still open, list what was resolved or moved")
    p.add_argument("--waivers", type=Path, metavar="FILE", help="waivers (YAML, schema/waivers.schema.json): findings not counted toward --fail-on, until a date")
    p.add_argument("--show-waived", action="store_true", help="list waived findings too, with reason and until")
    p.add_argument("--thresholds", type=Path, metavar="FILE", help="the company's own lines (YAML from `playbook calibrate --overlay`), laid over the playbook's; every report says so")
    p.add_argument("--propose-stages", type=Path, metavar="FILE", help="also write a CSV a CRM can import: a proposed stage (the best fit) for every account without one, how sure, and 'review' where the evidence is thin")
    # Findings as rows of a table of the engine (issue 25; checker/engines/output_table.py).
    p.add_argument("--output-table", metavar="NAME", help="write the findings (findings.parquet's rows) as this table of the engine instead of a file "
                                                          "(duckdb: of --database FILE.duckdb, created when missing; spark: of its catalog); its summary goes to --summary FILE or stdout")
    p.add_argument("--replace", action="store_true", help="with --output-table: replace the table when it exists (only a findings table an earlier run wrote)")
    p.add_argument("--summary", type=Path, metavar="FILE", help="with --output FILE.parquet or --output-table: write the run's summary (JSON) here (default: beside the Parquet file; stdout for a table)")

    p = sub.add_parser("waive", help="waive one finding until a date: add an entry to the waivers file",
                       description="Append a waiver (account, rule or kind, reason, who, until) to the waivers file, creating it with its schema line.")
    p.add_argument("account", metavar="ACCOUNT", help="the account id")
    p.add_argument("rule", metavar="RULE", help="a rule id (`playbook rules`), or a finding kind for every finding of that kind")
    p.add_argument("--reason", required=True, help="why the team lives with the finding")
    p.add_argument("--until", required=True, type=_as_of, metavar="YYYY-MM-DD", help="the last day the waiver holds")
    p.add_argument("--by", help="who decided (default: your login name)")
    p.add_argument("--waivers", type=Path, default=Path("waivers.yaml"), metavar="FILE", help="the waivers file (default: waivers.yaml)")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--lang", choices=LANGUAGES, default="en")

    p = sub.add_parser("signals", help="write the account table the checker judges: one row per account, one column per signal",
                       description="Read the exports the way `check` does and write the signals it judges, one row per account (empty = unknown), to check the evidence by hand. "
                                   "The CSV is a canonical account export: `playbook check` reads it back with the same findings. The JSON also says where each value came from.")
    _input_options(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default: csv)")
    p.add_argument("--output", type=Path, metavar="FILE", help="write here (whole or not at all) instead of stdout")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date every time window counts back from (default: today)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of messages")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")

    p = sub.add_parser("review-sheet", help="write a sheet (XLSX with drop-downs, or CSV) of the accounts that lack evidence, by revenue then name; filled in, it is an assessments file for check --assessments")
    _input_options(p)
    p.add_argument("--output", type=Path, required=True, metavar="FILE", help="the sheet: .xlsx (with drop-downs) or .csv")
    p.add_argument("--owner", action="append", default=[], metavar="NAME", help="only this owner's accounts (repeatable)")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date every time window counts back from (default: today)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the headers, drop-downs and messages")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")

    p = sub.add_parser("sample", help="write a realistic sample account export, generated from the stage profiles",
                       description="Generate fictional accounts across every stage and ending: clean ones (verified by the checker), drifting ones and a few with the data mistakes real exports carry. The bundled docs/samples/accounts.csv is `playbook sample --accounts 300 --as-of 2026-10-31`.")
    p.add_argument("--accounts", type=_whole, default=300, metavar="N", help="how many accounts (default 300)")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date the sample's dates count back from (default: today)")
    p.add_argument("--seed", type=_whole, default=7, help="random seed; the same seed gives the same file")
    p.add_argument("--output", type=Path, metavar="FILE", help="write here instead of stdout")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")

    p = sub.add_parser("calibrate", help="draw the playbook's numeric lines on your accounts and suggest lines fitted to them",
                       description="Read the exports as `check` does; show how each declared stage's accounts sit on every numeric line and, where the data can carry one, "
                                   "suggest a line that separates the stage from its neighbour better. Nothing changes a check until the overlay is accepted (`check --thresholds`).")
    _input_options(p)
    p.add_argument("--output", type=Path, metavar="FILE", help="write the calibration page (one self-contained HTML file) here")
    p.add_argument("--overlay", type=Path, metavar="FILE", help="write the suggested lines here (YAML, schema/thresholds.schema.json), for `check --thresholds`")
    p.add_argument("--as-of", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the date every time window counts back from (default: today)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the page and the overlay's comments")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")

    p = sub.add_parser("rules", help="list every expectation the checker evaluates, or explain one")
    p.add_argument("rule", nargs="?", metavar="RULE", help="a rule id: show its test, rationale, action, source and handbook link")
    p.add_argument("--thresholds", type=Path, metavar="FILE", help="the company's own lines: show them beside the playbook's")
    p.add_argument("--handbook-url", metavar="URL", help="base URL of the handbook for the link (default: the playbook's handbook_url)")
    p.add_argument("--playbooks", type=Path, metavar="DIR", help="playbook folder (default: the bundled one)")
    p.add_argument("--lang", choices=LANGUAGES, default="en")
    return parser


def _input_options(p: argparse.ArgumentParser) -> None:
    """What `check` and `signals` both read: the exports and how to map them (see inputs_from)."""
    p.add_argument("accounts", type=Path, nargs="?", metavar="ACCOUNTS", help="account export: CSV, XLSX, Parquet, or a zipped Salesforce Data Export (or --accounts-table)")
    p.add_argument("--activities", type=Path, action="append", default=[], metavar="FILE", help="activity export (calls, meetings, e-mails, tasks): CSV, XLSX or Parquet; repeatable")
    p.add_argument("--deals", type=Path, action="append", default=[], metavar="FILE", help="deal / opportunity export: CSV, XLSX or Parquet; repeatable")
    p.add_argument("--contacts", type=Path, action="append", default=[], metavar="FILE", help="contacts export (contact id and/or name, and account): links activities that name only a contact to its account: CSV, XLSX or Parquet; repeatable")
    p.add_argument("--currency-rates", type=Path, metavar="FILE", help="CSV of currency code and rate (value of one unit): deals in several currencies are converted, not summed as they are")
    p.add_argument("--history-from", type=_as_of, default=None, metavar="YYYY-MM-DD", help="the logs hold only the history since this date: time windows reaching before it are unknown, not zero")
    p.add_argument("--stage-history", type=Path, action="append", default=[], metavar="FILE",
                   help="the CRM's field history of the accounts (Salesforce AccountHistory.csv): the day each stage was declared; repeatable")
    p.add_argument("--preset", choices=["auto", *sorted(presets())], default="auto", help="which CRM wrote the exports (default: auto, recognised from the headers)")
    p.add_argument("--mapping", type=Path, metavar="FILE", help="your company's column mapping (YAML, schema/mapping.schema.json), e.g. custom stage fields")
    p.add_argument("--date-format", type=_date_format, metavar="dmy|mdy|iso|PATTERN",
                   help="day/month order for dates like 03/04/2026 when the data cannot tell, or the dates' form as a strftime pattern, e.g. '%%d %%b, %%Y %%H:%%M'")
    p.add_argument("--sheet", metavar="NAME", help="the sheet to read from XLSX files (default: the first)")
    p.add_argument("--assessments", type=Path, action="append", default=[], metavar="FILE", help="an assessments file (CSV or XLSX: the handbook's review page, a filled review sheet): the newest review per account fills what the CRM does not know; repeatable")
    p.add_argument("--engine", default="duckdb", metavar="duckdb|spark|URL",
                   help="what aggregates the logs: duckdb (embedded, the default), spark (a local Spark, or SPARK_REMOTE's / SPARK_MASTER's; the [spark] extra and Java 17) "
                        "or a PostgreSQL URL, postgresql://user@host:5432/database, whose tables --activities-table etc. name (the [postgres] extra; password from PGPASSWORD or ~/.pgpass)")
    # The logs as tables of the engine instead of files (issue 25; checker/inputs/tables.py).
    p.add_argument("--accounts-table", metavar="NAME", help="the account export as a table of the engine instead of ACCOUNTS (duckdb: of --database; spark: of its catalog)")
    for kind, what in (("activities", "activity log"), ("deals", "deal log"), ("contacts", "contacts export")):
        p.add_argument(f"--{kind}-table", action="append", default=[], metavar="NAME",
                       help=f"the {what} as a table of the engine instead of a file (duckdb: of --database; spark: of its catalog); repeatable")
    p.add_argument("--database", type=Path, metavar="FILE.duckdb", help="the DuckDB database file whose tables --activities-table, --deals-table and --contacts-table name")


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
    if args.engine not in ("duckdb", "spark"):  # a warehouse's URL: its findings are written locally, not yet into it
        raise UsageError("output_table.warehouse", engine=shown(args.engine))
    if args.engine == "duckdb" and args.database is None:
        raise UsageError("output_table.needs_database")
    if args.database is not None and not args.database.resolve().parent.is_dir():
        raise UsageError("error.output_folder", path=args.database, folder=args.database.resolve().parent)
    target = OutputTable(args.output_table, args.database if args.engine == "duckdb" else None, args.replace)
    if args.engine == "duckdb" and not args.accounts_table and not any(getattr(args, f"{kind}_table") for kind in ("activities", "deals", "contacts")):
        args.database = None  # the output's alone: not read as an input (it may not exist yet)
    precheck(target)
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
