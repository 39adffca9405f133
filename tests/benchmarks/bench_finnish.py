"""Finnish subjects: substring matching against lemmatisers (simplemma, Voikko), on the corpus
of inflected subjects in tests/fixtures/finnish/subjects.csv.

For each way of matching, the keywords of playbooks/activity-keywords.yaml are applied to every
subject; the result is compared with the corpus labels (a subject type and the classes):
precision and recall over all labels, per label, and the time to lemmatise the corpus's
distinct words (cold: the first call, with the dictionary loading; then per word).

    .venv/bin/python tests/benchmarks/bench_finnish.py
Voikko is measured when the Debian packages libvoikko1 and voikko-fi and the PyPI package
libvoikko are installed; otherwise it is left out with a note.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from checker.inputs.log_lemmas import LANG, FinnishKeywords, keyword_lemmatiser, lemmatiser, words  # noqa: E402
from checker.playbook.yamlload import load_yaml  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "finnish" / "subjects.csv"
TYPES = ("call", "meeting", "email", "mass-email", "visit")


def corpus() -> list[tuple[str, set[str]]]:
    """The corpus: subject → its labels (`t:<type>`, `c:<class>`)."""
    import csv
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    out = []
    for row in list(csv.DictReader(lines)):
        labels = set() if row["labels"].strip() == "-" else {f"t:{x}" if x in TYPES else f"c:{x}" for x in row["labels"].split()}
        out.append((row["subject"], labels))
    return out


def first_type(found: set[str], keywords: dict) -> set[str]:
    """The labels as the checker uses them: only the first subject type (in the file's order) counts."""
    first = next((f"t:{t}" for t in keywords["subject_types"] if f"t:{t}" in found), None)
    return {x for x in found if x.startswith("c:")} | ({first} if first else set())


def substring(keywords: dict):
    """The matching before lemmas: a Finnish keyword anywhere in the lower-case subject."""
    specs = [(f"t:{t}", s) for t, s in keywords["subject_types"].items()] + [(f"c:{c}", s["keywords"]) for c, s in keywords["classes"].items()]
    patterns = {label: re.compile("|".join(re.escape(w) for w in spec.get(LANG, []))) for label, spec in specs}
    return lambda text: {label for label, p in patterns.items() if p.search(text.casefold())}


def voikko_lemma():
    try:
        from libvoikko import Voikko
        voikko = Voikko(LANG)
    except Exception as exc:  # the library, or its Finnish dictionary, is not installed
        print(f"Voikko: not measured ({type(exc).__name__}: {exc}); apt-get install libvoikko1 voikko-fi; pip install libvoikko")
        return None

    def lemma(word: str) -> str:
        found = voikko.analyze(word)
        return found[0]["BASEFORM"].casefold() if found and "BASEFORM" in found[0] else word

    return lemma


def score(name: str, classify, keywords: dict, cases: list[tuple[str, set[str]]]) -> None:
    tp = fp = fn = 0
    per = Counter()
    misses = []
    for subject, expected in cases:
        got = first_type(classify(subject), keywords)
        tp += len(got & expected)
        fp += len(got - expected)
        fn += len(expected - got)
        for x in expected - got:
            per[x] += 1
        if got != expected:
            misses.append(f"{subject!r}: expected {sorted(expected)}, got {sorted(got)}")
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    exact = len(cases) - len(misses)
    print(f"{name:10s} precision {precision:.3f}  recall {recall:.3f}  subjects exactly right {exact}/{len(cases)}  "
          f"(labels right {tp}, wrong {fp}, missed {fn})")
    for line in misses[:40]:
        print("    ", line)


def timing(name: str, lemma, cases: list[tuple[str, set[str]]]) -> None:
    distinct = sorted({w for s, _ in cases for w in words(s)})
    start = time.perf_counter()
    lemma(distinct[0])
    cold = time.perf_counter() - start
    start = time.perf_counter()
    for w in distinct:
        lemma(w + "")
    per_word = (time.perf_counter() - start) / len(distinct)
    print(f"{name:10s} first word (loading) {cold * 1000:.0f} ms; then {per_word * 1e6:.1f} µs a word ({len(distinct)} distinct words)")


def main() -> None:
    loaded, _ = load_yaml(ROOT / "playbooks" / "activity-keywords.yaml")
    keywords = loaded.data
    os.environ["PLAYBOOK_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-finnish-")  # the first run picks the forms afresh
    cases = corpus()
    labels = Counter(x for _, ls in cases for x in ls)
    print(f"corpus: {len(cases)} subjects, {sum(labels.values())} labels: " + ", ".join(f"{k[2:]} {v}" for k, v in sorted(labels.items())))
    score("substring", substring(keywords), keywords, cases)
    simple = lemmatiser()
    timing("simplemma", simple, cases)
    score("simplemma", FinnishKeywords.from_keywords(keywords, simple).classify, keywords, cases)
    for run in ("first run: picking the forms", "later run: the picked forms from the cache"):
        start = time.perf_counter()
        picked = keyword_lemmatiser(keywords)
        picked("hinnoista")
        print(f"picked    {run}: {(time.perf_counter() - start) * 1000:.0f} ms")
    timing("picked", picked, cases)
    score("picked", FinnishKeywords.from_keywords(keywords, picked).classify, keywords, cases)
    voikko = voikko_lemma()
    if voikko:
        timing("voikko", voikko, cases)
        score("voikko", FinnishKeywords.from_keywords(keywords, voikko).classify, keywords, cases)


if __name__ == "__main__":
    main()
