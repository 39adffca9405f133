"""Markdown building blocks for the handbook pages: escaped playbook text, page URLs, tables."""
from __future__ import annotations

import html
import re
from collections.abc import Iterable

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")
#: The one piece of Markdown the playbook text may hold: `code` (a portfolio class `--`, a file name).
_CODE = re.compile(r"`([^`]+)`")


def md(text: str) -> str:
    """Playbook text as inline Markdown: whitespace folded, `code` spans kept as code, every
    other piece of HTML and Markdown syntax escaped, so that the reader sees the text as written."""
    parts = _CODE.split(" ".join(text.split()))
    return "".join(f"<code>{html.escape(part, quote=False).replace('|', '&#124;')}</code>" if odd else _SPECIAL.sub(r"\\\1", html.escape(part, quote=False))
                   for odd, part in ((i % 2, part) for i, part in enumerate(parts)))


def plain(text: str) -> str:
    """Playbook text for places that show no formatting (an SVG label, a tooltip): `code` marks dropped."""
    return _CODE.sub(r"\1", " ".join(text.split()))


def page_url(src: str) -> str:
    """The URL of a docs page below its language root: `stages/x.md` → `stages/x/`."""
    path = src.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index")
    return f"{path}/" if path else ""


def table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(head)
    return "\n".join([f"| {' | '.join(head)} |", "|" + "---|" * len(head), *(f"| {' | '.join(row)} |" for row in rows)])


def cards(markdown: str) -> str:
    """A block the stylesheet lays out as one card a row on a phone (assets/handbook.css `.pb-cards`)."""
    return "\n".join(['<div class="pb-cards" markdown>', "", markdown, "", "</div>"])
