"""The handbook's macros module (mkdocs-macros): playbook content rendered as Markdown.

Pages in docs/ only call these macros. `define_env` validates the playbooks exactly as
`playbook validate` does and stops the build with the same problems, so nothing is ever
rendered from bad data. Labels come from playbooks/messages/handbook.yaml (`handbook.*`),
names from the data. URL scheme: docs/<lang>/links.md (`page_url`, `Rule.page`).
"""
from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from checker.handbook import crm_fields, diagrams, kit, links, pages, review, search
from checker.handbook.course import modules
from checker.handbook.handouts import handout_page
from checker.handbook.markdown import cards, md, page_url, table
from checker.handbook.structure import citations, footer, nav, topic_ids
from checker.playbook.messages import count_test, quantity, render
from checker.playbook.model import OP_SYMBOLS, Playbook, Rule, load_playbook
from checker.playbook.problems import PlaybookInvalid
from checker.playbook.thresholds import ThresholdsInvalid, apply_thresholds, read_thresholds

ASSESS = ("trust", "information_exchange", "people_involved", "buying_pattern", "ease_of_ending")
#: What the pages in docs/ may call: Handbook methods, and figures drawn for the page.
MACROS = ("t", "print_link", "site_file", "phase_page", "topic_page", "rules_page", "sources_page",
          "stages_table", "endings_table", "self_assessment", "page_list", "preset_list")
FIGURES: dict[str, Callable[[Any], str]] = {"lifecycle_diagram": diagrams.lifecycle_figure, "endings_diagram": diagrams.endings_figure,
                                            "symptoms_page": pages.symptoms_page, "glossary_page": pages.glossary_page,
                                            "handout_page": handout_page, "trainer_page": partial(handout_page, trainer=True),
                                            "review_page": review.review_page, "review_link": review.review_link,
                                            "crm_fields_page": crm_fields.crm_fields_page}
