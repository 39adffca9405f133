"""The playbook as the checker and the handbook use it, built from validated YAML.

`load_playbook()` is the one entry point: it validates (see `validate.py`) and raises
`PlaybookInvalid` with every problem rather than building anything from bad data.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from checker.playbook.cache import Documents, validated
from checker.playbook.messages import fill
from checker.playbook.problems import PlaybookInvalid
from checker.playbook.validate import BUNDLED, LANGUAGES, discover, validate

Text = dict[str, str]  # {"en": …, "fi": …}

SEVERITIES = ("error", "warning", "info")  # most severe first

#: The kind of finding a rule raises, by where the rule is written.
REVIEW_KINDS = ("review-disagrees", "review-stale")  # the account review's own findings (checker/reviews.py)
FINDING_KINDS = ("stage-mismatch", "warning-sign", "termination", "portfolio", "data", *REVIEW_KINDS)
#: How a rule's comparison is written for people.
OP_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
DECLARED_ON = "stage_declared_on"  # the signal holding the day an account's stage or ending was declared (evaluate, the review page)


@dataclass(frozen=True)
class Condition:
    """A precondition of a rule: `signal op value`."""

    signal: str
    op: str
    value: object


@dataclass(frozen=True)
class Rule:
    """One expectation, wherever it is written (stage, ending or catalogue)."""

    id: str
    kind: str  # one of FINDING_KINDS
    owner: str  # id of the stage, ending or catalogue that holds it
    section: str  # handbook section of the owner: stages, endings or topics
    applies_to: tuple[str, ...]
    signal: str
    op: str
    value: object
    relative_to: str | None
    when: tuple[Condition, ...]
    direction: str | None
    severity: str
    data: dict = field(repr=False, compare=False, hash=False)

    @property
    def title(self) -> Text:
        return self.data["title"]

    @property
    def rationale(self) -> Text:
        return self.data["rationale"]

    @property
    def action(self) -> Text:
        return self.data["action"]

    @property
    def sources(self) -> list[dict]:
        return self.data["sources"]

    @property
    def page(self) -> str:
        """The handbook page holding this rule, relative to a language root."""
        return f"{self.section}/{self.owner}/"

    @property
    def calibrated(self) -> bool:
        """Whether the rule tests a number (a count, share, amount or days): a threshold the playbook set itself."""
        return self.op != "recorded" and isinstance(self.value, (int, float)) and not isinstance(self.value, bool)


@dataclass(frozen=True)
class Signal:
    id: str
    type: str
    data: dict = field(repr=False, compare=False, hash=False)

    @property
    def name(self) -> Text:
        return self.data["name"]

    @property
    def unit(self) -> str | None:
        """The key of the unit's words (messages `unit.<unit>`, with a form for 1 and for more)."""
        return self.data.get("unit")


@dataclass(frozen=True)
class Phase:
    """A stage or an ending: something an account can be declared in."""

    id: str
    kind: str  # "stage" or "ending"
    order: int
    data: dict = field(repr=False, compare=False, hash=False)

    @property
    def name(self) -> Text:
        return self.data["name"]

    @property
    def section(self) -> str:
        return "stages" if self.kind == "stage" else "endings"

    @property
    def page(self) -> str:
        return f"{self.section}/{self.id}/"

    def labels(self) -> list[str]:
        """Every way to write this phase in a CRM column: id, names and aliases."""
        aliases = self.data.get("aliases", {})
        return [self.id, *self.name.values(), *(a for lang in LANGUAGES for a in aliases.get(lang, []))]


