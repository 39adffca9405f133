"""Links between handbook pages, derived from ids in the playbook data.

Every id the data can point at (a stage, an ending, a topic, a topic's entry, an expectation,
a glossary term) has one place in the handbook: `targets` says which page and anchor. The
data names the links (`see_also` of a catalogue, `see` of a glossary term, the signals an
entry and an expectation share); nothing here lists pages by hand.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from checker.playbook.model import Playbook

#: Finnish inflects its nouns (terveystarkastus, terveystarkastuksen): a one-word Finnish term
#: is matched by its stem, the word less its last letters, with any ending after it.
_FI_ENDING = 2


def targets(playbook: Playbook) -> dict[str, tuple[str, str]]:
    """id → (docs page, anchor) for everything the data can link to."""
    key = (id(playbook), "targets")
    if key not in _MEMO:
        _MEMO[key] = _targets(playbook)
    return _MEMO[key]


#: Results per loaded playbook (a Playbook is not hashable); one build loads one playbook.
_MEMO: dict[tuple[int, str], Any] = {}


def _targets(playbook: Playbook) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for phase in playbook.phases.values():
        found[phase.id] = (f"{phase.section}/{phase.id}.md", "")
    for cat_id, cat in playbook.catalogues.items():
        found[cat_id] = (f"topics/{cat_id}.md", "")
        found.update((entry["id"], (f"topics/{cat_id}.md", entry["id"])) for entry in cat["items"])
    for rule in playbook.rules:
        found[rule.id] = (f"topics/{rule.owner}.md" if rule.section == "topics" else f"{rule.section}/{rule.owner}.md", rule.id)
    found.update((term["id"], ("glossary.md", term["id"])) for term in playbook.glossary)
    return found


def title(playbook: Playbook, ident: str) -> dict[str, str]:
    """The name of whatever `ident` names, in both languages."""
    if ident in playbook.phases:
        return playbook.phases[ident].name
    if ident in playbook.catalogues:
        return playbook.catalogues[ident]["title"]
    entries = [e for c in playbook.catalogues.values() for e in c["items"]] + [{"id": r.id, "title": r.title} for r in playbook.rules]
    entries += [{"id": t["id"], "title": t["term"]} for t in playbook.glossary]
    return next(e["title"] for e in entries if e["id"] == ident)


def rules_reading(playbook: Playbook, signals: Iterable[str], owner: str | None = None) -> list:
    """The expectations that test any of `signals` (only `owner`'s when given); a signal in a
    rule's condition only (`when`) does not count: the rule is not about it."""
    wanted = set(signals)
    return [r for r in playbook.rules if (owner is None or r.owner == owner) and r.signal in wanted]


def related(playbook: Playbook, owner: str) -> list[str]:
    """Pages to read next from a stage, ending or topic: what the data links it to."""
    out: list[str] = []
    if owner in playbook.catalogues:
        out += playbook.catalogues[owner].get("see_also", [])
        # the endings whose own expectations watch the same signals as this topic's entries
        signals = {s for item in playbook.catalogues[owner]["items"] for s in item.get("signals", [])}
        out += [r.owner for r in rules_reading(playbook, signals) if r.section == "endings"]
    else:
        # topics whose checks apply to this stage or ending, and topics that point to it
        out += [r.owner for r in playbook.rules if r.section == "topics" and owner in r.applies_to]
        out += [c for c, cat in playbook.catalogues.items() if owner in cat.get("see_also", [])]
    return [i for i in dict.fromkeys(out) if i != owner]


def _mention_patterns(playbook: Playbook, lang: str) -> list[tuple[re.Pattern[str], str]]:
    """(pattern of a glossary term as written in running text, the id it links to)."""
    key = (id(playbook), lang)
    if key not in _MEMO:
        _MEMO[key] = _patterns(playbook, lang)
    return _MEMO[key]


def _patterns(playbook: Playbook, lang: str) -> list[tuple[re.Pattern[str], str]]:
    out = []
    for term in playbook.glossary:
        if not term.get("see"):
            continue
        words = re.escape(term["term"][lang])
        if lang == "fi" and " " not in term["term"][lang] and len(term["term"][lang]) > 6:
            words = re.escape(term["term"][lang][:-_FI_ENDING]) + r"\w*"
        elif lang == "en":
            words += "s?"  # warning sign, warning signs
        out.append((re.compile(rf"(?<![\w\[\\/-])({words})(?![\w\]-])", re.IGNORECASE), term["see"][0]))
    return out


def link_mentions(text: str, playbook: Playbook, lang: str, here: str, linked: set[str], link: Callable[[str, str], str]) -> str:
    """`text` (inline Markdown) with the first mention on a page of each explained glossary term
    linked to where it is explained; never to the page itself, never twice on one page."""
    for pattern, target in _mention_patterns(playbook, lang):
        src, anchor = targets(playbook)[target]
        if target in linked or src == here:
            continue
        match = pattern.search(text)
        if match:
            linked.add(target)
            text = f"{text[:match.start()]}[{match.group(1)}]({link(src, anchor)}){text[match.end():]}"
    return text
