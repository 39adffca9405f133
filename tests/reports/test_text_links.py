"""Handbook links in the reports: said once when they point to this computer; relative ones for a built site."""
from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import AS_OF, SAMPLE, run

from checker.evaluate import Evaluator

FORMATS = {"table": [], "details": ["--details"], "markdown": ["--format", "markdown"], "html": ["--format", "html"]}


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("lang", ["en", "fi"])
def test_links_to_this_computer_are_said_once_on_stderr_and_in_the_footer(capsys, playbook, fmt, lang):
    assert playbook.manifest["handbook_url"].startswith("http://127.0.0.1")  # the bundled default
    _, out, err = run(capsys, "check", str(SAMPLE), "--fail-on", "never", "--lang", lang, *FORMATS[fmt], *AS_OF)
    note = playbook.text("report.local_links", lang, url=playbook.manifest["handbook_url"])
    assert err.count("--handbook-url") == 1 and note in err
    flat = " ".join(re.sub(r"\\", "", out).split())  # the table wraps it, Markdown escapes it
    assert flat.count(" ".join(note.replace("'", "&#39;" if fmt == "html" else "'").split())) == 1
    assert flat.rstrip().endswith(("copy.", "osoite.", "</html>"))  # at the end: the footer
    _, out, err = run(capsys, "check", str(SAMPLE), "--fail-on", "never", "--lang", lang, "--handbook-url", "https://wiki.example/playbook", *FORMATS[fmt], *AS_OF)
    assert "--handbook-url" not in err and "127.0.0.1" not in out


@pytest.mark.parametrize(("base", "link"), [
    ("..", "../en/stages/basic/#basic-buys"),  # `make handbook`: site/reports/ beside site/en/
    ("../index.html", "../en/stages/basic.html#basic-buys"),  # `make handbook-offline`: page files, opened from disk
    ("index.html", "en/stages/basic.html#basic-buys"),
    ("https://wiki.example/playbook/", "https://wiki.example/playbook/en/stages/basic/#basic-buys"),
])
def test_a_relative_or_file_handbook_url_links_to_the_built_pages(playbook, base, link):
    assert Evaluator(playbook, date(2026, 10, 31), "en", base).url("stages/basic/", "basic-buys") == link
    if base.endswith(".html"):
        assert Evaluator(playbook, date(2026, 10, 31), "fi", base).url("", "top").endswith("fi/index.html#top")
