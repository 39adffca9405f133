"""The presets that map each CRM's headers and values to the canonical fields, and a company's
own `--mapping FILE`.

Presets are data (checker/inputs/presets/*.yaml, schema/mapping.schema.json); a company's own
`--mapping FILE` uses the same format and may `extends:` a preset.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from checker.inputs.files import InputError
from checker.inputs.values import date_pattern
from checker.playbook.cache import validated
from checker.playbook.messages import Problem, closest, suggestion
from checker.playbook.schemas import KIND_SCHEMAS, validator
from checker.playbook.yamlload import load_yaml

PRESET_DIR = Path(__file__).resolve().parent / "presets"
KINDS = ("accounts", "activities", "deals", "contacts")


def normalise_header(name: str) -> str:
    """`Share of Wallet ` → `share_of_wallet`: case, spaces and `_`/space/`-` differences ignored."""
    return re.sub(r"[\s_\-]+", "_", name.strip().casefold()).strip("_")


@dataclass
class Mapping:
    """A preset or a company mapping: canonical field → accepted header spellings, per file kind."""

    id: str
    name: str
    # An entry is a header spelling, or a list of columns taken per row (the first non-empty).
    fields: dict[str, dict[str, list[str | list[str]]]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    fingerprints: list[list[str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    footers: list[str] = field(default_factory=list)
    date_format: str | None = None
    type_from_columns: dict[str, str] = field(default_factory=dict)
    # What a company --mapping itself names (not the preset it extends): only these entries may
    # be reported as missing from the user's file; a preset's field the file lacks is just unused.
    own: dict[str, dict[str, list[str | list[str]]]] = field(default_factory=dict)
    lead_id_patterns: list[str] = field(default_factory=list)  # contact ids that are leads, not the account's people
    currency_rates: dict[str, float] = field(default_factory=dict)  # currency code → value of one unit in the report currency
    record_fields: dict = field(default_factory=dict)  # the handbook's crm-fields page: where to add the fields, their types
    source: str | None = None  # the company's --mapping file this mapping includes, for messages

    def merged(self, other: Mapping) -> Mapping:
        """This mapping with `other`'s entries added (other's spellings first)."""
        fields = {k: {c: list(v) for c, v in f.items()} for k, f in self.fields.items()}
        for kind, entries in other.fields.items():
            for canonical, spellings in entries.items():
                fields.setdefault(kind, {})[canonical] = spellings + fields.get(kind, {}).get(canonical, [])
        values = {k: dict(v) for k, v in self.values.items()}
        for kind, vocab in other.values.items():
            values.setdefault(kind, {}).update(vocab)
        return Mapping(self.id, self.name, fields, values, self.fingerprints, self.prefixes + other.prefixes,
                       self.footers + other.footers, other.date_format or self.date_format,
                       {**self.type_from_columns, **other.type_from_columns}, other.own or other.fields,
                       self.lead_id_patterns + other.lead_id_patterns, {**self.currency_rates, **other.currency_rates},
                       record_fields={**self.record_fields, **other.record_fields}, source=other.source or self.source)

    def day_order(self, given: str | None) -> str | None:
        """The day/month order for slashed dates no column settles: --date-format, else this mapping's."""
        return given or self.date_format

    def header_map(self, kind: str, header: list[str], canonical: set[str]) -> dict[int, str]:
        """Column index → canonical name for one file's header.

        For each canonical field the mapping's spellings are tried in their order (so a preset
        can prefer `ActivityDate` over `ActivityDateTime`), then a column already named like a
        canonical field maps to it. A column serves one field.
        """
        keys = []
        for raw in header:
            name = raw.strip()
            for prefix in self.prefixes:
                if name.casefold().startswith(prefix.casefold()):
                    name = name[len(prefix):]
            keys.append({normalise_header(raw), normalise_header(name)})
        out: dict[int, str] = {}
        for field_name, spellings in self.fields.get(kind, {}).items():
            for spelling in spellings:
                # A per-row list maps its first present column here (per_row adds the others).
                hit = next((i for s in _columns(spelling) for i, k in enumerate(keys) if normalise_header(s) in k and i not in out), None)
                if hit is not None:
                    out[hit] = field_name
                    break
        for i, k in enumerate(keys):
            name = next((c for c in sorted(k) if c in canonical), None)
            if i not in out and name and name not in out.values():
                out[i] = name
        return out

    def per_row(self, kind: str, header: list[str], mapped: dict[int, str]) -> dict[str, list[int]]:
        """Fields mapped by a per-row list: field → every present column of the list, in its order
        (the cell taken is the first non-empty one of the row)."""
        keys = [normalise_header(h) for h in header]
        out: dict[str, list[int]] = {}
        for index, field_name in mapped.items():
            for spelling in self.fields.get(kind, {}).get(field_name, []):
                if isinstance(spelling, list):
                    present = [keys.index(normalise_header(s)) for s in spelling if normalise_header(s) in keys]
                    if index in present:
                        out[field_name] = present
                        break
        return out

    def unmatched(self, kind: str, header: list[str], mapped: dict[int, str]) -> dict[str, str]:
        """The company mapping's own entries that match no column of this file: field → what was
        looked for, with a suggestion."""
        found = set(mapped.values())
        misses = {}
        for field_name, spellings in self.own.get(kind, {}).items():
            if field_name not in found:
                flat = [c for s in spellings for c in _columns(s)]
                hint = next((str(h) for h in (suggestion(s, [c.strip() for c in header]) for s in flat) if h), "")
                misses[field_name] = f"{field_name}: no column {' or '.join(repr(s) for s in flat)}{hint}"
        return misses

    def implied_type(self, header: list[str]) -> str | None:
        """The activity type a whole file implies by one of its columns (see `type_from_columns`)."""
        names = {normalise_header(h) for h in header}
        return next((t for column, t in self.type_from_columns.items() if normalise_header(column) in names), None)

    def via(self) -> Problem | str:
        """Where the mapping comes from, for a message: ` (mapping our.yaml)` for a company's own
        (with the CRM's preset it starts from), ` (preset hubspot)`; nothing for the canonical names."""
        if self.source:
            return Problem("hint.via_mapping", path=self.source) if self.id in ("canonical", "custom") else Problem("hint.via_mapping_preset", path=self.source, preset=self.id)
        return Problem("hint.via_preset", preset=self.id) if self.id != "canonical" else ""

    def vocabulary(self, kind: str) -> dict[str, str]:
        return {k.strip().casefold(): v for k, v in self.values.get(kind, {}).items()}


