"""The HTML report: one self-contained file (inline CSS, inline SVG charts, a small inline script).

The page is rendered from `report.html.j2` by Jinja2 with autoescape on, so nothing from the
export (account names, owners, cell values in messages) can become markup. Charts are drawn
as static SVG at report time from the numbers in charts.py; the browser loads no charting
script and asks no other host for anything. The same template's macros (`overview`, `cards`)
render the report section of the handbook (checker/report_plugin.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from checker.check import AccountView, CheckResult
from checker.evaluate import Evaluator, Finding
from checker.history.changes import NEW
from checker.playbook.model import FINDING_KINDS, SEVERITIES
from checker.reports import changes, charts
from checker.reports.coverage import coverage_html
from checker.reports.text import filter_line, log_lines, observed_text, phase_name, source_text, stage_line, summary_line, verdict_text

#: Cards in one report at most: a page of tens of thousands of cards opens slowly and is read by
#: no one; the report says how many are left out and how to narrow it (the CSV holds them all).
MOST_CARDS = 3000
_COLOURS = {"error": "#b3261e", "warning": "#a15c00", "info": "#1d5f8a"}


@cache
def environment() -> jinja2.Environment:
    folder = Path(__file__).resolve().parent
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


@dataclass
class Card:
    """One listed account: its findings (the headline first, the verdict where there is one), and what moved since the baseline."""

    index: int  # the account's place in the result: the card's anchor is #account-<index>
    account_id: str
    name: str
    owner: str
    stage: str
    findings: list[dict]
    severities: list[str]  # of the findings that count (a waived one does not), most severe first
    kinds: list[str]
    lines: list[str] = field(default_factory=list)  # resolved and moved since the baseline
    revenue: float | None = None
    new: bool = False  # a finding is new since the baseline
    order: int = 0  # the card's place in the report's own order (severity, new, revenue)

    @property
    def top(self) -> str:
        """The most severe finding that counts, or `none` (only waived findings, or only changes)."""
        return self.severities[0] if self.severities else "none"

    @property
    def folded(self) -> bool:
        """Info-only accounts are folded below the rest; one with nothing open (all resolved, or
        waived) stays in view at the end of the list, where its resolved rules show."""
        return self.top == "info"


@dataclass
class Act:
    """One line of the "act this week" list: an error, or a warning new since the baseline."""

    card: int | None  # the card's anchor index; None when the card is beyond MOST_CARDS
    name: str
    owner: str
    severity: str
    reason: str


@dataclass
class Report:
    """Everything the template draws, in the run's language; numbers already computed."""

    lang: str
    title: str
    t: Callable[..., str]
    summary: dict
    summary_line: str
    filter_line: str
    logs: list[str]
    unusable: list[str]
    matrix: charts.Matrix
    phase_names: dict[str, str]
    kinds: list[tuple[str, int]]
    rules: list[tuple[str, str, int, str]]
    pareto: charts.Pareto | None
    portfolio: charts.Portfolio | None
    cards: list[Card]
    flagged: int
    owners: list[str]
    footer: str
    severity_names: dict[str, str]
    kind_names: dict[str, str]
    phase_kinds: dict[str, str]
    rule_titles: dict[str, str]
    colours: dict[str, str] = field(default_factory=lambda: dict(_COLOURS))
    severities: tuple[str, ...] = SEVERITIES
    history_lines: list[str] = field(default_factory=list)  # the "since …" line, when there is a history
    baseline: bool = False
    act: list[Act] = field(default_factory=list)
    act_total: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. that the handbook links point to this computer

    @property
    def first_ending(self) -> str | None:
        return next((row for row in self.matrix.rows if self.phase_kinds.get(row) == "ending"), None)

    @property
    def open_cards(self) -> list[Card]:
        return [c for c in self.cards if not c.folded]

    @property
    def folded_cards(self) -> list[Card]:
        return [c for c in self.cards if c.folded]

    @property
    def kind_bars(self) -> list[tuple[str, str, int, str, str]]:
        return [(self.kind_names[kind], "", n, self.colours["info"], kind) for kind, n in self.kinds]

    @property
    def kind_most(self) -> int:
        return max((n for _, n in self.kinds), default=0)

    @property
    def rule_bars(self) -> list[tuple[str, str, int, str, str]]:
        return [(self.rule_titles.get(rule, rule), href, n, "#3f51b5", rule) for rule, _, n, href in self.rules]

    @property
    def rule_most(self) -> int:
        return max((n for _, _, n, _ in self.rules), default=0)

    @property
    def portfolio_most(self) -> int:
        return max(self.portfolio.accounts.values(), default=0) if self.portfolio else 0

    def count(self, what: str, n: int) -> str:
        return self.t(f"count.{what}", n=n)

    def percent(self, share: float) -> str:
        """A share as a person reads it: `20 %` (a space before the sign, as both languages write it here)."""
        return f"{share * 100:.0f} %"


