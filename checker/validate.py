"""Validate playbook files: strict YAML, then JSON Schema, then cross-references.

Every problem in every file is collected, never only the first, and phrased as
`file:line: $.json.path: message`, with a "did you mean …?" where an id is misspelled.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from checker.problems import JsonPath, Problem, did_you_mean, display_path, json_path
from checker.schemas import KIND_SCHEMAS, validator
from checker.yamlload import Loaded, load_yaml

BUNDLED = Path(__file__).resolve().parent.parent / "playbooks"

_LANGUAGES = {"en": "English", "fi": "Finnish"}
_NUMERIC = {"count", "share", "days", "amount", "date"}


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files under the given files and folders, in a stable order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:
                problems.append(Problem(display_path(path), 0, "", "no .yaml files in this folder"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_path(path), 0, "", "no such file or folder"))
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
    if not any(p.message.startswith("no such") for p in problems):
        extra_ids = {d.data["id"] for d in rejected if kind_of(d) in ("stage", "ending") and isinstance(d.data.get("id"), str)}
        problems.extend(check_references(docs, complete=not problems, extra_phase_ids=extra_ids))
    return docs, sorted(set(problems))


def kind_of(loaded: Loaded) -> str | None:
    data = loaded.data
    return data.get("kind") if isinstance(data, dict) else None


def check_schema(loaded: Loaded) -> list[Problem]:
    """Validate one document against the schema its `kind` names."""
    name = display_path(loaded.file)
    if not isinstance(loaded.data, dict):
        return [Problem(name, 1, "$", "a playbook file must be a mapping of keys to values")]
    kind = loaded.data.get("kind")
    if kind is None:
        return [Problem(name, 1, "$", f"missing `kind`; say what this file is: one of {', '.join(KIND_SCHEMAS)}")]
    if kind not in KIND_SCHEMAS:
        return [Problem(name, loaded.line(("kind",)), "$.kind", f"unknown kind '{kind}'{did_you_mean(kind, KIND_SCHEMAS)}; one of {', '.join(KIND_SCHEMAS)}")]
    errors = validator(KIND_SCHEMAS[kind]).iter_errors(loaded.data)
    return [problem for error in errors for problem in _phrase(loaded, error)]


def _phrase(loaded: Loaded, error: ValidationError) -> Iterator[Problem]:
    """Turn a jsonschema error into problems people can act on."""
    name = display_path(loaded.file)
    path: JsonPath = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        best = best_match(error.context)
        others = len(error.context) - 1
        inner = next(_phrase(loaded, best), None)
        if inner:
            yield Problem(inner.file, inner.line, inner.path, f"{inner.message} (best of {others + 1} possible fixes)")
            return
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in allowed:
                where = (*path, key)
                yield Problem(name, loaded.line(where), json_path(where), f"unknown key '{key}'{did_you_mean(key, allowed)}")
        return
    if kind == "required":
        for key in error.validator_value:
            if key not in error.instance:
                what = f"the {_LANGUAGES[key]} text (`{key}`)" if key in _LANGUAGES else f"required key '{key}'"
                yield Problem(name, loaded.line(path), json_path(path), f"missing {what}")
        return
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        message = f"{error.instance!r} is not one of {', '.join(options)}{did_you_mean(str(error.instance), options)}"
    elif kind == "const":
        message = f"{error.instance!r} must be {error.validator_value!r} in this kind of file"
    elif kind == "pattern":
        message = f"{error.instance!r} is not a valid {_pattern_name(error.validator_value)}"
    elif kind == "minLength":
        message = "must not be empty" if error.instance == "" else error.message
    elif kind == "minItems":
        message = f"needs at least {error.validator_value} entries (has {len(error.instance)})"
    elif kind == "not":
        message = _not_message(error.validator_value) or error.message
        culprit = error.validator_value.get("required", [None])[0]
        if culprit and isinstance(error.instance, dict) and culprit in error.instance:
            path = (*path, culprit)
    elif kind == "type":
        message = f"expected {_type_name(error.validator_value)}, found {_type_name(type(error.instance).__name__)} {error.instance!r}"
    else:
        message = error.message
    yield Problem(name, loaded.line(path), json_path(path), message)


def _pattern_name(pattern: str) -> str:
    if "_" in pattern:
        return "signal id (lower-case letters, digits and underscores, e.g. 'share_of_wallet')"
    if "-" in pattern and pattern.startswith("^[a-z]"):
        return "id (lower-case letters, digits and single hyphens, e.g. 'cooperation-several-contacts')"
    return f"value (expected the pattern {pattern})"


def _type_name(name: object) -> str:
    names = {"object": "a mapping", "dict": "a mapping", "array": "a list", "list": "a list", "string": "text", "str": "text",
             "integer": "a whole number", "int": "a whole number", "number": "a number", "float": "a number",
             "boolean": "true/false", "bool": "true/false", "NoneType": "an empty value"}
    if isinstance(name, list):
        return " or ".join(names.get(n, n) for n in name)
    return names.get(str(name), str(name))


def _not_message(schema: dict) -> str | None:
    required = schema.get("required", [])
    if required == ["value"]:
        return "op 'recorded' takes no `value`; remove it"
    if required == ["applies_to"]:
        return "`applies_to` belongs to catalogue rules only; a stage's or ending's expectations apply to it"
    return None


# --- cross-references ---------------------------------------------------------------------------


class _Refs:
    """Collects problems while walking documents for cross-reference checks."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, doc: Loaded, path: JsonPath, message: str) -> None:
        self.problems.append(Problem(display_path(doc.file), doc.line(path), json_path(path), message))


