"""The account review page in Chromium: one meaning with the checker, Save and Load, print, phone, file://.

The differential tests run the page's evaluator (assets/review.js, on the model the build puts in
the page) and the checker's (checker/evaluate.py) side by side on the same values: seeded random
answer sets, every signal at random, and every stage's and ending's training case. Best fit,
verdict (severity, direction, words), and the unmet expectations with their messages must be
identical. Skipped like test_browser.py when Chromium or Playwright is missing (REQUIRE_BROWSER=1 fails).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from generated_accounts import AS_OF, answer_sets, move_lines, training_cases
from test_browser import chromium_context, serve
from test_macros import build, built_site

from checker.evaluate import Evaluator
from checker.handbook.review import FIELDS, asked
from checker.inputs.accounts import table_from_values
from checker.inputs.values import canonical_text
from checker.playbook import near
from checker.playbook.model import Playbook, load_playbook
from checker.playbook.schemas import validator
from checker.reports.csv import neutralise

LANGS = ("en", "fi")


# --- the browser and the served site ------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve(built_site()) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium with a fresh profile that accepts the page's downloads (Save); `context.requests` records every URL asked for."""
    with chromium_context(tmp_path_factory, accept_downloads=True) as context:
        yield context


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    page.close()


# --- one meaning: the page's evaluator against the checker's ----------------------------------



def checker_says(playbook: Playbook, accounts: list[dict], present: frozenset[str], lang: str) -> list[dict]:
    """What `playbook check` finds for each account: best fit, verdict, unmet rules with their messages."""
    table = table_from_values(playbook, accounts, present)
    result = Evaluator(playbook, AS_OF, lang, "http://h").evaluate(table)
    spec = playbook.manifest["verdict"]["id"]
    out = []
    for best, findings in zip(result.best_fit, result.findings, strict=True):
        verdict = next(([f.severity, f.evidence["direction"], f.message, f.action] for f in findings if f.rule == spec), None)
        out.append({"best": best, "verdict": verdict, "unmet": {f.rule: [f.severity, f.message] for f in findings if f.rule != spec}})
    return out


_PAGE_SAYS = """([accounts, asOf]) => accounts.map(({cells, declared}) => {
  const r = window.playbookReview.evaluate(cells, declared, asOf);
  return {best: r.best, verdict: r.verdict && [r.verdict.severity, r.verdict.direction, r.verdict.message, r.verdict.action],
          unmet: Object.fromEntries(r.unmet.map(f => [f.rule, [f.severity, f.message]]))};
})"""


def page_says(tab: Any, playbook: Playbook, accounts: list[dict], present: frozenset[str]) -> list[dict]:
    """The page's evaluator on the same accounts, their values as the assessments file's cells."""
    cells = [{"cells": {s: canonical_text(a.get(s)) for s in present}, "declared": a["declared"] or ""} for a in accounts]
    return tab.evaluate(_PAGE_SAYS, [cells, AS_OF.isoformat()])


def assert_same(playbook: Playbook, tab: Any, accounts: list[dict], present: frozenset[str], lang: str) -> None:
    expected, got = checker_says(playbook, accounts, present, lang), page_says(tab, playbook, accounts, present)
    differ = [(a, e, g) for a, e, g in zip(accounts, expected, got, strict=True) if e != g]
    assert not differ, f"{len(differ)} of {len(accounts)} differ; the first: {differ[0]}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_and_the_checker_agree_on_a_thousand_random_answer_sets(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    tab.goto(f"{served}/{lang}/review/")
    accounts = answer_sets(playbook, 1200, seed=19, signals=asked(playbook))
    assert_same(playbook, tab, accounts, frozenset(asked(playbook)), lang)
    # The sets reach every outcome the page has to show.
    said = checker_says(playbook, accounts, frozenset(asked(playbook)), lang)
    assert {s["best"] for s in said} >= {None, "basic", "cooperation", "interdependence", "integrated"}
    assert {(s["verdict"][0], s["verdict"][1]) for s in said if s["verdict"]} >= {("error", "behind"), ("warning", "behind"), ("info", "behind"), ("warning", "ahead")}
    assert sum(bool(s["unmet"]) for s in said) > 300
    assert _near(playbook, said, lang) > 20  # and the near-the-line band: one severity lower, its words
    assert tab.errors == []


