"""The calibration page in a real browser, opened from disk: no console error, nothing asked of another host.

Skipped with the reason when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1 (as
tests/reports/test_html_browser.py, whose browser fixture it shares).
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
from conftest import AS_OF, SAMPLE, main
from test_html_browser import chromium, opened_from_disk  # noqa: F401  (chromium: the fixture)


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_the_page_opens_from_disk_without_errors_or_requests_elsewhere(chromium, tmp_path, lang):  # noqa: F811
    page_file = tmp_path / "calibration.html"
    assert main(["calibrate", str(SAMPLE), "--output", str(page_file), "--lang", lang, *AS_OF]) == 0
    with opened_from_disk(chromium, page_file) as (page, errors, asked):
        assert errors == []
        assert asked and all(urlparse(url).scheme in ("file", "data") for url in asked)
        sections = page.locator("section.cal-line")
        assert sections.count() >= 20
        # Every chart is drawn at a readable size, not collapsed: its box is at least half the section wide.
        box, chart = sections.first.bounding_box(), sections.first.locator("svg").bounding_box()
        assert chart["width"] >= box["width"] / 2 and chart["height"] > 40
        page.emulate_media(media="print")
        assert page.locator("section.cal-line").first.is_visible()
