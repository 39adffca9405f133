"""What each logged activity and deal is, in SQL: an activity's canonical type (from its type,
else its subject), whether it is an interaction and which classes it belongs to; a deal's
status (Salesforce's IsWon/IsClosed first) and its amount as a number.

The words come from `playbooks/activity-keywords.yaml` and the mapping's value lists; an
activity whose type is blank or unknown is classified from its subject, and one that stays
unclassified counts as an interaction or not as the keyword file decides
(`unclassified_is_interaction`).
"""
from __future__ import annotations

import json

from checker.inputs.engine import Engine
from checker.inputs.log_lemmas import LANG, WORD_SQL, FinnishKeywords
from checker.inputs.mappings import Mapping
from checker.inputs.signal_sql import complaint_topic, literal, regex_alternatives, word_lookup
from checker.inputs.values import BOOLEANS
from checker.playbook.schemas import SCHEMA_DIR

# The canonical activity types, as the activity-keywords schema lists them.
ACTIVITY_TYPES = tuple(json.loads((SCHEMA_DIR / "activity-keywords.schema.json").read_text(encoding="utf-8"))
                       ["properties"]["interaction_types"]["items"]["enum"])

ACTIVITY_STATUS_GUESSES = [("complete|done|closed|finished|valmis|suljettu|tehty|^true$|^1$", "closed"),
                           ("open|not started|in progress|waiting|deferred|avoin|kesken|^false$|^0$", "open")]
DEAL_STATUS_GUESSES = [("won|voitettu|^true$", "won"), ("lost|hävitty|havitty|menetetty", "lost")]


def vocabulary_expr(mapping: Mapping, column: str, kind: str, canonical: tuple[str, ...], fallbacks: list[tuple[str, str]], default: str) -> str:
    """SQL: the canonical value of a CRM value (the mapping's list, then the fallback patterns)."""
    vocab = {**{c: c for c in canonical}, **mapping.vocabulary(kind)}
    # A value mapped to null is a generic one (Salesforce's TaskSubtype "Task"): no type.
    found = word_lookup(f"lower(trim(coalesce({column}, '')))", {k: "NULL::VARCHAR" if v is None else literal(v) for k, v in vocab.items()})
    guesses = " ".join(f"WHEN regexp_matches(lower({column}), {literal(p)}) THEN {literal(v)}" for p, v in fallbacks)
    otherwise = f"CASE {guesses} ELSE {default} END" if guesses else default
    return f"coalesce({found}, {otherwise})"


def _words(spec: dict) -> list[str]:
    """Every language's keywords of one class or type, but the Finnish ones (matched by lemma: log_lemmas.py)."""
    return [w for lang, words in spec.items() if lang != LANG for w in words]


def _finnish(db: Engine, keywords: dict) -> FinnishKeywords | None:
    """The table `fi_pairs`: each distinct (type, topic) of `pairs` with its Finnish labels and
    lemma texts (of the topic; of type and topic); None when the keyword file has no Finnish words."""
    if not any(spec.get(LANG) for spec in [*keywords.get("subject_types", {}).values(), *(c["keywords"] for c in keywords["classes"].values())]):
        return None
    finnish = FinnishKeywords.from_keywords(keywords)
    finnish.build(db, "SELECT type AS t FROM pairs UNION ALL SELECT topic FROM pairs")
    # Each pair's words in order (type first), with their lemmas and labels: distinct pairs only.
    db.run(f"""
        CREATE TEMP TABLE fi_pairs AS
        SELECT type, topic,
               flatten(list(labels) FILTER (WHERE part = 1)) AS topic_labels, flatten(list(labels)) AS all_labels,
               ' ' || string_agg(coalesce(lemma, w), ' ' ORDER BY part, i) FILTER (WHERE part = 1) AS topic_lemmas,
               ' ' || string_agg(coalesce(lemma, w), ' ' ORDER BY part, i) AS all_lemmas
        FROM (SELECT type, topic, part, unnest(ws) AS w, generate_subscripts(ws, 1) AS i
              FROM (SELECT type, topic, 0 AS part, regexp_extract_all(lower(type), {literal(WORD_SQL)}) AS ws FROM pairs
                    UNION ALL SELECT type, topic, 1, regexp_extract_all(lower(topic), {literal(WORD_SQL)}) FROM pairs))
        LEFT JOIN fi_lemmas USING (w)  -- a word the keywords cannot need is not in it: itself, no labels
        GROUP BY type, topic""")
    return finnish


