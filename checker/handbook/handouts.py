"""Printed course material: the learner handout (no answers) and the trainer copy (answers and
facilitator notes), one module per stage and ending, each module starting on a new sheet.

A module can be printed on its own: `?module=<id>` shows only that module (assets/handbook.js).
The material is the training blocks of the stage and ending pages; nothing is typed again.
"""
from __future__ import annotations

from typing import Any

#: Minutes a course module gives each part; the outline page states the rule (training.timing).
MINUTES = {"intro": 15, "discussion": 10, "case": 30, "quiz": 3}


def module_minutes(training: dict) -> int:
    return MINUTES["intro"] + MINUTES["case"] + MINUTES["discussion"] * len(training["discussion"]) + MINUTES["quiz"] * len(training["quiz"])


def handout_page(hb: Any, trainer: bool = False) -> str:
    """The whole course as a printable handout: for learners, or (`trainer`) with answers and notes."""
    kind = "trainer" if trainer else "learner"
    phases = [*hb.pb.stages, *hb.pb.endings]
    out = [f"# {hb.label(f'handout.{kind}_title')}", "", hb.label(f"handout.{kind}_intro"), "", f"*{hb.label('handout.per_module')}*", ""]
    out += [f'- {hb.tr(p.name)} — <a href="?module={p.id}" class="pb-screen-only">{hb.t("handout.print_module")}</a>' for p in phases]
    for number, phase in enumerate(phases, 1):
        out += ["", f'<section class="pb-module" data-module="{phase.id}" markdown>', ""]
        out += _module(hb, number, phase, trainer)
        out += ["", "</section>"]
    return "\n".join(out)


def _module(hb: Any, number: int, phase: Any, trainer: bool) -> list[str]:
    training, lang = phase.data["training"], hb.lang
    case = training["case"]
    out = [f"## {hb.label('training.module')} {number}: {hb.tr(phase.name)} {{#module-{phase.id}}}", "", f"*{hb.tr(phase.data['summary'])}*", ""]
    if trainer:
        minutes = module_minutes(training)
        out += [f"**{hb.label('handout.notes')}** ({hb.label('training.minutes', n=minutes)}; [{hb.tr(phase.name)}]({hb.link(f'{phase.section}/{phase.id}.md')}))", ""]
        out += [f"{i}. {hb.label(f'handout.step_{step}', n=n)}" for i, (step, n) in enumerate(
            [("intro", MINUTES["intro"]), ("discussion", MINUTES["discussion"] * len(training["discussion"])),
             ("case", MINUTES["case"]), ("quiz", MINUTES["quiz"] * len(training["quiz"]))], 1)]
    out += ["", f"### {hb.label('training.objectives')}", "", *hb.bullets(training["objectives"])]
    out += ["", f"### {hb.label('training.discussion')}", "", *hb.bullets(training["discussion"], numbered=True)]
    out += ["", f"### {hb.label('training.case', title=case['title'][lang])}", "", *hb.paras(case["situation"])]
    out += [f"**{hb.label('training.tasks')}**", "", *hb.bullets(case["tasks"], numbered=True), ""]
    if trainer:
        out += [f"**{hb.label('training.model_answer')}**", "", *hb.paras(case["model_answer"])]
    else:
        out += ['<div class="pb-answer-space"></div>', ""]
    out += ["", f"### {hb.label('training.quiz')}"]
    for q_number, question in enumerate(training["quiz"], 1):
        options = [f"{chr(ord('A') + i)}) {hb.tr(option)}" for i, option in enumerate(question["options"])]
        out += ["", f"**{q_number}. {hb.tr(question['question'])}**", "", *(f"- {o}" for o in options)]
        if trainer:
            out += ["", f"*{hb.label('training.answer', number=q_number)}:* **{options[question['answer']]}**", "", *hb.paras(question["explanation"])]
    return out
