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
