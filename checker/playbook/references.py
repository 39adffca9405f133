"""Cross-references between playbook files: ids unique and known, signals and sources that
exist, values that fit their signal's type, orders without gaps, message keys and units
defined — each problem named by file, line and JSON path, with a "did you mean" where it helps.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator

from checker.playbook.messages import Problem as Words
from checker.playbook.messages import suggestion
from checker.playbook.problems import JsonPath, Problem, display_path, json_path
from checker.playbook.yamlload import Loaded

LANGUAGES = ("en", "fi")
_RELATIVE_TYPES = {"count", "share", "days", "amount"}  # a factor × another signal needs numbers, not dates


def kind_of(loaded: Loaded) -> str | None:
    data = loaded.data
    return data.get("kind") if isinstance(data, dict) else None



class _Refs:
    """Collects problems while walking documents for cross-reference checks."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, doc: Loaded, path: JsonPath, key: str, /, **values: object) -> None:
        self.problems.append(Problem.of(display_path(doc.file), doc.line(path), json_path(path), key, **values))


def _single(docs: list[Loaded], kind: str, refs: _Refs, complete: bool) -> Loaded | None:
    found = [d for d in docs if kind_of(d) == kind]
    for extra in found[1:]:
        refs.add(extra, ("kind",), "validate.second_file", kind=kind, first=display_path(found[0].file))
    if not found and complete:
        refs.problems.append(Problem.of("playbooks", 0, "", "validate.no_kind_file", kind=kind))
    return found[0] if found else None


def check_references(docs: list[Loaded], complete: bool = True, extra_phase_ids: set[str] = frozenset(),
                     partial: Iterable[Loaded] = ()) -> list[Problem]:
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
    if complete:
        _see_links(docs, refs)
        _units(signals_doc, [d for d in docs if kind_of(d) == "messages"], refs)
        _asks(signals_doc, docs, refs)
    _unique_message_keys([d for d in docs if kind_of(d) == "messages"], refs)
    for kind in ("stage", "ending"):
        _orders([d for d in docs if kind_of(d) == kind], kind, refs, complete)
    _unique_names(phases, refs)
    if complete:
        _course_parts(docs, refs)
    for doc in docs:
        _check_doc(doc, doc is sources_doc, signals if signals_doc else None, sources, phase_ids, refs)
    for doc in partial:
        # A file that failed its schema still gets the checks its shape allows, so that one
        # run reports a missing text and a misspelled signal in the same file together.
        with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):  # too malformed to follow further: the schema problems say why
            _check_doc(doc, False, signals if signals_doc else None, sources, phase_ids, refs)
    return refs.problems


def _check_doc(doc: Loaded, is_sources: bool, signals: dict | None, sources: set[str], phase_ids: set[str], refs: _Refs) -> None:
    """The cross-references of one document: sources, signals, rules, profile, quiz answers."""
    if not is_sources and sources:
        for path, ref in _walk_source_refs(doc.data, ()):
            if ref not in sources:
                refs.add(doc, (*path, "source"), "validate.unknown_source", ref=ref, hint=suggestion(ref, sources))
    if signals is None:
        return
    for path, rule in _rules(doc):
        _check_rule(doc, path, rule, signals, phase_ids, refs)
    data = doc.data
    for key, value in data.get("profile", {}).items():
        _check_value(doc, ("profile", key), key, "==", value, signals, refs)
    for i, item in enumerate(data.get("items", []) if kind_of(doc) == "catalogue" else []):
        for j, signal in enumerate(item.get("signals", [])):
            if signal not in signals:
                refs.add(doc, ("items", i, "signals", j), "validate.unknown_signal", signal=signal, hint=suggestion(signal, signals))
    for i, question in enumerate(data.get("training", {}).get("quiz", [])):
        if question["answer"] >= len(question["options"]):
            refs.add(doc, ("training", "quiz", i, "answer"), "validate.quiz_answer", answer=question["answer"], n=len(question["options"]))


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


def _see_links(docs: list[Loaded], refs: _Refs) -> None:
    """`see_also` of a catalogue, `see` of its entries and of a glossary term, the places search phrasings lead to: ids the handbook links to."""
    ids = {ident for doc in docs for _, ident in _id_sites(doc)}
    for doc in docs:
        sites = [(("see_also", j), ref) for j, ref in enumerate(doc.data.get("see_also", []))] if kind_of(doc) == "catalogue" else []
        sites += [(("items", i, "see", j), ref) for i, item in enumerate(doc.data["items"]) for j, ref in enumerate(item.get("see", []))] \
            if kind_of(doc) == "catalogue" else []
        sites += [(("terms", i, "see", j), ref) for i, term in enumerate(doc.data["terms"]) for j, ref in enumerate(term.get("see", []))] \
            if kind_of(doc) == "glossary" else []
        sites += [(("phrasings", i, "id"), entry["id"]) for i, entry in enumerate(doc.data["phrasings"])] if kind_of(doc) == "phrasings" else []
        for path, ref in sites:
            if ref not in ids:
                refs.add(doc, path, "validate.unknown_link", ref=ref, hint=suggestion(ref, ids))


