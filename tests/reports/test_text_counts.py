"""Every count in every format goes through the plural messages, and a Finnish report speaks Finnish.

Made-up exports with 0, 1 and 2 flagged accounts (each with one error and one warning), a
baseline a week earlier and a waivers file, rendered in every format and both languages: no
"1 accounts" or "1 asiakkuutta"; and in Finnish no English label, severity or stage id.
"""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from conftest import run

from checker.playbook.model import SEVERITIES
from checker.reports import REPORTERS

HEADER = "account_id,account_name,owner,declared_stage,competitive_tenders_12m,open_books,purchases_12m\n"
FLAGGED = "A{i},Alpha {i} Oy,Aino,integrated,2,no,\n"  # one error (tendered) and one warning (no open books)
CLEAN = "C9,Gamma Oy,Eero,basic,,,4\n"
#: Each format, as the command line asks for it.
FORMATS = {"table": [], "details": ["--details"], "scores": ["--scores"], **{f: ["--format", f] for f in REPORTERS if f != "table"}}


class _Text(HTMLParser):
    """The text a reader sees in an HTML report (not the style or the script)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("style", "script")
        self.parts.extend(value for name, value in attrs if name in ("placeholder", "aria-label", "title") and value)

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable(fmt: str, out: str) -> str:
    """What a person reads of a report: the HTML's text, the JSON's and CSV's human texts (not their keys and codes)."""
    if fmt == "html":
        parser = _Text()
        parser.feed(out)
        return "\n".join(parser.parts)
    if fmt == "json":
        report = json.loads(out)
        texts = [f[k] for a in report["accounts"] for f in a["findings"] + a.get("waived", []) for k in ("message", "action", "source") if f.get(k)]
        texts += [r[k] for r in report["rules"].values() for k in ("title", "action", "source") if r.get(k)]
        return "\n".join(texts + report["summary"].get("waiver_notes", []))
    if fmt == "csv":
        return "\n".join(r[k] for r in csv.DictReader(io.StringIO(out)) for k in ("message", "action", "source") if r[k])
    return out


def plural_only_words(playbook, lang: str) -> set[str]:
    """Words that appear only in the plural (`other`) form of a message: after the number 1 they are wrong."""
    words: set[str] = set()
    for message in playbook.messages.values():
        forms = message.get(lang)
        if isinstance(forms, dict):
            one, other = (set(re.findall(r"\w+", re.sub(r"\{[^}]*\}", " ", forms[k]))) for k in ("one", "other"))
            words |= other - one
    return words


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> dict[int, list[str]]:
    """For 0, 1 and 2 flagged accounts: the arguments of a check with a baseline and waivers."""
    folder = tmp_path_factory.mktemp("counts")
    out = {}
    for n in (0, 1, 2):
        rows = "".join(FLAGGED.format(i=i) for i in range(1, n + 1))
        # Last week the flagged accounts were basic (so their findings are new), and one more account was flagged and is now clean.
        (folder / f"week1-{n}.csv").write_text(HEADER + rows.replace(",integrated,", ",basic,") + "C9,Gamma Oy,Eero,integrated,2,,\n" if n else HEADER + CLEAN, encoding="utf-8")
        (folder / f"week2-{n}.csv").write_text(HEADER + rows + CLEAN, encoding="utf-8")
        assert run_main(["check", str(folder / f"week1-{n}.csv"), "--as-of", "2026-10-24", "--format", "json", "--fail-on", "never",
                         "--output", str(folder / f"week1-{n}.json")]) == 0
        waivers = folder / f"waivers-{n}.yaml"
        if n == 2:  # one finding waived
            assert run_main(["waive", "A2", "integrated-open-books", "--reason", "agreed", "--until", "2099-01-01", "--waivers", str(waivers)]) == 0
        out[n] = ["check", str(folder / f"week2-{n}.csv"), "--as-of", "2026-10-31", "--fail-on", "never", "--handbook-url", "https://h.example",
                  "--baseline", str(folder / f"week1-{n}.json"), "--waivers", str(waivers)]
    return out


def run_main(argv: list[str]) -> int:
    from checker.cli import main
    return main(argv)