class Handbook:
    """Renders one language of the handbook; pages call the methods named in MACROS."""

    def __init__(self, playbook: Playbook, lang: str, env: Any) -> None:
        self.pb, self.lang, self.env = playbook, lang, env
        self.linked: set[str] = set()  # glossary terms already linked on the page being rendered

    def start_page(self) -> None:
        self.linked = set()

    def topic_ids(self) -> list[str]:
        return topic_ids(self.pb)

    def ref_link(self, ident: str, label: str | None = None) -> str:
        """A Markdown link to where the data's id `ident` is explained (links.targets)."""
        src, anchor = links.targets(self.pb)[ident]
        return f"[{md(label) if label else self.tr(links.title(self.pb, ident))}]({self.link(src, anchor)})"

    def mentions(self, text: str) -> str:
        return links.link_mentions(text, self.pb, self.lang, self.env.page.file.src_uri, self.linked, self.link)

    def t(self, key: str, **values: object) -> str:
        """The label `handbook.<key>` from playbooks/messages/, filled in."""
        return self.pb.text(f"handbook.{key}", self.lang, **values)

    def label(self, key: str, **values: object) -> str:
        return md(self.t(key, **values))

    def tr(self, text: dict[str, str]) -> str:
        return md(text[self.lang])

    def paras(self, text: dict[str, str]) -> list[str]:
        return [p for part in re.split(r"\n\s*\n", text[self.lang]) for p in (self.mentions(md(part)), "")]

    def link(self, src: str, anchor: str = "") -> str:
        """A Markdown link target to a docs page, relative to this page (`--strict` checks it)."""
        return posixpath.relpath(src, posixpath.dirname(self.env.page.file.src_uri) or ".") + (f"#{anchor}" if anchor else "")

    def url(self, src: str, anchor: str = "") -> str:
        """A relative URL for raw HTML such as SVG, which mkdocs does not rewrite."""
        if not self.env.conf["use_directory_urls"]:  # the copy for opening from disk: page files, not folders
            target = "index.html" if src == "index.md" else src.removesuffix(".md").removesuffix("/index") + (".html" if not src.endswith("index.md") else "/index.html")
            return posixpath.relpath(target, posixpath.dirname(self.env.page.file.dest_uri) or ".") + (f"#{anchor}" if anchor else "")
        rel = posixpath.relpath("/" + page_url(src), "/" + self.env.page.url)
        return ("./" if rel == "." else rel + "/") + (f"#{anchor}" if anchor else "")

    def site_file(self, path: str) -> str:
        """A relative URL to a file next to the language sites (samples/, reports/), from this page."""
        return posixpath.relpath(f"../{path}", posixpath.dirname(self.env.page.file.dest_uri) or ".")

    def name(self, owner: str) -> str:
        """The name of a stage, ending or catalogue, as Markdown."""
        return self.tr(self.pb.phases[owner].name if owner in self.pb.phases else self.pb.catalogues[owner]["title"])

    def page_link(self, owner: str, anchor: str = "") -> str:
        """A Markdown link to the page of a stage, ending or catalogue."""
        src = f"{self.pb.phases[owner].section}/{owner}.md" if owner in self.pb.phases else f"topics/{owner}.md"
        return f"[{self.name(owner)}]({self.link(src, anchor)})"

    def number(self, value: float) -> str:
        return f"{value:g}".replace(".", "," if self.lang == "fi" else ".")

    def value(self, signal_id: str, value: object) -> str:
        """A signal's value in words: `30 %`, `yes`, `10 days ago`, `3 people`."""
        signal = self.pb.signals[signal_id]
        if isinstance(value, (bool, str)):
            return self.t("value.yes" if value else "value.no") if isinstance(value, bool) else f"`{md(value)}`"
        if signal.type in ("share", "date"):
            return f"{self.number(value * 100)} %" if signal.type == "share" else self.t("value.days_ago", n=self.number(value))
        return quantity(value, signal.unit, self.lang, self.pb.messages, self.number(value))

    def test(self, signal_id: str, op: str, value: object, relative_to: str | None = None) -> str:
        """A rule's or condition's threshold in words: `≥ 30 %`, `< 0.6 × Interactions (90 d)`."""
        if op == "recorded":
            return self.label("rule.recorded")
        if relative_to:
            return f"{OP_SYMBOLS[op]} {self.number(value)} × {self.signal_link(relative_to)}"
        kind = self.pb.signals[signal_id].type
        if kind == "count":  # "none", "at least one order": the checker's words (messages quantity.*)
            return md(count_test(op, OP_SYMBOLS[op], value, self.pb.signals[signal_id].unit, self.lang, self.pb.messages, self.number(value)))
        if kind == "date" and op == "<=" and value == 0:
            return self.label("value.not_overdue")
        if kind == "boolean" and op == "==":  # "Expected: no", as the checker says it, not "= no"
            return self.value(signal_id, value)
        return f"{OP_SYMBOLS[op]} {self.value(signal_id, value)}"

    def signal_link(self, signal_id: str) -> str:
        return f"[{self.tr(self.pb.signals[signal_id].name)}]({self.link('rules.md', 'signal-' + signal_id)})"

    def cite(self, refs: Iterable[dict]) -> str:
        return "; ".join(f"[{self.tr(self.pb.sources[ref['source']]['citation'])}]({self.link('sources.md', ref['source'])})"
                         + (self.t("cite.pages", pages=ref["pages"]) if "pages" in ref else "") for ref in refs)

    def heading(self, level: int, key: str, anchor: str, indexed: bool = True, **values: object) -> list[str]:
        """A heading with its anchor; `indexed=False` keeps its section out of the search (search.py)."""
        return ["", f"{'#' * level} {self.label(key, **values)} {{#{anchor}{'' if indexed else ' data-search-exclude'}}}", ""]

    def bullets(self, items: Iterable[dict[str, str]], numbered: bool = False) -> list[str]:
        return [f"{f'{i}.' if numbered else '-'} {self.mentions(self.tr(item))}" for i, item in enumerate(items, 1)]

    def details(self, kind: str, title: str, lines: Iterable[str]) -> list[str]:
        """A collapsed block (pymdownx.details); assets/handbook.{css,js} open it for printing."""
        return ["", f'??? {kind} "{title}"', *(f"    {line}" if line else "" for line in lines), ""]

    def facts(self, facts: Iterable[tuple[str | tuple[str, int], str]]) -> list[str]:
        """Label and value lines; a label given as (key, n) is a plural message chosen by n."""
        return [f"- **{self.label(key) if isinstance(key, str) else self.label(key[0], n=key[1])}:** {value}" for key, value in facts]

    def print_link(self, label: str) -> str:
        """A link to the print page, which the print-site plugin adds after mkdocs has checked links."""
        return f'<a href="{self.url("print.md")}">{html.escape(label)}</a>'

    def phase_page(self, phase_id: str) -> str:
        """A stage's or an ending's whole page."""
        phase, data = self.pb.phases[phase_id], self.pb.phases[phase_id].data
        self.start_page()
        out = [f"# {self.tr(phase.name)}", "", f"**{self.tr(data['summary'])}**", "", *self.paras(data["description"])]
        if phase.kind == "stage":
            out += self.heading(2, "stage.traits", "traits")
            out += [table([self.label("stage.trait"), self.label("stage.in_this_stage")], ([self.label(f"trait.{t}"), self.tr(data["traits"][t])] for t in data["traits"]))]
            out += [line for key in ("goals", "actions", "avoid") for line in self.heading(2, f"stage.{key}", key) + self.bullets(data[key])]
            out += self.heading(2, "stage.account_manager", "account-manager")
            out += self.facts((f"stage.{key}", self.tr(data["account_manager"][key])) for key in ("role", "authority"))
            last = phase.order == len(self.pb.stages)
            out += self.heading(2, "stage.readiness_last" if last else "stage.readiness", "readiness") + self.bullets(data["readiness"])
            out += self.heading(2, "stage.warning_signs", "warning-signs") + self.bullets(data["warning_signs"])
        else:
            where = self.label("ending.position", speed=self.t(f"speed.{data['speed']}"), outcome=self.t("outcome." + data["outcome"].replace("-", "_")))
            out += [f"*{where}* ([{self.label('ending.figure')}]({self.link('endings/index.md', 'figure')}))"]
            out += [line for key in ("causes", "recognise", "actions", "avoid") for line in self.heading(2, f"ending.{key}", key) + self.bullets(data[key])]
        out += [*self.heading(2, "rule.section", "expectations"), f"{self.label(f'rule.intro_{phase.kind}')} ([{self.label('nav.rules')}]({self.link('rules.md')}))"]
        out += [line for rule in self.pb.rules if rule.owner == phase_id for line in self.rule_block(rule)]
        if phase.kind == "stage":
            out += [*self.heading(2, "stage.profile", "profile"), self.label("stage.profile_intro"), ""]
            out += [f"- {self.signal_link(s)}: {self.value(s, v)}" for s, v in data["profile"].items()]
            out += ["", review.review_link(self)]
        out += self.heading(2, "topic.related", "related") + [f"- {self.ref_link(i)}" for i in links.related(self.pb, phase_id)]
        return "\n".join(out + self.training(data["training"]) + self.heading(2, "sources.section", "sources") + [self.cite(data["sources"])])

    def rule_block(self, rule: Rule, catalogue: bool = False) -> list[str]:
        """One expectation: the anchor findings link to, its test, why, and what to do."""
        facts = [("rule.id", f"`{rule.id}`"), ("rule.signal", f"{self.signal_link(rule.signal)} (`{rule.signal}`)"),
                 ("rule.expected", self.test(rule.signal, rule.op, rule.value, rule.relative_to))]
        facts += [("rule.when", "; ".join(f"{self.signal_link(c.signal)} {self.test(c.signal, c.op, c.value)}" for c in rule.when))] if rule.when else []
        facts += [("rule.severity", f"{self.label(f'severity.{rule.severity}')} — {self.label(f'severity_hint.{rule.severity}')}")]
        facts += [("rule.direction", self.label(f"direction.{rule.direction}"))] if rule.direction else []
        if catalogue or rule.section == "topics":
            facts += [("rule.where", self.page_link(rule.owner, rule.id)), (("rule.applies_to", len(rule.applies_to)), ", ".join(self.page_link(p) for p in rule.applies_to))]
        title = f"`{rule.id}` {self.tr(rule.title)}" if catalogue else self.tr(rule.title)
        why = md(self.pb.rationale(rule, self.lang))
        return ["", f"### {title} {{#{rule.id}}}", "", *self.facts(facts), *self.company_line(rule), "", f"**{self.label('rule.why')}** {why}", "",
                f"**{self.label('rule.action')}** {self.tr(rule.action)}", "", f"*{self.label('sources.label')}: {self.cite(rule.sources)}*"]

    def company_line(self, rule: Rule) -> list[str]:
        """With PLAYBOOK_THRESHOLDS: a note that the line shown is the company's, and the playbook's own."""
        overlay = self.pb.thresholds
        if overlay is None or rule.id not in overlay.values:
            return []
        text = self.pb.text("thresholds.handbook_note", self.lang, company=self.test(rule.signal, rule.op, rule.value, rule.relative_to),
                            playbook=self.test(rule.signal, rule.op, overlay.playbook_values[rule.id], rule.relative_to), file=md(Path(overlay.file).name))
        return ["", '!!! note ""', "", f"    {text}"]

    def training(self, training: dict) -> list[str]:
        """Objectives, discussion, the case (model answer collapsed) and the quiz (answers collapsed)."""
        case = training["case"]
        # Out of the search: a reader looking for advice should not land on an exercise or see an answer in a snippet.
        heading = partial(self.heading, indexed=False)
        number = next(m.number for m in modules(self.pb) if m.data is training)  # as the outline and the handouts number it
        out = [*heading(2, "training.section", "training"), f"*[{self.label('training.module_number', number=number)}]({self.link('training.md')})*"]
        out += heading(3, "training.objectives", "training-objectives") + self.bullets(training["objectives"])
        out += heading(3, "training.discussion", "training-discussion") + self.bullets(training["discussion"], numbered=True)
        out += heading(3, "training.case", "training-case", title=case["title"][self.lang]) + self.paras(case["situation"])
        out += [f"**{self.label('training.tasks')}**", "", *self.bullets(case["tasks"], numbered=True)]
        out += self.details("note", self.t("training.model_answer"), self.paras(case["model_answer"])) + heading(3, "training.quiz", "training-quiz")
        for number, question in enumerate(training["quiz"], 1):
            options = [f"{chr(ord('A') + i)}) {self.tr(option)}" for i, option in enumerate(question["options"])]
            answer = [f"**{options[question['answer']]}**", "", *self.paras(question["explanation"])]
            out += ["", f"**{number}. {self.tr(question['question'])}**", "", *(f"- {o}" for o in options)]
            out += self.details("success", self.t("training.answer", number=number), answer)
        return out

    def stages_table(self, traits: Iterable[str] = ()) -> str:
        """One row per stage: its name and summary, or the named traits side by side."""
        traits = tuple(traits)
        head = [self.label("stage.name"), *(self.label(f"trait.{t}") for t in traits or ())] + ([] if traits else [self.label("stage.summary")])
        return table(head, ([f"{s.order}. {self.page_link(s.id)}", *([self.tr(s.data["traits"][t]) for t in traits] or [self.tr(s.data["summary"])])]
                            for s in self.pb.stages))

    def endings_table(self) -> str:
        return cards(table([self.label(k) for k in ("ending.name", "ending.speed", "ending.outcome", "stage.summary")],
                     ([self.page_link(e.id), self.label(f"speed.{e.data['speed']}"), self.label("outcome." + e.data["outcome"].replace("-", "_")),
                       self.tr(e.data["summary"])] for e in self.pb.endings)))

    def self_assessment(self) -> str:
        """For each trait, every stage's description; then the stages' typical CRM values."""
        out: list[str] = []
        for trait in ASSESS:
            out += [*self.heading(3, f"trait.{trait}", "assess-" + trait.replace("_", "-")), self.stages_table([trait])]
        out += [*self.heading(3, "stage.profile", "assess-profile"), self.label("stage.profile_intro"), ""]
        signals = dict.fromkeys(s for stage in self.pb.stages for s in stage.data["profile"])
        rows = ([self.signal_link(sig), *(self.value(sig, s.data["profile"][sig]) if sig in s.data["profile"] else "–" for s in self.pb.stages)] for sig in signals)
        return "\n".join([*out, cards(table([self.label("rule.signal"), *(self.page_link(s.id) for s in self.pb.stages)], rows))])

    def page_list(self, section: str) -> str:
        """Links to the pages of `stages`, `endings` or `topics`, with each phase's one-line summary."""
        if section == "topics":
            return "\n".join(f"- {self.page_link(c)}" for c in topic_ids(self.pb))
        return "\n".join(f"- {self.page_link(p.id)}: {self.tr(p.data['summary'])}" for p in (self.pb.stages if section == "stages" else self.pb.endings))

    def topic_page(self, catalogue_id: str) -> str:
        """A catalogue's page: intro, entries (anchored by id), key points, its rules, sources."""
        cat = self.pb.catalogues[catalogue_id]
        self.start_page()
        out = [f"# {self.tr(cat['title'])}", "", *self.paras(cat["intro"])] + (["", diagrams.portfolio_figure(self), ""] if catalogue_id == "portfolio" else [])
        for item in cat["items"]:
            code = f"`{md(item['code'])}` " if "code" in item else ""
            out += ["", f"## {code}{self.tr(item['title'])} {{#{item['id']}}}", "", *self.paras(item["body"]), *self.bullets(item.get("points", []))]
            out += ["", f"*{self.label('topic.signals')}:* " + ", ".join(map(self.signal_link, item["signals"]))] if item.get("signals") else []
            # what to do about it: the action of this topic's expectations that watch the same signals
            out += [line for r in links.rules_reading(self.pb, item.get("signals", []), owner=catalogue_id)
                    for line in ("", f"**{self.label('rule.action')}** {self.tr(r.action)} ({self.ref_link(r.id, self.t('symptoms.more'))})")]
            out += ["", f"*{self.label('topic.see')}:* " + ", ".join(map(self.ref_link, item["see"]))] if item.get("see") else []
            out += ["", f"*{self.label('sources.label')}: {self.cite(item['sources'])}*"]
        out += self.heading(2, "topic.notes", "notes") + self.bullets(cat["notes"]) if cat.get("notes") else []
        rules = [line for rule in self.pb.rules if rule.owner == catalogue_id for line in self.rule_block(rule)]
        out += [*self.heading(2, "rule.section", "expectations"), self.label("rule.intro_topic"), *rules] if rules else []
        # See also: what the data links this topic to, then the other catalogues whose rules raise the same kind of finding.
        same_kind = [c for c in topic_ids(self.pb) if c != catalogue_id and cat.get("rule_kind") == self.pb.catalogues[c].get("rule_kind", "")]
        related = [f"- {self.ref_link(i)}" for i in dict.fromkeys([*links.related(self.pb, catalogue_id), *same_kind])]
        out += self.heading(2, "topic.related", "related") + related if related else []
        return "\n".join(out + self.heading(2, "sources.section", "sources") + [self.cite(cat["sources"])])

    def verdict_block(self) -> list[str]:
        """The account-level verdict (manifest `verdict`), documented like a rule under its id."""
        spec = self.pb.manifest["verdict"]
        stand_in = {key: self.t(f"verdict.{key}") for key in ("declared", "best", "develop")}  # the action's placeholders in words
        rungs = []
        for rung in spec["severity"]:
            when = self.t("verdict.distance", n=rung["distance"]) + (self.t("verdict.margin", margin=self.number(rung["margin"] * 100)) if "margin" in rung else "")
            severity = self.label("severity." + rung["severity"])
            rungs.append(f"{md(when)}: {severity}")
        facts = [("rule.id", f"`{spec['id']}`"), ("rule.where", "`playbooks/playbook.yaml` (`verdict`)"),
                 ("verdict.fit", f"[{self.label('verdict.fit_link')}]({self.link('checker.md', 'best-fit')})"),
                 ("rule.severity", "; ".join(rungs)),
                 ("rule.direction", f"{self.label('direction.behind')} / {self.label('direction.ahead')}")]
        return ["", f"## {self.label('verdict.section')} {{#rules-verdict}}", "", self.label("verdict.intro"), "",
                f"### `{spec['id']}` {self.tr(spec['title'])} {{#{spec['id']}}}", "", *self.facts(facts), "",
                f"**{self.label('rule.why')}** {self.tr(spec['rationale'])}", "",
                f"**{self.label('rule.action')}** {self.label('verdict.action_behind')} {md(spec['action']['behind'][self.lang].format(**stand_in))} "
                f"{self.label('verdict.action_ahead')} {md(spec['action']['ahead'][self.lang].format(**stand_in))}", "",
                f"*{self.label('sources.label')}: {self.cite(spec['sources'])}*"]

    def rules_page(self) -> str:
        """The rule catalogue, like a linter's rule pages: the verdict, every rule in full, then the signals they read."""
        spec = self.pb.manifest["verdict"]
        out = [f"# {self.label('nav.rules')}", "", self.label("rule.catalogue_intro"), "",
               table([self.label(k) for k in ("rule.id", "rule.where", "rule.severity", "rule.title")],
                     [[f"[`{spec['id']}`](#{spec['id']})", self.label("verdict.section"), self.label("verdict.severity_varies"), self.tr(spec["title"])],
                      *([f"[`{r.id}`](#{r.id})", self.name(r.owner), self.label(f"severity.{r.severity}"), self.tr(r.title)] for r in self.pb.rules)])]
        out += self.verdict_block()
        for owner in dict.fromkeys(r.owner for r in self.pb.rules):
            out += ["", f"## {self.name(owner)} {{#rules-{owner}}}", ""]
            for rule in (r for r in self.pb.rules if r.owner == owner):
                out += self.rule_block(rule, catalogue=True)
        out += self.heading(2, "rule.signals", "signals")
        for signal in self.pb.signals.values():
            data = signal.data
            facts = [("signal.type", self.label(f"signal_type.{signal.type}"))]
            facts += ([("signal.values", ", ".join(f"`{md(v)}`" for v in data["values"]))] if "values" in data else []) + \
                ([("signal.window", self.label("signal.days", n=data["window_days"]))] if "window_days" in data else [])
            facts += [("signal.definition", self.tr(data["definition"])), ("signal.measurement", self.tr(data["measurement"])),
                      ("signal.used_by", ", ".join(f"[`{r.id}`](#{r.id})" for r in self.pb.rules if signal.id in (r.signal, r.relative_to, *(c.signal for c in r.when))) or "–")]
            out += ["", f"### {self.tr(signal.name)} (`{signal.id}`) {{#signal-{signal.id}}}", "", *self.facts(facts)]
        return "\n".join(out)

    def sources_page(self) -> str:
        """Every source, with links back to each place the playbook cites it."""
        cited: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for source_id, src, anchor, label in citations(self.pb, self.lang):
            cited.setdefault(source_id, {}).setdefault(src, []).append((anchor, label))
        out = [f"# {self.label('nav.sources')}", "", self.label("sources.intro")]
        for source in self.pb.sources.values():
            about = [source["authors"][self.lang], str(source.get("year", "")), source.get("title", ""), self.t(f"source_type.{source['type']}") if "type" in source else ""]
            out += ["", f"## {self.tr(source['citation'])} {{#{source['id']}}}", "", md(" · ".join(filter(None, about))), "", *self.paras(source["note"])]
            out += [f"**{self.label('sources.cited_in')}**", ""]
            for src, spots in cited.get(source["id"], {}).items():
                where = self.label("nav.glossary") if src == "glossary.md" else self.name(src.removesuffix(".md").split("/")[1])
                inner = ", ".join(f"[{md(label)}]({self.link(src, anchor)})" for anchor, label in spots if anchor)
                out.append(f"- [{where}]({self.link(src)})" + (f": {inner}" if inner else ""))
            out += [] if source["id"] in cited else [f"- {self.label('sources.not_cited')}"]
        return "\n".join(out)

    def preset_list(self) -> str:
        """The CRM presets `--preset` accepts, from their data files."""
        from checker.inputs.mappings import presets

        return "\n".join(f"- `{p.id}` — {md(p.name)}" for p in presets().values())