#: Course parts that are not ids in the data: pages and forms the course uses, and the pauses.
COURSE_PAGES = ("opening", "closing", "course-evaluation", "prework", "report", "review", "review-sheet", "break", "lunch")


def _course_parts(docs: list[Loaded], refs: _Refs) -> None:
    """A route's parts, the closing module's materials and a role play's stage name things the
    handbook can link to, and a route's parts add up to its stated length."""
    course = next((d for d in docs if kind_of(d) == "course"), None)
    if course is None:
        return
    data = course.data
    known = {d.data["id"] for d in docs if kind_of(d) in ("stage", "ending", "catalogue")}
    known |= {entry["id"] for key in ("roleplays", "templates") for entry in data.get(key, [])} | set(COURSE_PAGES)
    sites = [(("routes", i, "parts", j, "part"), part["part"]) for i, route in enumerate(data.get("routes", [])) for j, part in enumerate(route["parts"])]
    sites += [(("closing", "materials", j), ref) for j, ref in enumerate(data.get("closing", {}).get("materials", []))]
    sites += [(("roleplays", i, "about"), play["about"]) for i, play in enumerate(data.get("roleplays", []))]
    for path, ref in sites:
        if ref not in known:
            refs.add(course, path, "validate.unknown_course_part", ref=ref, hint=suggestion(ref, known))
    for i, route in enumerate(data.get("routes", [])):
        total = sum(part["minutes"] for part in route["parts"])
        if total != route["minutes"]:
            refs.add(course, ("routes", i, "minutes"), "validate.route_minutes", route=route["id"], total=total, minutes=route["minutes"])


def _units(signals_doc: Loaded | None, messages: list[Loaded], refs: _Refs) -> None:
    """A signal's `unit` names its words in the messages (`unit.<unit>`, with a form for 1 and for more)."""
    keys = {key for doc in messages for key in doc.data["messages"]}
    for i, signal in enumerate(signals_doc.data["signals"] if signals_doc else []):
        if "unit" in signal and f"unit.{signal['unit']}" not in keys:
            refs.add(signals_doc, ("signals", i, "unit"), "validate.unknown_unit", unit=signal["unit"],
                     hint=suggestion(signal["unit"], [k.removeprefix("unit.") for k in keys if k.startswith("unit.")]))


#: How each kind of answer on the account review is recorded: the signal types it can fill.
ANSWER_TYPES = {"yes-no": ("boolean",), "count": ("count",), "date": ("date",), "ranges": ("share", "count", "amount", "days"), "choice": ("category",)}


def _asks(signals_doc: Loaded | None, docs: list[Loaded], refs: _Refs) -> None:
    """A signal's `ask` (the account review): the answer fits the signal's type, a choice offers the
    signal's own values, and a range's value fits the type and sits strictly between the playbook's
    lines, never on one (a threshold of an expectation or of its `when`), so that the answer means
    the same on either side of every line."""
    if signals_doc is None:
        return
    lines: dict[str, set[float]] = {}
    for doc in docs:
        for _, rule in _rules(doc):
            tests = [rule] if rule.get("relative_to") is None else []  # a factor × another signal is no line of its own
            for test in [*tests, *rule.get("when", [])]:
                value = test.get("value")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    lines.setdefault(test["signal"], set()).add(value)
    for i, signal in enumerate(signals_doc.data["signals"]):
        ask = signal.get("ask")
        if not ask:
            continue
        kind, path = signal["type"], ("signals", i, "ask")
        if kind not in ANSWER_TYPES[ask["answer"]]:
            refs.add(signals_doc, (*path, "answer"), "validate.ask_answer", answer=ask["answer"], signal=signal["id"], kind=kind)
            continue
        for j, option in enumerate(ask.get("options", [])):
            value, where = option["value"], (*path, "options", j, "value")
            if ask["answer"] == "choice":
                if value not in signal.get("values", []):
                    refs.add(signals_doc, where, "validate.category_value", value=repr(value), signal=signal["id"], values=", ".join(signal.get("values", [])))
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "share" and not 0 <= value <= 1) \
                    or (kind == "count" and (value < 0 or value != int(value))) or (kind == "days" and value < 0):
                refs.add(signals_doc, where, "validate.ask_value", value=repr(value), signal=signal["id"], kind=kind)
            elif value in lines.get(signal["id"], ()):
                refs.add(signals_doc, where, "validate.ask_on_line", value=f"{value:g}", signal=signal["id"],
                         lines=", ".join(f"{v:g}" for v in sorted(lines[signal["id"]])))


def _unique_ids(docs: Iterable[Loaded], refs: _Refs) -> None:
    seen: dict[str, tuple[Loaded, JsonPath]] = {}
    for doc in docs:
        for path, ident in _id_sites(doc):
            if ident in seen:
                first_doc, first_path = seen[ident]
                refs.add(doc, path, "validate.duplicate_id", id=ident, first=f"{display_path(first_doc.file)}:{first_doc.line(first_path)}")
            else:
                seen[ident] = (doc, path)


