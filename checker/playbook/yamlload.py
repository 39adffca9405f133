"""A strict YAML loader that remembers the line of every value.

PyYAML follows YAML 1.1, where an unquoted `no` becomes the boolean false, `2024-01-01`
a date and `1:30` the number 90. In a playbook those readings would silently change what
an editor meant, so this loader refuses them, along with duplicate keys, and asks for
quotes instead. It composes PyYAML's node tree and builds plain Python values from it
itself, recording the line of every key and list item by its JSON path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from checker.playbook.problems import JsonPath, Problem, display_path, json_path

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT_TAG = "tag:yaml.org,2002:int"
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:null",
    _BOOL_TAG,
}


# libyaml's composer when PyYAML was built with it (the wheels are): same nodes, same marks, faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Loaded:
    """A YAML document's data with the line (1-based) of every JSON path in it."""

    file: Path
    data: object
    lines: dict[JsonPath, int] = field(default_factory=dict)

    def line(self, path: JsonPath) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)


class _Builder:
    def __init__(self, file: Path):
        self.file = file
        self.name = display_path(file)
        self.lines: dict[JsonPath, int] = {}
        self.problems: list[Problem] = []
        self._scalars = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node, path: JsonPath, key: str, /, **values: object) -> None:
        self.problems.append(Problem.of(self.name, node.start_mark.line + 1, json_path(path), key, **values))

    def build(self, node: yaml.Node, path: JsonPath) -> object:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict:
        out: dict = {}
        first_line: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, path, "yaml.merge")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "yaml.key_not_text")
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in out:
                self.problem(key_node, (*path, key), "yaml.duplicate_key", key=key, line=first_line[key])
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            out[key] = self.build(value_node, (*path, key))
            self.lines[(*path, key)] = line
        return out

    def _scalar(self, node: yaml.ScalarNode, path: JsonPath) -> object:
        text = node.value
        plain = not node.style  # None from PyYAML, "" from libyaml
        if plain and node.tag == _BOOL_TAG and text.lower() not in ("true", "false"):
            meaning = "true" if text.lower() in ("yes", "y", "on") else "false"
            self.problem(node, path, "yaml.boolean", text=text, meaning=meaning)
            return text
        if plain and node.tag == _TIMESTAMP_TAG:
            self.problem(node, path, "yaml.date", text=text)
            return text
        if plain and node.tag == _INT_TAG and (":" in text or text.lstrip("+-").startswith(("0o", "0x", "0b")) or (len(text.lstrip("+-")) > 1 and text.lstrip("+-").startswith("0"))):
            self.problem(node, path, "yaml.number_base", text=text)
            return text
        if node.tag not in _SAFE_TAGS:
            self.problem(node, path, "yaml.tag", tag=node.tag)
            return text
        return self._scalars.construct_object(node)


def load_yaml(file: Path) -> tuple[Loaded | None, list[Problem]]:
    """Load one YAML file strictly. Returns the data (None when unreadable) and the problems found."""
    name = display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem.of(name, 0, "", "yaml.not_utf8", byte=exc.start)]
    except OSError as exc:
        return None, [Problem.of(name, 0, "", "yaml.unreadable", reason=exc.strerror)]
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [Problem.of(name, line, "", "yaml.syntax", detail=exc.problem or exc.context)]
    if not nodes or nodes[0] is None:
        return None, [Problem.of(name, 1, "", "yaml.empty")]
    if len(nodes) > 1:
        return None, [Problem.of(name, nodes[1].start_mark.line + 1, "", "yaml.documents")]
    builder = _Builder(file)
    data = builder.build(nodes[0], ())
    return Loaded(file, data, builder.lines), builder.problems
