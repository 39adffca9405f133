"""The handbook: both languages built with `mkdocs build --strict` into a temporary folder, checked on the HTML."""
from __future__ import annotations

import atexit
import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from checker.handbook.macros import md, page_url
from checker.handbook.structure import citations
from checker.playbook.model import Playbook
from checker.playbook.validate import validate
from checker.report_plugin import PAGES as REPORT_PAGES

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fi")
OTHER = {"en": "fi", "fi": "en"}


def build(site: Path, langs: tuple[str, ...] = LANGS, playbooks: Path | None = None, offline: bool = False) -> dict[str, subprocess.CompletedProcess]:
    """Build each language into site/<lang>/, in parallel, the way `make handbook` does (`make handbook-offline` when `offline`)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HANDBOOK_OFFLINE": "true" if offline else "false"}
    env.pop("PLAYBOOKS_DIR", None)
    if playbooks:
        env["PLAYBOOKS_DIR"] = str(playbooks)
    procs = {lang: subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "docs" / f"{lang}.yml"),
                                     "-d", str(site / lang)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for lang in langs}
    results = {}
    for lang, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        results[lang] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return results


@functools.cache
def built_site() -> Path:
    """The handbook built once per test session (test_browser.py serves the same build)."""
    tmp = Path(tempfile.mkdtemp(prefix="handbook-"))
    atexit.register(shutil.rmtree, tmp, True)
    for lang, result in build(tmp / "site").items():
        assert result.returncode == 0, f"mkdocs build --strict ({lang}) failed:\n{result.stderr}"
    return tmp / "site"


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()


class Html(HTMLParser):
    """The parts of a page the tests look at: ids, links and sources, h1 text, switcher links."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str, bool]] = []  # (tag, attribute, value, inside the article)
        self.h1, self.styles, self.switcher = "", [], {}
        self._article = self._in_h1 = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        self._article += tag == "article"
        self._in_h1 += tag == "h1"
        if "id" in attr:
            self.ids.add(attr["id"])
        for name in ("href", "src", "srcset", "poster", "data"):
            if name in attr:
                self.refs.append((tag, name, attr[name], self._article > 0))
        if "style" in attr:
            self.styles.append(attr["style"])
        if tag == "a" and "hreflang" in attr and "md-select__link" in attr.get("class", ""):
            self.switcher[attr["hreflang"]] = attr["href"]

    def handle_endtag(self, tag: str) -> None:
        self._article -= tag == "article"
        self._in_h1 -= tag == "h1" and self._in_h1 > 0

    def handle_data(self, data: str) -> None:
        if self._in_h1 and data != "¶":
            self.h1 += data
        if self.lasttag == "style":
            self.styles.append(data)


def page(site: Path, lang: str, url: str) -> Html:
    return Html((site / lang / url / "index.html").read_text(encoding="utf-8"))


def pages(site: Path, lang: str) -> list[Path]:
    return sorted((site / lang).rglob("*.html"))


def url_of(site: Path, file: Path) -> str:
    """/en/stages/x/ for site/en/stages/x/index.html."""
    rel = file.relative_to(site).as_posix()
    return "/" + rel.removesuffix("index.html")


