"""The handbook's macros module (mkdocs-macros): playbook content rendered as Markdown.

Every page that shows playbook content calls a macro defined here; nothing is copied
into `docs/` by hand. `define_env` loads the playbooks with the same strict loader and
validation as `playbook validate` and stops the build with that same list of problems
when the data is bad, so nothing is ever rendered from it. Labels and headings come from
`playbooks/messages/handbook.yaml` (keys `handbook.*`); names come from the data.

Stable URLs (see docs/<lang>/links.md): `<lang>/stages/<id>/#<rule-id>`,
`<lang>/endings/<id>/#<rule-id>`, `<lang>/topics/<catalogue-id>/#<rule-or-entry-id>`,
`<lang>/rules/#<rule-id>`, `<lang>/glossary/#<term-id>`, `<lang>/sources/#<source-id>`.
"""
from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from checker import diagrams
from checker.model import Phase, Playbook, Rule, load_playbook
from checker.problems import PlaybookInvalid

#: The order topic pages appear in; catalogues not named here follow in file order.
TOPICS = ("warning-signs", "leave-reasons", "prevention", "ending-reasons", "portfolio", "lifecycle", "expectations", "commitment")
RELATED = {"warning-signs": ("leave-reasons", "prevention"), "leave-reasons": ("warning-signs", "prevention"), "prevention": ("warning-signs", "leave-reasons")}
TRAITS = ("trust", "information_exchange", "people_involved", "buying_pattern", "communication_aim", "personal_relationships", "ease_of_ending")
ASSESS = ("trust", "information_exchange", "people_involved", "buying_pattern", "ease_of_ending")
GROWTH = ("trust", "information_exchange", "people_involved")
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
#: Minutes a course module spends on each part; the outline page states the same rule.
MINUTES = {"intro": 15, "discussion": 10, "case": 30, "quiz": 3}
#: What docs/ pages may call.
MACROS = ("t", "title_block", "phase_page", "topic_page", "rules_page", "glossary_page", "sources_page", "course_outline", "link_scheme",
          "lifecycle_diagram", "stages_table", "endings_diagram", "endings_table", "self_assessment", "page_list", "print_link")
_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")


def md(text: str) -> str:
    """Playbook text as inline Markdown: whitespace folded, HTML and Markdown syntax escaped."""
    return _SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def page_url(src: str) -> str:
    """The URL (relative to the language root) of a docs page: `stages/x.md` → `stages/x/`."""
    path = src.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index")
    return f"{path}/" if path else ""


