"""A rule's values and test in words (checker/playbook/phrases.py), as the findings and the review page say them."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from checker.playbook import phrases
from checker.playbook.model import Playbook


def rule(playbook: Playbook, rule_id: str):
    return next(r for r in playbook.rules if r.id == rule_id)


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_values_read_as_a_person_reads_them(playbook: Playbook, lang: str) -> None:
    said = (phrases.show(playbook, lang, "open_books", None), phrases.show(playbook, lang, "open_books", True),
            phrases.show(playbook, lang, "share_of_wallet", 0.4), phrases.show(playbook, lang, "relationship_start", date(2026, 10, 31)))
    assert said == (playbook.text("check.unknown", lang), playbook.text("check.yes", lang), "40 %", "2026-10-31")
    assert said[0] != said[1]


def test_a_count_reads_in_its_unit_and_a_whole_number_without_decimals(playbook: Playbook) -> None:
    assert phrases.show(playbook, "en", "customer_contacts_12m", 3.0) == "3 people"
    assert phrases.show(playbook, "fi", "customer_contacts_12m", 1.0) == "1 " + playbook.text("unit.people", "fi", n=1)


def test_a_date_test_says_the_day_given_or_keeps_the_pages_placeholder(playbook: Playbook) -> None:
    recent = rule(playbook, "exploratory-recent-contact")
    assert phrases.expected(playbook, "en", recent, "2026-08-02") == "on or after 2026-08-02"
    assert phrases.expected(playbook, "fi", recent, "{date}") == playbook.messages["check.date_on_or_after"]["fi"]
    assert phrases.expected(playbook, "en", replace(recent, op="=="), "2026-08-02") == "= 2026-08-02"  # no words for "=": the symbol


def test_a_recorded_test_and_a_yes_test_read_as_words_not_symbols(playbook: Playbook) -> None:
    yes = next(r for r in playbook.rules if playbook.signals[r.signal].type == "boolean" and r.op == "==" and r.value is True)
    assert phrases.expected(playbook, "en", yes, "") == "yes"
    assert phrases.expected(playbook, "en", replace(yes, op="recorded"), "") == playbook.text("check.expected_recorded", "en")
