"""The trainer's kit around the stage and ending modules: the course's opening and closing
modules, facilitator notes, topic training, the templates people copy, the shorter routes
through the course, role plays, pre-work and the course evaluation form.

The content is playbooks/course.yaml and the catalogues' `training:` blocks; the labels are
`handbook.kit.*` in playbooks/messages/kit.yaml. Each macro takes the page's Handbook, which
macros.define_env binds, so the pages in docs/ call them like the other macros.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.handbook.course import MINUTES, modules
from checker.handbook.markdown import md, table

#: The page's macros.Handbook; not imported, because macros imports this module to register the kit.
Handbook = Any


def course_module(h: Handbook, which: str) -> str:
    """The opening or closing module: objectives, timed steps and the facilitator's notes."""
    module = h.pb.course[which]
    number = next(m.number for m in modules(h.pb) if m.id == which)  # as the outline, the handouts and the PDFs number it
    out = [f"# {h.tr(module['title'])}", "", f"*[{h.label('training.module_number', number=number)}]({h.link('training.md')})* · "
           f"*{h.label('kit.length', n=module['minutes'])}*"]
    out += h.heading(2, "training.objectives", "objectives") + h.bullets(module["objectives"])
    out += h.heading(2, "kit.steps", "steps")
    out += [f"{i}. **{h.label('training.minutes', n=step['minutes'])}** — {h.tr(step)}" for i, step in enumerate(module["steps"], 1)]
    if "materials" in module:
        out += h.heading(2, "kit.materials", "materials") + [f"- {part_link(h, ref)}" for ref in module["materials"]]
    return "\n".join(out + facilitator(h, module["facilitator"]))


def facilitator(h: Handbook, notes: dict) -> list[str]:
    out = h.heading(2, "kit.facilitator", "facilitator")
    out += [f"**{h.label('kit.board')}**", "", *h.bullets(notes["board"]), "", f"**{h.label('kit.wrong_answers')}**", "", *h.bullets(notes["wrong_answers"])]
    return out + (["", *h.paras(notes["notes"])] if "notes" in notes else [])


def module_notes(h: Handbook) -> str:
    """What to draw and which wrong answer to expect in each stage and ending module, in course order."""
    notes = {n["module"]: n for n in h.pb.course.get("modules", [])}
    rows = [[f"{m.number}. {h.page_link(m.id, 'training')}", h.tr(notes[m.id]["board"]), h.tr(notes[m.id]["wrong_answer"])]
            for m in modules(h.pb) if m.id in notes]
    head = [h.label("training.module"), h.label("kit.board"), h.label("kit.wrong_answer")]
    return "\n".join([f"| {' | '.join(head)} |", "|---|---|---|", *(f"| {' | '.join(row)} |" for row in rows)])


def topic_training(h: Handbook) -> str:
    """Objectives, discussion and an exercise (model answer folded) for each topic that has them."""
    out: list[str] = []
    for cat_id, cat in h.pb.catalogues.items():  # in file order
        if "training" not in cat:
            continue
        training, exercise = cat["training"], cat["training"]["exercise"]
        out += ["", f"## {h.tr(cat['title'])} {{#{cat_id}}}", "", f"[{h.tr(cat['title'])}]({h.link(f'topics/{cat_id}.md')})"]
        out += ["", f"**{h.label('training.objectives')}**", "", *h.bullets(training["objectives"])]
        out += ["", f"**{h.label('training.discussion')}**", "", *h.bullets(training["discussion"], numbered=True)]
        out += ["", f"### {h.label('kit.exercise', title=exercise['title'][h.lang])} {{#{cat_id}-exercise}}", "", *h.paras(exercise["situation"])]
        out += [f"**{h.label('training.tasks')}**", "", *h.bullets(exercise["tasks"], numbered=True)]
        out += h.details("note", h.t("training.model_answer"), h.paras(exercise["model_answer"]))
    return "\n".join(out)


