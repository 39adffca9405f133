"""The HTML report in a real browser: headless Debian Chromium, driven by Playwright, opened from disk.

Skipped with the reason when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1
(as in CI), where a missing browser fails the suite instead (as tests/handbook/test_browser.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import AS_OF, main
from test_html import HOSTILE, hostile_export

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    missing = None if CHROMIUM.is_file() else f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Playwright for Python is not installed (pip install -e '.[test]')"
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def opened(chromium: Any, tmp_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The hostile export's HTML report opened from disk (file://): the page, its console errors, every URL asked for."""
    report = tmp_path / "report.html"
    assert main(["check", str(hostile_export(tmp_path)), "--format", "html", "--output", str(report), "--fail-on", "never", *AS_OF]) == 0
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    asked: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: asked.append(request.url))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # an alert() that ran
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    yield page, errors, asked
    page.close()


def test_the_report_opens_from_disk_without_errors_or_requests_elsewhere(opened):
    page, errors, asked = opened
    assert page.locator(".pr-card").count() >= 2
    assert errors == []
    assert asked and all(urlparse(url).scheme in ("file", "data") for url in asked)


def test_choosing_an_owner_narrows_the_cards(opened):
    page, errors, _ = opened
    visible = page.locator(".pr-card:visible")
    before = visible.count()
    page.select_option("#pr-owner", label="Aino")
    assert 0 < visible.count() < before
    assert set(visible.evaluate_all("cards => cards.map(c => c.dataset.owner)")) == {"=Aino"}
    assert page.locator("#pr-count").inner_text().startswith(f"{visible.count()} of {before}")
    page.fill("#pr-search", "no such words anywhere")
    assert visible.count() == 0
    assert errors == []


def test_a_hostile_account_name_shows_as_text(opened):
    page, errors, _ = opened
    header = page.locator(".pr-card header b").filter(has_text="alert")
    assert header.inner_text() == HOSTILE
    assert page.locator(".pr-card header img").count() == 0
    page.fill("#pr-search", "onerror")
    assert page.locator(".pr-card:visible").count() == 1
    assert errors == []  # no script from the export ran, no alert was raised
