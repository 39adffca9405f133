"""The quizzes loaded with the playbook teach rather than give the answer away by its place or length."""
from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from checker.playbook.model import LANGUAGES


def quizzes(playbook) -> list[dict]:
    return [q for phase in [*playbook.stages, *playbook.endings] for q in phase.data["training"]["quiz"]]


def test_no_answer_position_holds_more_than_40_percent_of_right_answers(playbook):
    questions = quizzes(playbook)
    positions = Counter(q["answer"] for q in questions)
    assert max(positions.values()) <= 0.4 * len(questions), positions


def test_no_quiz_follows_a_pattern_of_answer_positions(playbook):
    # Each quiz is shuffled with its own fixed seed: no quiz may have one position for every
    # answer, each answer one place after the previous (0, 1, 2, 0 …), or one position for more
    # than half of its answers.
    for phase in [*playbook.stages, *playbook.endings]:
        answers = [q["answer"] for q in phase.data["training"]["quiz"]]
        n_options = len(phase.data["training"]["quiz"][0]["options"])
        assert len(set(answers)) > 1, (phase.id, answers)
        assert not all(b == (a + 1) % n_options for a, b in pairwise(answers)), (phase.id, answers)
        assert max(Counter(answers).values()) <= (len(answers) + 1) // 2, (phase.id, answers)


def test_every_answer_position_holds_at_least_a_fifth_of_the_right_answers(playbook):
    questions = quizzes(playbook)
    positions = Counter(q["answer"] for q in questions)
    assert sorted(positions) == [0, 1, 2] and min(positions.values()) >= 0.2 * len(questions), positions


def _by_length(questions: list[dict], lang: str, pick) -> list[str]:
    return [q["question"][lang] for q in questions
            if len(q["options"][q["answer"]][lang]) == pick(len(o[lang]) for o in q["options"])]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_the_longest_option_in_at_most_a_quarter_of_the_questions(playbook, lang):
    questions = quizzes(playbook)
    longest = _by_length(questions, lang, max)
    assert len(longest) <= len(questions) / 4, longest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_the_shortest_option_in_at_most_two_fifths_of_the_questions(playbook, lang):
    # Trimming right answers must not turn "never the longest" into "usually the shortest".
    questions = quizzes(playbook)
    shortest = _by_length(questions, lang, min)
    assert len(shortest) <= 0.4 * len(questions), shortest


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
