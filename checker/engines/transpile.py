"""The log pipeline's DuckDB SQL in another engine's dialect (Spark, PostgreSQL): SQLGlot's translation plus the rewrites it lacks.

The DuckDB SQL stays the one definition of every signal (checker/inputs/signal_sql.py and the
log modules); this module only translates it. SQLGlot (read="duckdb", write=the dialect) does
most of it; each dialect has the short list of rewrites for what it leaves DuckDB-shaped or gets subtly
wrong, each with the reason (`DIALECTS`: Spark's `REWRITES` below; PostgreSQL's in
transpile_postgres.py, which lean on a few functions made in the session's own temporary schema). A DuckDB function SQLGlot does not know, and that no rewrite
handles, stops the translation with `Untranslatable` naming it, rather than reaching Spark as a
name it may read differently.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp

#: Spark's functions that the rewrites below write by name (SQLGlot passes a name it does not know through as it is).
SAME_NAME = frozenset({"raise_error", "try_to_timestamp", "element_at", "map", "monotonically_increasing_id", "collect_set", "array_sort", "array_join", "size"})

# RE2's POSIX classes (ASCII) as Java writes them; in a Java pattern `[[:alnum:]]` is a set of
# the characters ':', 'a', 'l', … and would silently match other text.
_POSIX = {"alnum": r"\p{Alnum}", "alpha": r"\p{Alpha}", "digit": r"\p{Digit}", "space": r"\s", "upper": r"\p{Upper}",
          "lower": r"\p{Lower}", "punct": r"\p{Punct}", "xdigit": r"\p{XDigit}", "blank": r"\p{Blank}", "cntrl": r"\p{Cntrl}",
          "print": r"\p{Print}", "graph": r"\p{Graph}", "word": r"\w"}
# strftime directives (DuckDB's strptime) as Spark's datetime pattern letters. One letter for day
# and month: Spark's `dd` wants two digits where strptime's %d also reads one.
_STRFTIME = {"d": "d", "m": "M", "Y": "yyyy", "y": "yy", "H": "H", "I": "h", "M": "m", "S": "s", "p": "a",
             "b": "MMM", "B": "MMMM", "a": "EEE", "A": "EEEE", "f": "SSSSSS", "j": "D", "z": "Z", "%": "%"}


class Untranslatable(ValueError):
    """SQL that the Spark engine cannot run with the same meaning (names the construct)."""


def java_regex(pattern: str) -> str:
    """An RE2 pattern (DuckDB) as a Java pattern (Spark) with the same matches, for the patterns the checker writes."""
    return re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)), pattern)


def java_datetime_pattern(pattern: str) -> str:
    """A strptime pattern (--date-format, the mapping's date_format) as a Spark datetime pattern."""
    out, literal = [], []

    def flush() -> None:
        if literal:
            text = "".join(literal)
            out.append(text if re.fullmatch(r"[\s.,:/\-]*", text) else "'" + text.replace("'", "''") + "'")
            literal.clear()

    i = 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            code = pattern[i + 1]
            if code not in _STRFTIME:
                raise Untranslatable(f"the date pattern directive %{code}")
            flush()
            out.append(_STRFTIME[code] if code != "%" else "'%'")
            i += 2
        else:
            literal.append(pattern[i])
            i += 1
    flush()
    return "".join(out)


def _not_materialized(node: exp.Expression) -> exp.Expression:
    """`WITH x AS NOT MATERIALIZED (…)`: a DuckDB planner hint; Spark plans CTEs itself."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def _regex_literals(node: exp.Expression) -> exp.Expression:
    """Regular expressions: RE2's POSIX classes in Java's spelling; a full match anchored as Java anchors."""
    if isinstance(node, exp.RegexpLike | exp.RegexpReplace | exp.RegexpExtract | exp.RegexpExtractAll | exp.RegexpSplit):
        pattern = node.args.get("expression")
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            node.set("expression", exp.Literal.string(java_regex(pattern.this)))
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise Untranslatable("regexp_full_match with a pattern that is not a literal")
        # \z, not $: Java's $ also matches before a final line break, RE2's does not.
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{java_regex(pattern.this)})\\z"))
    return node


def word_lookup_parts(node: exp.Expression) -> tuple[list[exp.Expression], list[exp.Expression], exp.Expression] | None:
    """`[v1, v2, …][list_position([k1, k2, …], cell)]` (signal_sql.word_lookup) as (keys, values, cell); None for any other node."""
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Array) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Anonymous) and index.name.lower() == "list_position":
            keys, cell = index.expressions
            if not isinstance(keys, exp.Array) or len(keys.expressions) != len(node.this.expressions):
                raise Untranslatable("list_position over a list that is not written out")
            return [k.copy() for k in keys.expressions], [v.copy() for v in node.this.expressions], cell.copy()
    return None


def _word_lookup(node: exp.Expression) -> exp.Expression:
    """A word lookup as a map lookup: Spark's arrays count from 0 and list_position has no Spark name; a map
    gives NULL for any other word, as DuckDB does."""
    if (parts := word_lookup_parts(node)) is None:
        return node
    keys, values, cell = parts
    pairs = [part for k, v in zip(keys, values, strict=True) for part in (k, v)]
    return exp.Anonymous(this="element_at", expressions=[exp.Anonymous(this="map", expressions=pairs), cell])


def _strptime(node: exp.Expression) -> exp.Expression:
    """DuckDB's try_strptime(text, strftime pattern) as Spark's try_to_timestamp(text, datetime pattern)."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime":
        text, pattern = node.expressions
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise Untranslatable("try_strptime with a pattern that is not a literal")
        return exp.Anonymous(this="try_to_timestamp", expressions=[text.copy(), exp.Literal.string(java_datetime_pattern(pattern.this))])
    return node


def _unordered_row_number(node: exp.Expression) -> exp.Expression:
    """`row_number() OVER ()`, which the checker uses only to tell a file's rows apart (never for
    their order): Spark wants an ordered window, and a unique id serves the same purpose."""
    if isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber) and not node.args.get("order") and not node.args.get("partition_by"):
        return exp.Anonymous(this="monotonically_increasing_id", expressions=[])
    return node


