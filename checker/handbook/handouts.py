"""Printed course material: the learner handout (no answers) and the trainer copy (answers,
facilitator notes, topic training and templates), one module per sheet.

The course's modules and their numbers come from `course.modules`, the one list the course outline,
the handouts and their PDFs all use: the opening module, one module per stage and ending, the
closing module. A module can be printed on its own: `?module=<id>` shows only that module
(assets/handbook.js). The material is the data the other pages show; nothing is typed again.
"""
from __future__ import annotations

from typing import Any

from checker.handbook import kit
from checker.handbook.course import MINUTES, Module, modules


def handout_page(hb: Any, trainer: bool = False) -> str:
    """The whole course as a printable handout: for learners, or (`trainer`) with answers and notes."""
    kind = "trainer" if trainer else "learner"
    course = modules(hb.pb)
    out = [f"# {hb.label(f'handout.{kind}_title')}", "", hb.label(f"handout.{kind}_intro"), "", f"*{hb.label('handout.per_module')}*", ""]
    out += [f'- {m.number}. {_title(hb, m)} — <a href="?module={m.id}" class="pb-screen-only">{hb.t("handout.print_module")}</a>' for m in course]
    for module in course:
        out += ["", f'<section class="pb-module" data-module="{module.id}" markdown>', ""]
        out += _module(hb, module, trainer) if module.phase else _course_module(hb, module, trainer)
        out += ["", "</section>"]
    if trainer:  # the rest of the trainer's kit, each part on sheets of its own
        out += _appendix(hb, "topics", "handout.topic_training", kit.topic_training(hb))
        out += _appendix(hb, "templates", "handout.templates", kit.templates(hb))
        out += _appendix(hb, "routes", "handout.routes", kit.routes(hb))
        out += _appendix(hb, "roleplays", "handout.roleplays", kit.roleplays(hb))
        out += _appendix(hb, "forms", "handout.forms", kit.forms(hb))
    return "\n".join(out)


def _title(hb: Any, module: Module) -> str:
    return hb.tr(module.phase.name if module.phase else module.data["title"])


def _heading(hb: Any, module: Module) -> list[str]:
    return [f"## {hb.label('training.module')} {module.number}: {_title(hb, module)} {{#module-{module.id}}}", ""]


def _appendix(hb: Any, ident: str, key: str, markdown: str) -> list[str]:
    """A part of the kit after the modules; its headings one level down, below the part's own."""
    lowered = "\n".join(f"#{line}" if line.startswith("##") else line for line in markdown.split("\n"))
    return ["", f'<section class="pb-module" data-module="{ident}" markdown>', "", f"## {hb.label(key)} {{#module-{ident}}}", "", lowered, "", "</section>"]


def _course_module(hb: Any, module: Module, trainer: bool) -> list[str]:
    """The opening or closing module: objectives for everyone; the timed steps and notes for the trainer."""
    data = module.data
    out = [*_heading(hb, module), f"*{hb.label('kit.length', n=module.minutes)}*", "", f"### {hb.label('training.objectives')}", "", *hb.bullets(data["objectives"])]
    if trainer:
        out += ["", f"### {hb.label('kit.steps')}", ""]
        out += [f"{i}. **{hb.label('training.minutes', n=step['minutes'])}** — {hb.tr(step)}" for i, step in enumerate(data["steps"], 1)]
        notes = data["facilitator"]
        out += ["", f"### {hb.label('kit.facilitator')}", "", f"**{hb.label('kit.board')}**", "", *hb.bullets(notes["board"])]
        out += ["", f"**{hb.label('kit.wrong_answers')}**", "", *hb.bullets(notes["wrong_answers"])]
        out += ["", *hb.paras(notes["notes"])] if "notes" in notes else []
    return out


def _module(hb: Any, module: Module, trainer: bool) -> list[str]:
    phase, training, lang = module.phase, module.data, hb.lang
    case = training["case"]
    out = [*_heading(hb, module), f"*{hb.tr(phase.data['summary'])}*", ""]
    if trainer:
        out += [f"**{hb.label('handout.notes')}** ({hb.label('training.minutes', n=module.minutes)}; [{hb.tr(phase.name)}]({hb.link(f'{phase.section}/{phase.id}.md')}))", ""]
        out += [f"{i}. {hb.label(f'handout.step_{step}', n=n)}" for i, (step, n) in enumerate(
            [("intro", MINUTES["intro"]), ("discussion", MINUTES["discussion"] * len(training["discussion"])),
             ("case", MINUTES["case"]), ("quiz", MINUTES["quiz"] * len(training["quiz"]))], 1)]
        notes = next((n for n in hb.pb.course.get("modules", []) if n["module"] == phase.id), None)
        if notes:  # the facilitator's notes for this module (course.yaml `modules`)
            out += ["", f"**{hb.label('kit.facilitator')}**", "", f"- *{hb.label('kit.board')}:* {hb.tr(notes['board'])}",
                    f"- *{hb.label('kit.wrong_answer')}:* {hb.tr(notes['wrong_answer'])}"]
    out += ["", f"### {hb.label('training.objectives')}", "", *hb.bullets(training["objectives"])]
    out += ["", f"### {hb.label('training.discussion')}", "", *hb.bullets(training["discussion"], numbered=True)]
    out += ["", f"### {hb.label('training.case', title=case['title'][lang])}", "", *hb.paras(case["situation"])]
    tasks = [f"**{hb.label('training.tasks')}**", "", *hb.bullets(case["tasks"], numbered=True), ""]
    if trainer:
        out += [*tasks, f"**{hb.label('training.model_answer')}**", "", *hb.paras(case["model_answer"])]
    else:  # the tasks and the box to write the answers in stay together on one sheet
        out += ['<div class="pb-write-in" markdown>', "", *tasks, '<div class="pb-answer-space"></div>', "", "</div>", ""]
    out += ["", f"### {hb.label('training.quiz')}"]
    for q_number, question in enumerate(training["quiz"], 1):
        options = [f"{chr(ord('A') + i)}) {hb.tr(option)}" for i, option in enumerate(question["options"])]
        out += ["", f"**{q_number}. {hb.tr(question['question'])}**", "", *(f"- {o}" for o in options)]
        if trainer:
            out += ["", f"*{hb.label('training.answer', number=q_number)}:* **{options[question['answer']]}**", "", *hb.paras(question["explanation"])]
    return out
