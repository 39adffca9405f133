"""A quiet progress line on stderr for long checks: only on a terminal, only after two seconds."""
from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

DELAY = 2.0  # seconds before anything is shown: short runs stay silent


class Progress:
    """`with Progress() as p: p.step("reading activities")` shows `⋯ reading activities (12 s)`."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.label = ""
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False

    def step(self, label: str) -> None:
        self.label = label

    def _run(self) -> None:
        if self._stop.wait(DELAY):
            return
        while not self._stop.is_set():
            line = f"\r⋯ {self.label} ({time.monotonic() - self.start:.0f} s)"
            self.stream.write(line.ljust(60))
            self.stream.flush()
            self._shown = True
            self._stop.wait(0.5)

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if self._shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()