def templates(h: Handbook) -> str:
    """Every template as a printable block: purpose, sections with boxes to tick, and its sources."""
    out: list[str] = []
    for template in h.pb.course["templates"]:
        out += ["", f"## {h.tr(template['title'])} {{#{template['id']}}}", "", *h.paras(template["purpose"])]
        for section in template["sections"]:
            out += [f"**{h.tr(section['heading'])}**", "", *(f"- ☐ {md(fill(h, item[h.lang]))}" for item in section["items"]), ""]
        out += [f"*{h.label('sources.label')}: {h.cite(template['sources'])}*"]
    return "\n".join(out)


def fill(h: Handbook, text: str) -> str:
    """Put the playbook's own numbers into a template line: `{handover_window_days}` and the
    other numbers of activity-keywords.yaml, so a deadline is written once, in the data."""
    numbers = {k: v for k, v in h.pb.activity_keywords.items() if isinstance(v, int)}
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(numbers[m.group(1)]) if m.group(1) in numbers else m.group(0), text)


def part_link(h: Handbook, ref: str) -> str:
    """What a course part or material id names, as a Markdown link where the handbook has a page
    for it (references.COURSE_PAGES and the data's ids; `playbook validate` checks them)."""
    course = h.pb.course
    if ref in ("opening", "closing"):
        return f"[{h.tr(course[ref]['title'])}]({h.link(f'course/{ref}.md')})"
    if ref in h.pb.phases:
        return h.page_link(ref, "training")
    if ref in h.pb.catalogues:
        return f"[{h.name(ref)}]({h.link('course/topics.md', ref)})"
    for key, page in (("roleplays", "course/roleplays.md"), ("templates", "templates.md")):
        entry = next((e for e in course.get(key, []) if e["id"] == ref), None)
        if entry:
            return f"[{h.tr(entry['title'])}]({h.link(page, ref)})"
    if ref in ("course-evaluation", "prework"):
        return f"[{h.label(f'kit.part.{_key(ref)}')}]({h.link('course/forms.md', ref)})"
    if ref == "report":
        return f"[{h.label('kit.part.report')}]({h.link('report/index.md')})"
    if ref == "review" and (Path(h.env.conf["docs_dir"]) / "review.md").is_file():
        return f"[{h.label('kit.part.review')}]({h.link('review.md')})"
    # The self-assessment page, while this build has none, and the printed sheet: named, not linked.
    return h.label(f"kit.part.{_key(ref)}")


def _key(ref: str) -> str:
    """Message keys use underscores where ids use hyphens."""
    return ref.replace("-", "_")


def _clock(start: str, minutes: int) -> str:
    hours, mins = map(int, start.split(":"))
    total = hours * 60 + mins + minutes
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def routes(h: Handbook) -> str:
    """Each route as a printable agenda: clock time, part, minutes, core or optional, what to run."""
    out: list[str] = []
    for route in h.pb.course.get("routes", []):
        out += ["", f"## {h.tr(route['title'])} {{#{route['id']}}}", "", *h.paras(route["purpose"])]
        rows, elapsed = [], 0
        for part in route["parts"]:
            kind = "" if part["part"] in ("break", "lunch") else h.label("kit.core" if part["core"] else "kit.optional")
            rows.append([_clock(route["start"], elapsed), part_link(h, part["part"]), h.label("training.minutes", n=part["minutes"]), kind,
                         h.tr(part["note"]) if "note" in part else ""])
            elapsed += part["minutes"]
        head = [h.label(k) for k in ("kit.time", "kit.part", "training.duration", "kit.kind", "kit.what_to_run")]
        core = sum(p["minutes"] for p in route["parts"] if p["core"])
        out += [table(head, rows), "", f"**{h.label('kit.route_total', end=_clock(route['start'], elapsed), hours=core // 60, minutes=core % 60)}**"]
    return "\n".join(out)


