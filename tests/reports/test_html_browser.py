"""The HTML report in a real browser: headless Debian Chromium, driven by Playwright, opened from disk.

Skipped with the reason when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1
(as in CI), where a missing browser fails the suite instead (as tests/handbook/test_browser.py).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from conftest import AS_OF, SAMPLE, main
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


@contextmanager
def opened_from_disk(chromium: Any, path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A file opened from disk (file://) at 1280 px: the page, its console errors (and any dialog, an
    alert() that ran), every URL asked for."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    asked: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: asked.append(request.url))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))  # an alert() that ran
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    try:
        yield page, errors, asked
    finally:
        page.close()


@pytest.fixture
def opened(chromium: Any, tmp_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The hostile export's HTML report opened from disk (file://): the page, its console errors, every URL asked for."""
    report = tmp_path / "report.html"
    assert main(["check", str(hostile_export(tmp_path)), "--format", "html", "--output", str(report), "--fail-on", "never", *AS_OF]) == 0
    with opened_from_disk(chromium, report) as found:
        yield found


def test_the_report_opens_from_disk_without_errors_or_requests_elsewhere(opened):
    page, errors, asked = opened
    assert page.locator(".pr-card").count() >= 2
    assert errors == []
    assert asked and all(urlparse(url).scheme in ("file", "data") for url in asked)


def test_choosing_an_owner_narrows_the_cards(opened):
    page, errors, _ = opened
    visible = page.locator(".pr-card:not([hidden])")
    before = visible.count()
    page.select_option("#pr-owner", label="Aino")
    assert 0 < visible.count() < before
    assert set(visible.evaluate_all("cards => cards.map(c => c.dataset.owner)")) == {"=Aino"}
    assert page.locator("#pr-count").inner_text() == f"Showing {visible.count()} of {page.locator('.pr-card').count()}"
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


@pytest.fixture(scope="module", params=["en", "fi"])
def sample(chromium: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[str]]]:
    """The sample export's HTML report in one language, opened from disk at 1280 px: the page and its console errors."""
    folder = tmp_path_factory.mktemp("sample")
    report, export = folder / "report.html", _with_unusable_rows(folder)
    assert main(["check", str(export), "--format", "html", "--lang", request.param, "--output", str(report), "--fail-on", "never",
                 "--handbook-url", "https://h.example", *AS_OF]) == 0
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    yield page, errors
    page.close()


def _column(page: Any, attribute: str) -> list[list[str]]:
    """The attribute of each card, list by list (the open cards, then the folded ones), in the page's order."""
    return page.evaluate("a => Array.from(document.querySelectorAll('.pr-list')).map(l => Array.from(l.children).map(c => c.dataset[a]))", attribute)


def test_the_sort_control_orders_the_cards_by_owner_revenue_account_and_back(sample):
    page, errors = sample
    assert [[int(o) for o in lst] for lst in _column(page, "order")] == [sorted(int(o) for o in lst) for lst in _column(page, "order")]
    page.select_option("#pr-sort", "revenue")
    for lst in _column(page, "revenue"):
        money = [float(v) if v else float("-inf") for v in lst]
        assert money == sorted(money, reverse=True)
    page.select_option("#pr-sort", "owner")
    for lst in _column(page, "name"):
        assert lst == sorted(lst, key=str.casefold) or page.evaluate("l => l.every((v, i) => i === 0 || l[i - 1].localeCompare(v) <= 0)", lst)
    page.select_option("#pr-sort", "account")
    for lst in _column(page, "account"):
        assert lst == sorted(lst)  # the sample's ids are zero-padded
    page.select_option("#pr-sort", "severity")
    assert all([int(o) for o in lst] == sorted(int(o) for o in lst) for lst in _column(page, "order"))
    assert errors == []


def test_info_only_accounts_are_folded_until_opened(sample):
    page, errors = sample
    folded = page.locator("details.pr-folded .pr-card")
    assert folded.count() > 0 and page.locator("details.pr-folded .pr-card:visible").count() == 0
    assert set(folded.evaluate_all("cards => cards.map(c => c.dataset.top)")) == {"2"}  # info only
    page.locator("details.pr-folded > summary").click()
    assert page.locator("details.pr-folded .pr-card:visible").count() == folded.count()
    page.locator("details.pr-folded > summary").click()  # closed again for the other tests
    first = page.locator("#pr-act a").first
    target = first.get_attribute("href")
    first.click()
    assert page.locator(target).is_visible()  # a link of the act-this-week list reaches its card
    assert errors == []


def _with_unusable_rows(folder: Path) -> Path:
    """The sample with a few rows the checker cannot use (no account id): the rows tile then says how many ("käyttökelvotonta")."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    export = folder / "accounts.csv"
    export.write_text("".join(lines) + "".join("," + line.split(",", 1)[1] for line in lines[1:13]), encoding="utf-8")
    return export


def test_long_finnish_words_are_never_cut_or_split_at_1280_px(sample):
    page, errors = sample
    assert _words_whole(page) == []
    assert errors == []


def test_the_handbooks_finnish_report_keeps_the_matrix_and_long_words_whole_at_1280_px(chromium, tmp_path, monkeypatch):
    """In the handbook the report has the theme's narrower content column: there the matrix was clipped."""
    from test_report_plugin import _build

    _build("fi", tmp_path / "site", _with_unusable_rows(tmp_path), monkeypatch)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto((tmp_path / "site" / "fi" / "report" / "index.html").as_uri())
    assert "käyttökelvotonta" in page.locator(".pr-tiles").first.inner_text()
    assert _words_whole(page) == []
    page.close()


def _words_whole(page: Any) -> list[str]:
    """What is cut or split: the matrix clipped behind a scroll bar, a word of a tile or heading broken across lines or overflowing."""
    if not page.evaluate("() => Array.from(document.querySelectorAll('.pr-scroll')).every(s => s.scrollWidth <= s.clientWidth + 1)"):
        return ["the stage matrix is clipped"]
    return page.evaluate(r"""() => {
        const out = [];
        for (const el of document.querySelectorAll('.pr-tile span, .pr-matrix th')) {
            if (el.scrollWidth > el.clientWidth + 1) out.push('overflow: ' + el.textContent);
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const re = /\S+/g;
                let m;
                while ((m = re.exec(node.data))) {
                    const range = document.createRange();
                    range.setStart(node, m.index);
                    range.setEnd(node, m.index + m[0].length);
                    const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
                    if (tops.size > 1) out.push('split: ' + m[0]);
                }
            }
        }
        return out;
    }""")


def test_on_a_phone_the_act_this_week_list_fits_the_screen(sample):
    page, errors = sample
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways but the matrix in its own box
        assert page.locator("#pr-act tbody tr").first.bounding_box()["width"] <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert errors == []
