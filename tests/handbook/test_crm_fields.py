"""The "Record it in the CRM" page and the presets: an export with the suggested fields needs no mapping."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.check import Inputs, read_signals
from checker.handbook.crm_fields import fields
from checker.inputs.columns import decode
from checker.inputs.mappings import presets

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crm-fields"
CRMS = ("salesforce", "hubspot", "dynamics", "pipedrive")
#: The first account of every fixture: the same answers, each CRM's way.
EXPECTED = {"customer_contacts_12m": 4, "share_of_wallet": 0.45, "competitive_tenders_12m": 1, "confidential_exchange": True,
            "open_books": False, "joint_planning_12m": 1, "joint_projects_active": 0, "last_health_check": date(2026, 5, 14),
            "portfolio_class": "+-"}


def test_the_page_lists_the_stage_and_every_asked_signal(playbook):
    asked = [s for s, signal in playbook.signals.items() if "ask" in signal.data]
    assert fields(playbook) == ["declared_stage", *asked]
    assert set(EXPECTED) == set(asked), "the fixtures answer every question the review asks"


@pytest.mark.parametrize("crm", CRMS)
def test_every_crm_preset_recognises_the_suggested_fields(crm, playbook):
    preset = presets()[crm]
    assert {"stage", *(playbook.signals[s].type for s in fields(playbook)[1:])} <= set(preset.record_fields["types"])
    assert preset.record_fields["where"]["en"] and preset.record_fields["where"]["fi"]
    for field in fields(playbook):
        assert preset.fields["accounts"].get(field), f"{crm}: no suggested name for {field}"


@pytest.mark.parametrize("crm", CRMS)
def test_an_export_with_the_suggested_fields_needs_no_mapping(crm, playbook):
    table, sources = read_signals(Inputs(FIXTURES / f"{crm}.csv"), playbook, date(2026, 11, 1), "en")
    assert sources.preset == crm
    assert table.declared == ["cooperation", None]
    for signal, value in EXPECTED.items():
        assert decode(table.columns.get(signal)[0], playbook.signals[signal]) == value, (crm, signal)
        assert decode(table.columns.get(signal)[1], playbook.signals[signal]) is None  # empty is unknown
    assert not table.notes.get(0), table.notes.get(0)