def _matches(text: str, spec: dict, exclude: dict | None = None) -> str:
    """SQL: whether the text holds a keyword of `spec` in a language other than Finnish (a
    substring, ignoring case), after taking out the words `exclude` lists for those languages."""
    words = _words(spec)
    if not words:
        return "false"
    excluded = _words(exclude or {})
    if excluded:
        text = f"regexp_replace({text}, {literal(regex_alternatives(excluded))}, ' ', 'g')"
    return f"regexp_matches({text}, {literal(regex_alternatives(words))})"


def _finnish_sql(finnish: FinnishKeywords | None, label: str, labels: str, lemmas: str) -> str:
    """SQL: whether a pair's Finnish words give it the label (a word's lemma, or a phrase)."""
    if finnish is None or (label not in finnish.single and label not in finnish.phrases):
        return "false"
    return f"coalesce(list_contains({labels}, {literal(label)}) OR {finnish.phrase_sql(label, lemmas)}, false)"


def classify_activities(db: Engine, keywords: dict, mapping: Mapping, types: tuple[str, ...], source: str = "activities") -> None:
    """The table `kinds`: one row per distinct (type, topic) of `source` (the `activities` view, or a table of its pairs), with its
    canonical type `ctype`, whether the type itself gave it (`typed`), `unclassified`, `generic`
    (a type the mapping calls generic, such as a task: the subject decided), `interaction`,
    the class flags c_*, complaint_topic and a number, `kind_id`. `typed`: the type is a known one, so not reported as
    unrecognised (one the mapping calls generic, mapped to null, leaves the type to the subject)."""
    from_type = vocabulary_expr(mapping, "type", "activity_type", types, [], "NULL")
    generic = [literal(k) for k, v in mapping.vocabulary("activity_type").items() if v is None]
    is_generic = f"lower(trim(type)) IN ({', '.join(generic)})" if generic else "false"
    known = f"({from_type} IS NOT NULL OR {is_generic})"
    # Types and subjects repeat: each distinct pair is classified once, then joined.
    db.run(f"CREATE OR REPLACE TEMP TABLE pairs AS SELECT DISTINCT coalesce(type, '') AS type, coalesce(topic, '') AS topic FROM {source}")
    finnish = _finnish(db, keywords)
    # A blank or unknown type: the first subject type whose keyword the subject holds.
    by_subject = " ".join(f"WHEN {_matches('lower(topic)', spec)} OR {_finnish_sql(finnish, f't:{t}', 'topic_labels', 'topic_lemmas')} THEN {literal(t)}"
                          for t, spec in keywords.get("subject_types", {}).items())
    subject_type = f"CASE {by_subject} END" if by_subject else "NULL"
    text = "lower(type || ' ' || topic)"
    classes = []
    for name, spec in keywords["classes"].items():
        listed = ", ".join(literal(t) for t in spec.get("types", [])) or "NULL"
        classes.append(f"coalesce(ctype IN ({listed}), false) OR {_matches(text, spec['keywords'], spec.get('exclude'))} "
                       f"OR {_finnish_sql(finnish, f'c:{name}', 'all_labels', 'all_lemmas')} AS c_{name.replace('-', '_')}")
    interaction = ", ".join(literal(t) for t in keywords["interaction_types"])
    unclassified_counts = "true" if keywords.get("unclassified_is_interaction") else "false"
    complaint = [w for words in keywords["classes"]["complaint"]["keywords"].values() for w in words]
    lemmas = ("LEFT JOIN fi_pairs USING (type, topic)" if finnish else
              "CROSS JOIN (SELECT NULL::VARCHAR[] AS topic_labels, NULL::VARCHAR[] AS all_labels, NULL AS topic_lemmas, NULL AS all_lemmas)")
    db.run(f"""
        CREATE TEMP TABLE kinds AS
        SELECT *, CASE WHEN c_complaint THEN {complaint_topic("topic", complaint)} END AS complaint_topic, row_number() OVER () AS kind_id
        FROM (SELECT type, topic, ctype, typed, ctype IS NULL AS unclassified, {is_generic} AS generic,
                     CASE WHEN ctype IS NULL THEN {unclassified_counts} ELSE ctype IN ({interaction}) END AS interaction, {", ".join(classes)}
              FROM (SELECT *, coalesce({from_type}, {subject_type}) AS ctype, {known} AS typed
                    FROM pairs {lemmas}))""")