def _columns(spelling: str | list[str]) -> list[str]:
    """The header spellings of one mapping entry: a spelling, or a per-row list of them."""
    return spelling if isinstance(spelling, list) else [spelling]


def lines_to_add(kind: str, fields: list[str], header: list[str]) -> Problem:
    """What to add to a --mapping for fields no column maps: `account_id: [ACCOUNTID]`, naming
    the file's column closest to each field, else a placeholder for the user's own column."""
    by_key = {normalise_header(h).replace("_", ""): h.strip() for h in header if h.strip()}
    lines = []
    for name in fields:
        close = closest(name.replace("_", ""), by_key)
        column = yaml_item(by_key[close]) if close else Problem("hint.your_column")
        lines.append(Problem("hint.mapping_line", field=name, column=column))
    return Problem("hint.add_lines", kind=kind, lines=lines)


def yaml_item(name: str) -> str:
    """A header as an item of a YAML flow list (quoted when YAML would read it otherwise)."""
    return name if re.fullmatch(r"[A-Za-z_][\w .()/-]*", name) and not name.endswith(" ") else "'" + name.replace("'", "''") + "'"


def _mapping_from(data: dict) -> Mapping:
    return Mapping(
        id=data.get("id", "custom"),
        name=data.get("name", data.get("id", "custom")),
        fields={k: data[k] for k in KINDS if k in data},
        values=data.get("values", {}),
        fingerprints=data.get("fingerprints", []),
        prefixes=data.get("header_prefixes", []),
        footers=data.get("footer_patterns", []),
        date_format=data.get("date_format"),
        type_from_columns=data.get("type_from_columns", {}),
        lead_id_patterns=data.get("lead_id_patterns", []),
        currency_rates={k.strip().upper(): float(v) for k, v in data.get("currency_rates", {}).items()},
        record_fields=data.get("record_fields", {}),
    )


def _load_mapping_file(path: Path) -> dict:
    return _load_mapping_lines(path).data


