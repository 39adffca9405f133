"""Finnish activity subjects matched by lemma.

Finnish inflects and compounds its words: "Valituksen käsittely", "hinnoista", "Soitin" hold
the keywords valitus, hinta and soittaa in forms no substring test finds, while the substring
"hinta" is found in "hintatarjous", a quote, which is no price talk. So the Finnish keywords
of `playbooks/activity-keywords.yaml` are matched word by word against base forms (lemmas,
from simplemma): a keyword matches a word whose lemma begins or ends with it (compounds:
"hinnankorotus", "tuotekehitys"), unless that lemma is one of the class's `exclude` words; a
keyword of several words matches those lemmas in a row (the last one may begin a compound).

Speed: a log repeats its subjects and its words, so DuckDB splits each distinct subject into
words, and only each distinct word whose lemma may matter to the keywords is lemmatised here,
once; the words' labels go back to DuckDB as a table and every row is classified there
(log_classes.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker.inputs.engine import Engine
from checker.inputs.signal_sql import literal
from checker.playbook.cache import folder as cache_folder

#: The language whose keywords are matched by lemma; the others stay substring matches.
LANG = "fi"
#: A word of a subject, in DuckDB's regular expressions (RE2) and in Python's.
WORD_SQL = r"\p{L}+"
_WORD = re.compile(r"[^\W\d_]+")
_FORMS_FORMAT = 1  # bump when the picking changes


@cache
def lemmatiser() -> Callable[[str], str]:
    """The Finnish lemma of a lower-case word (the word itself when the lemmatiser knows none),
    with simplemma's whole Finnish dictionary (3.5 million forms: seconds to load). The checker
    uses `keyword_lemmatiser`, which needs only the forms of its keywords."""
    import simplemma

    return lambda word: simplemma.lemmatize(word, lang=LANG).casefold()


def keyword_lemmatiser(keywords: dict) -> KeywordLemmatiser:
    """The Finnish lemmas the keywords need (see KeywordLemmatiser)."""
    return KeywordLemmatiser(keywords)


class KeywordLemmatiser:
    """The Finnish lemma of a word as simplemma gives it, for every word whose lemma can matter
    to the keywords (begins or ends with a Finnish keyword, is a word of a phrase or an excluded
    word); other words may come back as they are.

    simplemma's strategies (compounds, clitics) run on a dictionary of only those forms, picked
    from its whole dictionary once per keyword file and simplemma version and kept in the
    playbook cache folder: loading and decoding the whole dictionary takes seconds, the picked
    forms milliseconds."""

    def __init__(self, keywords: dict):
        import simplemma
        from simplemma.strategies import DefaultStrategy

        stems, exact = _keyword_words(keywords)
        forms = _cached_forms(stems, exact, simplemma.__version__)
        self.forms = set(forms)
        alternatives = "|".join(re.escape(w) for w in sorted(stems, key=len, reverse=True)) or "(?!)"
        self._stem = re.compile(f"^(?:{alternatives})|(?:{alternatives})$")

        class Forms:
            """A simplemma DictionaryFactory holding the picked forms only."""

            def get_dictionary(self, lang: str) -> dict[str, str]:
                return forms if lang == LANG else {}

        self._lemmatizer = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=Forms()))

    def __call__(self, word: str) -> str:
        return self._lemmatizer.lemmatize(word, LANG).casefold()

    def may_matter(self, word: str) -> bool:
        """Whether the word's lemma may be one the keywords need: the word is a picked form, ends
        in one (a compound), or itself begins or ends with a keyword. Most words of a log are
        none of these and need no lemmatiser (a set lookup per ending instead of ~20 µs)."""
        return any(word[i:] in self.forms for i in range(len(word) - 1)) or bool(self._stem.search(word))


def _keyword_words(keywords: dict) -> tuple[list[str], list[str]]:
    """The Finnish single-word keywords (stems: a lemma beginning or ending with one matters)
    and the other words whose lemmas matter (words of phrases, excluded words, and the tails of
    compound keywords, which simplemma's compound splitting looks up)."""
    stems, exact = set(), set()
    specs = list(keywords.get("subject_types", {}).values()) + [s["keywords"] for s in keywords["classes"].values()]
    for spec in specs:
        for keyword in spec.get(LANG, []):
            parts = words(keyword)
            (stems if len(parts) == 1 else exact).update(parts)
    exact |= {w for spec in keywords["classes"].values() for word in spec.get("exclude", {}).get(LANG, []) for w in words(word)}
    exact |= {w[i:] for w in stems | exact for i in range(1, len(w) - 3)}  # tails of four letters or more
    return sorted(stems), sorted(exact)


def pick_forms(keywords: dict, picking: Callable[[], None]) -> bool:
    """The Finnish forms these keywords need picked now, and `picking()` called first, unless the cache folder has them
    (or there is none to keep them in: then the lemmatiser picks them as it goes); whether they were picked. Seconds
    once after an install or a change of the keywords, which a check's progress line says."""
    import simplemma

    entry = _forms_entry(*_keyword_words(keywords), simplemma.__version__)
    if entry is None or entry.is_file():
        return False
    picking()
    keyword_lemmatiser(keywords)
    return True


def _forms_entry(stems: list[str], exact: list[str], version: str) -> Path | None:
    """The cache file of these keywords' forms (None: no cache folder)."""
    import hashlib
    import json

    where = cache_folder()
    digest = hashlib.sha256(json.dumps([_FORMS_FORMAT, version, stems, exact]).encode()).hexdigest()
    return where / f"fi-forms-{digest}.forms" if where else None


def _cached_forms(stems: list[str], exact: list[str], version: str) -> dict[str, str]:
    """The picked forms (form → lemma), from the cache folder when these keywords were seen before."""
    import marshal

    entry = _forms_entry(stems, exact, version)
    if entry is not None:
        try:
            return marshal.loads(entry.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass  # not picked yet: pick them
    forms = _pick_forms(stems, exact)
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            temp = entry.with_suffix(".tmp")
            temp.write_bytes(marshal.dumps(forms))
            temp.replace(entry)
            for old in sorted(entry.parent.glob("fi-forms-*.forms"), key=lambda p: p.stat().st_mtime, reverse=True)[4:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only home: pick them again next time
    return forms


def _pick_forms(stems: list[str], exact: list[str]) -> dict[str, str]:
    """Every form of simplemma's Finnish dictionary whose lemma begins or ends with a stem, or
    is one of the `exact` words (and the stems' and exact words' own forms)."""
    whole = _whole_dictionary()  # form → lemma, both UTF-8 bytes: 3.5 million forms are never all decoded
    known = {w: whole.get(w.encode(), w.encode()).decode() for w in [*stems, *exact]}
    alternatives = "|".join(re.escape(w) for w in sorted({*stems, *(known[s] for s in stems)}, key=len, reverse=True)) or "(?!)"
    matters = re.compile(f"^(?:{alternatives})|(?:{alternatives})$")
    wanted = set(exact) | {known[w] for w in exact}
    # The dictionary has 3.5 million forms of 125,000 lemmas: each lemma is decoded and tested once.
    lemmas = {raw: lemma for raw in set(whole.values()) if (lemma := raw.decode()) in wanted or matters.search(lemma)}
    picked = {form.decode(): lemmas[raw] for form, raw in whole.items() if raw in lemmas}
    return {**{w: base for w, base in known.items() if w != base}, **picked}


def _whole_dictionary() -> dict[bytes, bytes]:
    """simplemma's whole Finnish dictionary, form → lemma, as UTF-8 bytes (as simplemma keeps it on disk)."""
    try:  # its raw bytes form: walked without decoding what is not picked (half the memory of a decoded copy)
        from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk
        return _load_dictionary_from_disk(LANG)
    except ImportError:  # a simplemma that keeps its data otherwise: its public mapping, encoded
        from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY
        return {k.encode(): v.encode() for k, v in DEFAULT_DICTIONARY_FACTORY.get_dictionary(LANG).items()}


def words(text: str) -> list[str]:
    """The words of a text as the SQL splits them (letters only, lower case)."""
    return _WORD.findall(text.casefold())


@dataclass
class FinnishKeywords:
    """The Finnish keywords of each label (`t:<type>` for a subject type, `c:<class>` for a
    class) as lemmas: single words, phrases, and the excluded words of each label."""

    lemma: Callable[[str], str]
    single: dict[str, set[str]] = field(default_factory=dict)
    phrases: dict[str, list[list[str]]] = field(default_factory=dict)
    exclude: dict[str, set[str]] = field(default_factory=dict)
    _patterns: dict[str, re.Pattern] = field(default_factory=dict, repr=False)

    @classmethod
    def from_keywords(cls, keywords: dict, lemma: Callable[[str], str] | None = None) -> FinnishKeywords:
        found = cls(lemma or keyword_lemmatiser(keywords))
        labelled = [(f"t:{t}", spec, {}) for t, spec in keywords.get("subject_types", {}).items()]
        labelled += [(f"c:{c}", spec["keywords"], spec.get("exclude", {})) for c, spec in keywords["classes"].items()]
        for label, spec, exclude in labelled:
            for keyword in spec.get(LANG, []):
                parts = words(keyword)
                if len(parts) == 1:
                    found.single.setdefault(label, set()).update({parts[0], found.lemma(parts[0])})
                elif parts:
                    found.phrases.setdefault(label, []).append([found.lemma(p) for p in parts])
            for word in exclude.get(LANG, []):
                found.exclude.setdefault(label, set()).update({w for p in words(word) for w in (p, found.lemma(p))})
        return found

    def labels(self, lemma: str) -> list[str]:
        """The labels whose single-word keyword begins or ends this lemma (and does not exclude it)."""
        if not self._patterns:  # one expression per label: a log may hold a hundred thousand distinct words
            for label, forms in self.single.items():
                alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
                self._patterns[label] = re.compile(f"^(?:{alternatives})|(?:{alternatives})$")
        return sorted(label for label, pattern in self._patterns.items() if lemma not in self.exclude.get(label, ()) and pattern.search(lemma))

    def classify(self, text: str) -> set[str]:
        """The labels of one text, in Python (the corpus measurement; the checker does the same in
        DuckDB with `build` and `phrase_sql`, log_classes.py)."""
        lemmas = [self.lemma(w) for w in words(text)]
        found = {label for lemma in lemmas for label in self.labels(lemma)}
        joined = " " + " ".join(lemmas)
        found |= {label for label, phrases in self.phrases.items() for p in phrases if " " + " ".join(p) in joined}
        return found

    def phrase_sql(self, label: str, lemma_text: str) -> str:
        """SQL: whether the lemma text (' '-led, lemmas joined by ' ') holds a phrase of the label."""
        phrases = self.phrases.get(label, [])
        return " OR ".join(f"contains({lemma_text}, {literal(' ' + ' '.join(p))})" for p in phrases) or "false"

    def build(self, db: Engine, texts: str) -> None:
        """The table `fi_lemmas` (word, lemma, labels) for every distinct word of the SQL `texts`
        (a query of one text column `t`): each distinct word is lemmatised once."""
        distinct = [r[0] for r in db.rows(
            f"SELECT DISTINCT w FROM (SELECT unnest(regexp_extract_all(lower(t), {literal(WORD_SQL)})) AS w FROM ({texts})) WHERE w IS NOT NULL")]
        may_matter = getattr(self.lemma, "may_matter", None)  # the checker's lemmatiser knows which words need it
        distinct = [w for w in distinct if may_matter is None or may_matter(w)]
        lemmas = [self.lemma(w) for w in distinct]
        db.table("fi_lemmas", {"w": distinct, "lemma": lemmas, "labels": [self.labels(x) for x in lemmas]},
                 {"w": "VARCHAR", "lemma": "VARCHAR", "labels": "VARCHAR[]"})

