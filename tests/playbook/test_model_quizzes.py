"""The quizzes loaded with the playbook teach rather than give the answer away by its place or length."""
from __future__ import annotations

from collections import Counter

import pytest

from checker.playbook.model import LANGUAGES


def quizzes(playbook) -> list[dict]:
    return [q for phase in [*playbook.stages, *playbook.endings] for q in phase.data["training"]["quiz"]]


def test_no_answer_position_holds_more_than_40_percent_of_right_answers(playbook):
    questions = quizzes(playbook)
    positions = Counter(q["answer"] for q in questions)
    assert max(positions.values()) <= 0.4 * len(questions), positions


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_the_longest_option_in_at_most_half_of_the_questions(playbook, lang):
    questions = quizzes(playbook)
    longest = [q["question"]["en"] for q in questions
               if len(q["options"][q["answer"]][lang]) == max(len(o[lang]) for o in q["options"])]
    assert len(longest) <= len(questions) / 2, longest


def test_every_question_has_at_least_three_options_and_a_valid_answer(playbook):
    for q in quizzes(playbook):
        assert len(q["options"]) >= 3, q["question"]["en"]
        assert 0 <= q["answer"] < len(q["options"]), q["question"]["en"]


def test_no_explanation_points_at_an_option_by_its_place(playbook):
    # Options move when quizzes are rebalanced; an explanation must name the idea, not "the first option".
    places = ("first option", "second option", "third option", "ensimmäinen vaihtoehto", "toinen vaihtoehto", "kolmas vaihtoehto")
    for q in quizzes(playbook):
        text = (q["explanation"]["en"] + " " + q["explanation"]["fi"]).casefold()
        assert not any(p in text for p in places), q["question"]["en"]
