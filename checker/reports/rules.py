"""The playbook's own reports: `playbook summary`, `playbook rules` and one rule in full."""
from __future__ import annotations

import textwrap
from collections import Counter
from datetime import date

from checker.evaluate import Evaluator  # it phrases tests and citations the way findings do
from checker.playbook.model import SEVERITIES, Playbook


def summary(playbook: Playbook, lang: str = "en") -> str:
    """A short overview of what the playbooks hold, for `make run` and for editors."""
    def t(key: str, **values: object) -> str:
        return playbook.text(f"summary.{key}", lang, **values)

    lines = [t("head", title=playbook.manifest["title"][lang], version=playbook.manifest["version"], files=len(playbook.files)), ""]
    for key, phases in (("stages", playbook.stages), ("endings", playbook.endings)):
        lines.append(t(key, n=len(phases)))
        for phase in phases:
            count = len([r for r in playbook.rules if r.owner == phase.id])
            lines.append(f"  {phase.order}. {phase.id:<16} {phase.name[lang]:<40} {t('expectations', n=count)}")
    lines.append(t("catalogues", n=len(playbook.catalogues)))
    for cat in playbook.catalogues.values():
        entries, rules = (playbook.text(f"count.{what}", lang, n=n) for what, n in (("entries", len(cat["items"])), ("rules", len(cat.get("rules", [])))))
        lines.append(f"  {cat['id']:<19} {t('catalogue', entries=entries, rules=rules)}")
    kinds = Counter(r.kind for r in playbook.rules)
    severities = Counter(r.severity for r in playbook.rules)
    lines += [
        "",
        t("counts", signals=len(playbook.signals), sources=len(playbook.sources), terms=len(playbook.glossary)),
        t("rules", n=len(playbook.rules), kinds=", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
          severities=", ".join(f"{s} {severities[s]}" for s in SEVERITIES)),
    ]
    return "\n".join(lines)


def explain_rule(playbook: Playbook, rule_id: str, lang: str, handbook_url: str) -> str | None:
    """One rule in full, the way the handbook's rule catalogue shows it; None for an id no rule has."""
    verdict = playbook.manifest["verdict"]
    if rule_id == verdict["id"]:  # the account-level verdict: not an expectation, but explained like one
        words = Evaluator(playbook, date.today(), lang, handbook_url)
        return "\n".join([f"{verdict['id']}  stage-mismatch", f"  {verdict['title'][lang]}", "",
                          *textwrap.wrap(verdict["rationale"][lang], 80, initial_indent="  ", subsequent_indent="  "),
                          "", f"  ({words.citation(verdict['sources'])})", f"  {words.url('rules/', verdict['id'])}"])
    review = playbook.manifest["review"]["findings"].get(rule_id)
    if review is not None:  # the account review's findings (--assessments): explained like the verdict
        words = Evaluator(playbook, date.today(), lang, handbook_url)
        return "\n".join([f"{rule_id}  {rule_id}", f"  {review['title'][lang]}", "",
                          *textwrap.wrap(" ".join(review["rationale"][lang].split()), 80, initial_indent="  ", subsequent_indent="  "),
                          "", *textwrap.wrap("→ " + review["action"][lang], 80, initial_indent="  ", subsequent_indent="    "),
                          "", f"  {words.url('checker/', rule_id)}"])
    rule = playbook.rules_by_id.get(rule_id)
    if rule is None:
        return None
    words = Evaluator(playbook, date.today(), lang, handbook_url)
    applies = ", ".join(playbook.phases[p].name[lang] for p in rule.applies_to)
    when = "".join(f"\n  {playbook.text('check.rule_when', lang)} {c.signal} {c.op} {c.value}" for c in rule.when)
    return "\n".join([
        f"{rule.id}  [{rule.severity}] {rule.kind}" + (f", {rule.direction}" if rule.direction else ""),
        f"  {rule.title[lang]}",
        f"  {playbook.text('check.rule_applies_to', lang)}: {applies}",
        f"  {playbook.text('check.rule_test', lang)}: {rule.signal} {words.expected(rule)}{when}",
        *(f"  {line}" for line in company_lines(playbook, rule.id, lang)),
        "", *textwrap.wrap(playbook.rationale(rule, lang), 80, initial_indent="  ", subsequent_indent="  "),
        "", *textwrap.wrap("→ " + rule.action[lang], 80, initial_indent="  ", subsequent_indent="    "),
        "", f"  ({words.citation(rule.sources)})", f"  {words.url(rule.page, rule.id)}",
    ])


def rules_table(playbook: Playbook, lang: str = "en") -> str:
    """Every rule on one line: id, kind, severity, where it applies, the test and its title."""
    verdict = playbook.manifest["verdict"]
    ladder = ", ".join(f"{rung['distance']}+" + (f"/{rung['margin']:g}" if "margin" in rung else "") + f" {rung['severity']}" for rung in verdict["severity"])
    lines = [f"{verdict['id']}  [{ladder}] stage-mismatch  ({', '.join(s.id for s in playbook.stages)})\n    best fit ≠ declared: {verdict['title'][lang]}"]
    review = playbook.manifest["review"]
    lines.append(f"review-disagrees  [info, warning] review-disagrees  (--assessments)\n    review ≠ CRM beyond review.disagreement: {review['findings']['review-disagrees']['title'][lang]}")
    lines.append(f"review-stale  [info] review-stale  (--assessments)\n    reviewed_on > {review['stale_after_days']} days ago: {review['findings']['review-stale']['title'][lang]}")
    for rule in playbook.rules:
        test = f"{rule.signal} {rule.op}" + ("" if rule.op == "recorded" else f" {rule.value}" + (f" × {rule.relative_to}" if rule.relative_to else ""))
        lines.append(f"{rule.id}  [{rule.severity}] {rule.kind}  ({', '.join(rule.applies_to)})\n    {test}: {rule.title[lang]}")
        lines += [f"    {line}" for line in company_lines(playbook, rule.id, lang)]
    return "\n".join(lines)


def company_lines(playbook: Playbook, rule_id: str, lang: str) -> list[str]:
    """With `--thresholds`, a changed rule's two lines: the company's (in use) and the playbook's own."""
    overlay = playbook.thresholds
    if overlay is None or rule_id not in overlay.values:
        return []
    rule = playbook.rules_by_id[rule_id]
    test = f"{rule.signal} {rule.op} {{}}" + (f" × {rule.relative_to}" if rule.relative_to else "")
    return [f"{playbook.text('thresholds.rule_company', lang, file=overlay.file)}: {test.format(f'{overlay.values[rule_id]:g}')}",
            f"{playbook.text('thresholds.rule_playbook', lang)}: {test.format(f'{overlay.playbook_values[rule_id]:g}')}"]
