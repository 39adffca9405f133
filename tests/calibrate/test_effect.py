"""What the suggested lines change per declared stage, counted from the two evaluations."""
from __future__ import annotations

from datetime import date

from planted import accounts

from checker.calibrate.effect import compare, verdicts
from checker.evaluate import Evaluator
from checker.inputs.accounts import table_from_values

AS_OF = date(2026, 6, 30)


def test_verdicts_count_accounts_ahead_behind_and_their_warnings(playbook):
    table, _mismatched = accounts(playbook, AS_OF, per_stage=10, mismatched=4)
    evaluation = Evaluator(playbook, AS_OF, "en", "http://h").evaluate(table)
    counted = verdicts(playbook, table, evaluation)
    assert sum(v.accounts for v in counted.values()) == len(table)
    assert counted["integrated"].behind >= 2 and counted["interdependence"].behind >= 2, "the planted mismatches are behind"
    warnings = sum(1 for findings in evaluation.findings for f in findings if f.severity in ("warning", "error") and f.kind != "data")
    assert sum(v.warnings for v in counted.values()) == warnings
    assert counted["basic"].warnings_per_100 == 100 * counted["basic"].warnings / counted["basic"].accounts


def test_an_empty_stage_has_no_share_and_the_same_evaluation_changes_nothing(playbook):
    table = table_from_values(playbook, [{"account_id": "A", "declared": "basic", "share_of_wallet": 0.2}])
    evaluation = Evaluator(playbook, AS_OF, "en", "http://h").evaluate(table)
    effect = {e.stage: e for e in compare(playbook, table, evaluation, evaluation)}
    assert effect["integrated"].now.accounts == 0 and effect["integrated"].now.warnings_per_100 is None and effect["integrated"].now.share(0) is None
    assert effect["basic"].now == effect["basic"].suggested