@pytest.mark.parametrize("lang", ["en", "fi"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_count_takes_the_singular_for_one_and_the_plural_otherwise(capsys, playbook, weeks, lang, fmt):
    wrong = plural_only_words(playbook, lang)
    seen = set()
    for n, argv in weeks.items():
        for extra in ([], ["--show-waived"]):
            code, out, err = run(capsys, *argv, *FORMATS[fmt], "--lang", lang, *extra)
            assert code == 0, err
            text = readable(fmt if fmt in ("html", "json", "csv") else "text", out) + "\n" + err
            after_one = re.findall(r"(?<![\d.,/:-])1 (\w+)", text)
            assert not set(after_one) & wrong, (n, fmt, sorted(set(after_one) & wrong))
            if lang == "fi":  # a partitive after 1 ("1 asiakkuutta", "1 käyttökelvotonta") is the Finnish plural
                partitive = [w for w in after_one if re.search(r"(tta|ttä|ua|yä|iä|aa|ää)$", w)]
                assert partitive == [], (n, fmt, partitive)
            seen.add(n)
    assert seen == {0, 1, 2}


def test_the_counts_read_right_in_the_summary_lines(capsys, weeks):
    _, out, _ = run(capsys, *weeks[1], "--lang", "en")
    flat = " ".join(out.split())
    assert "2 accounts, 1 flagged: 1 error, 1 warning, 0 info." in flat
    assert "Since 2026-10-24: 2 new, 0 still open, 1 resolved; 2 accounts moved stage or best fit; 0 waived." in flat
    _, out, _ = run(capsys, *weeks[1], "--lang", "fi")
    flat = " ".join(out.split())
    assert "2 asiakkuutta, joista havaintoja sai 1: 1 virhe, 1 varoitus, 0 tiedoksi annettavaa." in flat
    assert "2026-10-24 jälkeen: 2 uutta, 0 yhä avoinna, 1 ratkennut;" in flat and "0 ohitettua." in flat
    _, out, _ = run(capsys, *weeks[2], "--lang", "fi")
    assert "1 ohitettu." in " ".join(out.split()) and "3 asiakkuutta, joista havaintoja sai 2" in " ".join(out.split())


def english_labels(playbook) -> set[str]:
    """The literal words of the reports' English messages that their Finnish ones do not share (4 letters or more)."""
    words: set[str] = set()
    for key, message in playbook.messages.items():
        if not key.startswith(("report.", "html.", "history.", "count.", "check.", "handbook.severity.")):
            continue
        texts = {lang: " ".join(message[lang].values()) if isinstance(message[lang], dict) else message[lang] for lang in ("en", "fi")}
        en, fi = (set(re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|`[^`]*`|--[a-z-]+|\([^)]*--[^)]*\)", " ", texts[lang]))) for lang in ("en", "fi"))
        words |= en - fi
    # Words both languages use as they are (option names, file formats, the CRM's own terms) are no English labels.
    return words - {"JSON", "YAML", "HTML", "Excel", "playbook", "waivers", "yaml", "rules", "until", "baseline", "UTF"}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_finnish_report_shows_no_english_label_severity_or_stage_id(capsys, playbook, weeks, fmt):
    english = english_labels(playbook)
    ids = {p.id for p in playbook.phases.values()} | set(SEVERITIES) | {s.upper() for s in SEVERITIES}
    _, out, err = run(capsys, *weeks[2], *FORMATS[fmt], "--lang", "fi", "--show-waived")
    text = readable(fmt if fmt in ("html", "json", "csv") else "text", out) + "\n" + err
    # Rule ids (integrated-no-tenders), links and file paths are names, not words of the report.
    prose = re.sub(r"https?://\S+|\S*/\S*|\S+\.(?:csv|json|yaml)\b|\b[a-z]+(?:-[a-z0-9]+)+\b", " ", text)
    words = set(re.findall(r"[A-Za-z]{4,}", prose))
    assert not words & english, sorted(words & english)
    assert not words & ids, sorted(words & ids)


@pytest.mark.parametrize("fmt", ["details", "markdown", "html", "csv"])
def test_a_source_of_a_calibrated_rule_says_the_figure_is_the_playbooks_own(capsys, playbook, weeks, fmt):
    """integrated-no-tenders has a number (none) the sources do not give: its citation says so, in Finnish too."""
    assert playbook.rules_by_id["integrated-no-tenders"].calibrated and not playbook.rules_by_id["integrated-open-books"].calibrated
    _, out, _ = run(capsys, *weeks[1], *FORMATS[fmt], "--lang", "fi")
    note = playbook.text("report.calibrated", "fi")
    assert readable(fmt, out).count(note) == 1  # one calibrated finding (the tender error), one note; the open-books warning none