def _single(docs: list[Loaded], kind: str, refs: _Refs, complete: bool) -> Loaded | None:
    found = [d for d in docs if kind_of(d) == kind]
    for extra in found[1:]:
        refs.add(extra, ("kind",), f"a second '{kind}' file; keep one (the first is {display_path(found[0].file)})")
    if not found and complete:
        refs.problems.append(Problem("playbooks", 0, "", f"no file of kind '{kind}' found"))
    return found[0] if found else None


def check_references(docs: list[Loaded], complete: bool = True, extra_phase_ids: set[str] = frozenset()) -> list[Problem]:
    """Check what JSON Schema cannot: ids resolve, are unique, orders are complete."""
    refs = _Refs()
    signals_doc = _single(docs, "signals", refs, complete)
    sources_doc = _single(docs, "sources", refs, complete)
    _single(docs, "manifest", refs, complete)
    _single(docs, "activity-keywords", refs, complete)
    signals = {s["id"]: s for s in signals_doc.data["signals"]} if signals_doc else {}
    sources = {s["id"] for s in sources_doc.data["sources"]} if sources_doc else set()
    phases = [d for d in docs if kind_of(d) in ("stage", "ending")]
    phase_ids = {d.data["id"] for d in phases} | set(extra_phase_ids)

    _unique_ids(docs, refs)
    _unique_message_keys([d for d in docs if kind_of(d) == "messages"], refs)
    for kind in ("stage", "ending"):
        _orders([d for d in docs if kind_of(d) == kind], kind, refs, complete)
    _unique_names(phases, refs)
    for doc in docs:
        if doc is not sources_doc and sources:
            for path, ref in _walk_source_refs(doc.data, ()):
                if ref not in sources:
                    refs.add(doc, (*path, "source"), f"unknown source '{ref}'{did_you_mean(ref, sources)}; add it to catalogues/sources.yaml or fix the id")
        if signals_doc is None:
            continue
        for path, rule in _rules(doc):
            _check_rule(doc, path, rule, signals, phase_ids, refs)
        data = doc.data
        for key, value in data.get("profile", {}).items():
            _check_value(doc, ("profile", key), key, "==", value, signals, refs)
        for i, item in enumerate(data.get("items", []) if kind_of(doc) == "catalogue" else []):
            for j, signal in enumerate(item.get("signals", [])):
                if signal not in signals:
                    refs.add(doc, ("items", i, "signals", j), f"'{signal}' is not a known signal{did_you_mean(signal, signals)}")
        for i, question in enumerate(data.get("training", {}).get("quiz", [])):
            if question["answer"] >= len(question["options"]):
                refs.add(doc, ("training", "quiz", i, "answer"), f"answer {question['answer']} points past the {len(question['options'])} options (counting from 0)")
    return refs.problems


def _rules(doc: Loaded) -> Iterator[tuple[JsonPath, dict]]:
    key = "rules" if kind_of(doc) == "catalogue" else "expectations"
    for i, rule in enumerate(doc.data.get(key, []) if isinstance(doc.data, dict) else []):
        yield (key, i), rule