def roleplays(h: Handbook) -> str:
    """Every role play: purpose, the three roles' briefs, the script, the observer's checklist and the debrief."""
    out: list[str] = []
    for play in h.pb.course.get("roleplays", []):
        out += ["", f"## {h.tr(play['title'])} {{#{play['id']}}}", "",
                f"*{h.label('kit.length', n=play['minutes'])} · {h.label('kit.background')}: {h.page_link(play['about'])}*", "", *h.paras(play["purpose"])]
        for key, numbered in (("roles", False), ("script", True), ("observe", False), ("debrief", True)):
            items = [f"- ☐ {h.tr(item)}" for item in play[key]] if key == "observe" else h.bullets(play[key], numbered=numbered)
            out += [f"**{h.label(f'kit.{key}')}**", "", *items, ""]
        out += [f"*{h.label('sources.label')}: {h.cite(play['sources'])}*"]
    return "\n".join(out)


def forms(h: Handbook) -> str:
    """The pre-work sent before the course and the evaluation form handed out at its end."""
    course, out = h.pb.course, []
    if "prework" in course:
        pre = course["prework"]
        out += ["", f"## {h.label('kit.part.prework')} {{#prework}}", "", f"*{h.label('kit.length', n=pre['minutes'])}*", "", *h.paras(pre["purpose"])]
        out += [f"**{h.label('kit.tasks')}**", "", *h.bullets(pre["tasks"], numbered=True), "", f"**{h.label('kit.bring')}**", "", *h.bullets(pre["bring"])]
    if "evaluation" in course:
        ev = course["evaluation"]
        out += ["", f"## {h.label('kit.part.course_evaluation')} {{#course-evaluation}}", "", *h.paras(ev["purpose"])]
        scale = " ".join(f"☐ {n}" for n in range(1, 6))
        out += [f"**{h.label('kit.ratings')}**", "", table([h.label("kit.statement"), h.label("kit.scale")], [[h.tr(r), scale] for r in ev["ratings"]]), ""]
        out += [f"**{h.label('kit.open_questions')}**", "", *(f"{i}. {h.tr(q)}<br><br><br>" for i, q in enumerate(ev["questions"], 1))]
    return "\n".join(out)


#: The kit's pages in the trainers' section of the navigation, in course order.

def course_outline(h: Handbook) -> str:
    """The course in order, numbered as the handouts and PDFs number it (handouts.modules): the opening
    module, one module per stage and ending (timed by how much material it holds), the closing module."""
    rows = []
    for module in modules(h.pb):
        link = h.page_link(module.id, "training") if module.phase else f"[{h.tr(module.data['title'])}]({h.link(f'course/{module.id}.md')})"
        rows.append([str(module.number), link, h.label("training.minutes", n=module.minutes), "<br>".join(map(h.tr, module.data["objectives"]))])
    total = sum(module.minutes for module in modules(h.pb))
    # In a block of its own, so that the stylesheet can lay the modules out as cards on a phone.
    return "\n".join(['<div class="pb-outline" markdown>', "", table(["#", *(h.label(k) for k in ("training.module", "training.duration", "training.objectives"))], rows), "", "</div>", "",
                      f"**{h.label('training.total', hours=total // 60, minutes=total % 60)}**", "", h.label("training.timing", **MINUTES)])


PAGES = ["course/routes.md", "course/forms.md", "course/opening.md", "course/topics.md", "course/roleplays.md", "course/closing.md",
         "course/facilitator.md", "templates.md"]
#: The kit's macros by name; define_env binds each to the page's Handbook.
MACROS: dict[str, Callable[..., str]] = {
    "course_outline": course_outline,
    "course_module": course_module,
    "module_notes": module_notes,
    "topic_training": topic_training,
    "templates": templates,
    "course_routes": routes,
    "roleplays": roleplays,
    "course_forms": forms,
}
