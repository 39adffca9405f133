from __future__ import annotations

from pathlib import Path

import pytest

from checker.playbook.yamlload import load_yaml


def load(tmp_path: Path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "f.yaml"
    path.write_bytes(text.encode(encoding))
    return load_yaml(path)


def test_records_line_of_every_key_and_item(tmp_path):
    loaded, problems = load(tmp_path, "a: 1\nb:\n  - x\n  - y: 2\n")
    assert problems == []
    assert loaded.data == {"a": 1, "b": ["x", {"y": 2}]}
    assert loaded.line(("b", 1, "y")) == 4
    assert loaded.line(("b", 0)) == 3
    assert loaded.line(("b", 1, "missing")) == 4  # falls back to the nearest ancestor


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: no\n", "'no' would be read as the boolean false"),
        ("a: On\n", "'On' would be read as the boolean true"),
        ("a: 2026-02-03\n", "'2026-02-03' would be read as a date"),
        ("a: 1:30\n", "'1:30' would be read as a number in an unexpected base"),
        ("a: 010\n", "'010' would be read as a number in an unexpected base"),
        ("a: 1\na: 2\n", "duplicate key 'a' (first at line 1)"),
        ("a: !!python/object:os.system x\n", "unsupported tag"),
        ("<<: {a: 1}\n", "merge keys"),
    ],
)
def test_rejects_yaml_surprises(tmp_path, text, message):
    _, problems = load(tmp_path, text)
    assert len(problems) == 1
    assert message in problems[0].message


def test_quoted_values_stay_text(tmp_path):
    loaded, problems = load(tmp_path, 'a: "no"\nb: "2026-02-03"\nc: true\nd: false\n')
    assert problems == []
    assert loaded.data == {"a": "no", "b": "2026-02-03", "c": True, "d": False}


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("a: [1\n", "utf-8", "YAML syntax error"),
        ("", "utf-8", "the file is empty"),
        ("a: 1\n---\nb: 2\n", "utf-8", "more than one YAML document"),
        ("a: ä\n", "latin-1", "not UTF-8 text"),
    ],
)
def test_unreadable_files_give_one_problem(tmp_path, text, encoding, message):
    loaded, problems = load(tmp_path, text, encoding)
    assert loaded is None
    assert [message in p.message for p in problems] == [True]
