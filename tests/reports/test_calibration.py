"""`playbook calibrate`: the page and the overlay on the sample and the real Dynamics export; bad input refused, nothing written."""
from __future__ import annotations

import re
import warnings
from datetime import date
from html import escape
from pathlib import Path

import pytest
import yaml
from conftest import AS_OF, SAMPLE, run

from checker.calibrate import calibrate
from checker.check import Inputs, read_signals
from checker.playbook.messages import bundled
from checker.playbook.model import load_playbook

ROOT = Path(__file__).resolve().parents[2]
DYNAMICS = ROOT.parent / "shared" / "real-exports" / "dynamics"


def test_every_calibration_message_is_in_both_languages():
    used = set()
    for path in [*(ROOT / "checker" / "calibrate").glob("*.py"), ROOT / "checker" / "playbook" / "thresholds.py", ROOT / "checker" / "reports" / "calibration.py",
                 ROOT / "checker" / "reports" / "calibration.html.j2", ROOT / "checker" / "reports" / "rules.py", ROOT / "checker" / "reports" / "text.py",
                 ROOT / "checker" / "handbook" / "macros.py"]:
        used |= set(re.findall(r"""["']((?:calibrate|thresholds)\.[a-z_.]+[a-z])["']""", path.read_text(encoding="utf-8")))
    used = {key for key in used if not key.endswith(".json")} | {f"calibrate.side_{side}" for side in ("behind", "ahead")}
    messages = bundled()
    assert used and not used - set(messages), used - set(messages)
    for key in used:
        assert messages[key]["en"] and messages[key]["fi"], key


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_the_sample_gives_a_page_and_an_overlay_the_checker_accepts(capsys, tmp_path, playbook, lang):
    page, overlay = tmp_path / "calibration.html", tmp_path / "thresholds.yaml"
    code, out, err = run(capsys, "calibrate", str(SAMPLE), "--output", str(page), "--overlay", str(overlay), "--lang", lang, *AS_OF)
    assert code == 0 and out == "", err
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and escape(playbook.text("calibrate.page.title", lang, input="accounts.csv")).replace("&#x27;", "&#39;") in html
    for rule in playbook.rules:
        assert (f'id="{rule.id}"' in html) == rule.calibrated, rule.id
    assert "<script" not in html and "http-equiv=\"Content-Security-Policy\"" in html
    suggested = yaml.safe_load(overlay.read_text(encoding="utf-8"))["thresholds"]
    assert suggested and html.count('class="cal-suggested"') == len(suggested)
    code, out, _ = run(capsys, "check", str(SAMPLE), "--thresholds", str(overlay), "--fail-on", "never", "--lang", lang, *AS_OF)
    assert code == 0 and playbook.text("thresholds.in_use", lang, file="X", digest="Y", n=2, rules="Z").split(":")[0] in " ".join(out.split())


def sample_calibration(playbook):
    table, _ = read_signals(Inputs(SAMPLE), playbook, date(2026, 10, 31), "en")
    return calibrate(table, playbook, date(2026, 10, 31))


@pytest.mark.parametrize("least", [20, 41])
def test_a_line_is_fitted_only_where_both_stages_have_enough_known_values(playbook_copy, least):
    manifest = playbook_copy / "playbook.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("min_accounts: 20", f"min_accounts: {least}"), encoding="utf-8")
    playbook = load_playbook(playbook_copy)
    cal = sample_calibration(playbook)
    reasons = {line.rule.id: line.reason.key if line.reason else None for line in cal.lines}
    for line in cal.lines:
        if line.current is not None:
            assert line.current.own >= least and line.current.neighbour >= least, line.rule.id
        elif line.reason.key == "calibrate.too_few":
            assert line.reason.values["n"] < least
    if least == 41:  # the sample has 40 basic accounts to fit: not enough for its lines
        assert reasons["basic-real-supplier"] == reasons["cooperation-preferred-supplier"] == "calibrate.too_few"


