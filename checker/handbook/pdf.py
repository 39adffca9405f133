"""The learner handout and the trainer copy as PDFs, made from the built handbook by WeasyPrint:
`<site>/<lang>/handout.pdf` and `<site>/<lang>/trainer.pdf`, with a contents list that carries
page numbers (which a browser's print cannot fill in) and each module on a sheet of its own.

Run after `mkdocs build` (`make handbook`): `python -m checker.handbook.pdf site`. A separate step,
so that `mkdocs build` stays fast. Entirely offline: WeasyPrint may read only files of the built
site; any other address is refused and fails the build, so a PDF never depends on the network.
"""
from __future__ import annotations

import html
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from checker.playbook.messages import render

#: The handbook page each PDF is made from (its folder under <site>/<lang>/) and the PDF's name.
KINDS = {"handout": "handout.pdf", "trainer": "trainer.pdf"}

# A stylesheet of its own rather than Material's: the screen theme's fonts, navigation and
# scripts mean nothing on paper. Fonts are the system's (DejaVu, Liberation on Debian).
CSS = """
@page { size: A4; margin: 20mm 18mm 22mm;
  @top-left { content: string(module); font-size: 8pt; color: #555; }
  @bottom-right { content: "%(page)s " counter(page) " / " counter(pages); font-size: 8pt; color: #555; } }
@page :first { @top-left { content: none; } }
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 20pt; margin: 0 0 .6em; }
h2 { font-size: 15pt; margin: 0 0 .5em; string-set: module content(); }
h3 { font-size: 12pt; margin: 1.2em 0 .4em; }
h1, h2, h3, .pb-lead { break-after: avoid; }
p, li { orphans: 3; widows: 3; }
li { break-inside: avoid; }
.pb-lead + ul { break-inside: avoid; }
.pb-module { break-before: page; }
.pb-write-in { break-inside: avoid; }
.pb-answer-space { height: 22em; border: 1px dashed #999; margin: .5em 0 1em; }
details, summary { display: block; }
summary { font-weight: bold; margin: .8em 0 .3em; }
nav.pb-contents ol { list-style: none; padding: 0; }
nav.pb-contents li { margin: .3em 0; }
nav.pb-contents a { color: inherit; text-decoration: none; }
nav.pb-contents a::after { content: leader(".") target-counter(attr(href), page); }
"""


class OfflineFetcher:
    """Serves WeasyPrint files under `root` only; records and refuses every other address."""

    def __init__(self, root: Path) -> None:
        from weasyprint.urls import URLFetcher

        self.root, self.fetched, self.refused = root.resolve(), [], []
        self._files = URLFetcher(allowed_protocols=["file"])

    def __call__(self, url: str, headers: object = None) -> object:
        parsed = urlparse(url)
        path = Path(url2pathname(parsed.path)).resolve() if parsed.scheme == "file" and parsed.netloc in ("", "localhost") else None
        if path is None or not path.is_relative_to(self.root) or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"refused (the PDF is made offline, from the built site only): {url}")
        self.fetched.append(url)
        return self._files.fetch(path.as_uri())

    @property
    def _fail_on_errors(self) -> bool:  # read by weasyprint.urls.fetch: a refusal is a warning there, and an error after rendering here
        return False


def document(page_html: str, lang: str) -> str:
    """The print document for one handbook page (handout or trainer): its title and introduction,
    a contents list of the modules that WeasyPrint numbers, then the modules."""
    article = re.search(r"<article[^>]*>(.*?)</article>", page_html, re.S)
    if not article:
        raise ValueError("no <article> in the handout page: was it built by `mkdocs build`?")
    body = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", article.group(1), flags=re.S)
    # Links to other handbook pages lead nowhere on paper: keep their words, drop the link.
    body = re.sub(r'<a\b[^>]*\bhref="(?!#)[^"]*"[^>]*>(.*?)</a>', r"\1", body, flags=re.S)
    body = body.replace("<p><strong>", '<p class="pb-lead"><strong>')  # a bold lead-in heads what follows it
    title = re.search(r"<h1[^>]*>.*?</h1>", body, re.S)
    intro = re.search(r"</h1>\s*(<p>.*?</p>)", body, re.S)
    modules = re.findall(r'<section class="pb-module".*?</section>', body, re.S)
    if not (title and intro and modules):
        raise ValueError("the handout page has no title, introduction or modules")
    entries = re.findall(r'<h2 id="(module-[^"]+)">(.*?)</h2>', "".join(modules), re.S)
    contents = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in entries)
    return (f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8"><title>{html.escape(re.sub(r"<[^>]+>", "", title.group(0)))}</title>'
            f"<style>{CSS % {'page': html.escape(render('handbook.print.page', lang))}}</style></head><body>{title.group(0)}{intro.group(1)}"
            f'<nav class="pb-contents"><h3>{html.escape(render("handbook.print.toc", lang))}</h3><ol>{contents}</ol></nav>{"".join(modules)}</body></html>')


def build(lang_site: Path, lang: str, kinds: dict[str, str] = KINDS) -> dict[str, int]:
    """Write the PDFs (`kinds`, all by default) of one language site (<site>/<lang>/); the number of pages of each."""
    from weasyprint import HTML

    counts = {}
    for folder, name in kinds.items():
        # <folder>/index.html, or <folder>.html in the file:// build (`make handbook-offline`)
        page = next((p for p in (lang_site / folder / "index.html", lang_site / f"{folder}.html") if p.is_file()), lang_site / folder / "index.html")
        fetcher = OfflineFetcher(lang_site.parent)
        rendered = HTML(string=document(page.read_text(encoding="utf-8"), lang), base_url=page.as_uri(), url_fetcher=fetcher).render()
        if fetcher.refused:
            raise RuntimeError(f"{page}: the PDF asked for addresses outside the built site: {', '.join(fetcher.refused)}")
        rendered.write_pdf(lang_site / name)
        counts[name] = len(rendered.pages)
    return counts


def main(argv: list[str]) -> int:
    """`python -m checker.handbook.pdf <site>`: the PDFs of every language site in <site>."""
    site = (Path(argv[0]) if argv else Path("site")).resolve()
    langs = sorted({p.relative_to(site).parts[0] for pattern in ("*/handout/index.html", "*/handout.html") for p in site.glob(pattern)})
    if not langs:
        print(f"no handbook in {site}/<lang>/: run `mkdocs build` first", file=sys.stderr)
        return 2
    try:
        import weasyprint  # noqa: F401  (it loads Pango, a system library, on import)
    except OSError as exc:  # no Pango: the handbook works without its PDFs; say so instead of failing `make run`
        print(f"PDF handouts not built: WeasyPrint needs the Pango library ({exc}). "
              "Install it (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; macOS: brew install pango) "
              "and run `make handbook` again.", file=sys.stderr)
        return 0
    # One process per PDF, as many at a time as there are processors: each PDF is laid out on
    # one core, and four of them one after the other would double the handbook's build time.
    # Forked, so that each starts with WeasyPrint already loaded.
    start = time.perf_counter()
    jobs = [(site / lang, lang, {folder: name}) for lang in langs for folder, name in KINDS.items()]
    with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1), mp_context=multiprocessing.get_context("fork")) as pool:
        done = list(pool.map(build, *zip(*jobs, strict=True)))
    for (lang_site, _, _), counts in zip(jobs, done, strict=True):
        print(", ".join(f"{lang_site / name} ({n} pages)" for name, n in counts.items()))
    print(f"{len(jobs)} PDFs in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
