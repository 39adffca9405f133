"""The handout and trainer PDFs (checker/handbook/pdf.py), made from the shared built handbook."""
from __future__ import annotations

import builtins
import re
import socket
import sys
from pathlib import Path

import pytest
from test_macros import LANGS, built_site, page

from checker.handbook import pdf
from checker.handbook.markdown import plain
from checker.playbook.model import Playbook

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def made() -> tuple[Path, dict[str, dict[str, int]], list[tuple[object, ...]]]:
    """The PDFs of both languages, built with every socket connection recorded and refused."""
    site, attempts = built_site(), []

    def refuse(_sock: socket.socket, *address: object) -> None:
        attempts.append(address)
        raise OSError("no network in this test")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        counts = {lang: pdf.build(site / lang, lang) for lang in LANGS}
    return site, counts, attempts


def _pages(file: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(file).pages]


def _snippet(text: str) -> str:
    return " ".join(text.split())[:50]


@pytest.mark.parametrize("lang", LANGS)
def test_a_learner_and_a_trainer_pdf_per_language_without_a_request_leaving_the_machine(made, lang: str) -> None:
    site, counts, attempts = made
    for name in pdf.KINDS.values():
        assert (site / lang / name).read_bytes().startswith(b"%PDF-")
        assert counts[lang][name] == len(pypdf.PdfReader(site / lang / name).pages) > 9  # a sheet per module at least
    assert attempts == []


@pytest.mark.parametrize("lang", LANGS)
def test_learner_pdf_holds_every_case_and_no_model_or_quiz_answer(made, playbook: Playbook, lang: str) -> None:
    site, _, _ = made
    learner, trainer = " ".join(_pages(site / lang / "handout.pdf")), " ".join(_pages(site / lang / "trainer.pdf"))
    for phase in [*playbook.stages, *playbook.endings]:
        training = phase.data["training"]
        assert _snippet(training["case"]["situation"][lang]) in learner
        answers = [training["case"]["model_answer"][lang], *(q["explanation"][lang] for q in training["quiz"])]
        assert [a for a in answers if _snippet(a) in learner] == [], phase.id
        assert all(_snippet(a) in trainer for a in answers), phase.id
    assert playbook.text("handbook.training.model_answer", lang) not in learner


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", pdf.KINDS.values())
def test_contents_list_gives_the_page_each_module_starts_on(made, playbook: Playbook, lang: str, name: str) -> None:
    site, _, _ = made
    pages = _pages(site / lang / name)
    module = playbook.text("handbook.training.module", lang)
    for number, name in _outline(site, lang):
        heading = f"{module} {number}: {name}"
        listed = re.search(re.escape(heading) + r" \.[. ]*(\d+)", pages[0])
        assert listed, f"{heading} has no page number in the contents of {lang}/{name}"
        starts = next(i for i, text in enumerate(pages[1:], 2) if text.startswith(heading))
        assert int(listed.group(1)) == starts


def test_fetcher_serves_the_built_site_only(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("p {}", encoding="utf-8")
    fetcher = pdf.OfflineFetcher(tmp_path)
    assert fetcher((tmp_path / "style.css").as_uri()).url.startswith("file:")
    for url in ("https://fonts.googleapis.com/css?family=Roboto", "http://127.0.0.1:8000/x.css", (tmp_path.parent / "other.css").as_uri(), "file:///etc/passwd"):
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)
    assert len(fetcher.refused) == 4 and len(fetcher.fetched) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_training_page_links_both_pdfs(made, lang: str) -> None:
    site, _, _ = made
    hrefs = {value for _, attr, value, inside in page(site, lang, "training/").refs if attr == "href" and inside}
    for name in pdf.KINDS.values():
        assert (site / lang / name).resolve() in {(site / lang / "training" / href).resolve() for href in hrefs}
        assert (site / lang / name).is_file()


