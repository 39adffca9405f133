"""One reportable problem in a playbook file, and helpers to phrase it."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checker.playbook.messages import Problem as Words

PathPart = str | int
JsonPath = tuple[PathPart, ...]


def json_path(parts: Sequence[PathPart]) -> str:
    """Render ('expectations', 3, 'signal') as `$.expectations[3].signal`."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


@dataclass(frozen=True, order=True)
class Problem:
    """A problem found in a playbook file, printed as `file:line: $.path: message`."""

    file: str
    line: int
    path: str
    message: str  # in English; `words` renders it in other languages
    words: object = field(default=None, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, file: str, line: int, path: str, key: str, /, **values: object) -> Problem:
        """A problem phrased by the message `key` of playbooks/messages."""
        words = Words(key, **values)
        return cls(file, line, path, words.render("en"), words)

    def render(self, lang: str = "en") -> str:
        message = self.words.render(lang) if self.words is not None else self.message
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"

    def __str__(self) -> str:
        return self.render("en")


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, for readable messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class PlaybookInvalid(Exception):
    """Raised when playbook files fail validation; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