@pytest.mark.parametrize("lang", LANGS)
def test_every_stage_and_ending_has_its_page_titled_from_the_data(site: Path, playbook: Playbook, lang: str) -> None:
    for phase in [*playbook.stages, *playbook.endings]:
        assert page(site, lang, phase.page).h1.strip() == phase.name[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_has_its_page_at_its_own_topics_path(site: Path, playbook: Playbook, lang: str) -> None:
    for cat_id, catalogue in playbook.catalogues.items():
        html = page(site, lang, f"topics/{cat_id}/")
        assert html.h1.strip() == catalogue["title"][lang]
        assert {item["id"] for item in catalogue["items"]} <= html.ids


@pytest.mark.parametrize("lang", LANGS)
def test_every_expectation_id_is_an_anchor_on_its_page_and_in_the_rule_catalogue(site: Path, playbook: Playbook, lang: str) -> None:
    rules_page = page(site, lang, "rules/")
    for rule in playbook.rules:
        assert rule.id in page(site, lang, rule.page).ids, f"{rule.id} is not anchored on {lang}/{rule.page}"
        assert rule.id in rules_page.ids
    assert {f"signal-{s}" for s in playbook.signals} <= rules_page.ids


@pytest.mark.parametrize("lang", LANGS)
def test_language_switcher_points_at_the_same_page_in_the_other_language(site: Path, lang: str) -> None:
    checked = 0
    for file in pages(site, lang):
        if file.name == "404.html":
            continue  # served for any path, so it links to the language roots
        here = url_of(site, file)
        switcher = Html(file.read_text(encoding="utf-8")).switcher
        target = urlparse(urljoin("http://localhost" + here, switcher[OTHER[lang]])).path
        assert target == here.replace(f"/{lang}/", f"/{OTHER[lang]}/", 1), f"switcher on {here} points at {target}"
        assert (site / target.strip("/") / "index.html").is_file()
        checked += 1
    # and the print page, and the sample export's report pages (mkdocs.yml: playbook-report)
    assert checked == len(list((ROOT / "docs" / lang).rglob("*.md"))) + 1 + len(REPORT_PAGES)


def test_every_docs_page_exists_in_both_languages() -> None:
    en, fi = ({p.relative_to(ROOT / "docs" / lang) for p in (ROOT / "docs" / lang).rglob("*.md")} for lang in LANGS)
    assert en == fi


def _external(value: str) -> bool:
    parsed = urlparse(value.strip().strip("'\""))
    return bool(parsed.netloc) or parsed.scheme in ("http", "https", "ftp")


@pytest.mark.parametrize("lang", LANGS)
def test_no_src_href_or_css_url_points_at_another_host(site: Path, lang: str) -> None:
    offenders = []
    for file in pages(site, lang):
        html = Html(file.read_text(encoding="utf-8"))
        for tag, attribute, value, in_article in html.refs:
            prose_link = tag == "a" and in_article
            urls = [part.split()[0] for part in value.split(",") if part.strip()] if attribute == "srcset" else [value]
            offenders += [f"{file}: <{tag} {attribute}={u}>" for u in urls if not prose_link and _external(u)]
        offenders += [f"{file}: url({u})" for style in html.styles for u in re.findall(r"url\(([^)]*)\)", style) if _external(u)]
    for css in (site / lang).rglob("*.css"):
        offenders += [f"{css}: url({u})" for u in re.findall(r"url\(([^)]*)\)", css.read_text(encoding="utf-8")) if _external(u)]
        offenders += [f"{css}: @import {u}" for u in re.findall(r"@import\s+['\"]([^'\"]+)", css.read_text(encoding="utf-8")) if _external(u)]
    assert offenders == []


def test_search_indexes_hold_each_language_with_its_stemmer(site: Path, playbook: Playbook) -> None:
    for lang in LANGS:
        index = json.loads((site / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert index["config"]["lang"] == [lang]
        titles = {doc["location"]: doc["title"] for doc in index["docs"]}
        for phase in [*playbook.stages, *playbook.endings]:
            assert titles[phase.page] == phase.name[lang]
    assert (site / "fi" / "assets" / "javascripts" / "lunr" / "min" / "lunr.fi.min.js").is_file()
    fi_text = " ".join(doc["text"] for doc in json.loads((site / "fi" / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"])
    assert "hiipu" in fi_text and "kilpailut" in fi_text


@pytest.mark.parametrize("lang", LANGS)
def test_pages_carry_their_language_and_site_name(site: Path, playbook: Playbook, lang: str) -> None:
    text = (site / lang / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}"' in text
    assert f"<title>{playbook.manifest['title'][lang]}</title>" in text


@pytest.mark.parametrize("lang", LANGS)
def test_navigation_follows_the_order_of_the_data(site: Path, playbook: Playbook, lang: str) -> None:
    text = (site / lang / "index.html").read_text(encoding="utf-8")
    nav = text[text.index('class="md-nav md-nav--primary"'):]
    positions = [nav.index(f'href="{phase.page}"') for phase in [*playbook.stages, *playbook.endings]]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", LANGS)
def test_diagrams_are_inline_svg_linking_to_their_pages(site: Path, playbook: Playbook, lang: str) -> None:
    lifecycle = (site / lang / "stages" / "index.html").read_text(encoding="utf-8")
    svg = lifecycle[lifecycle.index('<svg class="pb-diagram pb-wide"'):]
    svg = svg[:svg.index("</svg>")]
    positions = [svg.index(f'href="{stage.id}/"') for stage in playbook.stages]
    assert positions == sorted(positions)
    endings = (site / lang / "endings" / "index.html").read_text(encoding="utf-8")
    assert all(f'<a href="{e.id}/">' in endings for e in playbook.endings)
    portfolio = (site / lang / "topics" / "portfolio" / "index.html").read_text(encoding="utf-8")
    assert all(f'<a href="./#{item["id"]}">' in portfolio for item in playbook.catalogues["portfolio"]["items"])
    assert "<img" not in lifecycle + endings + portfolio


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_answers_and_model_answers_are_in_collapsed_blocks(site: Path, playbook: Playbook, lang: str) -> None:
    for phase in [*playbook.stages, *playbook.endings]:
        text = (site / lang / phase.page / "index.html").read_text(encoding="utf-8")
        quiz = phase.data["training"]["quiz"]
        blocks = re.findall(r'<details class="success">(.*?)</details>', text, re.S)
        assert len(blocks) == len(quiz)
        for block, question in zip(blocks, quiz, strict=True):
            assert md(question["options"][question["answer"]][lang]).replace("\\", "")[:40] in block.replace("&#39;", "'")
        assert text.count('<details class="note">') == 1


@pytest.mark.parametrize("lang", LANGS)
def test_print_page_holds_the_whole_handbook(site: Path, playbook: Playbook, lang: str) -> None:
    html = page(site, lang, "print/")
    text = (site / lang / "print" / "index.html").read_text(encoding="utf-8")
    for phase in [*playbook.stages, *playbook.endings]:
        assert phase.name[lang] in text
    assert all(any(i.endswith(rule.id) for i in html.ids) for rule in playbook.rules)


@pytest.mark.parametrize("lang", LANGS)
def test_sources_page_links_back_to_every_citation(site: Path, playbook: Playbook, lang: str) -> None:
    html = page(site, lang, "sources/")
    hrefs = {value for tag, attribute, value, _ in html.refs if tag == "a"}
    assert set(playbook.sources) <= html.ids
    for _, src, anchor, _ in citations(playbook, lang):
        assert "../" + page_url(src) + (f"#{anchor}" if anchor else "") in hrefs


def test_site_root_sends_visitors_to_a_language_and_is_titled_in_both(site: Path, playbook: Playbook) -> None:
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "navigator.languages" in text and 'url=en/index.html"' in text and 'href="fi/index.html"' in text
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert all(playbook.manifest["title"][lang] in title for lang in LANGS)


def test_bad_playbook_data_fails_the_build_with_the_validate_message(tmp_path: Path, playbook_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage = playbook_copy / "stages" / "cooperation.yaml"
    stage.write_text(stage.read_text(encoding="utf-8").replace("signal: share_of_wallet", "signal: share_of_walet", 1), encoding="utf-8")
    monkeypatch.chdir(ROOT)
    _, problems = validate([playbook_copy])
    assert problems
    result = build(tmp_path / "site", ("en",), playbook_copy)["en"]
    assert result.returncode != 0
    for problem in problems:
        assert str(problem) in result.stderr
    assert "did you mean 'share_of_wallet'?" in result.stderr
    assert not (tmp_path / "site" / "en" / "index.html").exists()


def test_every_handbook_message_is_used_and_prefixed() -> None:
    messages = yaml.safe_load((ROOT / "playbooks" / "messages" / "handbook.yaml").read_text(encoding="utf-8"))["messages"]
    assert all(key.startswith("handbook.") for key in messages)
    code = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "checker" / "handbook").glob("*.py"))
    code += "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    literal = set(re.findall(r"""["']([a-z_]+(?:\.[a-z_]+)+)["']""", code))
    prefixes = set(re.findall(r"""f?["']([a-z_]+\.[a-z_]*)(?:["']\s*\+|\{)""", code))  # "trait." + name, f"stage.{key}"
    unused = [k for k in messages if k.removeprefix("handbook.") not in literal and not k.removeprefix("handbook.").startswith(tuple(prefixes))]
    assert unused == []


@pytest.mark.parametrize(("text", "expected"), [
    ("a_b *c* [d] <e> & {f} | #g", r"a\_b \*c\* \[d\] &lt;e&gt; &amp; \{f\} \| \#g"),
    ("folded\n  over   lines", "folded over lines"),
])
def test_playbook_text_is_escaped_for_markdown(text: str, expected: str) -> None:
    assert md(text) == expected


@pytest.mark.parametrize(("src", "url"), [("index.md", ""), ("stages/index.md", "stages/"), ("stages/basic.md", "stages/basic/"), ("rules.md", "rules/")])
def test_page_urls_follow_the_documented_scheme(src: str, url: str) -> None:
    assert page_url(src) == url


@pytest.mark.parametrize("lang", LANGS)
def test_checker_page_holds_the_anchors_findings_link_to_and_the_sample(site: Path, lang: str) -> None:
    from checker.inputs.mappings import presets

    html = page(site, lang, "checker/")
    assert {"data-findings", "best-fit", "finding-kinds"} <= html.ids
    sample = next(value for _, attr, value, _ in html.refs if value.endswith("samples/accounts.csv"))
    assert (site / lang / "checker" / sample).resolve().is_file()
    text = (site / lang / "checker" / "index.html").read_text(encoding="utf-8")
    assert all(f"<code>{preset}</code>" in text for preset in presets())
    # the sample reports it links to are files `make handbook` writes next to the site (no folder listing)
    reports = [value for _, attr, value, _ in html.refs if "/reports/" in value]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    handbook_target = makefile[makefile.index("\nhandbook:"):].split("\n\n")[0]
    assert len(reports) == 3 and "$(call sample_reports,site,..)" in handbook_target
    assert all(f"$(1)/reports/{Path(r).name}" in makefile for r in reports)


@pytest.mark.parametrize("lang", LANGS)
def test_code_in_tables_shows_no_escaping_backslashes(site: Path, lang: str) -> None:
    for url in ("checker/", "print/"):
        text = (site / lang / url / "index.html").read_text(encoding="utf-8")
        assert "<code>--format table|json|csv|markdown|html|parquet</code>" in text, url
        assert [code for code in re.findall(r"<code>(.*?)</code>", text) if "\\|" in code] == [], url


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_take_their_units_form_and_zero_thresholds_read_as_words(site: Path, lang: str) -> None:
    units = {k: v for k, v in yaml.safe_load((ROOT / "playbooks" / "messages" / "units.yaml").read_text(encoding="utf-8"))["messages"].items()
             if k.startswith("unit.")}
    plurals = "|".join(forms[lang]["other"] for forms in units.values())
    bad = re.compile(rf"(?<![\d,.])1 (?:{plurals})\b|[≥>] 1 |≤ 0 |[<≤] 1 (?!×)")
    for file in pages(site, lang):
        text = re.sub(r"<[^>]+>", "", file.read_text(encoding="utf-8"))
        assert bad.findall(text) == [], url_of(site, file)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_shows_the_playbook_version_date_owner_and_feedback(site: Path, playbook: Playbook, lang: str) -> None:
    manifest = playbook.manifest
    for file in pages(site, lang):
        text = file.read_text(encoding="utf-8")
        if "md-copyright" not in text:
            continue  # the sitemap and other non-pages
        foot = text[text.index('<div class="md-copyright__highlight">'):][:600]
        assert manifest["version"] in foot and manifest["date"] in foot, url_of(site, file)
        assert manifest["owner"][lang] in foot and manifest["feedback"][lang][:30] in foot, url_of(site, file)


@pytest.mark.parametrize("lang", LANGS)
def test_the_verdict_and_the_silence_rule_are_documented_with_anchors(site: Path, playbook: Playbook, lang: str) -> None:
    verdict = playbook.manifest["verdict"]
    rules_page = page(site, lang, "rules/")
    assert verdict["id"] in rules_page.ids
    text = (site / lang / "rules" / "index.html").read_text(encoding="utf-8")
    assert verdict["title"][lang] in text
    assert 'href="../checker/#best-fit"' in text, "the verdict links to how the best fit is found"
    assert "warning-signs-silence" in page(site, lang, "topics/warning-signs/").ids


@pytest.mark.parametrize("lang", LANGS)
def test_every_numeric_rationale_carries_the_calibration_note_in_the_handbook(site: Path, playbook: Playbook, lang: str) -> None:
    note = playbook.text("check.calibration", lang).split("'")[0]  # up to any apostrophe, which typography may change
    text = (site / lang / "rules" / "index.html").read_text(encoding="utf-8")
    assert text.count(note) == sum(rule.calibrated for rule in playbook.rules)


@pytest.mark.parametrize("lang", LANGS)
def test_course_outline_lists_and_times_the_opening_and_closing_modules(site: Path, playbook: Playbook, lang: str) -> None:
    text = (site / lang / "training" / "index.html").read_text(encoding="utf-8")
    outline = text[text.index('class="pb-outline"'):]
    rows = re.findall(r"<tr>(.*?)</tr>", outline[:outline.index("</table>")], re.S)[1:]  # after the header row
    opening, closing = playbook.course["opening"], playbook.course["closing"]
    assert len(rows) == len(playbook.stages) + len(playbook.endings) + 2
    for row, module, which in ((rows[0], opening, "opening"), (rows[-1], closing, "closing")):
        assert f'href="../course/{which}/"' in row and html.escape(module["title"][lang], quote=False) in row
        assert f"{module['minutes']} min" in row
    minutes = [int(m) for row in rows for m in re.findall(r"<td>(\d+) min</td>", row)]
    assert len(minutes) == len(rows)
    total = sum(minutes)
    assert playbook.text("handbook.training.total", lang, hours=total // 60, minutes=total % 60) in outline


def test_a_label_too_long_for_its_line_breaks_at_the_compound_the_data_marks_with_a_hyphen(playbook: Playbook) -> None:
    from checker.handbook.diagrams import _wrap, compounds

    marked = compounds("Pitkä päättymisprosessi", playbook, "fi")
    assert marked == "Pitkä päättymis|prosessi"
    assert _wrap(marked, 15) == ["Pitkä", "päättymis-", "prosessi"]
    assert _wrap(marked, 24) == ["Pitkä päättymisprosessi"]  # fits whole: no hyphen
    assert _wrap("Keskinäisen riippuvuuden vaihe", 15) == ["Keskinäisen", "riippuvuuden", "vaihe"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_finnish_endings_figure_hyphenates_paattymisprosessi_on_a_phone(site: Path, playbook: Playbook, lang: str) -> None:
    figure = (site / lang / "endings" / "index.html").read_text(encoding="utf-8")
    narrow = figure[figure.index('class="pb-diagram pb-narrow"'):]
    name = playbook.phases["drawn-out"].name[lang]
    if lang == "fi":
        assert re.search(r">päättymis-</tspan><tspan[^>]*>prosessi<", narrow)
    shown = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", narrow)).replace("- ", "")
    assert name.replace(" ", "") in shown.replace(" ", "")
