"""The account review page: the questions a person answers that the CRM cannot, weighed live.

`review_model()` is what the page's scripts (docs/overrides/assets/review-rules.js, review.js) need, generated
from the playbook at build time: the asked signals (`ask` in catalogues/signals.yaml), every
expectation with its threshold as the checker's columns hold it, the best-fit settings and the
verdict ladder, and the words, in the page's language. The script has no number and no word of
its own: it evaluates exactly as checker/evaluate.py does, which tests/handbook/test_review_browser.py
checks side by side on generated answers. `review_page()` renders the form; the model travels
inside the page (a JSON script block), so the page works from file:// too.
"""
from __future__ import annotations

import html
import json
import posixpath
from datetime import date
from typing import Any

from checker.handbook.markdown import md
from checker.playbook import near, phrases
from checker.playbook.model import DECLARED_ON, Playbook, Rule

#: The review's own columns of an assessments file, before one column per asked signal.
FIELDS = ("account_id", "account_name", "reviewed_on", "reviewer", "declared_stage")


def asked(playbook: Playbook) -> list[str]:
    """The signals the review asks, in catalogue order (the assessments file's signal columns)."""
    return [s.id for s in playbook.signals.values() if "ask" in s.data]


def cell(value: object) -> str:
    """An answer as the assessments file holds it: the canonical export's text (yes/no, ISO dates, numbers with `.`)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def encoded(value: object, playbook: Playbook, signal: str) -> float:
    """A threshold as the checker's columns hold it (checker/inputs/columns.py): yes/no as 1/0, a category as its index."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        return float(playbook.signals[signal].data["values"].index(value))
    return float(value)  # type: ignore[arg-type]


def expected(playbook: Playbook, lang: str, rule: Rule) -> dict[str, object]:
    """A rule's test in words, as the checker's findings say it: `{"text": …}`, or for a date test
    `{"date": template with {date}, "days": n}`, as the page counts back from the review's date."""
    if playbook.signals[rule.signal].type == "date" and rule.op != "recorded":
        return {"date": phrases.expected(playbook, lang, rule, "{date}"), "days": rule.value}
    return {"text": phrases.expected(playbook, lang, rule, "")}


def review_model(playbook: Playbook, lang: str, url: Any) -> dict[str, object]:
    """Everything the page's evaluator reads, in `lang`; `url(src, anchor)` links a docs page from the review page."""
    signals = [{"id": s.id, "type": s.type, "name": s.name[lang], "unit": s.unit, "values": s.data.get("values"), "asked": "ask" in s.data}
               for s in playbook.signals.values()]
    rules = [{"id": r.id, "kind": r.kind, "owner": r.owner, "applies_to": list(r.applies_to), "signal": r.signal, "op": r.op,
              "value": None if r.op == "recorded" else (r.value if r.relative_to else encoded(r.value, playbook, r.signal)),
              "relative_to": r.relative_to, "when": [{"signal": c.signal, "op": c.op, "value": encoded(c.value, playbook, c.signal)} for c in r.when],
              "direction": r.direction, "severity": r.severity, "evidence": playbook.shows_evidence(r), "title": r.title[lang],
              "since_declared": bool(r.data.get("since_declared")),
              "expected": expected(playbook, lang, r), "url": url(f"{r.section}/{r.owner}.md", r.id)}
             for r in playbook.rules]
    phases = [{"id": p.id, "kind": p.kind, "order": p.order, "name": p.name[lang], "url": url(f"{p.section}/{p.id}.md")}
              for p in [*playbook.stages, *playbook.endings]]
    spec = playbook.manifest["verdict"]
    verdict = {"id": spec["id"], "ladder": spec["severity"], "distance_words": spec["distance_words"][lang],
               "message": {d: spec["message"][d][lang] for d in ("behind", "ahead")}, "action": {d: spec["action"][d][lang] for d in ("behind", "ahead")},
               "develop_fallback": spec["develop_fallback"][lang], "url": url("rules.md", spec["id"]),
               "declared_on": DECLARED_ON, "grace_days": spec.get("declared_grace_days")}
    words = {key: text[lang] for key, text in playbook.messages.items() if key.startswith(("handbook.review.", "check.", "unit.", "handbook.severity."))}
    return {"lang": lang, "fields": list(FIELDS), "best_fit": playbook.manifest["best_fit"], "verdict": verdict,
            "signals": signals, "phases": phases, "rules": rules, "words": words, "near_line": near.page_model(playbook, lang)}


