"""The handbook's search: advice first, in the reader's own words.

Material's search indexes every section of every page. Three things make it find advice:

- Training material stays out of the index: the training sections of the stage and ending
  pages are marked `data-search-exclude` (macros.Handbook.training), the course pages and the
  handouts say `search: exclude: true` in their front matter, so exercises, quizzes, facilitator
  notes and model answers never come up as results or show an answer in a snippet.
- playbooks/phrasings.yaml says how people put what they see ("the customer stopped answering",
  "hintavalitukset"); `enrich` adds those words to the section that gives the advice, in a
  field of its own (`keywords`) that mkdocs.yml weighs above titles. They are never shown.
- A Finnish compound in a phrasing is written with its parts marked (`hinta|valitukset`) and
  indexed whole and in parts, so "hintavalitukset", "hinta" and "valitukset" all find it.
"""
from __future__ import annotations

import json
from pathlib import Path

from mkdocs.structure.files import File

from checker.handbook import links
from checker.playbook.model import Playbook

#: The search index's field for the phrasings (mkdocs.yml `plugins.search.fields` weighs it).
FIELD = "keywords"


def words(phrase: str) -> list[str]:
    """A phrasing's words as indexed: a compound `a|b` whole (`ab`) and by its later parts (`b`).

    The search matches every word typed as the start of a word (Material adds a trailing
    wildcard), so `hinta` finds `hintavalitukset` already; `valitukset` needs a word of its own.
    """
    out: list[str] = []
    for word in phrase.casefold().split():
        parts = [p for p in word.split("|") if p]
        out += ["".join(parts), *parts[1:]]
    return out


def location(playbook: Playbook, ident: str, use_directory_urls: bool) -> str:
    """The search index's `location` of the section that explains `ident`: for a stage or an
    ending, its "What to do" section. (Material ranks a page's first section above the others,
    so phrasings on a page's top would outrank the sections of entries and expectations.)"""
    src, anchor = links.targets(playbook)[ident]
    anchor = "actions" if ident in playbook.phases else anchor
    url = File(src, "", "", use_directory_urls).url
    return url + (f"#{anchor}" if anchor else "")


def enrich(index_file: Path, playbook: Playbook, lang: str, use_directory_urls: bool) -> int:
    """Add each phrasing in `lang` to its section in Material's search index; how many sections got some."""
    index = json.loads(index_file.read_text(encoding="utf-8"))
    entries = {entry["location"]: entry for entry in index["docs"]}
    enriched: dict[str, dict[str, None]] = {}
    for phrasing in playbook.phrasings:
        where = location(playbook, phrasing["id"], use_directory_urls)
        if where not in entries:
            raise ValueError(f"playbooks/phrasings.yaml: {phrasing['id']!r} leads to {where}, which the search index does not hold")
        enriched.setdefault(where, {}).update(dict.fromkeys(w for p in phrasing[lang] for w in words(p)))
    for where, unique in enriched.items():
        # each word once: a word many phrasings share ("customer") must not outweigh the one that tells them apart
        entries[where][FIELD] = " ".join(unique)
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(enriched)
