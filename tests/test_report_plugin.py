"""The MkDocs plugin `playbook-report`: the handbook built with a fixture export's report inside it, in both languages."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin, urlparse

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.structure.files import Files

from checker.report_plugin import PAGES, ReportPlugin, relative

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "fi")
HOSTILE = "<script>alert(1)</script> Hiiri Oy"
EXPORT = (
    "account_id,account_name,owner,declared_stage,open_books,confidential_exchange,revenue_12m,portfolio_class\n"
    f'F1,"{HOSTILE}",Aino,integrated,no,no,1000,++\n'
    "F2,Kelo Oy,Aino,cooperation,yes,yes,200,--\n"
    "F3,Puu Oy,Eero,basic,,,,\n"
    "F4,,Eero,basic,,,,\n"  # no name: a data finding, linking to the checker page's anchor
)


def _build(lang: str, site: Path, accounts: Path | None, monkeypatch: pytest.MonkeyPatch, **options: object) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PLAYBOOKS_DIR", raising=False)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "docs" / f"{lang}.yml"), site_dir=str(site / lang), strict=True)
    plugin = config.plugins["playbook-report"]
    plugin.config.accounts = str(accounts) if accounts else None
    plugin.config.as_of = "2026-10-31"
    for key, value in options.items():
        plugin.config[key] = value
    build(config)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report-site")
    export = folder / "accounts.csv"
    export.write_text(EXPORT, encoding="utf-8")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for lang in LANGS:
            _build(lang, folder / "site", export, monkeypatch)
    return folder / "site"


def _pages(site: Path, lang: str) -> dict[str, str]:
    return {src: (site / lang / src.removesuffix(".md").removesuffix("index") / "index.html").read_text(encoding="utf-8") for src in PAGES}


@pytest.mark.parametrize(("lang", "title"), [("en", "Account report"), ("fi", "Asiakkuusraportti")])
def test_report_pages_exist_in_both_languages_with_the_charts_and_cards(site: Path, lang: str, title: str) -> None:
    overview, cards = _pages(site, lang).values()
    assert f'<html lang="{lang}"' in overview and title in overview
    assert 'class="pr-matrix"' in overview and "<polyline" in overview
    assert cards.count('<article class="pr-card') == 3  # F3's unknown values raise no finding
    assert HOSTILE not in cards and "&lt;script&gt;alert(1)&lt;/script&gt; Hiiri Oy" in cards
    assert f'href="{"report/"}"' in (site / lang / "index.html").read_text(encoding="utf-8")  # in the navigation


@pytest.mark.parametrize("lang", LANGS)
def test_every_link_of_the_report_reaches_an_existing_anchor_of_the_same_site(site: Path, lang: str) -> None:
    checked = 0
    for src, text in _pages(site, lang).items():
        page = f"/{lang}/{src.removesuffix('.md').removesuffix('index')}/".replace("//", "/")
        for href in re.findall(r'<a [^>]*href="([^"]+)"', text[text.index('class="pr"'):]):
            url = urlparse(urljoin(page, href))
            assert not url.scheme and url.path.startswith(f"/{lang}/"), href  # relative, into the same language
            target = (site / url.path.lstrip("/") / "index.html").read_text(encoding="utf-8")
            if url.fragment:
                assert f'id="{url.fragment}"' in target, href
                checked += 1
    assert checked >= 5


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_written_beside_the_built_site_with_a_relative_handbook_url_reaches_its_pages(site: Path, lang: str) -> None:
    """`make handbook` writes site/reports/ with --handbook-url ..: every handbook link is a page and anchor of the built site."""
    from checker.cli import main

    reports = site / "reports"
    reports.mkdir(exist_ok=True)
    out = reports / f"report-{lang}.html"
    assert main(["check", str(ROOT / "docs" / "samples" / "accounts.csv"), "--as-of", "2026-10-31", "--fail-on", "never", "--lang", lang,
                 "--handbook-url", "..", "--format", "html", "--output", str(out)]) == 0
    links = set(re.findall(r'href="([^"#]*/[^"]*)"', out.read_text(encoding="utf-8")))
    assert links and all(link.startswith(f"../{lang}/") for link in links)
    for link in links:
        path, _, fragment = link.partition("#")
        target = (reports / path / "index.html").read_text(encoding="utf-8")
        assert not fragment or f'id="{fragment}"' in target, link


@pytest.mark.parametrize("lang", LANGS)
def test_report_pages_are_absent_from_the_search_index_and_the_print_page(site: Path, lang: str) -> None:
    index = json.loads((site / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"] and not [d for d in index["docs"] if d["location"].startswith("report/")]
    for text in (json.dumps(index, ensure_ascii=False), (site / lang / "print" / "index.html").read_text(encoding="utf-8")):
        assert "Kelo Oy" not in text and "Hiiri" not in text


def test_an_export_error_fails_the_build_with_the_checkers_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(Abort):
        _build("fi", tmp_path / "site", empty, monkeypatch)
    assert "empty.csv: tiedosto on tyhjä; odotettiin otsikkoriviä" in caplog.text
    with pytest.raises(Abort):
        _build("en", tmp_path / "site", tmp_path / "missing.csv", monkeypatch)
    assert "missing.csv: no such file" in caplog.text
    assert not (tmp_path / "site" / "en" / "report").exists()


def test_the_plugin_is_off_unless_an_export_is_configured() -> None:
    plugin = ReportPlugin()
    errors, _ = plugin.load_config({})
    assert errors == []

    config = SimpleNamespace(config_file_path=str(ROOT / "docs" / "en.yml"), theme={"language": "en"}, nav=[], extra={}, plugins={})
    plugin.on_config(config)
    files = Files([])
    assert plugin.on_files(files, config) is files and len(files) == 0 and config.nav == []


@pytest.mark.parametrize(("url", "page", "expected"), [
    ("playbook-report:/en/stages/basic/#basic-buys", "report/", "../stages/basic/#basic-buys"),
    ("playbook-report:/en/checker/#data-findings", "report/accounts/", "../../checker/#data-findings"),
    ("https://example.org/en/x/", "report/", "https://example.org/en/x/"),
])
def test_finding_links_become_relative_to_the_report_page(url: str, page: str, expected: str) -> None:
    assert relative(url, "en", page) == expected


def test_the_plugins_filters_mirror_the_cli_and_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "accounts.csv").write_text(EXPORT, encoding="utf-8")
    plugin = ReportPlugin()
    errors, _ = plugin.load_config({"accounts": "exports/accounts.csv", "as_of": "2026-10-31", "owner": ["eero"], "min_severity": "warning"})
    assert errors == []
    result = plugin._check(tmp_path, "fi", None)
    assert {a.owner for a in result.accounts() if a.findings} == {"Eero"}
    assert result.left_out and result.left_out["owners"] == ["eero"] and result.left_out["findings"] > 0


@pytest.mark.parametrize("lang", LANGS)
def test_given_a_baseline_and_waivers_the_handbooks_report_marks_what_is_new_and_leaves_out_the_waived(tmp_path: Path, lang: str) -> None:
    from checker.cli import main
    from checker.reports.html import fragments

    week1, week2 = tmp_path / "week1.csv", tmp_path / "week2.csv"
    week1.write_text(EXPORT, encoding="utf-8")
    week2.write_text(EXPORT.replace("F2,Kelo Oy,Aino,cooperation,yes,yes", "F2,Kelo Oy,Aino,integrated,no,no"), encoding="utf-8")
    assert main(["check", str(week1), "--as-of", "2026-10-24", "--format", "json", "--output", str(tmp_path / "week1.json"), "--fail-on", "never"]) == 0
    assert main(["waive", "F1", "integrated-open-books", "--reason", "audited yearly", "--until", "2099-12-31", "--waivers", str(tmp_path / "waivers.yaml")]) == 0
    plugin = ReportPlugin()
    errors, warnings = plugin.load_config({"accounts": "week2.csv", "as_of": "2026-10-31", "baseline": "week1.json", "waivers": "waivers.yaml"})
    assert errors == [] and warnings == []
    result = plugin._check(tmp_path, lang, None)
    parts = fragments(result, str)
    new = "NEW" if lang == "en" else "UUSI"
    f2 = parts["cards"][parts["cards"].index('data-account="F2"'):]
    assert f'pr-mark-new">{new}</span>' in f2.split("</article>")[0]
    assert "2026-10-24" in parts["overview"]  # the "since …" line under the tiles
    cards = parts["cards"]
    f1 = cards.split('data-account="F1"')[1].split("</article>")[0] if 'data-account="F1"' in cards else ""
    assert ">integrated-open-books</a>" not in f1 and "integrated-open-books" in parts["overview"]  # waived: counted in the charts, not listed
    assert 'id="pr-act"' in parts["act"]
