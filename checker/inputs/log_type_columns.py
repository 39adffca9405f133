"""Custom activity-type columns: when activities are "of no recognised type", the file may
well say what they were in a column the preset does not map (a Salesforce org's
`Activity_Type__c`, a "Category" picklist). The coverage note names such columns, how many of
the unrecognised rows they fill, a few of their values, and the mapping line that would use them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from checker.inputs.engine import Engine
from checker.inputs.mappings import normalise_header, yaml_item
from checker.inputs.signal_sql import identifier

#: Header words that suggest a column says what kind of activity a row is.
_TYPE_WORDS = re.compile(r"(type|tyyppi|kind|category|kategoria|laji|tipo)")
#: How many values of a column the note shows.
EXAMPLES = 3


@dataclass
class Candidate:
    """A column of one activity file that may hold the activity's type."""

    header: str  # as the file writes it
    column: str  # its name in the raw table (c0, c1, …)


def candidates(header: list[str], kept: set[int]) -> list[Candidate]:
    """Columns whose name suggests an activity type, other than those the mapping already reads
    (and ids: `RecordTypeId` names a record type's id, not the activity's kind)."""
    out = []
    for i, raw in enumerate(header):
        name = normalise_header(raw)
        if i not in kept and _TYPE_WORDS.search(name) and not name.endswith("id"):
            out.append(Candidate(raw.strip(), f"c{i}"))
    return out


def type_hints(db: Engine, table: str, found: list[Candidate], type_sql: str, topic_sql: str,
               read_now: list[str]) -> dict[str, dict]:
    """For each candidate column of the raw table `table`: how many rows of no recognised type
    (the `kinds` table) it fills, its most frequent values there, and the mapping line that
    reads it (before the columns the type is read from now, `read_now`, taken per row); only
    columns that fill some."""
    hints = {}
    for candidate in found:
        cell = f"nullif(trim(r.{identifier(candidate.column)}), '')"
        rows = db.rows(f"""SELECT {cell} AS v, count(*) AS n FROM {table} r
            JOIN kinds k ON k.type = coalesce({type_sql}, '') AND k.topic = coalesce({topic_sql}, '')
            WHERE k.unclassified AND {cell} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1""")
        if rows:
            hints[candidate.header] = {"rows": sum(n for _, n in rows), "examples": [v for v, _ in rows[:EXAMPLES]],
                                       "mapping_line": mapping_line(candidate.header, read_now)}
    return hints


def mapping_line(column: str, read_now: list[str]) -> str:
    """The `type:` line of a --mapping's `activities:` that reads `column` first, then (per row,
    where it is empty) the columns the type is read from now."""
    names = [column, *(c for c in read_now if c != column)]
    return f"type: [{yaml_item(column)}]" if len(names) == 1 else f"type: [[{', '.join(yaml_item(n) for n in names)}]]"
