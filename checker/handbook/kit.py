"""The trainer's kit around the stage and ending modules: the course's opening and closing
modules, facilitator notes, topic training and the templates people copy.

The content is playbooks/course.yaml and the catalogues' `training:` blocks; the labels are
`handbook.kit.*` in playbooks/messages/kit.yaml. Each macro takes the page's Handbook, which
macros.define_env binds, so the pages in docs/ call them like the other macros.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.handbook.course import modules

#: The page's macros.Handbook; not imported, because macros imports this module to register the kit.
Handbook = Any


def course_module(h: Handbook, which: str) -> str:
    """The opening or closing module: objectives, timed steps and the facilitator's notes."""
    module = h.pb.course[which]
    out = [f"# {h.tr(module['title'])}", "", f"*{h.label('kit.length', n=module['minutes'])}*"]
    out += h.heading(2, "training.objectives", "objectives") + h.bullets(module["objectives"])
    out += h.heading(2, "kit.steps", "steps")
    out += [f"{i}. **{h.label('training.minutes', n=step['minutes'])}** — {h.tr(step)}" for i, step in enumerate(module["steps"], 1)]
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
            out += [f"**{h.tr(section['heading'])}**", "", *(f"- ☐ {h.tr(item)}" for item in section["items"]), ""]
        out += [f"*{h.label('sources.label')}: {h.cite(template['sources'])}*"]
    return "\n".join(out)


#: The kit's pages in the trainers' section of the navigation, in course order.
PAGES = ["course/opening.md", "course/topics.md", "course/closing.md", "course/facilitator.md", "templates.md"]
#: The kit's macros by name; define_env binds each to the page's Handbook.
MACROS: dict[str, Callable[..., str]] = {
    "course_module": course_module,
    "module_notes": module_notes,
    "topic_training": topic_training,
    "templates": templates,
}