def activity_status_expr(mapping: Mapping, column: str = "status") -> str:
    return vocabulary_expr(mapping, column, "activity_status", ("open", "closed"), ACTIVITY_STATUS_GUESSES, "NULL")


def row_kinds(db: Engine, mapping: Mapping, source: str) -> None:
    """The table `row_kinds`: each distinct (type, topic, status) of `source` (a table of the log's
    triples) with its pair's classes from `kinds`, its status as open/closed (`cstatus`) and a
    number, `kind_id`: a row of the log is then one number, and the status words are looked at
    once per distinct status rather than once per row. An empty status is read as a missing one
    (as the vocabulary lookup reads it), so the three are compared as non-NULL texts."""
    db.run(f"""CREATE OR REPLACE TEMP TABLE row_kinds AS
        SELECT k.* EXCLUDE (kind_id), p.status_text, {activity_status_expr(mapping, "p.status_text")} AS cstatus,
               row_number() OVER () AS kind_id
        FROM (SELECT DISTINCT coalesce(type, '') AS type, coalesce(topic, '') AS topic, coalesce(status, '') AS status_text FROM {source}) p
        JOIN kinds k USING (type, topic)""")


def deal_status_expr(mapping: Mapping, present: set[str]) -> str:
    """SQL: a deal's status, won/lost/open, NULL when nothing says (never silently open).

    Where the export has them, Salesforce's IsWon/IsClosed decide: a custom stage name
    ("Negociación") then needs no mapping."""
    named = vocabulary_expr(mapping, "status", "deal_status", ("open", "won", "lost"), DEAL_STATUS_GUESSES, "NULL")
    truth = {w: str(v).lower() for w, v in BOOLEANS.items()}
    flags = []
    if "won" in present:
        flags.append(f"WHEN {word_lookup('lower(trim(won))', truth)} = 'true' THEN 'won'")
    if "closed" in present:
        closed = word_lookup("lower(trim(closed))", truth)
        flags += [f"WHEN {closed} = 'true' THEN 'lost'", f"WHEN {closed} = 'false' THEN 'open'"]
    return f"coalesce(CASE {' '.join(flags)} END, {named})" if flags else named


def amount_expr() -> str:
    """SQL: a deal's amount as a number. A plain number as it is; otherwise without spaces and
    currency, the later of ',' and '.' being the decimal separator and the other one grouping thousands."""
    amt = "regexp_replace(amount, '[\\s\u00a0€$£]|EUR|USD', '', 'g')"
    return (f"coalesce(TRY_CAST(amount AS DOUBLE), TRY_CAST(CASE WHEN {amt} LIKE '%,%' AND {amt} LIKE '%.%' "
            f"THEN CASE WHEN strpos(reverse({amt}), ',') < strpos(reverse({amt}), '.') THEN replace(replace({amt}, '.', ''), ',', '.') "
            f"ELSE replace({amt}, ',', '') END ELSE replace({amt}, ',', '.') END AS DOUBLE))")


def competitive_expr(column: str = "competitive") -> str:
    """SQL: a yes/no cell as 'true', 'false' or NULL (also Salesforce's IsChild)."""
    return word_lookup(f"lower(trim({column}))", {w: str(v).lower() for w, v in BOOLEANS.items()})
