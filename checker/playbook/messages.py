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
    return fill(table[key][lang], values)


def fill(template: str | dict[str, str], values: dict[str, object]) -> str:
    """A message filled in. A message with plural forms (`{one: …, other: …}` in its language)
    is chosen by its `n` (a number, or one already written out): English and Finnish share the
    rule that only exactly 1 takes `one`."""
    if isinstance(template, dict):
        template = template["one" if values.get("n") in (1, "1") else "other"]
    return template.format(**values) if values else template


def quantity(n: float, unit: str | None, lang: str, messages: dict | None = None, number: str | None = None) -> str:
    """`1 person`, `3 people`, `1 henkilö`, `3 henkilöä`: the unit's form (messages `unit.<unit>`) for `n`."""
    shown = number if number is not None else f"{n:g}"
    return f"{shown} {render(f'unit.{unit}', lang, messages, n=n)}" if unit else shown


def count_test(op: str, symbol: str, n: float, unit: str | None, lang: str, messages: dict | None = None, number: str | None = None) -> str:
    """A count threshold as people say it: `none`, `at least one order`, `at most one tender`,
    `≥ 3 people`. The words are the messages `quantity.*`; the number keeps its symbol otherwise."""
    one = render(f"unit.{unit}", lang, messages, n=1) if unit else ""
    if (op in ("<=", "==") and n == 0) or (op == "<" and n == 1):
        return render("quantity.none", lang, messages)
    if (op == ">=" and n == 1) or (op == ">" and n == 0):
        return render("quantity.at_least_one", lang, messages, unit=one).strip()
    if (op == "<=" and n == 1) or (op == "<" and n == 2):
        return render("quantity.at_most_one", lang, messages, unit=one).strip()
    return f"{symbol} {quantity(n, unit, lang, messages, number)}"


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