def _walk_source_refs(node: object, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                for i, ref in enumerate(value):
                    if isinstance(ref, dict) and "source" in ref:
                        yield (*path, key, i), ref["source"]
            else:
                yield from _walk_source_refs(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_source_refs(value, (*path, i))


def _id_sites(doc: Loaded) -> Iterator[tuple[JsonPath, str]]:
    data = doc.data
    if kind_of(doc) in ("stage", "ending", "catalogue"):
        yield ("id",), data["id"]
    for list_key in ("expectations", "rules", "items", "terms"):
        for i, entry in enumerate(data.get(list_key, [])):
            yield (list_key, i, "id"), entry["id"]


def _unique_ids(docs: Iterable[Loaded], refs: _Refs) -> None:
    seen: dict[str, tuple[Loaded, JsonPath]] = {}
    for doc in docs:
        for path, ident in _id_sites(doc):
            if ident in seen:
                first_doc, first_path = seen[ident]
                refs.add(doc, path, f"duplicate id '{ident}' (first used at {display_path(first_doc.file)}:{first_doc.line(first_path)}); ids must be unique across all playbook files")
            else:
                seen[ident] = (doc, path)


def _unique_message_keys(docs: list[Loaded], refs: _Refs) -> None:
    seen: dict[str, Loaded] = {}
    for doc in docs:
        for key in doc.data["messages"]:
            if key in seen:
                refs.add(doc, ("messages", key), f"message '{key}' is already defined in {display_path(seen[key].file)}")
            seen.setdefault(key, doc)
            text = doc.data["messages"][key]
            en, fi = (set(re.findall(r"\{(\w+)\}", text[lang])) for lang in ("en", "fi"))
            if en != fi:
                refs.add(doc, ("messages", key), f"placeholders differ between languages: en {sorted(en)}, fi {sorted(fi)}")


def _orders(docs: list[Loaded], kind: str, refs: _Refs, complete: bool) -> None:
    by_order: dict[int, Loaded] = {}
    for doc in docs:
        order = doc.data["order"]
        if order in by_order:
            refs.add(doc, ("order",), f"order {order} is already taken by '{by_order[order].data['id']}'")
        by_order[order] = doc
    missing = sorted(set(range(1, len(docs) + 1)) - set(by_order))
    if missing and complete and docs:
        last = max(docs, key=lambda d: d.data["order"])
        refs.add(last, ("order",), f"the {kind} order must run 1…{len(docs)} without gaps; {', '.join(map(str, missing))} is missing")


def _unique_names(phases: list[Loaded], refs: _Refs) -> None:
    """Names and aliases must point at one stage or ending: the checker reads them in `declared_stage`."""
    seen: dict[str, str] = {}
    for doc in phases:
        data = doc.data
        labels = [(("id",), data["id"])]
        labels += [(("name", lang), text) for lang, text in data["name"].items()]
        labels += [(("aliases", lang, i), alias) for lang, aliases in data.get("aliases", {}).items() for i, alias in enumerate(aliases)]
        mine: set[str] = set()
        for path, label in labels:
            key = " ".join(label.casefold().replace("_", " ").replace("-", " ").split())
            owner = seen.get(key)
            if owner and owner != data["id"]:
                refs.add(doc, path, f"'{label}' already names '{owner}'; a name or alias must point at one stage or ending")
            mine.add(key)
        seen.update({key: data["id"] for key in mine if key not in seen})


def _check_rule(doc: Loaded, path: JsonPath, rule: dict, signals: dict, phase_ids: set[str], refs: _Refs) -> None:
    for i, target in enumerate(rule.get("applies_to", [])):
        if target not in phase_ids:
            refs.add(doc, (*path, "applies_to", i), f"'{target}' is not a stage or ending id{did_you_mean(target, phase_ids)}")
    if rule.get("relative_to") is not None:
        other = rule["relative_to"]
        if other not in signals:
            refs.add(doc, (*path, "relative_to"), f"'{other}' is not a known signal{did_you_mean(other, signals)}")
        elif signals[other]["type"] not in _NUMERIC - {"date"}:
            refs.add(doc, (*path, "relative_to"), f"'{other}' is a {signals[other]['type']} signal; relative comparisons need numbers")
    for i, condition in enumerate(rule.get("when", [])):
        _check_value(doc, (*path, "when", i), condition["signal"], condition["op"], condition["value"], signals, refs)
    if rule["op"] == "recorded":
        if rule["signal"] not in signals:
            refs.add(doc, (*path, "signal"), f"'{rule['signal']}' is not a known signal{did_you_mean(rule['signal'], signals)}")
        return
    _check_value(doc, path, rule["signal"], rule["op"], rule["value"], signals, refs, relative=rule.get("relative_to") is not None)


def _check_value(doc: Loaded, path: JsonPath, signal: str, op: str, value: object, signals: dict, refs: _Refs, relative: bool = False) -> None:
    """The signal exists and the comparison fits its type."""
    is_profile = path[:1] == ("profile",)
    signal_path = path if is_profile else (*path, "signal")
    if signal not in signals:
        refs.add(doc, signal_path, f"'{signal}' is not a known signal{did_you_mean(signal, signals)}")
        return
    spec = signals[signal]
    kind = spec["type"]
    value_path = path if is_profile else (*path, "value")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        if not isinstance(value, bool):
            refs.add(doc, value_path, f"'{signal}' is a yes/no signal; compare it with true or false")
        elif op not in ("==", "!="):
            refs.add(doc, (*path, "op"), f"'{signal}' is a yes/no signal; use == or !=")
    elif kind == "category":
        if value not in spec["values"]:
            refs.add(doc, value_path, f"{value!r} is not a value of '{signal}'; one of {', '.join(spec['values'])}")
        elif op not in ("==", "!="):
            refs.add(doc, (*path, "op"), f"'{signal}' is a category; use == or !=")
    elif not number:
        refs.add(doc, value_path, f"'{signal}' is a {kind} signal; the threshold must be a number" + (" of days since the date" if kind == "date" else ""))
    elif kind == "share" and not relative and not 0 <= value <= 1:
        refs.add(doc, value_path, f"'{signal}' is a share between 0 and 1; write {value / 100:g} for {value:g} %")
    elif kind == "count" and not relative and value < 0:
        refs.add(doc, value_path, f"'{signal}' counts things; a negative threshold never matches")
