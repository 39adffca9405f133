"""The 404 page's links (checker/handbook/hooks.py): from the language folder, however deep the missing address."""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from test_macros import LANGS, built_site

from checker.handbook.hooks import on_template_context


def _config(**values: object) -> dict:
    return {"site_url": None, "theme": {"language": "fi"}, "use_directory_urls": True, "extra_css": ["assets/handbook.css"], "extra_javascript": ["assets/handbook.js"], **values}


@pytest.mark.parametrize(("config", "base"), [(_config(), "/fi/"), (_config(use_directory_urls=False), "./"),
                                              (_config(site_url="https://intra.example/handbook/fi/"), "/handbook/fi/")])
def test_the_404_page_links_from_its_language_folder(config: dict, base: str) -> None:
    context = on_template_context({"base_url": "/"}, "404.html", config)
    assert context["base_url"] == base
    assert context["extra_css"] == [f"{base}assets/handbook.css"] and context["extra_javascript"] == [f"{base}assets/handbook.js"]


def test_other_pages_keep_their_context() -> None:
    assert on_template_context({"base_url": ".."}, "main.html", _config()) == {"base_url": ".."}


@pytest.mark.parametrize("lang", LANGS)
def test_every_asset_of_the_built_404_page_exists(lang: str) -> None:
    site: Path = built_site()
    page = (site / lang / "404.html").read_text(encoding="utf-8")
    assets = re.findall(r'<(?:link|script)[^>]*(?:href|src)="(/[^"]+)"', page)
    assert len(assets) >= 3
    missing = [a for a in assets if not (site / posixpath.normpath(a).lstrip("/") / ("index.html" if a.endswith("/") else "")).is_file()]
    assert missing == []
