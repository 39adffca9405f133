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

from checker.check import CheckResult
from checker.playbook.model import FINDING_KINDS, SEVERITIES
from checker.reports import charts
from checker.reports.coverage import coverage_html
from checker.reports.text import filter_line, log_lines, summary_line

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
    """One flagged account: its headline (the first finding, the verdict where there is one) and the rest."""

    account_id: str
    name: str
    owner: str
    stage: str
    findings: list[dict]
    severities: list[str]
    kinds: list[str]


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

    @property
    def first_ending(self) -> str | None:
        return next((row for row in self.matrix.rows if self.phase_kinds.get(row) == "ending"), None)

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

    def percent(self, share: float) -> str:
        """A share as a person reads it: `20 %` (a space before the sign, as both languages write it here)."""
        return f"{share * 100:.0f} %"


def build(result: CheckResult, link: Callable[[str], str] = str) -> Report:
    """The report's content; `link` turns a finding's handbook URL into the href to use (the plugin makes it relative)."""
    pb, lang = result.playbook, result.lang

    def t(key: str, **values: object) -> str:
        return result.text(key, **values)

    summary = result.summary()
    # A kind without its own label (one added to the playbook model later) shows by its id rather than failing the report.
    kind_names = {kind: t(key) if (key := f"html.kind.{kind.replace('-', '_')}") in pb.messages else kind for kind in FINDING_KINDS}
    names = {p.id: p.name[lang] for p in pb.phases.values()} | {"": t("html.not_recognised")}
    cards: list[Card] = []
    owners: set[str] = set()
    flagged = 0
    for account in result.accounts():
        if not account.findings:
            continue
        flagged += 1
        owners.add(account.owner)
        if len(cards) >= MOST_CARDS:
            continue
        findings = [{"rule": f.rule, "kind": f.kind, "kind_name": kind_names.get(f.kind, f.kind), "severity": f.severity,
                     "severity_name": t(f"handbook.severity.{f.severity}"), "message": f.message,
                     "evidence": _evidence(result, f.evidence), "action": f.action, "source": f.source, "href": link(f.handbook_url)}
                    for f in account.findings]
        stage = t("report.stage_line", declared=names.get(account.declared or "", account.declared_raw) or "-",
                  best=names[account.best_fit_stage] if account.best_fit_stage else "-")
        cards.append(Card(account.account_id, account.account_name, account.owner, stage, findings,
                          sorted({f.severity for f in account.findings}, key=SEVERITIES.index),
                          sorted({f.kind for f in account.findings})))
    kinds = [(kind, summary["findings_by_kind"][kind]) for kind in FINDING_KINDS if summary["findings_by_kind"][kind]]
    rules = [(rule, kind, n, link(url)) for rule, kind, n, url in charts.by_rule(result.evaluation.findings)]
    return Report(lang, t("report.title", date=result.as_of.isoformat()), t, summary, summary_line(result), filter_line(result),
                  log_lines(result), [message for _, message in result.unusable], charts.stage_matrix(result), names, kinds, rules,
                  charts.revenue_pareto(result), charts.portfolio(result), cards, flagged, sorted(owners, key=str.casefold),
                  t("html.footer", version=result.playbook_version, input=result.input_name, date=result.as_of.isoformat()),
                  {s: t(f"handbook.severity.{s}") for s in SEVERITIES}, kind_names, {p.id: p.kind for p in pb.phases.values()},
                  {rule.id: rule.title[lang] for rule in pb.rules})


def _evidence(result: CheckResult, evidence: dict | None) -> dict[str, Any]:
    """The evidence as a person reads it: the signal's name, the observed value in words."""
    if not evidence or not evidence.get("signal"):  # the verdict and data findings: the message says it all
        return {"signal": None, "observed": None, "expected": None}
    signal = result.playbook.signals.get(evidence["signal"])
    observed = evidence.get("observed")
    if signal is not None and observed is not None:
        if signal.type == "boolean":
            observed = result.text("check.yes" if observed else "check.no")
        elif signal.type == "share" and isinstance(observed, int | float):
            observed = f"{observed * 100:.0f} %"
        elif isinstance(observed, float) and observed.is_integer():
            observed = int(observed)
    name = signal.name[result.lang] if signal is not None else evidence["signal"]
    return {"signal": name, "observed": observed, "expected": evidence.get("expected")}


def to_html(result: CheckResult, **_: object) -> str:
    """The whole report as one HTML document."""
    return environment().get_template("report.html.j2").render(r=build(result), coverage=coverage_html(result))


def fragments(result: CheckResult, link: Callable[[str], str], review_page: bool = True) -> dict[str, str]:
    """The report's parts for a page of the handbook: style, overview (tiles and charts), cards, script,
    the evidence coverage (linking to the handbook's review page when it has one)."""
    parts: Any = environment().get_template("report_parts.html.j2").module
    report = build(result, link)
    return {"style": str(parts.style(report)), "overview": str(parts.overview(report)), "cards": str(parts.cards(report)), "script": str(parts.script()),
            "coverage": str(parts.coverage(coverage_html(result, link if review_page else None)))}