def _numbered_unnest(node: exp.Expression) -> exp.Expression:
    """`SELECT …, unnest(l) AS w, generate_subscripts(l, 1) AS i` (each element with its place) as
    Spark's `posexplode(l) AS (i, w)`. Spark counts places from 0, DuckDB from 1: the checker
    uses them only to keep the elements' order, which both give alike."""
    if not isinstance(node, exp.Select):
        return node
    places = [e for e in node.expressions if isinstance(e, exp.Alias) and isinstance(e.this, exp.Anonymous) and e.this.name.lower() == "generate_subscripts"]
    if not places:
        return node
    out, matched = [], 0
    for e in node.expressions:
        if any(e is p for p in places):
            continue
        place = next((p for p in places if isinstance(e, exp.Alias) and isinstance(e.this, exp.Explode | exp.Unnest)
                      and p.this.expressions == [_listed(e.this), exp.Literal.number(1)]), None)
        if place is not None:
            matched += 1
            e = exp.Aliases(this=exp.Posexplode(this=_listed(e.this).copy()), expressions=[exp.to_identifier(place.alias), exp.to_identifier(e.alias)])
        out.append(e)
    if matched != len(places):
        raise Untranslatable("generate_subscripts without an unnest of the same list beside it")
    node.set("expressions", out)
    return node


def _listed(node: exp.Expression) -> exp.Expression:
    """The list an unnest/explode reads."""
    return node.expressions[0] if isinstance(node, exp.Unnest) else node.this


def _distinct_sorted_text(node: exp.Expression) -> exp.Expression:
    """`string_agg(DISTINCT x, sep ORDER BY x) [FILTER (…)]`: Spark 4.3's listagg fails on DISTINCT
    with WITHIN GROUP (a ClassCastException), so the sorted set of values, joined; NULL over no
    values, as string_agg gives."""
    concat = node.this if isinstance(node, exp.Filter) else node
    if not isinstance(concat, exp.GroupConcat) or not isinstance(concat.this, exp.Order) or not isinstance(concat.this.this, exp.Distinct):
        return node
    values, order = concat.this.this.expressions, concat.this.expressions
    if len(values) != 1 or len(order) != 1 or order[0].this != values[0] or order[0].args.get("desc"):
        raise Untranslatable("string_agg(DISTINCT …) ordered by anything but its own values, ascending")
    found: exp.Expression = exp.Anonymous(this="collect_set", expressions=[values[0].copy()])
    if isinstance(node, exp.Filter):
        found = exp.Filter(this=found, expression=node.expression.copy())
    joined = exp.Anonymous(this="array_join", expressions=[exp.Anonymous(this="array_sort", expressions=[found.copy()]), concat.args["separator"].copy()])
    size = exp.Anonymous(this="size", expressions=[found])
    return exp.Case(ifs=[exp.If(this=exp.GT(this=size, expression=exp.Literal.number(0)), true=joined)])


