"""Inline SVG diagrams for the handbook, drawn from playbook data.

The handbook works offline, so diagrams are plain SVG written into the page: no
scripts, no fonts, no images from elsewhere. Colours come from CSS classes
(`docs/overrides/assets/handbook.css`) so the diagrams follow the site's colour scheme.
The `*_figure` functions pick what to draw from the playbook; `lifecycle` and
`quadrants` only lay out ready-made labels and relative URLs.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Protocol

from checker.handbook.markdown import plain

if TYPE_CHECKING:
    from checker.playbook.model import Playbook


class Page(Protocol):
    """What the figures need from the page being rendered (checker.handbook.Handbook)."""

    pb: Playbook
    lang: str

    def t(self, key: str, **values: object) -> str: ...

    def url(self, src: str, anchor: str = "") -> str: ...


@dataclass(frozen=True)
class Box:
    """A labelled, linked box in a diagram; `tooltip` becomes the SVG `<title>`."""

    label: str
    href: str
    tooltip: str = ""
    code: str = ""

    def __post_init__(self) -> None:  # SVG shows no Markdown: a `code` mark in the data would show as itself
        object.__setattr__(self, "label", plain(self.label))
        object.__setattr__(self, "tooltip", "\n".join(map(plain, self.tooltip.split("\n"))))


def compounds(text: str, playbook: Playbook, lang: str) -> str:
    """`text` with the compound words that playbooks/phrasings.yaml splits marked where they may
    break (`päättymis|prosessi`), so that a label too long for its line breaks there, hyphenated."""
    known = {word.replace("|", "").casefold(): [len(p) for p in word.split("|")[:-1]] for entry in playbook.phrasings
             for phrase in entry[lang] for word in phrase.split() if "|" in word}
    out = []
    for word in text.split():
        cut = 0
        for length in known.get(word.casefold(), []):
            cut += length
            word, cut = f"{word[:cut]}|{word[cut:]}", cut + 1
        out.append(word)
    return " ".join(out)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters; a word marked `a|b` (compounds) breaks there with a
    hyphen when it does not fit whole, any other too long word where it must."""
    lines: list[str] = []
    for word in text.split():
        whole = word.replace("|", "")
        parts = [whole] if len(whole) <= width or "|" not in word else [f"{p}-" for p in word.split("|")[:-1]] + word.split("|")[-1:]
        for part in parts:
            if lines and not lines[-1].endswith("-") and len(lines[-1]) + 1 + len(part) <= width:
                lines[-1] += f" {part}"
            else:
                lines += textwrap.wrap(part, width) or [part]
    return lines


def _text(x: float, y: float, text: str, width: int, css: str = "pb-label", anchor: str = "middle", line: int = 16) -> str:
    """Centre `text` on (x, y), wrapped into lines of at most `width` characters (`_wrap`)."""
    lines = _wrap(text, width) or [""]
    top = y - (len(lines) - 1) * line / 2
    spans = "".join(f'<tspan x="{x:g}" y="{top + i * line:g}">{escape(part)}</tspan>' for i, part in enumerate(lines))
    return f'<text class="{css}" text-anchor="{anchor}" dominant-baseline="middle">{spans}</text>'


def _svg(width: int, height: int, title: str, body: Sequence[str], layout: str = "pb-wide") -> str:
    # One line, no blank lines: Markdown passes it through as a raw HTML block. `layout` is
    # pb-wide or pb-narrow: the stylesheet shows the narrow drawing on phones, the wide one elsewhere.
    return (f'<svg class="pb-diagram {layout}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>')


def _link(box: Box, shape: str, label: str) -> str:
    tip = f"<title>{escape(box.tooltip).replace(chr(10), '&#10;')}</title>" if box.tooltip else ""  # one line: see _svg
    return f'<a href="{escape(box.href)}">{tip}{shape}{label}</a>'