def _load_mapping_lines(path: Path) -> Any:
    """The mapping file loaded (with its lines) and validated; every problem in one message."""
    loaded, problems = load_yaml(path)
    if loaded is not None and not problems:
        problems = [p for e in validator(KIND_SCHEMAS["mapping"]).iter_errors(loaded.data) for p in _schema_problems(path, loaded, e)]
    if not problems and loaded is not None and "date_format" in loaded.data:
        try:
            date_pattern(loaded.data["date_format"])
        except ValueError:
            raise InputError("error.mapping_date_format", path=path, line=loaded.line(("date_format",)), value=loaded.data["date_format"]) from None
    if problems or loaded is None:
        raise InputError("error.mapping_invalid", problems=list(problems))
    return loaded


def _schema_problems(path: Path, loaded: Any, error: Any) -> list[str | Problem]:
    """A schema error as people read it: a key the mapping format does not have (a misspelling, mostly) named with
    its line, the closest key and the keys there are; any other error in the validator's words."""
    where = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict) and "properties" in error.schema:
        known = list(error.schema["properties"])
        section = Problem("hint.mapping_section", section=".".join(str(w) for w in where)) if where else Problem("hint.mapping_top")
        return [Problem("error.mapping_key", path=path, line=loaded.line((*where, key)), key=key, section=section,
                        hint=suggestion(str(key), known), keys=", ".join(known))
                for key in error.instance if key not in known]
    return [f"{path}:{loaded.line(where)}: {error.message}"]


def source_entries(path: Path) -> tuple[dict, Callable[[str], int]] | None:
    """A --mapping file's `source:` entries and the line of each (None without them); see mapping_source.py."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--mapping {path}")
    loaded = _load_mapping_lines(path)
    if "source" not in loaded.data:
        return None
    return loaded.data["source"], lambda key: loaded.line(("source", key))


@cache
def presets() -> dict[str, Mapping]:
    """The bundled presets by id."""
    files = sorted(PRESET_DIR.glob("*.yaml"))
    found: dict[str, Mapping] = {}
    for _, data in validated(files, lambda: [(path, _load_mapping_file(path)) for path in files]):
        mapping = _mapping_from(data)
        found[mapping.id] = mapping
    return found


def load_mapping(path: Path) -> Mapping:
    """A company's `--mapping FILE`, on top of the preset it `extends:` (if any)."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--mapping {path}")
    data = _load_mapping_file(path)
    own = _mapping_from(data)
    own.source = str(path)
    base = data.get("extends")
    if base is None:
        own.own = own.fields
        return own
    if base not in presets():
        raise InputError("error.mapping_extends", path=path, base=base, hint=suggestion(base, presets()), presets=", ".join(presets()))
    return presets()[base].merged(own)


def read_rates(path: Path) -> dict[str, float]:
    """`--currency-rates FILE`: a CSV of currency code and rate (the value of one unit in the
    currency revenue is reported in), one a line; a header line is allowed."""
    if not path.is_file():
        raise InputError("error.no_file", path=f"--currency-rates {path}")
    rates: dict[str, float] = {}
    text = path.read_text(encoding="utf-8-sig")
    for line_no, row in enumerate(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.splitlines()[0] else ","), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            code, rate = cells[0].upper(), float(cells[1].replace(",", "."))
        except (IndexError, ValueError):
            if line_no == 1:
                continue  # a header
            raise InputError("error.currency_rates", path=path, line=line_no) from None
        if not re.fullmatch(r"[A-Z]{3}", code) or rate <= 0:
            raise InputError("error.currency_rates", path=path, line=line_no)
        rates[code] = rate
    return rates


def detect_preset(headers: list[list[str]], names: list[str] | None = None) -> tuple[Mapping, Problem]:
    """The preset whose fingerprint matches one file's headers best, and why (the headers and,
    given the files' `names`, the file that has them)."""
    best: tuple[float, Mapping, list[str], int] | None = None
    for n, header in enumerate(headers):
        seen = {normalise_header(h) for h in header}
        for mapping in presets().values():
            for fingerprint in mapping.fingerprints:
                # A CRM's own preset wins a tie against the canonical one.
                score = len(fingerprint) + (0 if mapping.id == "canonical" else 0.5)
                if all(normalise_header(f) in seen for f in fingerprint) and (best is None or score > best[0]):
                    best = (score, mapping, fingerprint, n)
    if best is None:
        return presets()["canonical"], Problem("cli.preset_none")
    found = ", ".join(repr(f) for f in best[2])
    if names:
        return best[1], Problem("cli.preset_by_file_headers", headers=found, file=names[best[3]])
    return best[1], Problem("cli.preset_by_headers", headers=found)
