"""Validate playbook files: strict YAML, then JSON Schema, then cross-references (references.py).

Every problem in every file is collected, never only the first, and phrased as
`file:line: $.json.path: message`, with a "did you mean …?" where an id is misspelled.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.playbook.messages import Problem as Words
from checker.playbook.messages import suggestion
from checker.playbook.problems import JsonPath, Problem, display_path, json_path
from checker.playbook.references import LANGUAGES, check_references, kind_of
from checker.playbook.schemas import KIND_SCHEMAS, validator
from checker.playbook.yamlload import Loaded, load_yaml

if TYPE_CHECKING:
    from jsonschema import ValidationError

BUNDLED = Path(__file__).resolve().parents[2] / "playbooks"



def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files under the given files and folders, in a stable order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                problems.append(Problem.of(display_path(path), 0, "", "validate.no_yaml"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem.of(display_path(path), 0, "", "validate.no_path"))
    return files, problems


def validate(paths: Sequence[Path] = (BUNDLED,)) -> tuple[list[Loaded], list[Problem]]:
    """Load and check the playbook files under `paths`; return the documents and all problems."""
    files, problems = discover(paths)
    docs: list[Loaded] = []
    rejected: list[Loaded] = []  # failed the schema: only their ids are trusted, to avoid follow-on noise
    for file in files:
        loaded, load_problems = load_yaml(file)
        problems.extend(load_problems)
        if loaded is None:
            continue
        schema_problems = check_schema(loaded)
        problems.extend(schema_problems)
        (rejected if schema_problems else docs).append(loaded)
    if not names_missing_path(problems):
        extra_ids = {d.data["id"] for d in rejected if kind_of(d) in ("stage", "ending") and isinstance(d.data.get("id"), str)}
        partial = [d for d in rejected if kind_of(d) in KIND_SCHEMAS]
        problems.extend(check_references(docs, complete=not problems, extra_phase_ids=extra_ids, partial=partial))
    return docs, sorted(set(problems))


def names_missing_path(problems: Iterable[Problem]) -> bool:
    """Whether a path given to validate does not exist (then nothing else is checked)."""
    return any(p.words is not None and p.words.key == "validate.no_path" for p in problems)


def check_schema(loaded: Loaded) -> list[Problem]:
    """Validate one document against the schema its `kind` names."""
    name = display_path(loaded.file)
    if not isinstance(loaded.data, dict):
        return [Problem.of(name, 1, "$", "validate.not_mapping")]
    kind = loaded.data.get("kind")
    if kind is None:
        return [Problem.of(name, 1, "$", "validate.missing_kind", kinds=", ".join(KIND_SCHEMAS))]
    if kind not in KIND_SCHEMAS:
        return [Problem.of(name, loaded.line(("kind",)), "$.kind", "validate.unknown_kind", kind=kind, hint=suggestion(kind, KIND_SCHEMAS), kinds=", ".join(KIND_SCHEMAS))]
    errors = validator(KIND_SCHEMAS[kind]).iter_errors(loaded.data)
    return [problem for error in errors for problem in _phrase(loaded, error)]


def schema_problems(loaded: Loaded, schema_file: str) -> list[Problem]:
    """Validate a document against one schema of `schema/`, phrased like the playbooks' problems
    (for files that are not playbook files: waivers, an earlier report)."""
    return [problem for error in validator(schema_file).iter_errors(loaded.data) for problem in _phrase(loaded, error)]


def _phrase(loaded: Loaded, error: ValidationError) -> Iterator[Problem]:
    """Turn a jsonschema error into problems people can act on."""
    name = display_path(loaded.file)
    path: JsonPath = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import (
            best_match,  # jsonschema loads only when validating
        )

        best = best_match(error.context)
        inner = next(_phrase(loaded, best), None)
        if inner:
            yield Problem.of(inner.file, inner.line, inner.path, "validate.best_of", message=inner.words, n=len(error.context))
            return
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                where = (*path, key)
                yield Problem.of(name, loaded.line(where), json_path(where), "validate.unknown_key", key=key, hint=suggestion(key, allowed))
        return
    if kind == "required":
        for key in error.validator_value:
            if key not in error.instance:
                if key in LANGUAGES:
                    yield Problem.of(name, loaded.line(path), json_path(path), "validate.missing_text", language=Words(f"validate.language.{key}"), key=key)
                else:
                    yield Problem.of(name, loaded.line(path), json_path(path), "validate.missing_key", key=key)
        return
    message: tuple[str, dict] = ("validate.raw", {"text": error.message})  # jsonschema's own words, for rare cases
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        message = ("validate.not_one_of", {"value": repr(error.instance), "options": ", ".join(options), "hint": suggestion(str(error.instance), options)})
    elif kind == "const":
        message = ("validate.const", {"value": repr(error.instance), "expected": repr(error.validator_value)})
    elif kind == "pattern":
        message = ("validate.pattern", {"value": repr(error.instance), "what": _pattern_name(error.validator_value)})
    elif kind == "minLength" and error.instance == "":
        message = ("validate.empty", {})
    elif kind == "minItems":
        message = ("validate.min_items", {"n": error.validator_value, "has": len(error.instance)})
    elif kind == "not":
        required = error.validator_value.get("required", [])
        if required in (["value"], ["applies_to"]):
            message = ("validate.recorded_value" if required == ["value"] else "validate.applies_to", {})
        culprit = required[0] if required else None
        if culprit and isinstance(error.instance, dict) and culprit in error.instance:
            path = (*path, culprit)
    elif kind == "type":
        message = ("validate.type", {"expected": _type_name(error.validator_value), "found": _type_name(type(error.instance).__name__), "value": repr(error.instance)})
    yield Problem.of(name, loaded.line(path), json_path(path), message[0], **message[1])


def _pattern_name(pattern: str) -> Words:
    if "_" in pattern:
        return Words("validate.pattern_signal")
    if "-" in pattern and pattern.startswith("^[a-z]"):
        return Words("validate.pattern_id")
    return Words("validate.pattern_other", pattern=pattern)


_TYPE_NAMES = {"object": "mapping", "dict": "mapping", "array": "list", "list": "list", "string": "text", "str": "text",
               "integer": "whole", "int": "whole", "number": "number", "float": "number", "boolean": "boolean", "bool": "boolean",
               "NoneType": "empty"}


def _type_name(name: object) -> Words | list:
    if isinstance(name, list):
        return [_type_name(n) for n in name]
    return Words(f"validate.t.{_TYPE_NAMES[str(name)]}") if str(name) in _TYPE_NAMES else Words("validate.raw", text=str(name))


# --- cross-references ---------------------------------------------------------------------------


__all__ = ["BUNDLED", "LANGUAGES", "check_references", "discover", "kind_of", "names_missing_path", "schema_problems", "validate"]
