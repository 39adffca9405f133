"""Access to the JSON Schemas in `schema/`, resolved locally (nothing is fetched)."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from referencing import Registry

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"

#: Playbook file kinds (the `kind:` key) and the schema each one is validated by.
KIND_SCHEMAS = {
    "manifest": "manifest.schema.json",
    "stage": "stage.schema.json",
    "ending": "ending.schema.json",
    "catalogue": "catalogue.schema.json",
    "signals": "signals.schema.json",
    "sources": "sources.schema.json",
    "glossary": "glossary.schema.json",
    "messages": "messages.schema.json",
    "activity-keywords": "activity-keywords.schema.json",
    "course": "course.schema.json",
    "phrasings": "phrasings.schema.json",
    "mapping": "mapping.schema.json",
}


@cache
def _registry() -> Registry:
    from referencing import (  # loaded only when validating: a cached check needs neither
        Registry,
        Resource,
    )

    registry: Registry = Registry()
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        registry = registry.with_resource(path.as_uri(), Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
    return registry


@cache
def validator(schema_file: str) -> Draft202012Validator:
    """A validator for one schema file in `schema/`, with its `$ref`s resolved from disk."""
    from jsonschema import Draft202012Validator

    uri = (SCHEMA_DIR / schema_file).as_uri()
    return Draft202012Validator({"$ref": uri}, registry=_registry())
