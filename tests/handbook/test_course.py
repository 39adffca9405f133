"""The course's one numbering (checker/handbook/course.py)."""
from __future__ import annotations

from checker.handbook.course import module_minutes, modules
from checker.playbook.model import Playbook


def test_the_course_opens_and_closes_with_its_own_modules_and_numbers_each_module_once(playbook: Playbook) -> None:
    course = modules(playbook)
    assert [m.id for m in course] == ["opening", *(p.id for p in [*playbook.stages, *playbook.endings]), "closing"]
    assert [m.number for m in course] == list(range(1, len(course) + 1))
    assert course[0].minutes == playbook.course["opening"]["minutes"] and course[0].phase is None
    assert course[1].minutes == module_minutes(playbook.stages[0].data["training"])


def test_without_opening_and_closing_the_stages_are_numbered_from_one(playbook: Playbook) -> None:
    from dataclasses import replace

    bare = replace(playbook, course={})
    assert [(m.number, m.id) for m in modules(bare)][:2] == [(1, playbook.stages[0].id), (2, playbook.stages[1].id)]