def lifecycle(title: str, stages: Sequence[Box], growth: Sequence[str], axis: str) -> str:
    """The stages as rising steps, under a wedge that names what grows along the way."""
    width, height, left, bottom = 820, 400, 30, 370
    step_w = (width - 2 * left) / max(len(stages), 1)
    step_h = 44
    body = [f'<path class="pb-wedge" d="M{left} {bottom - 60} L{width - left} {bottom - len(stages) * step_h - 120} '
            f'L{width - left} {bottom - len(stages) * step_h - 10} Z"/>']
    for i, text in enumerate(growth):
        body.append(_text(width - left - 8, 40 + i * 18, f"{text} ↗", 60, "pb-note", "end"))
    for i, box in enumerate(stages):
        x = left + i * step_w
        top = bottom - (i + 1) * step_h - 40
        shape = f'<rect class="pb-step" x="{x + 4:g}" y="{top:g}" width="{step_w - 8:g}" height="{bottom - top:g}" rx="6"/>'
        number = _text(x + step_w / 2, top + 20, str(i + 1), 4, "pb-number")
        body.append(_link(box, shape, number + _text(x + step_w / 2, top + 60, box.label, 16)))
    body.append(f'<path class="pb-axis" d="M{left} {bottom + 8} H{width - left}" marker-end="url(#pb-arrow)"/>')
    body.append(_text(width / 2, bottom + 22, axis, 90, "pb-note"))
    body.insert(0, '<defs><marker id="pb-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
                   'orient="auto-start-reverse"><path class="pb-arrowhead" d="M0 0 L10 5 L0 10 z"/></marker></defs>')
    return _svg(width, height + 10, title, body) + lifecycle_narrow(title, stages, growth, axis)


def lifecycle_narrow(title: str, stages: Sequence[Box], growth: Sequence[str], axis: str) -> str:
    """The same steps for a phone: one under another, drawn about as wide as the screen, so the
    labels keep their size instead of shrinking with an 820-unit-wide drawing."""
    width, left, row, gap = 340, 8, 52, 8
    top = 10 + len(growth) * 18 + 8
    body = [_text(width - left, 18 + i * 18, f"{text} ↘", 40, "pb-note", "end") for i, text in enumerate(growth)]
    for i, box in enumerate(stages):
        y = top + i * (row + gap)
        indent = i * 12  # each stage a step further in: deeper as the relationship grows
        shape = f'<rect class="pb-step" x="{left + indent}" y="{y}" width="{width - 2 * left - indent}" height="{row}" rx="6"/>'
        number = _text(left + indent + 22, y + row / 2, str(i + 1), 4, "pb-number")
        body.append(_link(box, shape, number + _text(left + indent + 46, y + row / 2, box.label, 24, "pb-label", "start")))
    bottom = top + len(stages) * (row + gap)
    body.append(_text(width / 2, bottom + 12, axis, 44, "pb-note"))
    return _svg(width, bottom + 26 + (len(textwrap.wrap(axis, 44)) - 1) * 16, title, body, "pb-narrow")


def quadrants(title: str, x_axis: str, x_ticks: tuple[str, str], y_axis: str, y_ticks: tuple[str, str],
              cells: dict[tuple[int, int], Sequence[Box]]) -> str:
    """A 2×2 figure, and its narrow drawing for phones."""
    return _quadrants(title, x_axis, x_ticks, y_axis, y_ticks, cells) + _quadrants(title, x_axis, x_ticks, y_axis, y_ticks, cells, narrow=True)


