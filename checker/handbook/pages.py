"""Handbook pages for finding things: from a symptom to the advice, and the glossary.

Both are built from the data the other pages show (warning signs, the signs of each stage and
ending, their actions, the glossary's `see`), so they never say anything the pages do not.
Each function takes the language's Handbook (macros.py) and returns the page's Markdown.
"""
from __future__ import annotations

from typing import Any

from checker.handbook import links
from checker.handbook.markdown import cards, md, table


def symptoms_page(hb: Any) -> str:
    """What are you seeing: each sign an account manager may notice, where it points, what to do first."""
    pb = hb.pb
    hb.start_page()
    out = [f"# {hb.label('nav.symptoms')}", "", hb.label("symptoms.intro")]
    rows = []
    for cat_id in hb.topic_ids():
        cat = pb.catalogues[cat_id]
        for item in (i for i in cat["items"] if i.get("signals")):
            rules = links.rules_reading(pb, item["signals"], owner=cat_id)
            if not rules:
                continue
            first = "<br>".join(f"{hb.tr(r.action)} ({hb.ref_link(r.id, hb.t('symptoms.more'))})" for r in rules)
            ahead = [r.owner for r in links.rules_reading(pb, item["signals"]) if r.section == "endings"]
            ahead += [i for i in cat.get("see_also", []) if i in pb.phases]
            rows.append([hb.ref_link(item["id"]), first, ", ".join(hb.ref_link(i) for i in dict.fromkeys(ahead))])
    out += hb.heading(2, "symptoms.watched", "watched")
    # in a block of its own, so that the stylesheet can lay the rows out as cards on a phone
    out += [cards(table([hb.label(k) for k in ("symptoms.notice", "symptoms.first", "symptoms.read")], rows))]
    out += hb.heading(2, "symptoms.endings", "endings")
    for ending in pb.endings:
        src = links.targets(pb)[ending.id][0]
        out += ["", f"### {hb.ref_link(ending.id)} {{#symptoms-{ending.id}}}", "", *hb.bullets(ending.data["recognise"]), ""]
        out += [f"**{hb.label('symptoms.first')}:**", "", *hb.bullets(ending.data["actions"][:2], numbered=True), ""]
        out += [f"[{hb.label('symptoms.all_steps')}]({hb.link(src, 'actions')})"]
    out += hb.heading(2, "symptoms.stages", "stages")
    for stage in pb.stages:
        src = links.targets(pb)[stage.id][0]
        out += ["", f"### {hb.ref_link(stage.id)} {{#symptoms-{stage.id}}}", "", *hb.bullets(stage.data["warning_signs"]), ""]
        ahead = [f"[{hb.label('stage.actions')}]({hb.link(src, 'actions')})", *(hb.ref_link(i) for i in links.related(pb, stage.id))]
        out += [f"**{hb.label('symptoms.read')}:** " + ", ".join(ahead)]
    return "\n".join(out)


def glossary_page(hb: Any) -> str:
    """The glossary, one short paragraph a term under its initial letter, each linking to where the term is explained."""
    pb, lang = hb.pb, hb.lang
    other = "fi" if lang == "en" else "en"
    terms = sorted(pb.glossary, key=lambda t: t["term"][lang].casefold())
    letters = list(dict.fromkeys(t["term"][lang][0].upper() for t in terms))
    out = [f"# {hb.label('nav.glossary')}", "", hb.label("glossary.intro"), "", " · ".join(f"[{md(a)}](#letter-{ord(a)})" for a in letters)]
    for letter in letters:
        out += ["", f"## {md(letter)} {{#letter-{ord(letter)}}}"]
        for term in (t for t in terms if t["term"][lang][0].upper() == letter):
            see = ", ".join(hb.ref_link(i) for i in term.get("see", []))
            line = f"**{hb.tr(term['term'])}** · *{other}: {md(term['term'][other])}* — {hb.tr(term['definition'])}"
            line += f" → {see}" if see else ""
            line += f" *({hb.label('sources.label')}: {hb.cite(term['sources'])})*" if term.get("sources") else ""
            out += ["", line, f"{{: #{term['id']} }}"]
    return "\n".join(out)