def _unique_message_keys(docs: list[Loaded], refs: _Refs) -> None:
    seen: dict[str, Loaded] = {}
    for doc in docs:
        for key in doc.data["messages"]:
            if key in seen:
                refs.add(doc, ("messages", key), "validate.duplicate_message", key=key, file=display_path(seen[key].file))
            seen.setdefault(key, doc)
            text = doc.data["messages"][key]
            forms = {lang: " ".join(text[lang].values()) if isinstance(text[lang], dict) else text[lang] for lang in LANGUAGES}  # plural forms
            en, fi = (set(re.findall(r"\{(\w+)\}", forms[lang])) for lang in LANGUAGES)
            if en != fi:
                refs.add(doc, ("messages", key), "validate.placeholders", en=sorted(en), fi=sorted(fi))


def _orders(docs: list[Loaded], kind: str, refs: _Refs, complete: bool) -> None:
    by_order: dict[int, Loaded] = {}
    for doc in docs:
        order = doc.data["order"]
        if order in by_order:
            refs.add(doc, ("order",), "validate.order_taken", order=order, other=by_order[order].data["id"])
        by_order[order] = doc
    missing = sorted(set(range(1, len(docs) + 1)) - set(by_order))
    if missing and complete and docs:
        last = max(docs, key=lambda d: d.data["order"])
        refs.add(last, ("order",), "validate.order_gap", kind=kind, n=len(docs), missing=", ".join(map(str, missing)))


def label_key(label: str) -> str:
    """How a stage or ending name is compared: case, `_`, `-` and spacing ignored.

    The validator uses it to keep names unambiguous; the checker, to read `declared_stage`.
    """
    return " ".join(label.casefold().replace("_", " ").replace("-", " ").split())


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
            key = label_key(label)
            owner = seen.get(key)
            if owner and owner != data["id"]:
                refs.add(doc, path, "validate.name_taken", label=label, owner=owner)
            mine.add(key)
        seen.update({key: data["id"] for key in mine if key not in seen})


def _check_rule(doc: Loaded, path: JsonPath, rule: dict, signals: dict, phase_ids: set[str], refs: _Refs) -> None:
    for i, target in enumerate(rule.get("applies_to", [])):
        if target not in phase_ids:
            refs.add(doc, (*path, "applies_to", i), "validate.unknown_phase", target=target, hint=suggestion(target, phase_ids))
    if rule.get("relative_to") is not None:
        other = rule["relative_to"]
        if other not in signals:
            refs.add(doc, (*path, "relative_to"), "validate.unknown_signal", signal=other, hint=suggestion(other, signals))
        elif signals[other]["type"] not in _RELATIVE_TYPES:
            refs.add(doc, (*path, "relative_to"), "validate.relative_type", signal=other, kind=signals[other]["type"])
    for i, condition in enumerate(rule.get("when", [])):
        _check_value(doc, (*path, "when", i), condition["signal"], condition["op"], condition["value"], signals, refs)
    if rule["op"] == "recorded":
        if rule["signal"] not in signals:
            refs.add(doc, (*path, "signal"), "validate.unknown_signal", signal=rule["signal"], hint=suggestion(rule["signal"], signals))
        return
    _check_value(doc, path, rule["signal"], rule["op"], rule["value"], signals, refs, relative=rule.get("relative_to") is not None)


def _check_value(doc: Loaded, path: JsonPath, signal: str, op: str, value: object, signals: dict, refs: _Refs, relative: bool = False) -> None:
    """The signal exists and the comparison fits its type."""
    is_profile = path[:1] == ("profile",)
    signal_path = path if is_profile else (*path, "signal")
    if signal not in signals:
        refs.add(doc, signal_path, "validate.unknown_signal", signal=signal, hint=suggestion(signal, signals))
        return
    spec = signals[signal]
    kind = spec["type"]
    value_path = path if is_profile else (*path, "value")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        if not isinstance(value, bool):
            refs.add(doc, value_path, "validate.boolean_value", signal=signal)
        elif op not in ("==", "!="):
            refs.add(doc, (*path, "op"), "validate.boolean_op", signal=signal)
    elif kind == "category":
        if value not in spec["values"]:
            refs.add(doc, value_path, "validate.category_value", value=repr(value), signal=signal, values=", ".join(spec["values"]))
        elif op not in ("==", "!="):
            refs.add(doc, (*path, "op"), "validate.category_op", signal=signal)
    elif not number:
        refs.add(doc, value_path, "validate.number_value", signal=signal, kind=kind, days=Words("validate.days_since") if kind == "date" else "")
    elif kind == "share" and not relative and not 0 <= value <= 1:
        refs.add(doc, value_path, "validate.share_value", signal=signal, share=f"{value / 100:g}", percent=f"{value:g}")
    elif kind == "count" and not relative and value < 0:
        refs.add(doc, value_path, "validate.negative_count", signal=signal)
