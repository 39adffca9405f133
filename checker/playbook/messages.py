"""Interface messages in both languages, for code that runs before (or without) a loaded playbook.

The texts live in `playbooks/messages/*.yaml` like every other person-facing word; a
loaded Playbook carries them too (`Playbook.text`). This module reads the bundled files
directly so that an error can be phrased even when the playbooks themselves are broken.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

MESSAGES_DIR = Path(__file__).resolve().parents[2] / "playbooks" / "messages"


@cache
def bundled() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.yaml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8"))["messages"])
    return merged


def render(key: str, lang: str = "en", messages: dict[str, dict[str, str]] | None = None, /, **values: object) -> str:
    """The message `key` in `lang`, filled in; from `messages` when given (a playbook's own), else the bundled ones."""
    table = messages if messages and key in messages else bundled()
    return table[key][lang].format(**values)


class Problem(Exception):
    """An error whose words come from the messages: `key` and the values to fill in."""

    def __init__(self, key: str, /, **values: object):
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, lang: str = "en", messages: dict[str, dict[str, str]] | None = None) -> str:
        return render(self.key, lang, messages, **{k: words(v, lang, messages) for k, v in self.values.items()})

    def __str__(self) -> str:
        return self.render("en")


def words(value: object, lang: str, messages: dict[str, dict[str, str]] | None = None) -> object:
    """A value with any Problem in it (or in a list of them) rendered in `lang`."""
    if isinstance(value, Problem):
        return value.render(lang, messages)
    if isinstance(value, list):
        return "; ".join(str(words(v, lang, messages)) for v in value)
    return value


def suggestion(word: str, candidates: object) -> Problem | str:
    """` (did you mean 'x'?)` in the reader's language, or nothing."""
    close = closest(word, candidates)  # type: ignore[arg-type]
    return Problem("hint.did_you_mean", word=close) if close else ""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word`, if any is close enough."""
    close = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return close[0] if close else None