class Handbook:
    """Renders one language of the handbook; each public method is a macro."""

    def __init__(self, playbook: Playbook, lang: str, env: Any) -> None:
        self.pb, self.lang, self.env = playbook, lang, env

    # --- words, links and values -----------------------------------------------------------------

    def t(self, key: str, **values: object) -> str:
        """A handbook label from playbooks/messages/ (`handbook.<key>`), unescaped."""
        return self.pb.text(f"handbook.{key}", self.lang, **values)

    def tr(self, text: dict[str, str]) -> str:
        return md(text[self.lang])

    def paras(self, text: dict[str, str]) -> list[str]:
        return [p for part in re.split(r"\n\s*\n", text[self.lang]) for p in (md(part), "")]

    def link(self, src: str, anchor: str = "") -> str:
        """A Markdown link target from the current page to a docs page (checked by `--strict`)."""
        here = posixpath.dirname(self.env.page.file.src_uri) or "."
        return posixpath.relpath(src, here) + (f"#{anchor}" if anchor else "")

    def url(self, src: str, anchor: str = "") -> str:
        """A relative URL for raw HTML such as SVG, which mkdocs does not rewrite."""
        rel = posixpath.relpath("/" + page_url(src), "/" + self.env.page.url)
        return ("./" if rel == "." else rel + "/") + (f"#{anchor}" if anchor else "")

    def name(self, owner: str) -> str:
        if owner in self.pb.phases:
            return self.tr(self.pb.phases[owner].name)
        return self.tr(self.pb.catalogues[owner]["title"])

    def owner_src(self, owner: str) -> str:
        return f"{self.pb.phases[owner].section}/{owner}.md" if owner in self.pb.phases else f"topics/{owner}.md"

    def number(self, value: float) -> str:
        text = f"{value:g}"
        return text.replace(".", ",") if self.lang == "fi" else text

    def value(self, signal_id: str, value: object) -> str:
        signal = self.pb.signals[signal_id]
        if isinstance(value, bool):
            return self.t("value.yes" if value else "value.no")
        if isinstance(value, str):
            return f"`{md(value)}`"
        if signal.type == "share":
            return f"{self.number(value * 100)} %"
        if signal.type == "date":
            return self.t("value.days_ago", n=self.number(value))
        unit = f" {self.tr(signal.unit)}" if signal.unit else ""
        return self.number(value) + unit

    def test(self, signal_id: str, op: str, value: object, relative_to: str | None = None) -> str:
        """`share of wallet ≥ 30 %`: a rule's or condition's test in words."""
        if op == "recorded":
            return self.t("rule.recorded")
        if relative_to:
            return f"{OPS[op]} {self.number(value)} × {self.signal_link(relative_to)}"
        return f"{OPS[op]} {self.value(signal_id, value)}"

    def signal_link(self, signal_id: str) -> str:
        return f"[{self.tr(self.pb.signals[signal_id].name)}]({self.link('rules.md', 'signal-' + signal_id)})"

    def cite(self, refs: Iterable[dict]) -> str:
        parts = []
        for ref in refs:
            source = self.pb.sources[ref["source"]]
            pages = self.t("cite.pages", pages=ref["pages"]) if "pages" in ref else ""
            parts.append(f"[{md(source['citation'])}]({self.link('sources.md', source['id'])}){pages}")
        return "; ".join(parts)

    def heading(self, level: int, key: str, anchor: str, **values: object) -> list[str]:
        return ["", f"{'#' * level} {md(self.t(key, **values))} {{#{anchor}}}", ""]

    def bullets(self, items: Iterable[dict[str, str]], numbered: bool = False) -> list[str]:
        return [f"{f'{i}.' if numbered else '-'} {self.tr(item)}" for i, item in enumerate(items, 1)]

    def details(self, kind: str, title: str, lines: Iterable[str]) -> list[str]:
        """A collapsed block (pymdownx.details); it opens for printing (handbook.js/.css)."""
        return ["", f'??? {kind} "{title}"', *(f"    {line}" if line else "" for line in lines), ""]

    def title_block(self) -> str:
        """The playbook's title and tagline, for the home page."""
        manifest = self.pb.manifest
        return f"# {self.tr(manifest['title'])}" + (f"\n\n*{self.tr(manifest['tagline'])}*" if "tagline" in manifest else "")

    def print_link(self, label: str) -> str:
        """A link to the print page, which the print-site plugin adds after mkdocs checks links."""
        return f'<a href="{self.url("print.md")}">{html.escape(label)}</a>'

    # --- stages and endings ----------------------------------------------------------------------

    def phase_page(self, phase_id: str) -> str:
        """A stage's or an ending's whole page."""
        phase = self.pb.phases[phase_id]
        data = phase.data
        out = [f"# {self.tr(phase.name)}", "", f"**{self.tr(data['summary'])}**", "", *self.paras(data["description"])]
        if phase.kind == "stage":
            out += self.heading(2, "stage.traits", "traits") + ["| | |", "|---|---|"]
            out += [f"| {md(self.t('trait.' + trait))} | {self.tr(data['traits'][trait])} |" for trait in TRAITS]
            for key in ("goals", "actions", "avoid"):
                out += self.heading(2, f"stage.{key}", key) + self.bullets(data[key])
            manager = data["account_manager"]
            out += self.heading(2, "stage.account_manager", "account-manager")
            out += [f"- **{md(self.t('stage.role'))}** {self.tr(manager['role'])}",
                    f"- **{md(self.t('stage.authority'))}** {self.tr(manager['authority'])}"]
            last = phase.order == len(self.pb.stages)
            out += self.heading(2, "stage.readiness_last" if last else "stage.readiness", "readiness") + self.bullets(data["readiness"])
            out += self.heading(2, "stage.warning_signs", "warning-signs") + self.bullets(data["warning_signs"])
        else:
            out += [f"*{md(self.t('ending.position', speed=self.t('speed.' + data['speed']), outcome=self.t('outcome.' + data['outcome'].replace('-', '_'))))}* "
                    f"([{md(self.t('ending.figure'))}]({self.link('endings/index.md', 'figure')}))", ""]
            for key in ("causes", "recognise", "actions", "avoid"):
                out += self.heading(2, f"ending.{key}", key) + self.bullets(data[key])
        out += self.heading(2, "rule.section", "expectations")
        out += [md(self.t(f"rule.intro_{phase.kind}")) + f" ([{md(self.t('nav.rules'))}]({self.link('rules.md')}))"]
        for rule in (r for r in self.pb.rules if r.owner == phase_id):
            out += self.rule_block(rule)
        if phase.kind == "stage":
            out += self.heading(2, "stage.profile", "profile") + [md(self.t("stage.profile_intro")), ""]
            out += [f"- {self.signal_link(s)}: {self.value(s, v)}" for s, v in data["profile"].items()]
        out += self.training(data["training"])
        out += self.heading(2, "sources.section", "sources") + [self.cite(data["sources"])]
        return "\n".join(out)

    def rule_block(self, rule: Rule, catalogue: bool = False) -> list[str]:
        """One expectation: the anchor findings link to, its test, why, and what to do."""
        title = f"`{rule.id}` {self.tr(rule.title)}" if catalogue else self.tr(rule.title)
        facts = [("rule.id", f"`{rule.id}`"), ("rule.signal", f"{self.signal_link(rule.signal)} (`{rule.signal}`)"),
                 ("rule.expected", self.test(rule.signal, rule.op, rule.value, rule.relative_to))]
        if rule.when:
            facts.append(("rule.when", "; ".join(f"{self.signal_link(c.signal)} {self.test(c.signal, c.op, c.value)}" for c in rule.when)))
        facts.append(("rule.severity", f"{md(self.t('severity.' + rule.severity))} — {md(self.t('severity_hint.' + rule.severity))}"))
        if rule.direction:
            facts.append(("rule.direction", md(self.t("direction." + rule.direction))))
        if catalogue or rule.section == "topics":
            facts.append(("rule.where", f"[{self.name(rule.owner)}]({self.link(self.owner_src(rule.owner), rule.id)})"))
            facts.append(("rule.applies_to", ", ".join(f"[{self.name(p)}]({self.link(self.owner_src(p))})" for p in rule.applies_to)))
        out = ["", f"### {title} {{#{rule.id}}}", "", *(f"- **{md(self.t(key))}:** {value}" for key, value in facts), ""]
        out += [f"**{md(self.t('rule.why'))}** {self.tr(rule.rationale)}", "", f"**{md(self.t('rule.action'))}** {self.tr(rule.action)}", ""]
        return out + [f"*{md(self.t('sources.label'))}: {self.cite(rule.sources)}*"]

    def training(self, training: dict) -> list[str]:
        """Objectives, discussion, the case (model answer collapsed) and the quiz (answers collapsed)."""
        out = self.heading(2, "training.section", "training")
        out += self.heading(3, "training.objectives", "training-objectives") + self.bullets(training["objectives"])
        out += self.heading(3, "training.discussion", "training-discussion") + self.bullets(training["discussion"], numbered=True)
        case = training["case"]
        out += self.heading(3, "training.case", "training-case", title=case["title"][self.lang])
        out += self.paras(case["situation"]) + [f"**{md(self.t('training.tasks'))}**", "", *self.bullets(case["tasks"], numbered=True)]
        out += self.details("note", self.t("training.model_answer"), self.paras(case["model_answer"]))
        out += self.heading(3, "training.quiz", "training-quiz")
        for number, question in enumerate(training["quiz"], 1):
            letters = [chr(ord("A") + i) for i in range(len(question["options"]))]
            out += ["", f"**{number}. {self.tr(question['question'])}**", ""]
            out += [f"- {letter}) {self.tr(option)}" for letter, option in zip(letters, question["options"])]
            right = question["answer"]
            answer = [f"**{letters[right]}) {self.tr(question['options'][right])}**", "", *self.paras(question["explanation"])]
            out += self.details("success", self.t("training.answer", number=number), answer)
        return out

    # --- overviews ---------------------------------------------------------------------------------

    def lifecycle_diagram(self) -> str:
        boxes = [diagrams.Box(s.name[self.lang], self.url(f"stages/{s.id}.md"), s.data["summary"][self.lang]) for s in self.pb.stages]
        growth = [self.t("trait." + trait) for trait in GROWTH]
        return diagrams.lifecycle(self.t("lifecycle.figure"), boxes, growth, self.t("lifecycle.axis"))

    def stages_table(self, traits: Iterable[str] = ()) -> str:
        """One row per stage: its name and summary, or the named traits side by side."""
        traits = tuple(traits)
        head = [md(self.t("stage.name")), *(md(self.t("trait." + t)) for t in traits)] if traits else [md(self.t("stage.name")), md(self.t("stage.summary"))]
        rows = [f"| {' | '.join(head)} |", "|" + "---|" * len(head)]
        for stage in self.pb.stages:
            cells = [self.tr(stage.data["traits"][t]) for t in traits] or [self.tr(stage.data["summary"])]
            rows.append(f"| {stage.order}. [{self.tr(stage.name)}]({self.link(f'stages/{stage.id}.md')}) | {' | '.join(cells)} |")
        return "\n".join(rows)

    def endings_diagram(self) -> str:
        cells: dict[tuple[int, int], list[diagrams.Box]] = {(c, r): [] for c in (0, 1) for r in (0, 1)}
        for ending in self.pb.endings:
            cell = (0 if ending.data["speed"] == "fast" else 1, 1 if ending.data["outcome"] == "final" else 0)
            cells[cell].append(diagrams.Box(ending.name[self.lang], self.url(f"endings/{ending.id}.md"), ending.data["summary"][self.lang]))
        return diagrams.quadrants(self.t("ending.figure"), self.t("ending.speed"), (self.t("speed.fast"), self.t("speed.slow")),
                                  self.t("ending.outcome"), (self.t("outcome.may_return"), self.t("outcome.final")), cells)

    def endings_table(self) -> str:
        rows = [f"| {md(self.t('ending.name'))} | {md(self.t('ending.speed'))} | {md(self.t('ending.outcome'))} | {md(self.t('stage.summary'))} |", "|---|---|---|---|"]
        for e in self.pb.endings:
            rows.append(f"| [{self.tr(e.name)}]({self.link(f'endings/{e.id}.md')}) | {md(self.t('speed.' + e.data['speed']))} | "
                        f"{md(self.t('outcome.' + e.data['outcome'].replace('-', '_')))} | {self.tr(e.data['summary'])} |")
        return "\n".join(rows)

    def self_assessment(self) -> str:
        """For each trait, every stage's description, then the stages' typical CRM values."""
        out: list[str] = []
        for trait in ASSESS:
            out += self.heading(3, "trait." + trait, "assess-" + trait.replace("_", "-")) + [self.stages_table([trait])]
        out += self.heading(3, "stage.profile", "assess-profile") + [md(self.t("stage.profile_intro")), ""]
        signals = list(dict.fromkeys(s for stage in self.pb.stages for s in stage.data["profile"]))
        out += [f"| {md(self.t('rule.signal'))} | " + " | ".join(f"[{self.tr(s.name)}]({self.link(f'stages/{s.id}.md')})" for s in self.pb.stages) + " |",
                "|---|" + "---|" * len(self.pb.stages)]
        for signal in signals:
            values = [self.value(signal, s.data["profile"][signal]) if signal in s.data["profile"] else "–" for s in self.pb.stages]
            out.append(f"| {self.signal_link(signal)} | {' | '.join(values)} |")
        return "\n".join(out)

    def page_list(self, section: str) -> str:
        """Links to the pages of `stages`, `endings` or `topics`, each with its one-line summary."""
        if section == "topics":
            return "\n".join(f"- [{self.name(c)}]({self.link(f'topics/{c}.md')})" for c in topic_ids(self.pb))
        phases = self.pb.stages if section == "stages" else self.pb.endings
        return "\n".join(f"- [{self.tr(p.name)}]({self.link(f'{section}/{p.id}.md')}): {self.tr(p.data['summary'])}" for p in phases)

    # --- topics and reference pages ------------------------------------------------------------------

    def topic_page(self, catalogue_id: str) -> str:
        cat = self.pb.catalogues[catalogue_id]
        out = [f"# {self.tr(cat['title'])}", "", *self.paras(cat["intro"])]
        if catalogue_id == "portfolio":
            out += ["", self.portfolio_diagram(), ""]
        for item in cat["items"]:
            code = f"`{md(item['code'])}` " if "code" in item else ""
            out += ["", f"## {code}{self.tr(item['title'])} {{#{item['id']}}}", "", *self.paras(item["body"]), *self.bullets(item.get("points", []))]
            if item.get("signals"):
                out += ["", f"*{md(self.t('topic.signals'))}:* " + ", ".join(self.signal_link(s) for s in item["signals"])]
            out += ["", f"*{md(self.t('sources.label'))}: {self.cite(item['sources'])}*"]
        if cat.get("notes"):
            out += self.heading(2, "topic.notes", "notes") + self.bullets(cat["notes"])
        rules = [r for r in self.pb.rules if r.owner == catalogue_id]
        if rules:
            out += self.heading(2, "rule.section", "expectations") + [md(self.t("rule.intro_topic"))]
            for rule in rules:
                out += self.rule_block(rule)
        related = [c for c in RELATED.get(catalogue_id, ()) if c in self.pb.catalogues]
        if related:
            out += self.heading(2, "topic.related", "related") + [f"- [{self.name(c)}]({self.link(f'topics/{c}.md')})" for c in related]
        out += self.heading(2, "sources.section", "sources") + [self.cite(cat["sources"])]
        return "\n".join(out)

    def portfolio_diagram(self) -> str:
        cells: dict[tuple[int, int], list[diagrams.Box]] = {}
        for item in self.pb.catalogues["portfolio"]["items"]:
            cell = (int(item["importance_now"] == "high"), int(item["importance_future"] == "high"))
            cells.setdefault(cell, []).append(diagrams.Box(item["title"][self.lang], self.url("topics/portfolio.md", item["id"]), code=item.get("code", "")))
        return diagrams.quadrants(self.tr(self.pb.catalogues["portfolio"]["title"]), self.t("portfolio.now"), (self.t("portfolio.low"), self.t("portfolio.high")),
                                  self.t("portfolio.future"), (self.t("portfolio.low"), self.t("portfolio.high")), cells)

    def rules_page(self) -> str:
        """The rule catalogue: a table of every rule, then each rule in full, then the signals."""
        out = [f"# {md(self.t('nav.rules'))}", "", md(self.t("rule.catalogue_intro")), "",
               f"| {md(self.t('rule.id'))} | {md(self.t('rule.where'))} | {md(self.t('rule.severity'))} | {md(self.t('rule.title'))} |", "|---|---|---|---|"]
        out += [f"| [`{r.id}`](#{r.id}) | {self.name(r.owner)} | {md(self.t('severity.' + r.severity))} | {self.tr(r.title)} |" for r in self.pb.rules]
        for owner in dict.fromkeys(r.owner for r in self.pb.rules):
            out += ["", f"## {self.name(owner)} {{#rules-{owner}}}", ""]
            for rule in (r for r in self.pb.rules if r.owner == owner):
                out += self.rule_block(rule, catalogue=True)
                out += ["", f"[{md(self.t('rule.handbook'))}]({self.link(self.owner_src(owner), rule.id)})"]
        out += self.heading(2, "rule.signals", "signals")
        for signal in self.pb.signals.values():
            used = [f"[`{r.id}`](#{r.id})" for r in self.pb.rules if signal.id in (r.signal, r.relative_to, *(c.signal for c in r.when))]
            facts = [("signal.type", self.t("signal_type." + signal.type)), ("signal.definition", self.tr(signal.data["definition"])),
                     ("signal.measurement", self.tr(signal.data["measurement"]))]
            if "window_days" in signal.data:
                facts.insert(1, ("signal.window", self.t("signal.days", n=signal.data["window_days"])))
            if "values" in signal.data:
                facts.insert(1, ("signal.values", ", ".join(f"`{md(v)}`" for v in signal.data["values"])))
            out += ["", f"### {self.tr(signal.name)} (`{signal.id}`) {{#signal-{signal.id}}}", "", *(f"- **{md(self.t(k))}:** {v}" for k, v in facts)]
            out += [f"- **{md(self.t('signal.used_by'))}:** {', '.join(used) or '–'}"]
        return "\n".join(out)

    def glossary_page(self) -> str:
        other = "fi" if self.lang == "en" else "en"
        out = [f"# {md(self.t('nav.glossary'))}", "", md(self.t("glossary.intro"))]
        for term in sorted(self.pb.glossary, key=lambda t: t["term"][self.lang].casefold()):
            out += ["", f"## {self.tr(term['term'])} {{#{term['id']}}}", "", f"*{other}: {md(term['term'][other])}*", "", *self.paras(term["definition"])]
            if term.get("sources"):
                out.append(f"*{md(self.t('sources.label'))}: {self.cite(term['sources'])}*")
        return "\n".join(out)

    def sources_page(self) -> str:
        """Every source, with links back to where the playbook cites it."""
        cited: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for source_id, src, anchor, label in citations(self.pb, self.lang):
            cited.setdefault(source_id, {}).setdefault(src, []).append((anchor, label))
        out = [f"# {md(self.t('nav.sources'))}", "", md(self.t("sources.intro"))]
        for source in self.pb.sources.values():
            facts = [source["authors"], str(source.get("year", "")), source.get("title", ""), self.t(f"source_type.{source['type']}") if "type" in source else ""]
            out += ["", f"## {md(source['citation'])} {{#{source['id']}}}", "", md(" · ".join(f for f in facts if f)), "", *self.paras(source["note"])]
            out += [f"**{md(self.t('sources.cited_in'))}**", ""]
            for src, spots in cited.get(source["id"], {}).items():
                inner = ", ".join(f"[{md(label)}]({self.link(src, anchor)})" for anchor, label in spots if anchor)
                out.append(f"- [{self.title_of(src)}]({self.link(src)})" + (f": {inner}" if inner else ""))
            if source["id"] not in cited:
                out.append(f"- {md(self.t('sources.not_cited'))}")
        return "\n".join(out)

    def title_of(self, src: str) -> str:
        section, _, name = src.removesuffix(".md").partition("/")
        return self.name(name) if name else md(self.t(f"nav.{section}"))

    def course_outline(self) -> str:
        """One module per stage and ending, timed by how much material it holds."""
        rows = [f"| # | {md(self.t('training.module'))} | {md(self.t('training.duration'))} | {md(self.t('training.objectives'))} |", "|---|---|---|---|"]
        total = 0
        for number, phase in enumerate([*self.pb.stages, *self.pb.endings], 1):
            training = phase.data["training"]
            minutes = MINUTES["intro"] + MINUTES["case"] + MINUTES["discussion"] * len(training["discussion"]) + MINUTES["quiz"] * len(training["quiz"])
            total += minutes
            goals = "<br>".join(self.tr(o) for o in training["objectives"])
            rows.append(f"| {number} | [{self.tr(phase.name)}]({self.link(f'{phase.section}/{phase.id}.md', 'training')}) | "
                        f"{md(self.t('training.minutes', n=minutes))} | {goals} |")
        rows += ["", f"**{md(self.t('training.total', hours=total // 60, minutes=total % 60))}**", "", md(self.t("training.timing", **MINUTES))]
        return "\n".join(rows)

    def link_scheme(self) -> str:
        """The stable URL patterns, each with a live example from the data."""
        examples = [("stages/<stage>/#<rule-id>", self.pb.stage_rules(self.pb.stages[0].id)[0]),
                    ("endings/<ending>/#<rule-id>", next(r for r in self.pb.rules if r.section == "endings")),
                    ("topics/<catalogue>/#<rule-id>", next(r for r in self.pb.rules if r.section == "topics")),
                    ("rules/#<rule-id>", self.pb.rules[0])]
        rows = [f"| {md(self.t('links.pattern'))} | {md(self.t('links.example'))} |", "|---|---|"]
        for pattern, rule in examples:
            src, anchor = ("rules.md" if pattern.startswith("rules") else self.owner_src(rule.owner)), rule.id
            rows.append(f"| `/{self.lang}/{pattern}` | [`/{self.lang}/{page_url(src)}#{anchor}`]({self.link(src, anchor)}) |")
        for src in ("checker.md", "glossary.md", "sources.md", "training.md", "print.md"):
            rows.append(f"| `/{self.lang}/{page_url(src)}` | {md(self.t('nav.' + src[:-3]))} |")
        return "\n".join(rows)


