"""The site's structure: the order of the topic pages, the navigation, every citation's place, the page foot."""
from __future__ import annotations

import html
from collections.abc import Callable, Iterator

from checker.handbook import kit
from checker.playbook.model import Playbook

#: The order of the topic pages; catalogues not named here follow in file order.
TOPICS = ("warning-signs", "leave-reasons", "prevention", "ending-reasons", "portfolio", "lifecycle", "expectations", "commitment")


def topic_ids(playbook: Playbook) -> list[str]:
    return sorted(playbook.catalogues, key=lambda c: TOPICS.index(c) if c in TOPICS else len(TOPICS))


def citations(playbook: Playbook, lang: str) -> Iterator[tuple[str, str, str, str]]:
    """(source id, docs page, anchor or "", label) for every citation in the playbook, in page order."""
    for phase in [*playbook.stages, *playbook.endings]:
        src = f"{phase.section}/{phase.id}.md"
        yield from ((ref["source"], src, "", phase.name[lang]) for ref in phase.data["sources"])
        for rule in (r for r in playbook.rules if r.owner == phase.id):
            yield from ((ref["source"], src, rule.id, rule.title[lang]) for ref in rule.sources)
    for cat_id in topic_ids(playbook):
        cat, src = playbook.catalogues[cat_id], f"topics/{cat_id}.md"
        for entry in [*cat["items"], *cat.get("rules", [])]:
            yield from ((ref["source"], src, entry["id"], entry["title"][lang]) for ref in entry["sources"])
        yield from ((ref["source"], src, "", cat["title"][lang]) for ref in cat["sources"])
    for term in playbook.glossary:
        yield from ((ref["source"], "glossary.md", term["id"], term["term"][lang]) for ref in term.get("sources", []))


def nav(playbook: Playbook, t: Callable[[str], str]) -> list:
    """The site navigation: stages and endings in data order, section titles from the messages."""
    stages, endings = ([f"{s}/index.md", *(f"{s}/{p.id}.md" for p in phases)] for s, phases in (("stages", playbook.stages), ("endings", playbook.endings)))
    return ["index.md", "symptoms.md", "review.md", {t("nav.stages"): stages}, {t("nav.endings"): endings}, {t("nav.topics"): [f"topics/{c}.md" for c in topic_ids(playbook)]},
            {t("nav.training_section"): ["training.md", *kit.PAGES, "handout.md", "trainer.md"]}, {t("nav.reference"): ["rules.md", "checker.md", "crm-fields.md", "glossary.md", "sources.md", "links.md"]}]


def footer(manifest: dict, t: Callable[..., str], lang: str) -> str:
    """The foot of every page (Material shows `copyright` there): version and date, owner, feedback."""
    parts = [t("footer.version", version=manifest["version"]) + (f" {t('footer.date', date=manifest['date'])}" if "date" in manifest else "")]
    parts += [t(f"footer.{key}", **{key: manifest[key][lang]}) for key in ("owner", "feedback") if key in manifest]
    return " · ".join(html.escape(part) for part in parts)
