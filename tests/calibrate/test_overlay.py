"""The overlay `calibrate` writes is a thresholds file the checker accepts, with the figures behind each line."""
from __future__ import annotations

from datetime import date

import yaml
from planted import accounts

from checker.calibrate import calibrate
from checker.calibrate.overlay import overlay_text
from checker.playbook.thresholds import read_thresholds

AS_OF = date(2026, 6, 30)


def test_the_overlay_reads_back_as_the_suggestions_with_their_figures(playbook, tmp_path):
    table, _ = accounts(playbook, AS_OF, per_stage=40, mismatched=0)
    cal = calibrate(table, playbook, AS_OF)
    folder = tmp_path / "company"
    folder.mkdir()
    path = folder / "thresholds.yaml"
    text = overlay_text(cal, "fi", path)
    path.write_text(text, encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    schema = text.splitlines()[0].split("$schema=")[1]
    assert (folder / schema).resolve().name == "thresholds.schema.json" and (folder / schema).resolve().is_file()
    assert read_thresholds(path, playbook).values == cal.suggestions
    assert yaml.safe_load(text)["thresholds"] == cal.suggestions
    line = next(item for item in cal.lines if item.suggested is not None)
    comments = text.split(f"  {line.rule.id}:")[0].splitlines()[-2:]
    assert comments[0].startswith("  # pelikirja: ") and comments[1].startswith("  # ehdotus: ")
    assert f"{line.suggested.own_meet}/{line.suggested.own}" in comments[1] and f"{line.suggested.balanced_accuracy:.2f}" in comments[1]


def test_no_overlay_without_a_suggestion(playbook, tmp_path):
    table, _ = accounts(playbook, AS_OF, per_stage=5, mismatched=0)  # too few accounts for any line
    cal = calibrate(table, playbook, AS_OF)
    assert cal.suggestions == {} and overlay_text(cal, "en", tmp_path / "t.yaml") is None
