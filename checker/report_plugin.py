"""The MkDocs plugin `playbook-report`: the checker's report as a section of the handbook build.

Off unless `accounts` is set. At build time it runs the same check as `playbook check`, in
the language of the build (`theme.language`), and adds two pages under `report/`: the
overview (tiles and charts) and the account cards (with the act-this-week list), both from
the HTML report's template (reports/report_parts.html.j2). Given a `baseline` (an earlier JSON
report) and `waivers`, it marks findings as `playbook check --baseline --waivers` does. Every finding links to its stage or rule section of the
same site by a relative link. The pages hold customer data: they are left out of the
search index and of the print-site page. An error in the export stops the build with the
checker's own message.

It sits at the top of the layers beside the CLI (pyproject, [tool.importlinter]): it runs
a check and renders a report, as `playbook check` does; the handbook's macros do neither.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from checker.check import CheckResult, Filters, Inputs, run_check
from checker.history.baseline import load_baseline
from checker.history.changes import annotate
from checker.history.waivers import check_rules, known_rules, read_waivers
from checker.inputs.files import InputError
from checker.inputs.values import date_pattern
from checker.playbook.messages import Problem
from checker.playbook.model import FINDING_KINDS, LANGUAGES, SEVERITIES, load_playbook
from checker.playbook.problems import PlaybookInvalid
from checker.playbook.thresholds import apply_thresholds, read_thresholds
from checker.reports.html import fragments

#: Where the report's pages go, below each language's root.
FOLDER = "report"
PAGES = {f"{FOLDER}/index.md": "overview", f"{FOLDER}/accounts.md": "cards"}
#: The handbook URL the check links findings to; replaced by a link relative to the page.
_HERE = "playbook-report:"


def _date_format(value: str | None) -> str | None:
    """The config's date_format, checked as --date-format checks it."""
    try:
        return date_pattern(value) if value else None
    except ValueError:
        raise PluginError(f"playbook-report: date_format {Problem('usage.not_a_date_format', value=value)}") from None  # --date-format's words


class ReportConfig(base.Config):
    """The options mirror `playbook check`'s; paths are relative to the config file's folder."""

    accounts = c.Optional(c.Type(str))
    activities = c.ListOfItems(c.Type(str), default=[])
    deals = c.ListOfItems(c.Type(str), default=[])
    mapping = c.Optional(c.Type(str))
    preset = c.Type(str, default="auto")
    as_of = c.Optional(c.Type((str, date)))
    date_format = c.Optional(c.Type(str))  # dmy, mdy, iso or a strftime pattern, as --date-format
    sheet = c.Optional(c.Type(str))
    owner = c.ListOfItems(c.Type(str), default=[])
    kind = c.ListOfItems(c.Choice(FINDING_KINDS), default=[])
    min_severity = c.Optional(c.Choice(SEVERITIES))
    # Week over week, as `playbook check --baseline --waivers`: NEW and "open since" marks, what was resolved, waived findings left out.
    baseline = c.Optional(c.Type(str))
    waivers = c.Optional(c.Type(str))


class ReportPlugin(BasePlugin[ReportConfig]):
    def __init__(self) -> None:
        self.result: CheckResult | None = None
        self.parts: dict[str, dict[str, str]] = {}

    def on_config(self, config: Any) -> Any:
        self.result, self.parts = None, {}
        if not self.config.accounts:
            return config
        lang = config.theme["language"] if config.theme["language"] in LANGUAGES else "en"
        self.result = self._check(Path(config.config_file_path).parent, lang, config.extra.get("playbooks"), config.extra.get("thresholds"))
        if config.nav is not None:  # a handbook with its own nav (ours: the macros set it): the report as its last section
            config.nav.append({self.result.text("html.report_page"): list(PAGES)})
        print_site = config.plugins.get("print-site")
        if print_site is not None and f"{FOLDER}/*" not in print_site.config["exclude"]:
            print_site.config["exclude"].append(f"{FOLDER}/*")  # the print page is searchable and shared: no customer data in it
        return config

    def _check(self, folder: Path, lang: str, playbooks: str | None, thresholds: str | None = None) -> CheckResult:
        def path(value: str) -> Path:
            return (folder / value).resolve()

        options = self.config
        messages = None
        try:
            playbook = load_playbook(Path(playbooks) if playbooks else None)
            if thresholds:  # the company's own lines, as the handbook's pages show them (PLAYBOOK_THRESHOLDS)
                playbook = apply_thresholds(playbook, read_thresholds(Path(thresholds), playbook))
            messages = playbook.messages
            as_of = options.as_of if isinstance(options.as_of, date) else date.fromisoformat(options.as_of) if options.as_of else date.today()
            if not path(options.accounts).is_file():
                raise Problem("error.no_file", path=path(options.accounts))
            inputs = Inputs(path(options.accounts), [path(p) for p in options.activities], [path(p) for p in options.deals], options.preset,
                            path(options.mapping) if options.mapping else None, _date_format(options.date_format), options.sheet)
            baseline = load_baseline(path(options.baseline), playbook.manifest["version"]) if options.baseline else None
            waivers = read_waivers(path(options.waivers)) if options.waivers and path(options.waivers).is_file() else None
            result = run_check(inputs, playbook, as_of, lang, _HERE)
            if baseline or waivers:
                if waivers:
                    check_rules(waivers, known_rules(playbook, result.evaluation.distinct))
                annotate(result, baseline, waivers)
        except PlaybookInvalid as exc:
            raise PluginError("\n".join(problem.render(lang) for problem in exc.problems)) from None
        except (InputError, Problem) as exc:
            raise PluginError(f"playbook-report: {exc.render(lang, messages)}") from None
        except ValueError as exc:  # as_of that is not a date
            raise PluginError(f"playbook-report: as_of: {exc}") from None
        return result.filtered(Filters(tuple(options.owner), tuple(options.kind), options.min_severity))

    def on_files(self, files: Files, config: Any) -> Files:
        if self.result is None:
            return files
        for src, part in PAGES.items():
            key = "html.report_page" if part == "overview" else "html.cards_page"
            # Front matter: the title, and no search entry (the page holds customer data).
            content = f"---\ntitle: \"{self.result.text(key)}\"\nsearch:\n  exclude: true\n---\n\n<!-- {part}: filled in by the playbook-report plugin -->\n"
            files.append(File.generated(config, src, content=content))
        return files

    def on_page_content(self, html: str, page: Any, config: Any, files: Files) -> str:
        if self.result is None or page.file.src_uri not in PAGES:
            return html
        parts = fragments(self.result, lambda url: relative(url, self.result.lang, page.url, config.use_directory_urls),
                          review_page=files.get_file_from_path("review.md") is not None)
        if PAGES[page.file.src_uri] == "overview":
            return parts["style"] + parts["overview"] + parts["coverage"]
        return parts["style"] + parts["act"] + parts["cards"] + parts["script"]


def relative(url: str, lang: str, page_url: str, directory_urls: bool = True) -> str:
    """A finding's handbook link (`playbook-report:/en/stages/basic/#rule`) as a link relative to the page at `page_url`."""
    prefix = f"{_HERE}/{lang}/"
    if not url.startswith(prefix):
        return url
    target, _, anchor = url.removeprefix(prefix).partition("#")
    if not directory_urls:
        target = f"{target.rstrip('/')}.html" if target else "index.html"
    up = "../" * page_url.count("/")
    return f"{up}{target}" + (f"#{anchor}" if anchor else "") or "./"