def topic_ids(playbook: Playbook) -> list[str]:
    known = [c for c in TOPICS if c in playbook.catalogues]
    return known + [c for c in playbook.catalogues if c not in known]


def citations(playbook: Playbook, lang: str) -> Iterator[tuple[str, str, str, str]]:
    """(source id, page, anchor, label) for every citation in the playbook, in page order."""
    for phase in [*playbook.stages, *playbook.endings]:
        src = f"{phase.section}/{phase.id}.md"
        yield from ((ref["source"], src, "", phase.name[lang]) for ref in phase.data["sources"])
        for rule in playbook.rules:
            if rule.owner == phase.id:
                yield from ((ref["source"], src, rule.id, rule.title[lang]) for ref in rule.sources)
    for cat_id in topic_ids(playbook):
        cat, src = playbook.catalogues[cat_id], f"topics/{cat_id}.md"
        for entry in [*cat["items"], *cat.get("rules", [])]:
            yield from ((ref["source"], src, entry["id"], entry["title"][lang]) for ref in entry["sources"])
        yield from ((ref["source"], src, "", cat["title"][lang]) for ref in cat["sources"])
    for term in playbook.glossary:
        yield from ((ref["source"], "glossary.md", term["id"], term["term"][lang]) for ref in term.get("sources", []))