def define_env(env: Any) -> None:
    """mkdocs-macros entry point: validate the playbooks, check every page exists, set the nav, register macros."""
    conf = env.conf
    lang, folder = conf["theme"]["language"], conf["extra"].get("playbooks")
    try:
        playbook = load_playbook(Path(folder) if folder else None)
        if conf["extra"].get("thresholds"):  # a company's own lines (PLAYBOOK_THRESHOLDS), shown with a note on each
            playbook = apply_thresholds(playbook, read_thresholds(Path(conf["extra"]["thresholds"]), playbook))
    except PlaybookInvalid as exc:
        raise PluginError(f"{exc}\nplaybook: {render('cli.playbooks_invalid', lang, n=len(exc.problems))}") from None
    except ThresholdsInvalid as exc:
        raise PluginError(f"PLAYBOOK_THRESHOLDS: {exc.render(lang)}") from None
    handbook = Handbook(playbook, lang, env)
    conf["nav"] = nav(playbook, handbook.t)
    pages = [page for item in conf["nav"] for page in ([item] if isinstance(item, str) else next(iter(item.values())))]
    missing = [page for page in pages if not (Path(conf["docs_dir"]) / page).is_file()]
    if missing:
        raise PluginError(f"handbook pages missing in {conf['docs_dir']}: {', '.join(missing)}; add each, calling its macro")
    conf["site_name"] = playbook.manifest["title"][lang]
    conf["copyright"] = footer(playbook.manifest, handbook.t, lang)
    if "print-site" in conf["plugins"]:
        conf["plugins"]["print-site"].config.update(print_page_title=handbook.t("nav.print"), toc_title=handbook.t("print.toc"))
    conf["extra"]["print_page_label"] = handbook.t("print.page")  # the printed pages' footer (overrides/main.html)
    for name in MACROS:
        env.macro(getattr(handbook, name), name)
    for name, figure in {**FIGURES, **kit.MACROS}.items():
        env.macro(partial(figure, handbook), name)
    env.variables["manifest"] = playbook.manifest  # the home page's title and tagline
    env.variables["_playbook"] = playbook  # for on_post_build


SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def on_post_build(env: Any) -> None:
    """Give the folder that holds the language sites an index that sends visitors on to the
    first language, and the sample export the "Running the checker" pages link to."""
    site, alternates = Path(env.conf["site_dir"]), env.conf["extra"].get("alternate", [])
    index = site / "search" / "search_index.json"
    if index.is_file():  # the everyday phrasings into the search index (search.py)
        search.enrich(index, env.variables["_playbook"], env.conf["theme"]["language"], env.conf["use_directory_urls"])
    if site.name not in [alt["lang"] for alt in alternates]:
        return  # not built into the <site>/<lang>/ layout
    (site.parent / "samples").mkdir(exist_ok=True)
    for sample in SAMPLES.glob("*.csv"):
        (site.parent / "samples" / sample.name).write_bytes(sample.read_bytes())
    links = "".join(f'<li><a href="{alt["lang"]}/index.html" hreflang="{alt["lang"]}">{html.escape(alt["name"])}</a></li>' for alt in alternates)
    manifest, langs = env.variables["manifest"], [alt["lang"] for alt in alternates]
    title = " · ".join(dict.fromkeys(manifest["title"][lang] for lang in langs))
    # The reader's browser language picks the site, the first (English) when none matches;
    # without script, the refresh sends everyone to the first.
    choose = (f"var l={json.dumps(langs)},p=(navigator.languages||[navigator.language||'']).map(function(x){{return x.slice(0,2).toLowerCase()}})"
              ".filter(function(x){return l.indexOf(x)>=0})[0]||l[0];location.replace(p+'/index.html'+location.hash);")
    (site.parent / "index.html").write_text(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title><script>{choose}</script>'
        f'<noscript><meta http-equiv="refresh" content="0; url={langs[0]}/index.html"></noscript></head><body><ul>{links}</ul></body></html>\n', encoding="utf-8")
