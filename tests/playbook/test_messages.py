"""Every interface message the checker uses exists, in both languages, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.cli import main
from checker.playbook.messages import bundled, count_test, quantity

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""["'](((?:error|hint|report|check|data|reason|summary|cli|progress|validate|yaml|history)\.[a-z_]+(?:\.[a-z_]+)?))["']""")


def keys_in_code() -> set[str]:
    found = set()
    for path in (ROOT / "checker").rglob("*.py"):
        found |= {m.group(1) for m in KEY.finditer(path.read_text(encoding="utf-8"))}
    return {key for key in found if not key.endswith(".yaml")}  # a file's name (messages/cli.yaml), not a key


def test_every_key_the_code_uses_is_defined_in_both_languages():
    messages = bundled()
    used = keys_in_code()
    dynamic = {k for k in used if k.endswith(".")}  # prefixes completed at run time (e.g. report.severity.)
    missing = {k for k in used - dynamic if k not in messages}
    assert not missing, missing
    for key in used & set(messages):
        assert messages[key]["en"] and messages[key]["fi"], key


def test_input_errors_follow_lang(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("account_id,acount_name,declared_stage\nA1,Acme,basic\n", encoding="utf-8")
    assert main(["check", str(path), "--lang", "fi"]) == 2
    err = capsys.readouterr().err
    assert "pakollinen sarake puuttuu: 'account_name' (tarkoititko 'acount_name'?)" in err
    assert main(["check", str(path)]) == 2
    assert "missing required column(s) 'account_name' (did you mean 'acount_name'?)" in capsys.readouterr().err


def test_data_findings_suggest_in_the_reports_language(capsys, tmp_path):
    import json

    path = tmp_path / "a.csv"
    path.write_text("account_id,account_name,declared_stage\nA1,Acme,integratd\n", encoding="utf-8")
    main(["check", str(path), "--lang", "fi", "--format", "json", "--as-of", "2026-10-31"])
    message = json.loads(capsys.readouterr().out)["accounts"][0]["findings"][0]["message"]
    assert "(tarkoititko 'integrated'?)" in message


def test_summary_speaks_both_languages(capsys):
    main(["summary", "--lang", "fi"])
    fi = capsys.readouterr().out
    main(["summary"])
    en = capsys.readouterr().out
    assert "Vaiheet (5):" in fi and "Päättymisen muodot (4):" in fi and "Kokeileva vaihe" in fi
    assert "Stages (5):" in en and "Endings (4):" in en and "Stages" not in fi


def test_validate_speaks_finnish_too(capsys, playbook_copy):
    path = playbook_copy / "stages" / "cooperation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("signal: share_of_wallet", "signal: share_of_walet", 1), encoding="utf-8")
    assert main(["validate", str(playbook_copy), "--lang", "fi"]) == 1
    out = capsys.readouterr().out
    assert "'share_of_walet' ei ole tunnettu signaali (tarkoititko 'share_of_wallet'?)" in out
    assert "ongelmia: 1 (1 tiedostossa)" in out


@pytest.mark.parametrize(("op", "n", "unit", "lang", "expected"), [
    (">=", 1, "orders", "en", "at least one order"), (">=", 1, "orders", "fi", "vähintään yksi tilaus"),
    ("<=", 0, "changes", "en", "none"), ("<=", 0, "complaints", "fi", "ei yhtään"),
    ("<=", 1, "tenders", "en", "at most one tender"), ("<=", 1, "tenders", "fi", "enintään yksi kilpailutus"),
    (">=", 3, "people", "en", "≥ 3 people"), (">=", 3, "people", "fi", "≥ 3 henkilöä"),
])
def test_count_thresholds_at_zero_and_one_read_as_words(op: str, n: int, unit: str, lang: str, expected: str) -> None:
    assert count_test(op, {">=": "≥", "<=": "≤"}[op], n, unit, lang) == expected


@pytest.mark.parametrize(("n", "lang", "expected"), [
    (1, "en", "1 person"), (2, "en", "2 people"), (0, "en", "0 people"), (1, "fi", "1 henkilö"), (4, "fi", "4 henkilöä"),
])
def test_quantities_take_the_units_form_for_their_number(n: int, lang: str, expected: str) -> None:
    assert quantity(n, "people", lang) == expected


def test_every_signal_unit_has_its_plural_forms_in_both_languages(playbook) -> None:
    messages = bundled()
    for signal in playbook.signals.values():
        if signal.unit:
            forms = messages[f"unit.{signal.unit}"]
            assert all(set(forms[lang]) == {"one", "other"} for lang in ("en", "fi")), signal.id
