"""The lines the table and the Markdown report share, in the chosen language."""
from __future__ import annotations

import pytest
from conftest import AS_OF, SAMPLE, run


@pytest.mark.parametrize(("fmt", "english", "finnish"), [
    ("markdown", ["Relationship check", "| severity | rule |", "declared "], ["Asiakkuuksien tarkistus", "| vakavuus | sääntö |", "ilmoitettu "]),
    ("table", ["accounts,", "WARNING", "declared "], ["asiakkuutta,", "VAROITUS", "ilmoitettu "]),
])
def test_table_and_markdown_speak_the_chosen_language(capsys, fmt, english, finnish):
    _, out_fi, _ = run(capsys, "check", str(SAMPLE), "--format", fmt, "--lang", "fi", "--fail-on", "never", *AS_OF)
    _, out_en, _ = run(capsys, "check", str(SAMPLE), "--format", fmt, "--lang", "en", "--fail-on", "never", *AS_OF)
    assert all(word in out_en for word in english) and all(word in out_fi for word in finnish)
    assert not any(word in out_fi for word in english)


@pytest.mark.parametrize(("fmt", "lang", "words"), [
    ("table", "en", "accounts.csv mixes encodings, so it was read line by line (lines read as UTF-8: 1; as Windows-1252/Latin-1: 2)"),
    ("markdown", "en", "accounts.csv mixes encodings, so it was read line by line (lines read as UTF-8: 1; as Windows-1252/Latin-1: 2)"),
    ("table", "fi", "accounts.csv sekoittaa merkistöjä, joten se luettiin rivi kerrallaan (UTF-8-muodossa luettuja rivejä 1, Windows-1252/Latin-1-muodossa 2)"),
    ("markdown", "fi", "accounts.csv sekoittaa merkistöjä, joten se luettiin rivi kerrallaan (UTF-8-muodossa luettuja rivejä 1, Windows-1252/Latin-1-muodossa 2)"),
])
def test_table_and_markdown_say_the_export_mixed_encodings(capsys, tmp_path, fmt, lang, words):
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"account_id,account_name,declared_stage\nA1,Panader\xeda,basic\n"
                     + "A2,Café Inventado,basic\n".encode() + b"A3,Ferreter\xeda\x8d,basic\n")
    _, out, _ = run(capsys, "check", str(path), "--format", fmt, "--lang", lang, "--fail-on", "never", *AS_OF)
    assert words in " ".join(out.split())


def test_a_utf8_export_gets_no_encoding_line(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--fail-on", "never", *AS_OF)
    assert "mixes encodings" not in out