def _quadrants(title: str, x_axis: str, x_ticks: tuple[str, str], y_axis: str, y_ticks: tuple[str, str],
               cells: dict[tuple[int, int], Sequence[Box]], narrow: bool = False) -> str:
    """A 2×2 figure. `cells[(column, row)]`: column 0 is left, row 0 is the bottom row. The
    narrow drawing has smaller cells and shorter lines, so that it is drawn at nearly full size on a phone."""
    width, left, top, size = (380, 52, 20, 164) if narrow else (640, 90, 20, 250)
    wrap = 15 if narrow else 24
    body = []
    for (col, row), boxes in sorted(cells.items()):
        x, y = left + col * size, top + (1 - row) * size
        body.append(f'<rect class="pb-cell" x="{x + 3}" y="{y + 3}" width="{size - 6}" height="{size - 6}" rx="8"/>')
        slot = (size - 20) / max(len(boxes), 1)
        for i, box in enumerate(boxes):
            cy = y + 10 + slot * (i + 0.5)
            code = _text(x + size / 2, cy - 30, box.code, 6, "pb-code") if box.code else ""
            label = _text(x + size / 2, cy + (10 if box.code else 0), box.label, wrap)
            box_h = min(slot - 12, 110)
            inset = 8 if narrow else 14
            shape = f'<rect class="pb-box" x="{x + inset}" y="{cy - box_h / 2:g}" width="{size - 2 * inset}" height="{box_h:g}" rx="6"/>'
            body.append(_link(box, shape, code + label))
    for i, tick in enumerate(x_ticks):
        body.append(_text(left + size * (i + 0.5), top + 2 * size + 20, tick, 30, "pb-tick"))
    tick_x, axis_x = (left - 14, left - 38) if narrow else (left - 18, left - 58)
    for i, tick in enumerate(y_ticks):
        y = top + size * (1.5 - i)
        body.append(f'<g transform="rotate(-90 {tick_x} {y:g})">{_text(tick_x, y, tick, 30, "pb-tick")}</g>')
    body.append(_text(left + size, top + 2 * size + 46, x_axis, 60, "pb-axis-label"))
    y_mid = top + size
    body.append(f'<g transform="rotate(-90 {axis_x} {y_mid})">{_text(axis_x, y_mid, y_axis, 60, "pb-axis-label")}</g>')
    return _svg(width, top + 2 * size + 64, title, body, "pb-narrow" if narrow else "pb-wide")


def lifecycle_figure(page: Page) -> str:
    """The stages in order, each linked to its page, under what grows from stage to stage."""
    traits = ("trust", "information_exchange", "people_involved")
    boxes = [Box(compounds(s.name[page.lang], page.pb, page.lang), page.url(f"stages/{s.id}.md"), "\n".join(f"{page.t(f'trait.{t}')}: {s.data['traits'][t][page.lang]}" for t in traits))
             for s in page.pb.stages]
    growth = [page.t(f"trait.{trait}") for trait in traits]
    return lifecycle(page.t("lifecycle.figure"), boxes, growth, page.t("lifecycle.axis"))


def endings_figure(page: Page) -> str:
    """The endings on the speed × outcome figure: fast on the left, final at the top."""
    cells: dict[tuple[int, int], list[Box]] = {(c, r): [] for c in (0, 1) for r in (0, 1)}
    for ending in page.pb.endings:
        cell = (int(ending.data["speed"] == "slow"), int(ending.data["outcome"] == "final"))
        cells[cell].append(Box(compounds(ending.name[page.lang], page.pb, page.lang), page.url(f"endings/{ending.id}.md"), ending.data["summary"][page.lang]))
    return quadrants(page.t("ending.figure"), page.t("ending.speed"), (page.t("speed.fast"), page.t("speed.slow")),
                     page.t("ending.outcome"), (page.t("outcome.may_return"), page.t("outcome.final")), cells)


def portfolio_figure(page: Page) -> str:
    """The portfolio classes by importance today (across) and in future (up)."""
    catalogue = page.pb.catalogues["portfolio"]
    cells: dict[tuple[int, int], list[Box]] = {}
    for item in catalogue["items"]:
        cell = (int(item["importance_now"] == "high"), int(item["importance_future"] == "high"))
        cells.setdefault(cell, []).append(Box(item["title"][page.lang], page.url("topics/portfolio.md", item["id"]), code=item.get("code", "")))
    ticks = (page.t("portfolio.low"), page.t("portfolio.high"))
    return quadrants(catalogue["title"][page.lang], page.t("portfolio.now"), ticks, page.t("portfolio.future"), ticks, cells)