def _double_text(node: exp.Expression) -> exp.Expression:
    """`CAST(CAST(x AS DOUBLE) AS VARCHAR)` (rules_sql's observed values): DuckDB writes a double as
    Python does (the shortest digits, fixed notation from 1e-4 to 1e16: `0.0005`, `15000000.0`),
    Java as `5.0E-4` and `1.5E7` outside 1e-3 to 1e7. So Spark goes through a decimal of 20 places
    (its digits are the double's shortest), trailing zeros cut to one; outside DuckDB's fixed
    range the run stops with an error (`raise_error`: one message) rather than write other text."""
    if not (isinstance(node, exp.Cast) and node.to.is_type("varchar", "text") and isinstance(node.this, exp.Cast) and node.this.to.is_type("double")):
        return node
    template = sqlglot.parse_one(
        "CASE WHEN x IS NULL THEN NULL WHEN x = 0 THEN '0.0' WHEN ABS(x) >= 1e-4 AND ABS(x) < 1e16 "
        "THEN regexp_replace(regexp_replace(CAST(CAST(x AS DECIMAL(38, 20)) AS VARCHAR), '0+$', ''), '\\.$', '.0') "
        "ELSE raise_error('a number outside 1e-4 to 1e16 written as text: not yet on the spark engine') END", read="duckdb")
    return template.transform(lambda n: node.this.copy() if isinstance(n, exp.Column) and n.name == "x" else n)


#: The rewrites, applied in order to every node of a parsed DuckDB statement before Spark's SQL is written.
REWRITES: tuple[Callable[[exp.Expression], exp.Expression], ...] = (_not_materialized, _regex_literals, _word_lookup, _strptime, _unordered_row_number, _numbered_unnest, _distinct_sorted_text,
                                                                   _double_text)


#: Each dialect: SQLGlot's name for it and the module holding its rewrites (`REWRITES`) and the function names it may be
#: handed as they are (`SAME_NAME`): Spark's are above, PostgreSQL's in transpile_postgres.py.
DIALECTS: dict[str, tuple[str, str]] = {
    "spark": ("spark", "checker.engines.transpile"),
    "postgres": ("postgres", "checker.engines.transpile_postgres"),
}


def to_dialect(sql: str | exp.Expression, dialect: str) -> exp.Expression:
    """A DuckDB statement (text, or a tree already parsed) as a syntax tree ready to be written in `dialect`'s SQL."""
    rules = importlib.import_module(DIALECTS[dialect][1])
    if isinstance(sql, exp.Expression):
        tree = sql.copy()
    else:
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise Untranslatable(str(exc).splitlines()[0]) from None
    for rewrite in rules.REWRITES:
        tree = tree.transform(rewrite)
    unknown = sorted({f.name.lower() for f in tree.find_all(exp.Anonymous)} - rules.SAME_NAME)
    if unknown:
        raise Untranslatable(", ".join(unknown))
    return tree


def dialect_sql(sql: str | exp.Expression, dialect: str) -> str:
    """A DuckDB statement (or query) written in `dialect`'s SQL."""
    return to_dialect(sql, dialect).sql(dialect=DIALECTS[dialect][0], unsupported_level=sqlglot.ErrorLevel.RAISE)


def to_spark(sql: str) -> exp.Expression:
    """A DuckDB statement as a syntax tree ready to be written in Spark's dialect."""
    return to_dialect(sql, "spark")


def spark_sql(sql: str) -> str:
    """A DuckDB statement (or query) written in Spark's dialect."""
    return dialect_sql(sql, "spark")
