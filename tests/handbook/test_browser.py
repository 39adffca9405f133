"""The handbook in a real browser: headless Debian Chromium, driven by Playwright, on the locally served site.

Skipped with the reason when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1
(as in CI), where a missing browser fails the suite instead.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from test_macros import build, built_site

from checker.playbook.model import Playbook

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (install Debian's package: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` on a free port of 127.0.0.1, for as long as the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium_context(tmp_path_factory: pytest.TempPathFactory, **options: Any) -> Iterator[Any]:
    """A Chromium context with a fresh profile (Playwright's `launch_persistent_context` options);
    `context.requests` records every URL asked for. Skips, or fails under REQUIRE_BROWSER=1, when
    Chromium or Playwright is missing."""
    missing = _missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The built site on a free port of 127.0.0.1, for as long as this module's tests run."""
    with serve(built_site()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium context with a fresh profile; `context.requests` records every URL asked for."""
    with chromium_context(tmp_path_factory) as context:
        yield context


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    yield page
    page.close()


def _search(tab: Any, base: str, lang: str, query: str) -> list[str]:
    """Type `query` into the search box of the `lang` site; return the result links once they show."""
    tab.goto(f"{base}/{lang}/")
    box = tab.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=30)
    tab.locator(".md-search-result__item").first.wait_for()
    return [urlparse(href).path for href in tab.locator("a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")]


def test_searching_hiipuminen_on_the_finnish_site_finds_the_fading_page(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    results = _search(tab, served, "fi", "hiipuminen")
    assert "/fi/" + playbook.phases["fading"].page in results


def test_searching_tender_on_the_english_site_finds_the_integrated_stage(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    results = _search(tab, served, "en", "tender")
    assert "/en/" + playbook.phases["integrated"].page in results


def test_language_switcher_lands_on_the_same_page(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    stage = playbook.phases["cooperation"]
    tab.goto(f"{served}/en/{stage.page}")
    for lang in ("fi", "en"):
        tab.locator(".md-header__option .md-select").hover()
        tab.locator(f"a.md-select__link[hreflang={lang}]").click()
        tab.wait_for_url(f"{served}/{lang}/{stage.page}")
        assert tab.locator("html").get_attribute("lang") == lang
        assert tab.locator("article h1").inner_text().strip().rstrip("¶").strip() == stage.name[lang]


def test_collapsed_answers_open_when_printed(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    stage = playbook.phases["basic"]
    question = stage.data["training"]["quiz"][0]
    tab.goto(f"{served}/en/{stage.page}")
    answer = tab.locator("details.success").first.get_by_text(question["explanation"]["en"][:30])
    assert not answer.is_visible()
    tab.emulate_media(media="print")
    assert answer.is_visible()
    tab.emulate_media(media="screen")
    tab.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert tab.locator("details:not([open])").count() == 0
    tab.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert tab.locator("details[open]").count() == 0


def test_the_browser_asked_no_other_host_for_anything(browser: Any, tab: Any, served: str) -> None:
    tab.goto(f"{served}/fi/topics/portfolio/")
    tab.goto(f"{served}/en/print/")
    tab.wait_for_load_state("networkidle")
    asked = browser.requests
    assert len(asked) > 20
    elsewhere = [url for url in asked if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname != "127.0.0.1"]
    assert elsewhere == []


def test_the_report_section_filters_its_cards_in_the_handbook_theme(browser: Any, tab: Any, served: str) -> None:
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.goto(f"{served}/fi/report/accounts/")
    cards = tab.locator(".pr-card:not([hidden])")  # info-only cards are folded, not hidden
    before = cards.count()
    tab.select_option("#pr-severity", index=1)  # errors only
    assert 0 < cards.count() < before
    assert tab.locator("#pr-count").inner_text() == f"Näkyvissä {cards.count()}/{before}"
    assert errors == []


def test_language_switcher_keeps_the_rule_anchor(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    rule = next(r for r in playbook.rules if r.owner == "cooperation")
    tab.goto(f"{served}/en/{rule.page}#{rule.id}")
    tab.locator(".md-header__option .md-select").hover()
    tab.locator("a.md-select__link[hreflang=fi]").click()
    tab.wait_for_url(f"{served}/fi/{rule.page}#{rule.id}")
    assert tab.evaluate("location.hash") == f"#{rule.id}"


@pytest.mark.parametrize(("languages", "lang"), [(["fi-FI", "fi", "en"], "fi"), (["sv-SE", "de"], "en"), (["en-GB"], "en")])
def test_site_root_follows_the_browsers_language_with_english_as_fallback(browser: Any, served: str, languages: list[str], lang: str) -> None:
    page = browser.new_page()
    try:
        page.add_init_script(f"Object.defineProperty(navigator, 'languages', {{get: () => {languages!r}}})")
        page.goto(f"{served}/")
        page.wait_for_url(f"{served}/{lang}/**")
        assert page.locator("html").get_attribute("lang") == lang
    finally:
        page.close()


@pytest.mark.parametrize(("lang", "query", "first"), [
    ("en", "price", "topics/warning-signs/"), ("en", "contact person", "topics/warning-signs/"),
    ("fi", "hinta", "topics/warning-signs/"), ("fi", "terveystarkastus", "endings/fading/"), ("fi", "valitus", "topics/leave-reasons/"),
])
def test_search_puts_the_advice_before_the_rule_catalogue(browser: Any, tab: Any, served: str, lang: str, query: str, first: str) -> None:
    _search(tab, served, lang, query)
    tab.wait_for_timeout(300)  # the results of the whole query, not of its first letters
    results = [urlparse(href).path for href in tab.locator("a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")]
    assert results[0] == f"/{lang}/{first}"
    assert f"/{lang}/rules/" not in results[:3]


@pytest.fixture(scope="module")
def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handbook as `make handbook-offline` builds it, copied to another folder as a trainer would."""
    site = tmp_path_factory.mktemp("offline") / "site"
    for lang, result in build(site, offline=True).items():
        assert result.returncode == 0, f"offline build ({lang}) failed:\n{result.stderr}"
    copy = tmp_path_factory.mktemp("laptop") / "handbook"
    shutil.copytree(site, copy)
    return copy


def test_a_copied_offline_folder_navigates_and_searches_from_disk(browser: Any, tab: Any, offline_copy: Path, playbook: Playbook) -> None:
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto((offline_copy / "index.html").as_uri())
    tab.wait_for_url("**/en/index.html")
    stage = playbook.phases["basic"]
    tab.locator("nav.md-nav--primary a", has_text=stage.name["en"]).first.click()
    tab.wait_for_url(f"**/en/stages/{stage.id}.html")
    assert tab.locator("article h1").inner_text().strip().rstrip("¶").strip() == stage.name["en"]
    box = tab.locator("input.md-search__input")
    box.click()
    box.press_sequentially("price", delay=30)
    tab.locator(".md-search-result__item").first.wait_for()
    first = tab.locator("a.md-search-result__link").first.get_attribute("href")
    assert "warning-signs.html" in first
    tab.locator("a.md-search-result__link").first.click()
    tab.wait_for_url("**/en/topics/warning-signs.html*")
    assert errors == []


#: The rendered size, in CSS px, of every text in the diagrams the reader can see.
_LABEL_SIZES = """() => [...document.querySelectorAll('svg.pb-diagram')].filter(svg => svg.getClientRects().length)
  .flatMap(svg => [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a))"""


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_diagram_labels_stay_readable_on_a_390_px_phone(browser: Any, tab: Any, served: str, lang: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    for url in ("stages/", "endings/", "topics/portfolio/"):
        tab.goto(f"{served}/{lang}/{url}")
        sizes = tab.evaluate(_LABEL_SIZES)
        assert sizes, url
        assert min(sizes) >= 12, f"{url}: labels drawn at {min(sizes):.1f} px"
        # and the diagram fits the screen: no sideways scrolling
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390


def test_course_outline_gives_the_objectives_the_phones_width(browser: Any, tab: Any, served: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"{served}/en/training/")
    widths = tab.locator(".pb-outline td:last-child").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().width)")
    assert widths and min(widths) >= 300


def test_print_page_loads_without_missing_files_or_script_errors(browser: Any, tab: Any, served: str) -> None:
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("response", lambda response: errors.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    tab.goto(f"{served}/fi/print/")
    tab.wait_for_load_state("networkidle")
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_one_module_of_the_learner_handout_prints_alone_and_without_answers(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    phase = playbook.phases["paused"]
    training = phase.data["training"]
    tab.goto(f"{served}/{lang}/handout/?module={phase.id}")
    tab.emulate_media(media="print")
    visible = tab.locator(".pb-module:visible")
    assert visible.count() == 1 and visible.get_attribute("data-module") == phase.id
    printed = tab.locator("article").inner_text()
    assert training["quiz"][0]["question"][lang][:40] in printed
    assert training["case"]["model_answer"][lang][:40] not in printed
    assert not any(q["explanation"][lang][:40] in printed for q in training["quiz"])
    tab.emulate_media(media="screen")


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_symptom_page_and_course_outline_fit_a_390_px_phone(browser: Any, tab: Any, served: str, lang: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    for url in ("symptoms/", "training/"):
        tab.goto(f"{served}/{lang}/{url}")
        widest = tab.locator("article table").evaluate_all("tables => Math.max(0, ...tables.map(t => t.getBoundingClientRect().right))")
        assert 0 < widest <= 390, f"{url}: a table reaches {widest:.0f} px"


#: Everyday queries, typed as a reader with a problem in hand would type them, and the page whose advice must come first.
EVERYDAY = {
    "en": [("the customer stopped answering", "topics/warning-signs/"), ("customer not responding", "topics/warning-signs/"),
           ("asks for a discount", "topics/warning-signs/"), ("our contact person changed", "topics/warning-signs/"),
           ("customer complaining", "topics/leave-reasons/"), ("competitor offer", "topics/leave-reasons/"),
           ("customer is tendering", "stages/integrated/"), ("customer left suddenly", "endings/abrupt/"),
           ("project ended", "endings/paused/"), ("orders going down", "endings/fading/"), ("quality problems", "topics/ending-reasons/"),
           ("strategic partner", "stages/interdependence/"), ("drop a customer", "topics/guidance/"), ("wrong stage", "topics/guidance/")],
    "fi": [("asiakas ei vastaa", "topics/warning-signs/"), ("hintavalitukset", "topics/warning-signs/"), ("alennus", "topics/warning-signs/"),
           ("asiakas kilpailuttaa", "stages/integrated/"), ("yhteyshenkilö vaihtui", "topics/warning-signs/"),
           ("asiakas valittaa", "topics/leave-reasons/"), ("kilpailijan tarjous", "topics/leave-reasons/"),
           ("tilaukset vähenevät", "endings/fading/"), ("asiakas lähti yllättäen", "endings/abrupt/"), ("projekti päättyi", "endings/paused/"),
           ("laatuongelmat", "topics/ending-reasons/"), ("uusi asiakas", "stages/exploratory/"), ("luopua asiakkaasta", "topics/guidance/"),
           ("kanta-asiakas", "stages/cooperation/")],
}


@pytest.mark.parametrize(("lang", "query", "first"), [(lang, query, first) for lang, cases in EVERYDAY.items() for query, first in cases])
def test_an_everyday_query_finds_the_advice_first_and_no_training_material(browser: Any, tab: Any, served: str, lang: str, query: str, first: str) -> None:
    results = _search(tab, served, lang, query)
    for _ in range(20):  # the results of the whole query, not of its first letters: wait until they stop changing
        tab.wait_for_timeout(250)
        now = [urlparse(href).path for href in tab.locator("a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")]
        if now == results:
            break
        results = now
    assert results[0] == f"/{lang}/{first}", results[:5]
    assert not [r for r in results if r.startswith((f"/{lang}/course/", f"/{lang}/handout/", f"/{lang}/trainer/"))]


def test_language_switch_after_scrolling_keeps_the_section_being_read(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    stage = playbook.phases["interdependence"]
    tab.goto(f"{served}/en/{stage.page}")
    tab.wait_for_load_state("networkidle")
    for _ in range(10):  # scroll the way a reader does, in steps, down to the section on what to avoid
        tab.mouse.wheel(0, tab.evaluate("document.getElementById('avoid').getBoundingClientRect().top - 120") / 2)
        tab.wait_for_timeout(150)
    # navigation.tracking: the address follows the section being read, with no click on an anchor
    tab.wait_for_function("location.hash.length > 1")
    section = tab.evaluate("location.hash")
    tab.locator(".md-header__option .md-select").hover()
    tab.locator("a.md-select__link[hreflang=fi]").click()
    tab.wait_for_url(f"{served}/fi/{stage.page}{section}")
    tab.wait_for_function(f"Math.abs(document.getElementById({section[1:]!r}).getBoundingClientRect().top) < 200")
    assert tab.evaluate("window.scrollY") > 500


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_print_page_has_no_dead_in_page_links(browser: Any, tab: Any, served: str, lang: str) -> None:
    tab.goto(f"{served}/{lang}/print/")
    tab.wait_for_load_state("networkidle")
    links = tab.evaluate("[...document.querySelectorAll('#print-site-page a[href^=\"#\"]')].map(a => decodeURIComponent(a.getAttribute('href').slice(1)))")
    assert len(links) > 100  # the print page links within itself a lot
    assert [i for i in links if i and not tab.evaluate("id => !!document.getElementById(id)", i)] == []


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_wide_tables_become_labelled_cards_on_a_390_px_phone(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    for url, rows in (("", len({s for stage in playbook.stages for s in stage.data["profile"]})), ("endings/", len(playbook.endings))):
        tab.goto(f"{served}/{lang}/{url}")
        cards = tab.locator(".pb-cards tbody tr")
        assert cards.count() == rows, url
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, url
        widest = tab.locator("article table").evaluate_all("tables => Math.max(0, ...tables.map(t => t.getBoundingClientRect().right))")
        assert widest <= 390, url
        # every value names its column: a card needs no header row to be read
        labels = tab.locator(".pb-cards tbody tr").first.locator("td:not(:first-child)").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert labels and all(labels), url


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_404_page_loads_its_styles_and_scripts(browser: Any, tab: Any, served: str, lang: str) -> None:
    failed: list[str] = []
    tab.on("response", lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    tab.goto(f"{served}/{lang}/404.html")
    tab.wait_for_load_state("networkidle")
    assert failed == []
    assert tab.locator("link[rel=stylesheet]").count() >= 2
    assert tab.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")  # Material's styles apply


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_printed_module_keeps_the_tasks_with_a_large_write_in_box(browser: Any, tab: Any, served: str, lang: str) -> None:
    tab.goto(f"{served}/{lang}/handout/?module=basic")
    tab.emulate_media(media="print")
    block = tab.locator(".pb-module.pb-chosen .pb-write-in")
    assert block.count() == 1
    assert block.evaluate("b => getComputedStyle(b).breakInside") == "avoid"
    assert block.locator("ol li").count() >= 2  # the tasks are inside the block, right above the box
    box = block.locator(".pb-answer-space").bounding_box()
    assert box and box["height"] >= 250
    tab.emulate_media(media="screen")


@pytest.mark.parametrize(("lang", "word"), [("en", "Page"), ("fi", "Sivu")])
def test_printed_pages_are_numbered_in_the_pages_language(browser: Any, tab: Any, served: str, lang: str, word: str) -> None:
    tab.goto(f"{served}/{lang}/print/")
    rules = tab.evaluate("""() => [...document.styleSheets].flatMap(s => { try { return [...s.cssRules] } catch (e) { return [] } })
        .filter(r => r.cssText.startsWith('@page')).map(r => r.cssText)""")
    footers = [r for r in rules if "bottom-right" in r]
    assert footers and f'"{word} "' in footers[-1]  # the last rule is the one that applies
