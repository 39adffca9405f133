"""The calibration page (`playbook calibrate --output FILE`): one self-contained HTML file.

Drawn like the HTML report (report.py): Jinja2 with autoescape, inline CSS, plain SVG from
numbers computed beforehand (checker/calibrate), no script, nothing fetched. Every word comes
from playbooks/messages (`calibrate.*`), every stage name from the playbook.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from checker.calibrate import Calibration, calibrate
from checker.calibrate.effect import StageEffect
from checker.calibrate.lines import Figures, Line
from checker.calibrate.overlay import overlay_text
from checker.evaluate import Evaluator
from checker.inputs.accounts import AccountTable
from checker.inputs.files import InputError
from checker.playbook.messages import Problem
from checker.playbook.model import Playbook
from checker.reports.html import _COLOURS, environment

_STAGE_VALUES = ("stage", "own", "neighbour")
_DECIMALS = ("ba", "best")  # figures in a reason, written in the page's language


def _decimal(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "fi" else text


@dataclass
class LineView:
    """One line as the page shows it: words already in the page's language."""

    id: str
    title: str
    stage: str
    href: str
    test: str
    suggested_test: str | None
    reason: str | None
    current: Figures | None
    suggested: Figures | None
    own: str | None
    neighbour: str | None
    meets: list[tuple[str, int, int]]
    rows: list[tuple[str, list[int], int, int, bool]]  # stage name, counts, known, total, is own/neighbour
    edges: list[float]
    axis: list[tuple[float, str]]  # (position 0–1, label)
    at_current: float  # the playbook's line, 0–1 along the axis
    at_suggested: float | None

    @property
    def label_width(self) -> int:
        """Room for the longest stage name left of the bars (SVG units; about 6 per letter at the chart's size)."""
        return 12 + 6 * max((len(name) for name, *_ in self.rows), default=10)

    @property
    def largest(self) -> int:
        return max((n for _, counts, _, _, _ in self.rows for n in counts), default=0)


@dataclass
class Page:
    lang: str
    t: Callable[..., str]
    title: str
    cal: Calibration
    names: dict[str, str]
    effect: list[StageEffect]
    lines: list[LineView]
    unreadable: list[str]
    footer: str
    colours: dict[str, str] = field(default_factory=lambda: dict(_COLOURS))  # the report's style sheet uses them

    def percent(self, share: float | None) -> str:
        return "–" if share is None else f"{share * 100:.0f} %"

    def decimal(self, value: float) -> str:
        """A figure with two decimals, as the page's language writes it (0.82, 0,82)."""
        return _decimal(value, self.lang)

    def per100(self, value: float | None) -> str:
        return "–" if value is None else f"{value:.0f}"

    @property
    def suggested_count(self) -> int:
        return sum(1 for line in self.lines if line.suggested is not None)

    @property
    def far_off(self) -> int:
        return sum(self.cal.far_off.values())

    @property
    def declared(self) -> int:
        return sum(self.cal.declared.values())


def build(cal: Calibration, lang: str) -> Page:
    pb = cal.playbook
    names = {c["id"]: c["title"][lang] for c in pb.catalogues.values()} | {p.id: p.name[lang] for p in pb.phases.values()}
    words = Evaluator(pb, cal.as_of, lang, pb.manifest["handbook_url"])

    def t(key: str, **values: object) -> str:
        return pb.text(key, lang, **values)

    def say(problem: Problem) -> str:
        values = {k: names.get(v, v) if k in _STAGE_VALUES and isinstance(v, str) else _decimal(float(v), lang) if k in _DECIMALS else v
                  for k, v in problem.values.items()}
        return Problem(problem.key, **values).render(lang, pb.messages)

    views = [_view(line, cal, lang, names, words, say) for line in cal.lines]
    unreadable = [t("calibrate.page.unreadable", n=n, signal=pb.signals[s].name[lang]) for s, n in sorted(cal.unreadable.items())]
    return Page(lang, t, t("calibrate.page.title", input=cal.input_name), cal, names, cal.effect, views, unreadable,
                t("calibrate.page.footer", version=pb.manifest["version"], input=cal.input_name, date=cal.as_of.isoformat()))


def _view(line: Line, cal: Calibration, lang: str, names: dict[str, str], words: Evaluator, say: Callable[[Problem], str]) -> LineView:
    rule, pb = line.rule, cal.playbook
    kind = pb.signals[rule.signal].type
    edges = next(iter(line.histograms.values())).edges if line.histograms else [0.0, 1.0]
    top = edges[-1] or 1.0

    def at(value: float) -> float:
        return max(0.0, min(1.0, value / top))

    def edge(value: float) -> float:
        """Where the line falls between the bars: a count of `≤ 2` ends after the bar of 2."""
        return at(value + 1 if kind == "count" and rule.op in ("<=", ">") else value)

    def label(value: float) -> str:
        if kind == "share" and not rule.relative_to:
            return f"{value * 100:.0f} %"
        return f"{value:g}" + (f" {pb.text('calibrate.page.days', lang)}" if kind == "date" else "")

    closed = kind == "share" and not rule.relative_to  # a share ends at 100 %; other scales end with a bar for everything higher
    ticks = (edges[0], edges[(len(edges) - 1) // 2], edges[-1]) if closed else (edges[0], edges[(len(edges) - 1) // 2], edges[-2])
    axis = [(at(v), label(v) + ("" if closed or v != edges[-2] else "+")) for v in ticks]
    special = {line.own, line.neighbour}
    rows = [(names[stage], h.counts, h.known, h.total, stage in special) for stage, h in line.histograms.items()]
    suggested_test = words.expected(replace(rule, value=line.suggested.value)) if line.suggested else None
    return LineView(rule.id, rule.title[lang], names.get(rule.owner, rule.owner), words.url(rule.page, rule.id), f"{rule.signal} {words.expected(rule)}",
                    f"{rule.signal} {suggested_test}" if suggested_test else None, say(line.reason) if line.reason else None,
                    line.current, line.suggested, names.get(line.own or ""), names.get(line.neighbour or ""),
                    [(names[s], meet, known) for s, (meet, known) in line.meets.items()], rows, edges, axis,
                    edge(float(rule.value)), edge(line.suggested.value) if line.suggested else None)  # type: ignore[arg-type]


def to_calibration_html(cal: Calibration, lang: str) -> str:
    return environment().get_template("calibration.html.j2").render(p=build(cal, lang))


def calibration_files(table: AccountTable, playbook: Playbook, as_of: date, lang: str, page: Path | None,
                      overlay: Path | None) -> list[tuple[Path, str | None, str]]:
    """What `playbook calibrate` writes: (file, its text or None for none, what to say), all computed
    before anything is written, so that a refused calibration writes nothing."""
    if not page and not overlay:
        raise InputError("calibrate.nothing_asked")
    if overlay and overlay.resolve() in {table.path.resolve(), *([page.resolve()] if page else [])}:
        raise InputError("error.output_is_input")
    cal = calibrate(table, playbook, as_of, playbook.manifest["handbook_url"])
    out: list[tuple[Path, str | None, str]] = []
    if page:
        out.append((page, to_calibration_html(cal, lang), playbook.text("calibrate.wrote", lang, path=page, accounts=cal.accounts, n=len(cal.suggestions))))
    if overlay:
        text = overlay_text(cal, lang, overlay)
        out.append((overlay, text, playbook.text("calibrate.wrote_overlay" if text else "calibrate.no_overlay", lang, path=overlay)))
    return out
