"""Fitting one line: the measure, the grid, ties, and every reason a line gets no suggestion."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from checker.calibrate import CalibrationRefused, calibrate
from checker.calibrate.lines import best_line, figures, neighbour_of
from checker.inputs.accounts import table_from_values

AS_OF = date(2026, 6, 30)


def table(playbook, groups: dict[str, list[dict]]):
    rows = [{"account_id": f"{stage}-{i}", "declared": stage, **values} for stage, items in groups.items() for i, values in enumerate(items)]
    return table_from_values(playbook, rows)


def line(cal, rule_id):
    return next(item for item in cal.lines if item.rule.id == rule_id)


def test_balanced_accuracy_is_the_mean_of_the_two_rates(playbook):
    rule = playbook.rules_by_id["cooperation-several-contacts"]  # ≥ 3
    found = figures(rule, 3, np.array([3.0, 4, 1, 5]), np.array([0.0, 1, 4]))
    assert (found.own_meet, found.own, found.neighbour_meet, found.neighbour) == (3, 4, 1, 3)
    assert found.balanced_accuracy == pytest.approx(0.5 * (3 / 4 + 2 / 3))


def test_neighbours_follow_the_direction(playbook):
    assert neighbour_of(playbook.rules_by_id["cooperation-several-contacts"], playbook) == "basic"  # behind: the stage before
    assert neighbour_of(playbook.rules_by_id["basic-few-contacts"], playbook) == "cooperation"  # ahead: the stage after
    assert neighbour_of(playbook.rules_by_id["exploratory-recent-contact"], playbook) is None
    assert neighbour_of(playbook.rules_by_id["prevention-health-check"], playbook) is None


def test_both_lines_of_a_boundary_land_on_the_same_split(playbook):
    coop, basic = np.array([5.0, 6, 7, 8]), np.array([0.0, 1, 2, 3])
    floor = best_line(playbook.rules_by_id["cooperation-several-contacts"], coop, basic, 1, "count")  # ≥
    cap = best_line(playbook.rules_by_id["basic-few-contacts"], basic, coop, 1, "count")  # ≤
    assert floor.balanced_accuracy == cap.balanced_accuracy == 1.0
    assert (floor.value, cap.value) == (4, 3), "≥ 4 and ≤ 3: every count on exactly one side, nearest the playbook's 3 | 2"


def test_a_tie_keeps_the_candidate_nearest_the_playbook_line(playbook):
    rule = playbook.rules_by_id["cooperation-preferred-supplier"]  # ≥ 0.3
    found = best_line(rule, np.array([0.6, 0.7]), np.array([0.05, 0.1]), 0.05, "share")
    assert found.balanced_accuracy == 1.0 and found.value == pytest.approx(0.3)


def shares(n: int, low: float, high: float) -> list[dict]:
    return [{"share_of_wallet": round(low + (high - low) * i / max(n - 1, 1), 2)} for i in range(n)]


def test_too_few_accounts_of_a_stage_give_not_enough_data(playbook):
    cal = calibrate(table(playbook, {"basic": shares(25, 0.1, 0.25), "cooperation": shares(10, 0.3, 0.5)}), playbook, AS_OF)
    found = line(cal, "cooperation-preferred-supplier")
    assert found.suggested is None and found.current is None
    assert found.reason.key == "calibrate.too_few" and found.reason.values == {"stage": "cooperation", "n": 10, "least": 20}


def test_a_value_known_for_too_few_accounts_gives_not_enough_data(playbook):
    unknown = [{"customer_contacts_12m": 1}] * 40  # declared basic, share unknown: not zero
    cal = calibrate(table(playbook, {"basic": shares(25, 0.1, 0.25) + unknown, "cooperation": shares(30, 0.3, 0.5)}), playbook, AS_OF)
    found = line(cal, "basic-shops-around")
    assert found.reason.key == "calibrate.rarely_known" and found.reason.values["n"] == 25 and found.reason.values["total"] == 65
    assert found.meets["basic"] == (25, 25), "accounts without a value are not counted as meeting or missing the line"
    assert found.histograms["basic"].known == 25 and found.histograms["basic"].total == 65 and sum(found.histograms["basic"].counts) == 25


def test_a_line_the_data_separates_as_well_is_kept(playbook):
    cal = calibrate(table(playbook, {"basic": shares(30, 0.16, 0.25), "cooperation": shares(30, 0.35, 0.55)}), playbook, AS_OF)
    found = line(cal, "cooperation-preferred-supplier")
    assert found.suggested is None and found.reason.key == "calibrate.keep" and found.current.balanced_accuracy == 1.0


def test_a_line_the_data_separates_better_elsewhere_is_suggested(playbook):
    cal = calibrate(table(playbook, {"basic": shares(30, 0.3, 0.45), "cooperation": shares(30, 0.5, 0.8)}), playbook, AS_OF)
    found = line(cal, "cooperation-preferred-supplier")
    assert found.suggested is not None and found.suggested.value == pytest.approx(0.5)
    assert found.suggested.balanced_accuracy == 1.0 > found.current.balanced_accuracy
    assert line(cal, "basic-shops-around").suggested.value == pytest.approx(0.5), "the other side of the boundary moves with it"
    assert cal.suggestions["cooperation-preferred-supplier"] == found.suggested.value


@pytest.mark.parametrize(("rule_id", "reason"), [
    ("exploratory-recent-contact", "calibrate.no_neighbour"),  # behind, and no stage before the first
    ("prevention-health-check", "calibrate.no_boundary"),  # a catalogue rule
    ("warning-signs-contact-fading", "calibrate.no_boundary"),
    ("cooperation-regular-purchases", "calibrate.a_minimum"),  # basic's profile buys as often
])
def test_lines_that_are_no_boundary_between_stages_get_no_suggestion(playbook, rule_id, reason):
    cal = calibrate(table(playbook, {"basic": shares(30, 0.1, 0.2), "cooperation": shares(30, 0.3, 0.5)}), playbook, AS_OF)
    assert line(cal, rule_id).reason.key == reason and line(cal, rule_id).suggested is None


def test_every_numeric_line_is_on_the_page_and_no_other(playbook):
    cal = calibrate(table(playbook, {"basic": shares(5, 0.1, 0.2), "cooperation": shares(5, 0.3, 0.5)}), playbook, AS_OF)
    assert [item.rule.id for item in cal.lines] == [r.id for r in playbook.rules if r.calibrated]


def test_an_export_without_declared_stages_or_with_one_stage_is_refused(playbook):
    with pytest.raises(CalibrationRefused) as caught:
        calibrate(table_from_values(playbook, [{"account_id": "A", "declared": None, "share_of_wallet": 0.2}]), playbook, AS_OF)
    assert caught.value.key == "calibrate.no_stages"
    with pytest.raises(CalibrationRefused) as caught:
        calibrate(table(playbook, {"basic": shares(30, 0.1, 0.2), "paused": shares(3, 0.1, 0.2)}), playbook, AS_OF)
    assert caught.value.key == "calibrate.one_stage" and caught.value.values["stage"] == "basic" and caught.value.values["n"] == 30


def test_suggestions_that_would_overlap_are_withdrawn_naming_both_rules(playbook):
    from checker.calibrate import _drop_overlaps
    from checker.calibrate.lines import Figures

    cal = calibrate(table(playbook, {"basic": shares(30, 0.3, 0.45), "cooperation": shares(30, 0.5, 0.8)}), playbook, AS_OF)
    cap, floor = line(cal, "basic-shops-around"), line(cal, "cooperation-preferred-supplier")
    cap.suggested = Figures(0.5, 30, 30, 0, 30)  # < 0.5 …
    floor.suggested = Figures(0.4, 30, 30, 5, 30)  # … and ≥ 0.4 would both hold at 0.45
    _drop_overlaps(playbook, cal.lines)
    assert cap.suggested is None and floor.suggested is None
    assert floor.reason.key == "calibrate.would_overlap" and floor.reason.values == {"low": "basic-shops-around", "high": "cooperation-preferred-supplier"}


def test_a_playbook_without_calibration_settings_is_refused(playbook_copy):
    from checker.playbook.model import load_playbook

    manifest = playbook_copy / "playbook.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text[:text.index("calibration:")] + text[text.index("# Findings link to"):], encoding="utf-8")
    copy = load_playbook(playbook_copy)
    with pytest.raises(CalibrationRefused) as caught:
        calibrate(table(copy, {"basic": shares(3, 0.1, 0.2), "cooperation": shares(3, 0.3, 0.5)}), copy, AS_OF)
    assert caught.value.key == "calibrate.no_settings" and "calibration:" in caught.value.render("fi")


def test_accounts_declared_in_an_ending_show_on_its_rules_but_fit_no_stage_line(playbook):
    paused = [{"last_purchase": AS_OF.replace(year=2025)}] * 4
    cal = calibrate(table(playbook, {"basic": shares(30, 0.1, 0.2), "cooperation": shares(30, 0.3, 0.5), "paused": paused}), playbook, AS_OF)
    ending_lines = [item for item in cal.lines if "paused" in item.rule.applies_to]
    assert ending_lines and all(item.histograms["paused"].total == 4 for item in ending_lines)
    assert all("paused" not in item.histograms for item in cal.lines if item.own)
