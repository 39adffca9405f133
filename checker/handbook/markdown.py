"""Markdown building blocks for the handbook pages: escaped playbook text, page URLs, tables."""
from __future__ import annotations

import html
import re
from collections.abc import Iterable

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")


def md(text: str) -> str:
    """Playbook text as inline Markdown: whitespace folded, HTML and Markdown syntax escaped."""
    return _SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def page_url(src: str) -> str:
    """The URL of a docs page below its language root: `stages/x.md` → `stages/x/`."""
    path = src.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index")
    return f"{path}/" if path else ""


def table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(head)
    return "\n".join([f"| {' | '.join(head)} |", "|" + "---|" * len(head), *(f"| {' | '.join(row)} |" for row in rows)])