#: The "act this week" list holds at most this many lines; the report says how many more there are.
MOST_ACT = 100


def build(result: CheckResult, link: Callable[[str], str] = str, notes: list[str] | None = None) -> Report:
    """The report's content; `link` turns a finding's handbook URL into the href to use (the plugin makes it relative)."""
    pb, lang = result.playbook, result.lang

    def t(key: str, **values: object) -> str:
        return result.text(key, **values)

    summary = result.summary()
    # A kind without its own label (one added to the playbook model later) shows by its id rather than failing the report.
    kind_names = {kind: t(key) if (key := f"html.kind.{kind.replace('-', '_')}") in pb.messages else kind for kind in FINDING_KINDS}
    names = {p.id: p.name[lang] for p in pb.phases.values()} | {"": t("html.not_recognised")}
    titles = _titles(result)
    words = Evaluator(pb, result.as_of, lang, "")  # phrases observed values as findings (and the table) do
    revenue = result.table.columns.get("revenue_12m") if "revenue_12m" in result.table.columns.present else None
    # Every listed account with its sort key: most severe first, then new before still open, then the largest revenue.
    listed = []
    for account in result.accounts():
        if not changes.listed(account):
            continue
        shown = list(changes.shown(account))
        counting = [(f, mark) for f, mark in shown if mark is None or mark.waiver is None]
        top = min((SEVERITIES.index(f.severity) for f, _ in counting), default=len(SEVERITIES))
        new = any(mark is not None and mark.status == NEW for _, mark in counting)
        money = None if revenue is None or np.isnan(revenue[account.index]) else float(revenue[account.index])
        listed.append(((top, not new, -(money if money is not None else -np.inf), account.account_id.casefold()), account, shown, money, new))
    listed.sort(key=lambda item: item[0])
    cards: list[Card] = []
    phrased: dict[int, dict] = {}
    act: list[Act] = []
    act_total = 0
    for place, (_, account, shown, money, new) in enumerate(listed):
        in_cards = place < MOST_CARDS
        for f, mark in shown:
            waived = mark is not None and mark.waiver is not None
            if not waived and (f.severity == "error" or (f.severity == "warning" and mark is not None and mark.status == NEW)):
                act_total += 1
                if len(act) < MOST_ACT:
                    act.append(Act(account.index if in_cards else None, account.account_name, account.owner, f.severity, _reason(account, f, titles, words)))
        if not in_cards:
            continue
        findings = []
        for f, mark in shown:
            # Accounts share finding objects (Evaluation.distinct): each is phrased once, its mark added per account.
            if (text := phrased.get(id(f))) is None:
                text = phrased[id(f)] = {
                    "rule": f.rule, "kind": f.kind, "kind_name": kind_names.get(f.kind, f.kind), "severity": f.severity,
                    "severity_name": t(f"handbook.severity.{f.severity}"), "message": f.message, "signal": _signal_name(result, f),
                    "observed": observed_text(result, f, words), "action": f.action, "source": source_text(result, f), "href": link(f.handbook_url)}
            findings.append(text | {"mark": changes.mark_text(result, mark), "new": mark is not None and mark.status == NEW,
                                    "waived": mark is not None and mark.waiver is not None})
        stage = stage_line(account)
        counting = [f for f in findings if not f["waived"]]
        cards.append(Card(account.index, account.account_id, account.account_name, account.owner, stage, findings,
                          sorted({f["severity"] for f in counting}, key=SEVERITIES.index), sorted({f["kind"] for f in findings}),
                          changes.account_lines(account), money, new, len(cards)))
    owners = {account.owner for _, account, *_ in listed}
    kinds = [(kind, summary["findings_by_kind"][kind]) for kind in FINDING_KINDS if summary["findings_by_kind"][kind]]
    rules = [(rule, kind, n, link(url)) for rule, kind, n, url in charts.by_rule(result.evaluation.findings)]
    report = Report(lang, t("report.title", date=result.as_of.isoformat()), t, summary, summary_line(result), filter_line(result),
                    log_lines(result), [message for _, message in result.unusable], charts.stage_matrix(result), names, kinds, rules,
                    charts.revenue_pareto(result), charts.portfolio(result), cards, len(listed), sorted(owners, key=str.casefold),
                    t("html.footer", version=result.playbook_version, input=result.input_name, date=result.as_of.isoformat()),
                    {s: t(f"handbook.severity.{s}") for s in SEVERITIES}, kind_names, {p.id: p.kind for p in pb.phases.values()},
                    {rule.id: rule.title[lang] for rule in pb.rules})
    report.history_lines = changes.summary_lines(result)
    report.baseline = result.history is not None and result.history.since is not None
    report.act, report.act_total, report.notes = act, act_total, list(notes or [])
    return report


