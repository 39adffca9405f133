"""The handbook's "Record it in the CRM" page: the fields a CRM admin adds so that the stage and the
account review's answers live in the CRM itself.

Everything on it comes from data: the fields are `declared_stage` and the signals the review
asks (`ask:` in the signal catalogue); the name to give each field is the first spelling the
CRM's preset recognises for it (checker/inputs/presets/*.yaml), so an export with those
fields needs no --mapping; the preset's `record_fields` says where to add them and what the
CRM calls each field type.
"""
from __future__ import annotations

from typing import Any

from checker.handbook.markdown import md, table
from checker.inputs.mappings import presets


def fields(pb: Any) -> list[str]:
    """The fields to add: the declared stage, then the asked signals in catalogue order."""
    return ["declared_stage", *(s for s, signal in pb.signals.items() if "ask" in signal.data)]


def _values(hb: Any, field: str) -> str:
    """What a field holds, in the page's language: stage names, a share's ranges, a class's values."""
    pb, lang = hb.pb, hb.lang
    if field == "declared_stage":
        return ", ".join(md(s.name[lang]) for s in pb.stages) + " " + hb.label("crm.or_ending")
    signal = pb.signals[field]
    options = signal.data["ask"].get("options", [])
    if signal.type == "share":
        return hb.label("crm.share") + " " + "; ".join(f"{o['value']:g} = {md(o['label'][lang])}" for o in options)
    if options:
        return "; ".join(f"`{o['value']}` = {md(o['label'][lang])}" for o in options)
    return hb.label(f"crm.{signal.type}")


def crm_fields_page(hb: Any) -> str:
    """One section per CRM whose preset says how to record the fields: where, then a table of the fields."""
    pb, lang = hb.pb, hb.lang
    out: list[str] = []
    for preset in presets().values():
        spec = preset.record_fields
        if not spec:
            continue
        spelled = preset.fields.get("accounts", {})
        rows = []
        for field in fields(pb):
            name = spelled[field][0]
            kind = "stage" if field == "declared_stage" else pb.signals[field].type
            label = hb.label("crm.declared_stage") if field == "declared_stage" else md(pb.signals[field].name[lang])
            rows.append([label, f"`{name}`", md(spec["types"][kind]), _values(hb, field)])
        out += ["", f"## {md(preset.name)} {{#{preset.id}}}", "", md(spec["where"][lang]), "",
                table([hb.label(f"crm.{k}") for k in ("field", "name", "type", "values")], rows), ""]
    return "\n".join(out)
