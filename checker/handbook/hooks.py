"""MkDocs hooks of the handbook (mkdocs.yml `hooks:`): what neither a plugin's options nor the theme can say.

The 404 page is one file, `<lang>/404.html`, that a server sends for any missing address, at
any depth, so its links cannot be relative; MkDocs makes them absolute from the site's root
(`/assets/…`), but each language site lives in a folder of its own. Without a `site_url`, the
language folders are taken to sit at the server's root (as `make run` serves them: /en/, /fi/);
the copy opened from disk (`make handbook-offline`) links relatively, from the 404 page's own folder.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mkdocs.utils import normalize_url


def on_template_context(context: Any, template_name: str, config: Any) -> Any:
    if template_name != "404.html":
        return context
    if config["site_url"]:
        base = urlsplit(config["site_url"]).path.rstrip("/") + "/"
    else:  # a folder, with its slash: Material finds the search index from it
        base = f"/{config['theme']['language']}/" if config["use_directory_urls"] else "./"
    context["base_url"] = base
    context["extra_css"] = [normalize_url(path, None, base) for path in config["extra_css"]]
    context["extra_javascript"] = [normalize_url(str(script), None, base) for script in config["extra_javascript"]]
    return context