def _reason(account: AccountView, f: Finding, titles: dict[str, str], words: Evaluator) -> str:
    """A finding in one line: the verdict as the stages and how far apart they are; any other as its title and what was seen."""
    result = account.result
    if f.rule == result.playbook.manifest["verdict"]["id"]:
        return f"{phase_name(result, account.declared, account.declared_raw)} → {phase_name(result, account.best_fit_stage)}: {verdict_text(account)}"
    return f"{titles.get(f.rule, f.rule)}: {observed_text(result, f, words)}"


def _titles(result: CheckResult) -> dict[str, str]:
    """Rule id → its title in the run's language: the rules', the verdict's, and one for every data finding."""
    pb, lang = result.playbook, result.lang
    verdict = pb.manifest["verdict"]
    titles = {rule.id: rule.title[lang] for rule in pb.rules} | {verdict["id"]: verdict["title"][lang]}
    return titles | {f.rule: result.text("check.data_title") for f in result.evaluation.distinct if f.kind == "data"}


def _signal_name(result: CheckResult, f: Finding) -> str | None:
    """The signal a finding is about, by its name in the run's language (none for the verdict)."""
    signal = (f.evidence or {}).get("signal")
    if not signal or f.rule == result.playbook.manifest["verdict"]["id"]:
        return None
    spec = result.playbook.signals.get(signal)
    return spec.name[result.lang] if spec is not None else signal


def to_html(result: CheckResult, notes: list[str] | None = None, **_: object) -> str:
    """The whole report as one HTML document; `notes` (e.g. that the links point to this computer) go into its footer."""
    return environment().get_template("report.html.j2").render(r=build(result, notes=notes), coverage=coverage_html(result))


def fragments(result: CheckResult, link: Callable[[str], str], review_page: bool = True) -> dict[str, str]:
    """The report's parts for a page of the handbook: style, overview (tiles and charts), cards, script,
    the evidence coverage (linking to the handbook's review page when it has one)."""
    parts: Any = environment().get_template("report_parts.html.j2").module
    report = build(result, link)
    return {"style": str(parts.style(report)), "overview": str(parts.overview(report)), "act": str(parts.act(report)),
            "cards": str(parts.cards(report)), "script": str(parts.script()),
            "coverage": str(parts.coverage(coverage_html(result, link if review_page else None)))}
