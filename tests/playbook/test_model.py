from __future__ import annotations

import pytest

from checker.playbook.model import FINDING_KINDS, LANGUAGES, load_playbook
from checker.playbook.problems import PlaybookInvalid

STAGES = ["exploratory", "basic", "cooperation", "interdependence", "integrated"]
ENDINGS = {"abrupt": ("fast", "final"), "drawn-out": ("slow", "final"), "paused": ("fast", "may-return"), "fading": ("slow", "may-return")}


def test_five_stages_in_order(playbook):
    assert [s.id for s in playbook.stages] == STAGES
    assert [s.order for s in playbook.stages] == [1, 2, 3, 4, 5]


def test_four_endings_on_the_speed_outcome_figure(playbook):
    assert {e.id: (e.data["speed"], e.data["outcome"]) for e in playbook.endings} == ENDINGS


def test_every_stage_has_enough_expectations_and_training(playbook):
    for stage in playbook.stages:
        assert len(playbook.stage_rules(stage.id)) >= 4, stage.id
        training = stage.data["training"]
        assert len(training["discussion"]) >= 3 and len(training["quiz"]) >= 3
    for ending in playbook.endings:
        assert len(playbook.rules_for(ending.id)) >= 3, ending.id


def test_canonical_signals_are_in_the_catalogue(playbook):
    canonical = ["customer_contacts_12m", "our_contacts_12m", "share_of_wallet", "competitive_tenders_12m", "confidential_exchange", "open_books", "joint_planning_12m", "joint_projects_active", "purchases_12m", "relationship_start", "interactions_90d", "interactions_prev_90d", "price_share_90d", "development_12m", "development_prev_12m", "contact_changes_unhandled_12m", "repeat_complaints_open", "last_health_check", "last_interaction", "revenue_12m", "revenue_prev_12m", "portfolio_class", "next_review"]
    assert set(canonical) <= set(playbook.signals)


def test_rule_kinds_and_severities_are_known(playbook):
    assert {r.kind for r in playbook.rules} == set(FINDING_KINDS) - {"data", *playbook.manifest["review"]["findings"]}  # those two come from --assessments
    assert {r.severity for r in playbook.rules} <= {"error", "warning", "info"}
    stage_rules = [r for r in playbook.rules if r.kind == "stage-mismatch"]
    assert {r.direction for r in stage_rules} == {"behind", "ahead"}


def test_catalogues_required_by_the_product_exist(playbook):
    assert {"ending-reasons", "warning-signs", "leave-reasons", "prevention", "expectations", "portfolio", "lifecycle", "commitment"} <= set(playbook.catalogues)
    codes = [item.get("code") for item in playbook.catalogues["portfolio"]["items"]]
    assert codes == ["++", "+-", "-+", "--"]
    assert len(playbook.catalogues["warning-signs"]["items"]) == 4
    assert len(playbook.catalogues["leave-reasons"]["items"]) == 3
    assert len(playbook.glossary) >= 20


def test_every_text_has_both_languages(playbook):
    def walk(node, path):
        if isinstance(node, dict):
            if set(node) == set(LANGUAGES) and not isinstance(node["en"], list):
                for lang in LANGUAGES:
                    assert isinstance(node[lang], str) and node[lang].strip(), f"{path}.{lang}"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    for phase in [*playbook.stages, *playbook.endings]:
        walk(phase.data, phase.id)
    for cat in playbook.catalogues.values():
        walk(cat, cat["id"])


def test_loading_bad_playbooks_raises_with_every_problem(playbook_copy):
    path = playbook_copy / "stages" / "basic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: stage", "kind: stag"), encoding="utf-8")
    with pytest.raises(PlaybookInvalid) as info:
        load_playbook(playbook_copy)
    assert "unknown kind 'stag' (did you mean 'stage'?)" in str(info.value)


def test_every_rationale_with_a_numeric_threshold_says_the_number_is_the_playbooks_own(playbook):
    numeric = [r for r in playbook.rules if r.op != "recorded" and not isinstance(r.value, bool)]
    assert numeric and all(r.calibrated for r in numeric)
    for lang in ("en", "fi"):
        note = playbook.text("check.calibration", lang)
        assert note and note != playbook.text("check.calibration", "fi" if lang == "en" else "en")
        for rule in playbook.rules:
            assert playbook.rationale(rule, lang).endswith(note) is rule.calibrated, rule.id


# How rationales used to say it themselves before the note was appended (issue 12, item 6).
OWN_CALIBRATION = {
    "en": ("playbook's own line", "playbook's own calibration", "playbook's own and", "is this playbook's own", "the sources give no",
           "the source gives no", "the source sets no"),
    "fi": ("pelikirjan oma raja", "pelikirjan oma ja", "lähteet eivät anna", "lähde ei anna", "lähde ei määrää"),
}


def test_no_numeric_rationale_repeats_the_calibration_note_in_its_own_words(playbook):
    for lang, phrases in OWN_CALIBRATION.items():
        for rule in playbook.rules:
            if rule.calibrated:
                text = " ".join(rule.rationale[lang].split()).casefold()
                assert not [p for p in phrases if p in text], (rule.id, lang)


def test_a_count_is_grouped_by_thousands_as_each_language_writes_it(playbook):
    # A comma is Finnish's decimal mark: "1,304 asiakkuutta" would read as one and a bit.
    assert playbook.number(1304444, "en") == "1,304,444"
    assert playbook.number(1304444, "fi") == "1\u00a0304\u00a0444"
    assert playbook.number(999, "fi") == "999"
    assert playbook.text("progress.evaluating", "fi", n=playbook.number(20000, "fi")) == "arvioidaan 20\u00a0000 asiakkuutta"