@dataclass
class Playbook:
    """Everything in `playbooks/`, validated and cross-referenced."""

    manifest: dict
    stages: list[Phase]
    endings: list[Phase]
    signals: dict[str, Signal]
    sources: dict[str, dict]
    catalogues: dict[str, dict]
    glossary: list[dict]
    rules: list[Rule]
    files: list[Path]
    messages: dict[str, Text] = field(default_factory=dict)
    activity_keywords: dict = field(default_factory=dict)
    course: dict = field(default_factory=dict)  # playbooks/course.yaml: opening, closing, templates
    phrasings: list = field(default_factory=list)  # playbooks/phrasings.yaml: everyday words for the handbook's search
    # A company's own lines laid over the rules (playbook.thresholds.Thresholds), when accepted: every report says so.
    thresholds: Any = None

    def text(self, key: str, lang: str, /, **values: object) -> str:
        """An interface message from `playbooks/messages/`, filled in."""
        return fill(self.messages[key][lang], values)

    def number(self, n: int, lang: str) -> str:
        """A count with its thousands grouped as the language writes them (`12,345`; `12 345`: a comma is Finnish's decimal mark)."""
        return f"{n:,}".replace(",", self.text("help.digit_group", lang))

    @cached_property
    def phases(self) -> dict[str, Phase]:
        return {p.id: p for p in [*self.stages, *self.endings]}

    def rules_for(self, phase_id: str) -> list[Rule]:
        """The rules the checker runs for an account declared in `phase_id`."""
        return [r for r in self.rules if phase_id in r.applies_to]

    def stage_rules(self, stage_id: str) -> list[Rule]:
        """The stage's own expectations (used to score how well an account fits it)."""
        return [r for r in self.rules if r.kind == "stage-mismatch" and r.owner == stage_id]

    def rationale(self, rule: Rule, lang: str) -> str:
        """A rule's rationale as people read it: with a numeric threshold, followed by the note
        that the number is the playbook's own calibration (the sources give the idea, not the figure)."""
        text = " ".join(rule.rationale[lang].split())
        return f"{text} {self.text('check.calibration', lang)}" if rule.calibrated else text

    def shows_evidence(self, rule: Rule) -> bool:
        """Whether `rule` is an "at least" test: one that passes only on something the account
        shows (a count or share reached, a yes, a recent date), never on zeros or absence.
        Such tests make a stage eligible as the best fit (manifest `best_fit.min_evidence`)."""
        kind = self.signals[rule.signal].type
        if rule.relative_to or rule.op == "recorded":
            return False
        if kind == "boolean":
            return rule.op == "==" and rule.value is True
        if kind == "date":
            return rule.op in ("<=", "<")  # days since the date: a recent date
        return (rule.op == ">=" and rule.value > 0) or (rule.op == ">" and rule.value >= 0)

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def _rule(data: dict, kind: str, owner: str, section: str, applies_to: Sequence[str]) -> Rule:
    return Rule(
        id=data["id"],
        kind=kind,
        owner=owner,
        section=section,
        applies_to=tuple(applies_to),
        signal=data["signal"],
        op=data["op"],
        value=data.get("value"),
        relative_to=data.get("relative_to"),
        when=tuple(Condition(c["signal"], c["op"], c["value"]) for c in data.get("when", [])),
        direction=data.get("direction"),
        severity=data["severity"],
        data=data,
    )


def load_playbook(directory: Path | None = None) -> Playbook:
    """Validate and load the playbooks in `directory` (default: the bundled ones).

    Files validated before, byte for byte, come from the cache (see cache.py)."""
    root = directory or BUNDLED

    def checked() -> Documents:
        docs, problems = validate([root])
        if problems:
            raise PlaybookInvalid(problems)
        return [(doc.file, doc.data) for doc in docs]

    files, missing = discover([root])
    docs = checked() if missing else validated(files, checked)
    by_kind: dict[str, list[dict]] = {}
    for _, data in docs:
        by_kind.setdefault(data["kind"], []).append(data)
    stages = sorted((Phase(d["id"], "stage", d["order"], d) for d in by_kind.get("stage", [])), key=lambda p: p.order)
    endings = sorted((Phase(d["id"], "ending", d["order"], d) for d in by_kind.get("ending", [])), key=lambda p: p.order)
    rules: list[Rule] = []
    for phase in [*stages, *endings]:
        kind = "stage-mismatch" if phase.kind == "stage" else "termination"
        rules += [_rule(e, kind, phase.id, phase.section, [phase.id]) for e in phase.data["expectations"]]
    catalogues = {d["id"]: d for d in by_kind.get("catalogue", [])}
    for cat in catalogues.values():
        rules += [_rule(r, cat["rule_kind"], cat["id"], "topics", r["applies_to"]) for r in cat.get("rules", [])]
    return Playbook(
        manifest=by_kind["manifest"][0],
        stages=stages,
        endings=endings,
        signals={s["id"]: Signal(s["id"], s["type"], s) for s in by_kind["signals"][0]["signals"]},
        sources={s["id"]: s for s in by_kind["sources"][0]["sources"]},
        catalogues=catalogues,
        glossary=by_kind["glossary"][0]["terms"] if "glossary" in by_kind else [],
        rules=rules,
        files=[file for file, _ in docs],
        messages={k: v for d in by_kind.get("messages", []) for k, v in d["messages"].items()},
        activity_keywords=by_kind["activity-keywords"][0] if "activity-keywords" in by_kind else {},
        course=by_kind["course"][0] if "course" in by_kind else {},
        phrasings=by_kind["phrasings"][0]["phrasings"] if "phrasings" in by_kind else [],
    )