def _near(playbook: Playbook, said: list[dict], lang: str) -> int:
    """How many unmet expectations the checker said are near the line (each one severity below its rule's)."""
    words = near.note(playbook, lang)
    found = [(rule, severity) for s in said for rule, (severity, message) in s["unmet"].items() if message.endswith(words)]
    assert all(severity == near.lower(playbook.rules_by_id[rule].severity) for rule, severity in found)
    return len(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_and_the_checker_agree_at_the_edges_of_the_near_the_line_band(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    """Right at the margin, just inside and just outside, both sides of a share, a count and a date line."""
    tab.goto(f"{served}/{lang}/review/")
    # basic-real-supplier (> 15 %, a warning): 13.5 % is at the edge (near), 13.51 % inside, 13.4 % outside, 15 % itself near,
    # 0 % far. basic-shops-around (< 30 %, an info): 33 % at the edge, 33.01 % outside; near, an info stays an info.
    shares = [0.135, 0.1351, 0.134, 0.15, 0.0, 0.33, 0.3301, 0.3]
    accounts = [{"account_id": f"S{i}", "declared": "basic", "share_of_wallet": v} for i, v in enumerate(shares)]
    counts = [9, 8, 10]  # integrated-broad-contacts, "at least ten" people: 9 at the edge, 8 outside
    accounts += [{"account_id": f"C{i}", "declared": "integrated", "customer_contacts_12m": v} for i, v in enumerate(counts)]
    present = frozenset({"share_of_wallet", "customer_contacts_12m"})
    assert_same(playbook, tab, accounts, present, lang)
    said = {a["account_id"]: s["unmet"] for a, s in zip(accounts, checker_says(playbook, accounts, present, lang), strict=True)}
    words, rule = near.note(playbook, lang), playbook.rules_by_id

    def seen(account: str, rule_id: str) -> tuple[str, bool]:
        severity, message = said[account][rule_id]
        return severity, message.endswith(words)

    warning, info = rule["basic-real-supplier"].severity, rule["basic-shops-around"].severity
    assert (warning, info) == ("warning", "info")
    assert [seen(a, "basic-real-supplier") for a in ("S0", "S1", "S2", "S3", "S4")] == [("info", True), ("info", True), (warning, False), ("info", True), (warning, False)]
    assert [seen(a, "basic-shops-around") for a in ("S5", "S6", "S7")] == [("info", True), ("info", False), ("info", True)]
    assert seen("C0", "integrated-broad-contacts") == (near.lower(rule["integrated-broad-contacts"].severity), True)
    assert seen("C1", "integrated-broad-contacts") == (rule["integrated-broad-contacts"].severity, False)
    assert "integrated-broad-contacts" not in said["C2"]
    assert tab.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_and_the_checker_agree_on_every_signal_and_every_training_case(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    tab.goto(f"{served}/{lang}/review/")
    everything = list(playbook.signals)
    accounts = answer_sets(playbook, 600, seed=7, signals=everything, unknown=0.15)
    assert_same(playbook, tab, accounts, frozenset(everything), lang)
    for case in training_cases(playbook):  # each with only the signals its facts state
        assert_same(playbook, tab, [case], frozenset(k for k in case if k in playbook.signals), lang)
    assert _near(playbook, checker_says(playbook, accounts, frozenset(everything), lang), lang) > 20
    assert tab.errors == []


def test_the_page_follows_a_playbook_with_other_lines_and_another_ladder(browser: Any, tab: Any, playbook_copy: Path, tmp_path: Path) -> None:
    """The page's evaluator has no number of its own: change the playbook's lines, the best-fit rule and
    the verdict ladder, build, and the page still agrees with the checker reading the same playbook."""
    move_lines(playbook_copy)
    changed = load_playbook(playbook_copy)
    assert changed.manifest["best_fit"]["min_evaluated"] == 2 and changed.manifest["verdict"]["severity"][3]["margin"] == 0.25
    site = tmp_path / "site"
    result = build(site, ("en",), playbooks=playbook_copy)["en"]
    assert result.returncode == 0, result.stderr
    with serve(site) as base:
        tab.goto(f"{base}/en/review/")
        accounts = answer_sets(changed, 800, seed=3, signals=asked(changed))
        assert_same(changed, tab, accounts, frozenset(asked(changed)), "en")
        # and the changed lines do change outcomes: the bundled playbook would say otherwise for some
        assert checker_says(changed, accounts, frozenset(asked(changed)), "en") != checker_says(load_playbook(), accounts, frozenset(asked(changed)), "en")


# --- the page as a reader uses it --------------------------------------------------------------


def _fill(tab: Any, answers: dict[str, str], fields: dict[str, str]) -> None:
    for name, value in fields.items():
        if name == "declared_stage":
            tab.select_option("#pb-declared_stage", value)
        else:
            tab.fill(f"#pb-{name}", value)
    for signal, value in answers.items():
        kind = tab.locator(f'.pb-q[data-signal="{signal}"]').get_attribute("data-answer")
        if kind in ("count", "date"):
            tab.fill(f'input[name="{signal}"]', value)
        else:
            tab.check(f'input[name="{signal}"][value="{value}"]')


def _answers(playbook: Playbook) -> dict[str, str]:
    """One answer to every question: the middle option of each range or choice, yes, small counts, a recent date."""
    out = {}
    for sid in asked(playbook):
        ask, kind = playbook.signals[sid].data["ask"], playbook.signals[sid].type
        if "options" in ask:
            out[sid] = canonical_text(ask["options"][len(ask["options"]) // 2]["value"])
        elif kind == "boolean":
            out[sid] = "yes"
        elif kind == "date":
            out[sid] = (AS_OF - timedelta(days=100)).isoformat()
        else:
            out[sid] = "2"
    return out


def _save(tab: Any) -> tuple[str, str]:
    with tab.expect_download() as download:
        tab.click("#pb-save")
    path = download.value.path()
    return download.value.suggested_filename, Path(path).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_fill_save_load_back_and_print_one_page(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str, tmp_path: Path) -> None:
    tab.goto(f"{served}/{lang}/review/")
    answers = _answers(playbook)
    fields = {"account_id": "ACME-7", "account_name": "Acme Oy", "reviewer": "Maija M", "reviewed_on": AS_OF.isoformat(), "declared_stage": "cooperation"}
    _fill(tab, answers, fields)
    # Live: the best fit and the verdict are the checker's, in the page's language.
    values = {s: playbook.signals[s].type for s in answers}
    parsed = {s: (v == "yes" if values[s] == "boolean" else date.fromisoformat(v) if values[s] == "date" else v if values[s] == "category" else float(v))
              for s, v in answers.items()}
    expected = checker_says(playbook, [{"account_id": "ACME-7", "declared": "cooperation", **parsed}], frozenset(answers), lang)[0]
    assert expected["verdict"] and expected["unmet"]
    result = tab.locator("#pb-review-result")
    assert playbook.phases[expected["best"]].name[lang] in result.locator(".pb-best").inner_text()
    assert result.locator(".pb-verdict .pb-finding").get_attribute("data-severity") == expected["verdict"][0]
    assert expected["verdict"][2] in result.inner_text()
    assert sorted(result.locator(".pb-unmet li").evaluate_all("items => items.map(i => i.dataset.rule)")) == sorted(expected["unmet"])
    # Each unmet expectation links to its advice in the handbook.
    link = result.locator(".pb-unmet li a").first.get_attribute("href")
    rule = playbook.rules_by_id[result.locator(".pb-unmet li").first.get_attribute("data-rule")]
    assert link.endswith(f"{rule.owner}/#{rule.id}")

    name, text = _save(tab)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [*FIELDS, *asked(playbook)]
    assert rows == [{k: neutralise(v) for k, v in {**fields, **answers}.items()}]  # as the checker's CSV writer does ('-+ for -+)
    assert name.endswith(".csv")
    assert list(validator("assessments.schema.json").iter_errors(rows[0])) == []

    # Load it back into a fresh page: the same review, the same result.
    saved = tmp_path / name
    saved.write_text(text, encoding="utf-8")
    tab.goto(f"{served}/{lang}/review/")
    tab.set_input_files("#pb-load", str(saved))
    tab.locator("#pb-file").wait_for()
    for field, value in fields.items():
        assert tab.input_value(f"#pb-{field}") == value
    for signal, value in answers.items():
        if playbook.signals[signal].data["ask"]["answer"] in ("count", "date"):
            assert tab.input_value(f'input[name="{signal}"]') == value
        else:
            assert tab.is_checked(f'input[name="{signal}"][value="{value}"]')
    assert expected["verdict"][2] in result.inner_text()

    # Print: a one-page record with the account, every answer and the result; no form, no buttons.
    tab.emulate_media(media="print")
    assert not tab.locator("#pb-review-form").is_visible() and not tab.locator("#pb-save").is_visible()
    printed = tab.locator("#pb-record").inner_text()
    assert "Acme Oy" in printed and "Maija M" in printed and playbook.phases["cooperation"].name[lang] in printed
    for sid in asked(playbook):
        assert playbook.signals[sid].data["ask"]["question"][lang] in printed
    assert expected["verdict"][2] in tab.locator("#pb-review-result").inner_text()
    pdf = tab.pdf(format="A4")
    tab.emulate_media(media="screen")
    assert _pages(pdf) == 1
    assert tab.errors == []


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.com","x")'


def test_a_hostile_file_is_shown_as_text_and_saved_neutralised(browser: Any, tab: Any, served: str, playbook: Playbook, tmp_path: Path) -> None:
    """Several accounts and reviews, extra catalogue columns, a formula and markup in the cells: the newest review
    of the first account is loaded, markup stays text, a value between the ranges is kept, formulas go back neutralised."""
    header = [*FIELDS, *asked(playbook), "purchases_12m"]
    def row(**cells: str) -> list[str]:
        return [cells.get(c, "") for c in header]
    rows = [header,
            row(account_id="A1", account_name=HOSTILE, reviewed_on="2026-01-10", reviewer="Old", declared_stage="basic", share_of_wallet="0.1"),
            row(account_id="A1", account_name=HOSTILE, reviewed_on="2026-05-02", reviewer="'" + FORMULA, declared_stage="cooperation",
                share_of_wallet="0.5", portfolio_class="'+-", purchases_12m="4"),
            row(account_id="B2", account_name="Beta", reviewed_on="2026-04-01", reviewer="Pekka", declared_stage="")]
    path = tmp_path / "reviews.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    tab.goto(f"{served}/en/review/")
    tab.set_input_files("#pb-load", str(path))
    tab.locator("#pb-file").wait_for()
    assert "3 reviews of 2 accounts" in tab.inner_text("#pb-status")
    assert tab.input_value("#pb-account_name") == HOSTILE and tab.input_value("#pb-reviewer") == FORMULA
    assert tab.input_value("#pb-reviewed_on") == "2026-05-02"  # the newest review of the account
    assert tab.locator("#pb-file-account option").all_inner_texts() == [f"{HOSTILE} (A1)", "Beta (B2)"]
    assert tab.locator("img[src=x]").count() == 0
    assert tab.is_checked('input[name="portfolio_class"][value="+-"]')
    kept = tab.locator('input[name="share_of_wallet"]:checked')
    assert kept.get_attribute("value") == "0.5" and "50 %" in kept.locator("xpath=..").inner_text()
    assert playbook.signals["purchases_12m"].name["en"] in tab.inner_text("#pb-from-file")
    _, text = _save(tab)
    back = list(csv.reader(io.StringIO(text)))
    assert back[0] == [*FIELDS, *[s for s in playbook.signals if s in asked(playbook) or s == "purchases_12m"]]
    assert len(back) == 4  # the loaded reviews, the edited one in its place
    edited = dict(zip(back[0], back[2], strict=True))
    assert edited["reviewer"] == "'" + FORMULA and edited["account_name"] == HOSTILE
    assert edited["share_of_wallet"] == "0.5" and edited["portfolio_class"] == "'+-" and edited["purchases_12m"] == "4"
    tab.select_option("#pb-file-account", "B2")
    assert tab.input_value("#pb-account_name") == "Beta"
    # The same file as a spreadsheet in a Finnish locale saves it: `;` between cells.
    semicolons = io.StringIO()
    csv.writer(semicolons, delimiter=";").writerows(rows)
    assert tab.evaluate("text => window.playbookReview.parseCsv(text).map(r => r.cells)", semicolons.getvalue()) == rows
    assert tab.errors == []


@pytest.mark.parametrize(("lang", "content", "says"), [
    ("en", b"account_id,account_name\n", "the file is empty"),
    ("fi", b"\xff\xfeaccount_id\n", "ei ole UTF-8"),
    ("en", b"account_id,account_name,reviewed_on,reviewer,declared_stage,share_of_walet\nA1,A,2026-01-01,R,,0.5\n", "column share_of_walet is neither"),
    ("fi", b"account_id,account_name,reviewed_on,reviewer\nA1,A,2026-01-01,R\n", "sarakkeet declared_stage puuttuvat"),
    ("en", b"account_id,account_name,reviewed_on,reviewer,declared_stage,share_of_wallet\nA1,A,2026-01-01,R,,1.4\n", 'line 2, column share_of_wallet: "1.4" is not a share'),
    ("fi", b"account_id,account_name,reviewed_on,reviewer,declared_stage\nA1,A,2026-01-01,R,kooperation\n", 'rivi 2: "kooperation" ei ole'),
    ("en", b'account_id,account_name,reviewed_on,reviewer,declared_stage\nA1,"A,2026-01-01,R,\n', "line 2: a quoted cell is not closed"),
])
def test_an_unreadable_file_is_refused_in_the_pages_language(browser: Any, tab: Any, served: str, tmp_path: Path, lang: str, content: bytes, says: str) -> None:
    tab.goto(f"{served}/{lang}/review/")
    tab.fill("#pb-account_id", "KEEP")
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    tab.set_input_files("#pb-load", str(path))
    tab.wait_for_function("document.getElementById('pb-status').textContent.length > 0")
    message = tab.inner_text("#pb-status")
    assert "bad.csv" in message and says in message, message
    assert tab.input_value("#pb-account_id") == "KEEP"  # nothing half-loaded
    assert tab.errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_fits_a_phone_and_sits_beside_its_result_on_a_desktop(browser: Any, tab: Any, served: str, playbook: Playbook, lang: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"{served}/{lang}/review/")
    _fill(tab, _answers(playbook), {"declared_stage": "basic"})
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    for control in tab.locator("#pb-review-form input:not([type=radio]), #pb-review-form select, .pb-option").all():
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    tab.set_viewport_size({"width": 1280, "height": 900})
    form, result = tab.locator("#pb-review-form").bounding_box(), tab.locator("#pb-review-result").bounding_box()
    assert result["x"] >= form["x"] + form["width"]  # beside, so the result stays in view while answering
    assert tab.errors == []


def test_the_review_works_from_a_copied_offline_folder(browser: Any, tab: Any, playbook: Playbook, tmp_path_factory: pytest.TempPathFactory) -> None:
    site = tmp_path_factory.mktemp("offline-review") / "site"
    for lang, result in build(site, offline=True).items():
        assert result.returncode == 0, f"offline build ({lang}) failed:\n{result.stderr}"
    for lang in LANGS:
        tab.goto((site / lang / "review.html").as_uri())
        _fill(tab, _answers(playbook), {"account_id": "X1", "reviewer": "R", "reviewed_on": AS_OF.isoformat(), "declared_stage": "cooperation"})
        assert tab.locator("#pb-review-result .pb-best a").count() == 1
        href = tab.locator("#pb-review-result .pb-unmet a, #pb-review-result .pb-best a").first.get_attribute("href")
        assert href.split("#")[0].endswith(".html")  # the offline copy's page files
        _, text = _save(tab)
        assert text.startswith(",".join(FIELDS))
    assert tab.errors == []


def test_the_review_page_asks_nothing_of_any_other_host(browser: Any, tab: Any, served: str, playbook: Playbook, tmp_path: Path) -> None:
    before = len(browser.requests)
    tab.goto(f"{served}/fi/review/")
    _fill(tab, _answers(playbook), {"account_id": "X1", "reviewer": "R", "reviewed_on": AS_OF.isoformat(), "declared_stage": "integrated"})
    _, text = _save(tab)
    (tmp_path / "back.csv").write_text(text, encoding="utf-8")
    tab.set_input_files("#pb-load", str(tmp_path / "back.csv"))
    tab.locator("#pb-file").wait_for()
    tab.wait_for_load_state("networkidle")
    asked_for = browser.requests[before:]
    assert any(url.endswith("/review.js") for url in asked_for)
    elsewhere = [url for url in asked_for if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname != "127.0.0.1"]
    assert elsewhere == []
    assert tab.errors == []


def test_the_model_in_the_page_is_the_playbook(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    """The words and numbers the script reads are the YAML's: every asked question and option, every threshold."""
    tab.goto(f"{served}/fi/review/")
    model = tab.evaluate("window.playbookReview.model")
    assert model["best_fit"] == playbook.manifest["best_fit"] and model["verdict"]["ladder"] == playbook.manifest["verdict"]["severity"]
    assert [r["id"] for r in model["rules"]] == [r.id for r in playbook.rules]
    for sid in asked(playbook):
        ask = playbook.signals[sid].data["ask"]
        question = tab.locator(f'.pb-q[data-signal="{sid}"]')
        assert question.locator(".pb-q-text").inner_text() == ask["question"]["fi"]
        labels = question.locator(".pb-option span").all_inner_texts()
        assert [o["label"]["fi"] for o in ask.get("options", [])] == labels[: len(ask.get("options", []))]


def test_not_enough_evidence_names_what_is_missing_and_next_account_starts_afresh(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    tab.goto(f"{served}/en/review/")
    assert tab.inner_text(".pb-best .pb-no-fit") == playbook.text("handbook.review.no_fit", "en")
    missing = tab.locator(".pb-missing").all_inner_texts()
    stage_signals = {s for r in playbook.rules if r.kind == "stage-mismatch" for s in (r.signal, r.relative_to) if s}
    assert all(playbook.signals[s].name["en"] in missing[0] for s in asked(playbook) if s in stage_signals)
    assert all(playbook.signals[s].name["en"] in missing[1] for s in stage_signals - set(asked(playbook)))
    _fill(tab, _answers(playbook), {"account_id": "A1", "reviewer": "Maija", "declared_stage": "cooperation"})
    assert tab.locator(".pb-best a").count() == 1 and tab.locator(".pb-missing").count() == 0
    tab.click("#pb-new")
    assert tab.input_value("#pb-account_id") == "" and tab.input_value("#pb-reviewer") == "Maija"
    assert all(tab.is_checked(f'input[name="{s}"][value=""]') for s in asked(playbook) if "options" in playbook.signals[s].data["ask"])
    assert tab.locator(".pb-no-fit").count() == 1
    with tab.expect_file_chooser():  # Load by keyboard too
        tab.focus("#pb-load-label")
        tab.keyboard.press("Enter")
    assert tab.errors == []



def test_without_its_script_the_form_prints_as_a_questionnaire(browser: Any, tab: Any, served: str, playbook: Playbook) -> None:
    tab.route("**/review*.js", lambda route: route.abort())
    tab.goto(f"{served}/fi/review/")
    tab.emulate_media(media="print")
    assert tab.locator("#pb-review-form").is_visible() and not tab.locator("#pb-review-result").is_visible()
    for sid in asked(playbook):
        assert tab.locator(f"#pb-q-{sid}").is_visible()
    tab.emulate_media(media="screen")
    tab.unroute("**/review*.js")
