"""Done when (issue 24): on accounts whose true lines differ from the playbook's, calibration finds them.

The generated set (planted.py) plants every stage's share lines 20 % below the playbook's; the
other signals follow the playbook's own lines. `calibrate` must suggest lines within one step
of the planted ones, and `check --thresholds` with the overlay it writes must at least halve
the warnings on the textbook accounts without losing any planted mismatch.
"""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from planted import accounts, planted_values

from checker.calibrate import calibrate
from checker.calibrate.overlay import overlay_text
from checker.evaluate import Evaluator
from checker.playbook.thresholds import apply_thresholds, read_thresholds

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def generated(playbook):
    table, mismatched = accounts(playbook, AS_OF)
    return table, mismatched, calibrate(table, playbook, AS_OF)


def test_suggestions_land_within_one_step_of_the_planted_lines(playbook, generated):
    _, _, cal = generated
    step = playbook.manifest["calibration"]["steps"]["share"]
    planted = planted_values(playbook)
    found = {line.rule.id: line for line in cal.lines}
    for rule_id, value in planted.items():
        line = found[rule_id]
        assert line.suggested is not None, f"{rule_id}: no suggestion ({line.reason})"
        assert abs(line.suggested.value - value) <= step + 1e-9, f"{rule_id}: suggested {line.suggested.value}, planted {value}"
        assert line.suggested.balanced_accuracy > line.current.balanced_accuracy


def test_lines_the_data_does_not_move_are_kept(playbook, generated):
    _, _, cal = generated
    moved = set(cal.suggestions) - set(planted_values(playbook))
    assert moved == set(), f"only the planted lines differ from the playbook's, yet {moved} moved"


def test_the_planted_mismatches_are_left_out_of_the_fit(generated):
    _, mismatched, cal = generated
    assert sum(cal.far_off.values()) == len(mismatched)


def warnings(playbook, table, skip: set[str]) -> tuple[int, dict[str, list]]:
    evaluation = Evaluator(playbook, AS_OF, "en", "http://h").evaluate(table)
    textbook = sum(1 for i, findings in enumerate(evaluation.findings) if table.ids[i] not in skip
                   for f in findings if f.severity in ("warning", "error"))
    return textbook, {table.ids[i]: evaluation.findings[i] for i in range(len(table)) if table.ids[i] in skip}


def without_near_line(playbook):
    return dataclasses.replace(playbook, manifest={k: v for k, v in playbook.manifest.items() if k != "near_line"})


def test_the_overlay_halves_the_warnings_and_keeps_every_planted_mismatch(playbook, generated, tmp_path):
    table, mismatched, cal = generated
    path = tmp_path / "thresholds.yaml"
    path.write_text(overlay_text(cal, "en", path), encoding="utf-8")
    company = apply_thresholds(playbook, read_thresholds(path, playbook))  # as `check --thresholds` reads it
    # The lines' own effect, near the line (issue 24 item 3) left out: it softens some of the same
    # warnings already (those within its margin of the playbook's lines), checked after.
    before, _ = warnings(without_near_line(playbook), table, set(mismatched))
    after, flagged = warnings(without_near_line(company), table, set(mismatched))
    assert before > 100, "the playbook's lines warn on the company's textbook accounts"
    softened, _ = warnings(playbook, table, set(mismatched))
    assert after < softened < before, "near the line softens some warnings of the playbook's lines, the company's lines more"
    assert after * 2 <= before, f"{before} warnings with the playbook's lines, {after} with the company's"
    for account, findings in flagged.items():
        verdict = [f for f in findings if f.rule == "stage-fit"]
        assert verdict and verdict[0].severity in ("warning", "error"), f"{account} lost its mismatch: {findings}"
        assert verdict[0].evidence["distance"] >= 2


def test_the_page_shows_the_same_effect(generated):
    _, _, cal = generated
    before = sum(e.now.warnings for e in cal.effect)
    after = sum(e.suggested.warnings for e in cal.effect)
    assert after * 2 <= before