def test_main_says_what_to_do_when_no_handbook_was_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert pdf.main([str(tmp_path)]) == 2
    assert "mkdocs build" in capsys.readouterr().err


def test_main_makes_the_pdfs_of_the_file_url_build_too(tmp_path: Path) -> None:
    # `make handbook-offline` writes handout.html rather than handout/index.html
    module = '<section class="pb-module" data-module="x"><h2 id="module-x">Module 1: X</h2><p>Text</p></section>'
    for folder in pdf.KINDS:
        (tmp_path / "en").mkdir(exist_ok=True)
        (tmp_path / "en" / f"{folder}.html").write_text(f"<article><h1>Title</h1><p>Intro</p>{module}</article>", encoding="utf-8")
    assert pdf.main([str(tmp_path)]) == 0
    assert [len(pypdf.PdfReader(tmp_path / "en" / name).pages) for name in pdf.KINDS.values()] == [2, 2]


def test_without_pango_the_build_says_what_to_install_and_goes_on(monkeypatch, tmp_path, capsys):
    # A fresh laptop without the Pango library: `make run` must still serve the handbook.
    (tmp_path / "en" / "handout").mkdir(parents=True)
    (tmp_path / "en" / "handout" / "index.html").write_text("<html></html>", encoding="utf-8")
    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pango)
    assert pdf.main([str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "PDF handouts not built" in err and "libpango-1.0-0" in err
    assert not (tmp_path / "en" / "handout.pdf").exists()


def _outline(site: Path, lang: str) -> list[tuple[int, str]]:
    """(number, module name) of each row of the course outline as the training page shows it."""
    outline = (site / lang / "training" / "index.html").read_text(encoding="utf-8").split('class="pb-outline"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>(.*?)</td>", outline, re.S)
    return [(int(number), " ".join(re.sub(r"<[^>]+>", "", cell).split())) for number, cell in rows]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", pdf.KINDS.values())
def test_each_pdf_holds_every_module_of_the_outline_numbered_and_ordered_as_the_outline(made, playbook: Playbook, lang: str, name: str) -> None:
    site, _, _ = made
    outline = _outline(site, lang)
    assert [n for n, _ in outline] == list(range(1, len(playbook.stages) + len(playbook.endings) + 3))  # opening, stages, endings, closing
    assert outline[0][1] == plain(playbook.course["opening"]["title"][lang]) and outline[-1][1] == plain(playbook.course["closing"]["title"][lang])
    text = " ".join(_pages(site / lang / name)[1:])  # after the contents
    module = playbook.text("handbook.training.module", lang)
    places = [text.find(f"{module} {number}: {title}") for number, title in outline]
    assert -1 not in places, [o for o, p in zip(outline, places, strict=True) if p == -1]
    assert places == sorted(places)


@pytest.mark.parametrize("lang", LANGS)
def test_trainer_pdf_holds_the_facilitator_notes_topic_training_and_templates(made, playbook: Playbook, lang: str) -> None:
    site, _, _ = made
    trainer = " ".join(_pages(site / lang / "trainer.pdf"))
    course = playbook.course
    wanted = [course["opening"]["facilitator"]["board"][0][lang], course["closing"]["steps"][0][lang],
              *(notes["wrong_answer"][lang] for notes in course["modules"]), *(template["title"][lang] for template in course["templates"])]
    wanted += [cat["training"]["exercise"]["model_answer"][lang] for cat in playbook.catalogues.values() if "training" in cat]
    assert [w for w in wanted if _snippet(plain(w)) not in trainer] == []


@pytest.mark.parametrize(("lang", "word"), [("en", "Page"), ("fi", "Sivu")])
def test_pdf_pages_are_numbered_in_their_language(made, lang: str, word: str) -> None:
    site, _, _ = made
    last = _pages(site / lang / "handout.pdf")[-1]
    assert re.search(rf"{word} \d+ / \d+", last)
    assert lang == "en" or "Page" not in " ".join(_pages(site / lang / "trainer.pdf"))
