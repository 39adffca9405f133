from __future__ import annotations

import io
import time

import checker.progress as progress_module
from checker.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(stream) as p:
        p.step("reading")
    assert stream.getvalue() == ""


def test_silent_for_short_runs_on_a_terminal():
    stream = Terminal()
    with Progress(stream) as p:
        p.step("reading")
    assert stream.getvalue() == ""


def test_shows_the_step_on_a_terminal_after_the_delay_and_clears_it(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.05)
    stream = Terminal()
    with Progress(stream) as p:
        p.step("computing signals")
        time.sleep(0.3)
    text = stream.getvalue()
    assert "⋯ computing signals (" in text
    assert text.endswith("\r")  # the line is cleared at the end
