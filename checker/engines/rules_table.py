"""The rules beside the findings: one row per rule, with the words a findings row leaves out.

`check --output findings.parquet` writes one row per finding (account, rule, kind, severity,
observed, expected…) and no advice: the same few hundred sentences on a million rows ran
DuckDB out of memory (README, "Findings as a table"). A warehouse models that as a dimension:
`findings.rules.parquet` beside the findings (or the table `NAME_rules` beside `--output-table
NAME`) holds, per rule, its kind, title, advice (`action`), citation (`source`), handbook link
(`handbook_url`, under `--handbook-url`), the run's `lang` and the playbook's version. A
dashboard joins the findings to it on `rule` and `kind`.

Every rule a finding can name has its row: the playbook's expectations, the verdict, the account
review's findings (their kind is their id) and a data finding for every `data.*` message. The
words are `Evaluator.about`'s, the one source of each finding's own (and of the JSON report's
`rules`), so a finding joined to its rule reads as the JSON report has it. The verdict's advice
names each account's declared and best-fit stages: as in the JSON report's `rules`, its row has
none (NULL); a dashboard says the rule's title and links to the handbook.

The rows are made here, in Python, and handed to the engine as a relation (`register`: DuckDB's
numpy columns, Spark's Arrow); the engine writes them as it writes the findings.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

import numpy as np

from checker.engines.status import beside
from checker.evaluate import DATA_KIND, VERDICT_KIND, Evaluator, data_rule_id
from checker.playbook.model import Playbook

RULES = "pb_rules"  # the relation the rows are registered as
#: The rules file's (and table's) columns, in order; all text.
RULE_COLUMNS = ("rule", "kind", "title", "action", "source", "handbook_url", "lang", "playbook_version")
RULES_SUFFIX = ".rules.parquet"


class Registers(Protocol):
    """What takes the rows: a DuckDB connection, or checker/engines/spark_findings.py's SparkConnection."""

    def register(self, name: str, data: dict[str, np.ndarray]) -> object: ...


def rules_path(findings: Path) -> Path:
    """findings.parquet's rules file: findings.rules.parquet (as its accounts file, checker/engines/status.py)."""
    return beside(findings, RULES_SUFFIX)


def rule_keys(playbook: Playbook) -> list[tuple[str, str]]:
    """Every (rule, kind) a finding can have: the verdict, the expectations, the review's findings, the data findings."""
    verdict = [(playbook.manifest["verdict"]["id"], VERDICT_KIND)]
    review = [(kind, kind) for kind in playbook.manifest["review"]["findings"]]
    data = [(data_rule_id(key), DATA_KIND) for key in playbook.messages if key.startswith("data.")]
    return verdict + [(rule.id, rule.kind) for rule in playbook.rules] + review + data


def rule_rows(playbook: Playbook, as_of: date, lang: str, handbook_url: str | None = None) -> list[tuple]:
    """The rows, in RULE_COLUMNS' order; `handbook_url`: the run's --handbook-url (None: the playbook's, as `check` has it).
    No citation is NULL, not an empty text (a dashboard shows nothing rather than an empty pair of brackets)."""
    words = Evaluator(playbook, as_of, lang, handbook_url or playbook.manifest["handbook_url"])
    version = str(playbook.manifest["version"])
    rows = []
    for rule, kind in rule_keys(playbook):
        about = words.about(rule, kind)
        rows.append((rule, kind, about.title, about.action, about.source or None, about.handbook_url, lang, version))
    return rows


def register_rules(con: Registers, playbook: Playbook, as_of: date, lang: str, handbook_url: str | None = None) -> str:
    """The rows as the engine's relation RULES; returns the SELECT that writes them (every column text, in rule order)."""
    rows = rule_rows(playbook, as_of, lang, handbook_url)
    con.register(RULES, {name: np.array([row[i] for row in rows], dtype=object) for i, name in enumerate(RULE_COLUMNS)})
    return f"SELECT {', '.join(f'CAST({c} AS VARCHAR) AS {c}' for c in RULE_COLUMNS)} FROM {RULES} ORDER BY rule, kind"


__all__ = ["RULES", "RULES_SUFFIX", "RULE_COLUMNS", "register_rules", "rule_keys", "rule_rows", "rules_path"]
