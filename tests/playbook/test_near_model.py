"""Near the line as the playbook states it (checker/playbook/near.py): lower severities, the words, the review page's model."""
from __future__ import annotations

from checker.playbook import near
from checker.playbook.model import SEVERITIES, Playbook


def test_one_severity_lower_and_info_stays_info() -> None:
    assert [near.lower(s) for s in SEVERITIES] == ["warning", "info", "info"]


def test_the_review_pages_model_holds_the_playbooks_margin_and_words(playbook: Playbook) -> None:
    model = near.page_model(playbook, "fi")
    assert model is not None and model["margin"] == playbook.manifest["near_line"]["margin"]
    assert model["note"] == near.note(playbook, "fi") and "10 %" in model["note"]
    assert model["lower"] == {"error": "warning", "warning": "info", "info": "info"}
    numeric = {r.id for r in playbook.rules if r.op in near.ORDERED and playbook.signals[r.signal].type in near.NUMERIC}
    assert set(model["rules"]) == numeric and "basic-real-supplier" in numeric and "interdependence-confidential" not in numeric
