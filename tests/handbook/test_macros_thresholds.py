"""The handbook built with a company's thresholds (PLAYBOOK_THRESHOLDS): its lines, each with a note giving the playbook's."""
from __future__ import annotations

import html
import re

from test_macros import build


def text_of(page) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


def test_the_handbook_shows_the_company_lines_with_a_note(tmp_path, monkeypatch):
    overlay = tmp_path / "company.yaml"
    overlay.write_text('kind: thresholds\nplaybook_version: "1.1"\nthresholds:\n  integrated-broad-contacts: 13\n', encoding="utf-8")
    monkeypatch.setenv("PLAYBOOK_THRESHOLDS", str(overlay))
    result = build(tmp_path / "site", langs=("fi",))["fi"]
    assert result.returncode == 0, result.stderr
    stage = text_of(tmp_path / "site" / "fi" / "stages" / "integrated" / "index.html")
    assert "Tämä käsikirja näyttää yrityksesi oman rajan: ≥ 13 henkilöä. Pelikirjan oma raja on ≥ 10 henkilöä" in stage
    assert stage.count("Tämä käsikirja näyttää yrityksesi oman rajan") == 1, "only the changed rule carries the note"
    rules = text_of(tmp_path / "site" / "fi" / "rules" / "index.html")
    assert "(company.yaml)" in rules
    report = text_of(tmp_path / "site" / "fi" / "report" / "index.html")
    assert "Käytössä yrityksen omat rajat: " in report and "integrated-broad-contacts 10 → 13" in report


def test_a_bad_overlay_stops_the_build_with_its_message(tmp_path, monkeypatch):
    overlay = tmp_path / "company.yaml"
    overlay.write_text('kind: thresholds\nplaybook_version: "1.1"\nthresholds:\n  integrated-broad-contact: 13\n', encoding="utf-8")
    monkeypatch.setenv("PLAYBOOK_THRESHOLDS", str(overlay))
    result = build(tmp_path / "site", langs=("en",))["en"]
    assert result.returncode != 0
    assert "PLAYBOOK_THRESHOLDS:" in result.stderr and "did you mean 'integrated-broad-contacts'?" in result.stderr