def _json(data: object) -> str:
    """JSON safe inside a <script> block: no `</script>` or `<!--` can close or confuse it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def review_page(handbook: Any) -> str:
    """The review form, the live result, the buttons and the model, as one block of HTML (no blank lines: Markdown leaves it alone)."""
    pb, lang = handbook.pb, handbook.lang

    def t(key: str, **values: object) -> str:
        return html.escape(handbook.t(f"review.{key}", **values))

    def field(name: str, kind: str = "text") -> str:
        extra = ' required' if name in ("account_id", "reviewer", "reviewed_on") else ""
        return f'<label class="pb-field"><span>{t(name)}</span><input type="{kind}" name="{name}" id="pb-{name}" autocomplete="off"{extra}></label>'

    def choices(name: str, options: list[tuple[str, str]]) -> str:
        items = [*options, ("", handbook.t("review.dont_know"))]
        return "".join(f'<label class="pb-option"><input type="radio" name="{name}" value="{html.escape(value)}"{" checked" if not value else ""}>'
                       f"<span>{html.escape(label)}</span></label>" for value, label in items)

    stages = "".join(f'<option value="{p.id}">{html.escape(p.name[lang])}</option>' for p in pb.stages)
    endings = "".join(f'<option value="{p.id}">{html.escape(p.name[lang])}</option>' for p in pb.endings)
    declared = (f'<label class="pb-field"><span>{t("declared_stage")}</span><select name="declared_stage" id="pb-declared_stage">'
                f'<option value="">{t("no_stage")}</option><optgroup label="{html.escape(handbook.t("nav.stages"))}">{stages}</optgroup>'
                f'<optgroup label="{html.escape(handbook.t("nav.endings"))}">{endings}</optgroup></select></label>')
    questions = []
    for sid in asked(pb):
        ask = pb.signals[sid].data["ask"]
        answer = ask["answer"]
        if answer == "count":
            control = f'<input type="number" name="{sid}" min="0" step="1" inputmode="numeric" aria-labelledby="pb-q-{sid}">'
        elif answer == "date":
            control = f'<input type="date" name="{sid}" aria-labelledby="pb-q-{sid}">'
        elif answer == "yes-no":
            control = choices(sid, [("yes", handbook.t("value.yes")), ("no", handbook.t("value.no"))])
        else:
            control = choices(sid, [(cell(o["value"]), o["label"][lang]) for o in ask["options"]])
        help_text = f'<p class="pb-q-help">{html.escape(ask["help"][lang])}</p>' if "help" in ask else ""
        group = "radiogroup" if answer in ("yes-no", "ranges", "choice") else "group"
        questions.append(f'<div class="pb-q" data-signal="{sid}" data-answer="{answer}" role="{group}" aria-labelledby="pb-q-{sid}">'
                         f'<p class="pb-q-text" id="pb-q-{sid}">{html.escape(ask["question"][lang])}</p>{help_text}<div class="pb-q-answer">{control}</div></div>')
    assets = posixpath.relpath("assets", posixpath.dirname(handbook.env.page.file.dest_uri) or ".")
    model = review_model(pb, lang, handbook.url)
    return "\n".join([
        f'<noscript><p class="pb-review-noscript">{t("needs_script")}</p></noscript>',
        f'<div class="pb-review" id="pb-review" lang="{lang}">',
        f'<link rel="stylesheet" href="{assets}/review.css">',
        '<div class="pb-review-bar">',
        '<div class="pb-review-actions">',
        f'<button type="button" class="md-button md-button--primary" id="pb-save">{t("save")}</button>',
        f'<label class="md-button" id="pb-load-label" tabindex="0">{t("load")}<input type="file" id="pb-load" accept=".csv,text/csv" hidden></label>',
        f'<button type="button" class="md-button" id="pb-print">{t("print")}</button>',
        f'<button type="button" class="md-button" id="pb-new">{t("new")}</button>',
        "</div>",
        '<p class="pb-review-status" id="pb-status" role="status"></p>',
        '<div class="pb-review-file" id="pb-file" hidden>',
        f'<label class="pb-field"><span>{t("choose_account")}</span><select id="pb-file-account"></select></label>',
        f'<label class="pb-field"><span>{t("choose_review")}</span><select id="pb-file-review"></select></label>',
        "</div>",
        "</div>",
        '<div class="pb-review-record" id="pb-record"></div>',
        '<form class="pb-review-form" id="pb-review-form" autocomplete="off" novalidate>',
        f'<fieldset class="pb-review-account"><legend>{t("account")}</legend>',
        field("account_id"), field("account_name"), field("reviewer"), field("reviewed_on", "date"), declared,
        "</fieldset>",
        f'<fieldset class="pb-review-questions"><legend>{t("questions")}</legend>',
        *questions,
        '<div class="pb-from-file" id="pb-from-file" hidden></div>',
        "</fieldset>",
        "</form>",
        f'<section class="pb-review-result" id="pb-review-result" aria-live="polite"><h2>{t("result")}</h2><div id="pb-result-body"></div></section>',
        "</div>",
        f'<script type="application/json" id="pb-review-model">{_json(model)}</script>',
        f'<script src="{assets}/review-rules.js"></script>',
        f'<script src="{assets}/review.js"></script>',
    ])


def review_link(handbook: Any) -> str:
    """A sentence linking the review page (stage pages, the training page)."""
    link = f"[{md(handbook.t('review.title'))}]({handbook.link('review.md')})"
    return md(handbook.t("review.link", link="@LINK@")).replace("@LINK@", link)