def nav(playbook: Playbook, t: Any) -> list:
    """The site navigation: data order for stages and endings, section titles from messages."""
    def phases(section: str, items: list[Phase]) -> list[str]:
        return [f"{section}/index.md", *(f"{section}/{p.id}.md" for p in items)]
    return ["index.md", {t("nav.stages"): phases("stages", playbook.stages)}, {t("nav.endings"): phases("endings", playbook.endings)},
            {t("nav.topics"): [f"topics/{c}.md" for c in topic_ids(playbook)]}, {t("nav.training_section"): ["training.md"]},
            {t("nav.reference"): ["rules.md", "checker.md", "glossary.md", "sources.md", "links.md"]}]


def _pages(items: list) -> Iterator[str]:
    for item in items:
        yield from _pages(next(iter(item.values()))) if isinstance(item, dict) else [item]


def define_env(env: Any) -> None:
    """mkdocs-macros entry point: validate, check the pages exist, set the nav, register macros."""
    conf = env.conf
    lang = conf["theme"]["language"]
    folder = conf["extra"].get("playbooks")
    try:
        playbook = load_playbook(Path(folder) if folder else None)
    except PlaybookInvalid as exc:
        raise PluginError(f"{exc}\nplaybook: the playbooks have {len(exc.problems)} problem(s); run `playbook validate` for the same list") from None
    handbook = Handbook(playbook, lang, env)
    conf["nav"] = nav(playbook, handbook.t)
    missing = [p for p in _pages(conf["nav"]) if not (Path(conf["docs_dir"]) / p).is_file()]
    if missing:
        raise PluginError(f"handbook pages missing in {conf['docs_dir']}: {', '.join(missing)}; add a page calling its macro")
    conf["site_name"] = playbook.manifest["title"][lang]
    if "print-site" in conf["plugins"]:
        conf["plugins"]["print-site"].config.update(print_page_title=handbook.t("nav.print"), toc_title=handbook.t("print.toc"))
    for name in MACROS:
        env.macro(getattr(handbook, name), name)


def on_post_build(env: Any) -> None:
    """Give the folder holding the language sites an index that sends visitors to the first one."""
    site = Path(env.conf["site_dir"])
    languages = [alt["lang"] for alt in env.conf["extra"].get("alternate", [])]
    if site.name not in languages:
        return  # not built into the <site>/<lang>/ layout
    links = "".join(f'<li><a href="{alt["lang"]}/" hreflang="{alt["lang"]}">{html.escape(alt["name"])}</a></li>' for alt in env.conf["extra"]["alternate"])
    page = (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(env.conf["site_name"])}</title>'
            f'<meta http-equiv="refresh" content="0; url={languages[0]}/"></head><body><ul>{links}</ul></body></html>\n')
    (site.parent / "index.html").write_text(page, encoding="utf-8")
