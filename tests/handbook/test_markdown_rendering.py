"""No raw Markdown reaches a reader: every page, the print page and the PDFs' source show text, not syntax."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_macros import built_site

from checker.handbook.markdown import md, plain
from checker.handbook.pdf import document

#: Markdown syntax that shows as itself when not rendered: code marks, bold/italic stars, link brackets.
RAW = re.compile(r"`|\*\*|(?<!\w)\*\w|\]\(|(?<!\\)\\[`*_\[\]#]")


class Visible(HTMLParser):
    """The text a reader sees: not inside code, pre, script or style (where syntax is meant)."""

    SKIP = frozenset({"code", "pre", "script", "style"})

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text = 0, []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.depth += tag in self.SKIP

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag in self.SKIP

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.text.append(data)


def raw_markdown(page_html: str) -> list[str]:
    parser = Visible()
    parser.feed(page_html)
    text = " ".join(parser.text)
    return [text[max(0, m.start() - 40):m.end() + 40] for m in RAW.finditer(text)]


def test_code_spans_render_and_other_syntax_is_escaped() -> None:
    assert md("How to let a `--` account go") == "How to let a <code>--</code> account go"
    assert md("a `x|y` * b") == r"a <code>x&#124;y</code> \* b"
    assert md("one ` alone") == r"one \` alone"
    assert plain("a `--` account") == "a -- account"


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_no_page_shows_raw_markdown(lang: str) -> None:
    pages = sorted((built_site() / lang).rglob("*.html"))
    assert any(p.parent.name == "print" for p in pages)
    found = {str(p.relative_to(built_site())): hits for p in pages if "report" not in p.parts
             for hits in [raw_markdown(p.read_text(encoding="utf-8"))] if hits}
    assert found == {}


@pytest.mark.parametrize(("lang", "kind"), [("en", "handout"), ("en", "trainer"), ("fi", "handout"), ("fi", "trainer")])
def test_the_pdfs_show_no_raw_markdown(lang: str, kind: str) -> None:
    page: Path = built_site() / lang / kind / "index.html"
    assert raw_markdown(document(page.read_text(encoding="utf-8"), lang)) == []
