"""The advice and the handbook link of each finding of a findings output (`action`, `handbook_url`), as the
JSON report gives them, in the run's language.

A rule's action and link are the rule's own (`Rule.action`, `Evaluator.url`), the same for every
account that fails it: they go to the engine as a small table, one row per rule id (the
expectations, the data findings' ids, the account review's kinds, the verdict), joined to the
findings by rule. The verdict's action alone differs by account: the playbook's `verdict.action`
for its direction (`behind`, `ahead`) with the declared and best-fit stages' names, and, behind,
what to develop: the titles of the declared stage's evidence expectations the account fails
(`Evaluator._verdict`'s mask), else `develop_fallback`. Its SQL is built here from the same
templates, over the per-account table (one CASE per declared × best-fit pair). A finding's
message is not written: it holds the account's numbers (its fit, the value beside a relative
line), as the JSON report has it; `playbook rules RULE` shows a rule's words.
"""
from __future__ import annotations

import numpy as np

from checker.engines.rules_sql import JUDGED, RulesSQL, text
from checker.evaluate import FAIL, Evaluator, data_rule_id, shows_evidence

WORDS = "pb_rule_words"  # rule → action, handbook_url
VERDICT_ACTIONS = "pb_verdict_actions"  # account_index → the verdict's action
COLUMNS = ("action", "handbook_url")
_MARK = "\x00develop\x00"


def rule_words(rules: RulesSQL, handbook_url: str) -> dict[str, np.ndarray]:
    """Per rule id its action (NULL for the verdict's, which is per account) and handbook link, as columns to register."""
    pb = rules.playbook
    words = Evaluator(pb, rules.as_of, rules.lang, handbook_url)  # its words and links, as the JSON report's
    verdict = pb.manifest["verdict"]
    rows: list[tuple[str, str | None, str]] = [(verdict["id"], None, words.url("rules/", verdict["id"]))]
    rows += [(r.id, r.action[rules.lang], words.url(r.page, r.id)) for r in pb.rules]
    rows += [(data_rule_id(key), words.text("check.data_action"), words.url("checker/", "data-findings")) for key in pb.messages if key.startswith("data.")]
    rows += [(kind, spec["action"][rules.lang], words.url("checker/", kind)) for kind, spec in pb.manifest["review"]["findings"].items()]
    return {"rule": np.array([r[0] for r in rows], dtype=object), "action": np.array([r[1] for r in rows], dtype=object),
            "handbook_url": np.array([r[2] for r in rows], dtype=object)}


def verdict_actions_sql(rules: RulesSQL, judged: str = JUDGED) -> str:
    """The verdict's action of every account that has a verdict: account_index, action."""
    pb, lang = rules.playbook, rules.lang
    spec = pb.manifest["verdict"]
    index = {r.id: i for i, r in enumerate(rules.rules)}
    branches = []
    for d, declared in enumerate(rules.stages):
        evidence = [r for r in pb.stage_rules(declared.id) if shows_evidence(r, pb)]
        failed = ", ".join(f"CASE WHEN c{index[r.id]} = {FAIL} THEN {text(r.title[lang])} END" for r in evidence)
        develop = f"COALESCE(NULLIF(CONCAT_WS('; ', {failed}), ''), {text(spec['develop_fallback'][lang])})" if evidence else text(spec["develop_fallback"][lang])
        for b, best in enumerate(rules.stages):
            if b == d:
                continue
            direction = "behind" if b < d else "ahead"
            template = spec["action"][direction][lang].format(declared=declared.name[lang], best=best.name[lang], develop=_MARK)
            parts = template.split(_MARK)
            # Ahead, the evaluator's mask is empty: the fallback, wherever the template names it.
            filling = develop if direction == "behind" else text(spec["develop_fallback"][lang])
            action = text(parts[0]) if len(parts) == 1 else f"CONCAT({text(parts[0])}, {_joined(parts, filling)})"
            branches.append(f"WHEN phase_k = {d} AND best_k = {b} THEN {action}")
    return f"SELECT account_index, CASE {' '.join(branches)} END AS action FROM {judged} WHERE verdict_severity IS NOT NULL"


def _joined(parts: list[str], filling: str) -> str:
    """The template's pieces with `filling` between each two, as CONCAT's arguments (after the first piece)."""
    pieces: list[str] = []
    for part in parts[1:]:
        pieces += [filling, text(part)]
    return ", ".join(pieces)


__all__ = ["COLUMNS", "VERDICT_ACTIONS", "WORDS", "rule_words", "verdict_actions_sql"]