def test_a_hostile_file_name_is_text_on_the_page(capsys, tmp_path):
    hostile = tmp_path / "<img src=x onerror=alert(1)>.csv"
    hostile.write_bytes(SAMPLE.read_bytes())
    page = tmp_path / "page.html"
    assert run(capsys, "calibrate", str(hostile), "--output", str(page), *AS_OF)[0] == 0
    html = page.read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.csv" in html


def refused(capsys, tmp_path: Path, csv_text: str, *extra: str) -> str:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(csv_text, encoding="utf-8")
    page, overlay = tmp_path / "page.html", tmp_path / "t.yaml"
    code, out, err = run(capsys, "calibrate", str(accounts), "--output", str(page), "--overlay", str(overlay), *extra, *AS_OF)
    assert code == 2 and out == "" and not page.exists() and not overlay.exists()
    assert err.count("playbook:") == 1 and "Traceback" not in err
    return err


def test_an_export_without_declared_stages_is_refused(capsys, tmp_path):
    err = refused(capsys, tmp_path, "account_id,account_name,declared_stage,share_of_wallet\nA1,Acme,Partner,20 %\nA2,Beta,,30 %\n")
    assert "accounts.csv: none of its 2 accounts has a declared stage in column 'declared_stage'" in err and "nothing written" in err


def test_an_export_with_one_stage_only_is_refused(capsys, tmp_path):
    err = refused(capsys, tmp_path, "account_id,account_name,declared_stage,share_of_wallet\nA1,Acme,basic,20 %\nA2,Beta,Perusvaihe,30 %\n", "--lang", "fi")
    assert "kaikki asiakkuudet, joilla on ilmoitettu vaihe (2), ovat vaiheessa 'basic'" in err


def test_a_column_of_no_numbers_is_refused(capsys, tmp_path):
    err = refused(capsys, tmp_path, "account_id,account_name,declared_stage,share_of_wallet\nA1,Acme,basic,lots\nA2,Beta,cooperation,plenty\n")
    assert "column 'share_of_wallet' holds no value that can be read as a number (2 cells, the first on row 2)" in err


def test_nothing_asked_or_the_input_as_output_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "calibrate", str(SAMPLE), *AS_OF)
    assert code == 2 and "--output" in err and "--overlay" in err
    copy = tmp_path / "a.csv"
    copy.write_bytes(SAMPLE.read_bytes())
    code, _, err = run(capsys, "calibrate", str(copy), "--overlay", str(copy), *AS_OF)
    assert code == 2 and copy.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.skipif(not DYNAMICS.is_dir(), reason="the real exports are not beside the project")
def test_the_real_dynamics_export_gives_a_page_of_honest_not_enough_data(capsys, tmp_path, playbook_copy):
    # The export's "Business Type" says Customer (an alias of basic) or Partner; a company's copy of the
    # playbook names Partner as its cooperation stage. 34 and 6 accounts: too few to fit any line.
    stage = playbook_copy / "stages" / "cooperation.yaml"
    stage.write_text(stage.read_text(encoding="utf-8").replace("aliases:\n  en: [", "aliases:\n  en: [partner, ", 1), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: mapping\nextends: dynamics\naccounts:\n  declared_stage: [Business Type]\n", encoding="utf-8")
    page, overlay = tmp_path / "page.html", tmp_path / "t.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the workbooks' missing default style
        code, _, err = run(capsys, "calibrate", str(next(DYNAMICS.glob("Active Accounts*.csv"))), "--activities", str(next(DYNAMICS.glob("All Activities*.xlsx"))),
                           "--deals", str(next(DYNAMICS.glob("All Opportunities*.xlsx"))), "--contacts", str(next(DYNAMICS.glob("All Contacts*.xlsx"))),
                           "--mapping", str(mapping), "--playbooks", str(playbook_copy), "--as-of", "2025-11-03", "--output", str(page), "--overlay", str(overlay))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert html.count("Not enough data:") >= 5 and 'class="cal-suggested"' not in html
    assert not overlay.exists() and "no line to suggest" in err
    assert re.search(r"<b>41</b><span>accounts read", html)
