"""The log pipeline's DuckDB SQL in another engine's dialect (Spark, PostgreSQL): SQLGlot's translation plus the rewrites it lacks.

The DuckDB SQL stays the one definition of every signal (checker/inputs/signal_sql.py and the
log modules); this module only translates it. SQLGlot (read="duckdb", write=the dialect) does
most of it; `DIALECTS` holds, for each dialect, the short list of rewrites for what it leaves
DuckDB-shaped or gets subtly wrong, each with the reason (Spark's: `REWRITES`; PostgreSQL's:
`POSTGRES_REWRITES`, which lean on a few functions the warehouse engine makes in the session's
own temporary schema, `pg_temp`: checker/engines/warehouse.py). A DuckDB function SQLGlot does not know, and that no rewrite
handles, stops the translation with `Untranslatable` naming it, rather than reaching Spark as a
name it may read differently.
"""
from __future__ import annotations

import itertools
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


def _word_lookup(node: exp.Expression) -> exp.Expression:
    """`[v1, v2, …][list_position([k1, k2, …], cell)]` (signal_sql.word_lookup) as a map lookup:
    Spark's arrays count from 0 and list_position has no Spark name; a map gives NULL for any other word, as DuckDB does."""
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Array) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Anonymous) and index.name.lower() == "list_position":
            keys, cell = index.expressions
            if not isinstance(keys, exp.Array) or len(keys.expressions) != len(node.this.expressions):
                raise Untranslatable("list_position over a list that is not written out")
            pairs = [part for k, v in zip(keys.expressions, node.this.expressions, strict=True) for part in (k.copy(), v.copy())]
            return exp.Anonymous(this="element_at", expressions=[exp.Anonymous(this="map", expressions=pairs), cell.copy()])
    return node


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


# --- PostgreSQL ------------------------------------------------------------------------------
# Its regular expressions are Tcl's (ARE), not RE2: the classes that depend on the database's
# locale (\s, \d, \w, [[:alnum:]]) are written out as RE2 means them (ASCII), `.` does not match a
# line break (RE2's default), and \p{L} (a Unicode letter) becomes the letters' code point ranges.
# Text is compared and ordered by code point (the warehouse engine reads every column COLLATE
# "C", as DuckDB compares), and lower()/upper() map case with ICU's Unicode rules (as DuckDB does;
# "C" would only map ASCII).

#: The collation lower() and upper() work in on PostgreSQL (ICU's root locale: Unicode case mapping).
CASE_COLLATION = "und-x-icu"
_ASCII_CLASSES = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "digit": "0-9", "space": r"\t\n\v\f\r ", "upper": "A-Z", "lower": "a-z",
                  "xdigit": "0-9A-Fa-f", "blank": r"\t ", "word": "0-9A-Za-z_", "punct": r"!-/:-@\[-`{-~", "cntrl": r"\x00-\x1f\x7f"}
_ESCAPED_CLASSES = {"s": r"\t\n\f\r ", "d": "0-9", "w": "0-9A-Za-z_"}
#: pg_temp functions (warehouse.POSTGRES_FUNCTIONS) the rewrites call, and PostgreSQL's own the SQL names that SQLGlot passes through.
POSTGRES_SAME_NAME = frozenset({"pg_temp.try_date", "pg_temp.try_double", "pg_temp.try_strptime", "pg_temp.array_cat_agg", "regexp_match", "regexp_matches",
                                "string_to_array", "array_agg", "generate_subscripts"})


def _letters() -> str:
    """Unicode letters (\\p{L}) as the code point ranges of a bracket expression."""
    import sys
    import unicodedata

    ranges, start, last = [], None, None
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith("L"):
            if start is None:
                start = code
            elif code != last + 1:
                ranges.append((start, last))
                start = code
            last = code
        elif start is not None and last is not None and code == last + 1:
            ranges.append((start, last))
            start = None
    if start is not None:
        ranges.append((start, last))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


_LETTERS: list[str] = []  # computed once, when a pattern first needs it


def _letter_ranges() -> str:
    if not _LETTERS:
        _LETTERS.append(_letters())
    return _LETTERS[0]


def postgres_regex(pattern: str) -> str:
    """An RE2 pattern (DuckDB) as a PostgreSQL (Tcl ARE) pattern with the same matches, for the patterns the checker writes;
    a construct the two read differently, and that has no rewrite here, is `Untranslatable`."""
    out, i, bracket = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e in _ESCAPED_CLASSES:
                out.append(_ESCAPED_CLASSES[e] if bracket else f"[{_ESCAPED_CLASSES[e]}]")
                i += 2
            elif e in "SDW" and not bracket:
                out.append(f"[^{_ESCAPED_CLASSES[e.lower()]}]")
                i += 2
            elif (e == "p" and pattern[i + 2:i + 5] in ("{L}",)) or (e == "p" and pattern[i + 2:i + 3] == "L"):
                out.append(_letter_ranges() if bracket else f"[{_letter_ranges()}]")
                i += 5 if pattern[i + 2] == "{" else 3
            elif e.isalnum() and e not in "tnfr" and not e.isdigit():  # \b, \B, \A, \z, \p{…}, \S in a set …: read otherwise by ARE
                raise Untranslatable(f"the regular expression escape \\{e} (in {pattern})")
            else:
                out.append(pattern[i:i + 2])
                i += 2
        elif bracket and pattern.startswith("[:", i):
            end = pattern.find(":]", i)
            name = pattern[i + 2:end]
            if end < 0 or name not in _ASCII_CLASSES:
                raise Untranslatable(f"the character class [:{name}:] (in {pattern})")
            out.append(_ASCII_CLASSES[name])
            i = end + 2
        elif c == "[" and not bracket:
            bracket = True
            out.append(c)
            i += 1
            for lead in ("^", "]"):  # a leading ^ negates; a ] right after the opening is a member
                if pattern.startswith(lead, i):
                    out.append(lead)
                    i += 1
        elif c == "]" and bracket:
            bracket = False
            out.append(c)
            i += 1
        elif c == "." and not bracket:
            out.append("[^\\n]")  # RE2's . does not match a line break; ARE's does
            i += 1
        elif c == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i) and not bracket:
            raise Untranslatable(f"the group {pattern[i:i + 4]}… (in {pattern})")
        elif c in "*+?}" and pattern.startswith("?", i + 1) and not bracket:
            raise Untranslatable(f"a lazy quantifier (in {pattern}): ARE gives the whole pattern one greediness")
        else:
            out.append(c)
            i += 1
    return "".join(out)


#: strptime directives (DuckDB) as the regular expression each reads and the part it gives (pg_temp.try_strptime).
_STRPTIME = {"Y": (r"([0-9]{1,4})", "Y"), "y": (r"([0-9]{2})", "y"), "m": (r"([0-9]{1,2})", "m"), "d": (r"([0-9]{1,2})", "d"),
             "H": (r"([0-9]{1,2})", "H"), "I": (r"([0-9]{1,2})", "I"), "M": (r"([0-9]{1,2})", "M"), "S": (r"([0-9]{1,2})", "S"),
             "p": (r"([AaPp][Mm])", "p"), "b": (r"([A-Za-z]{3})", "b"), "B": (r"([A-Za-z]+)", "B"), "f": (r"([0-9]{1,6})", "f"),
             "z": (r"(?:[+-][0-9]{2}:?[0-9]{2}|Z)", None), "a": (r"(?:[A-Za-z]{3})", None), "A": (r"(?:[A-Za-z]+)", None)}


def strptime_regex(pattern: str) -> tuple[str, list[str]]:
    """A strptime pattern as an anchored regular expression and the parts its groups give, in order
    (DuckDB's strptime: spaces around and any run of spaces where the pattern has one)."""
    out, parts, i = [r"^\s*"], [], 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern):
            code = pattern[i + 1]
            if code == "%":
                out.append("%")
            elif code in _STRPTIME:
                regex, part = _STRPTIME[code]
                out.append(regex)
                if part:
                    parts.append(part)
            else:
                raise Untranslatable(f"the date pattern directive %{code}")
            i += 2
        else:
            out.append(r"\s*" if pattern[i].isspace() else re.escape(pattern[i]) if not pattern[i].isalnum() else pattern[i])
            i += 1
    return "".join(out) + r"\s*$", parts


def _pg_call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _pg_try_cast(node: exp.Expression) -> exp.Expression:
    """TRY_CAST, which PostgreSQL lacks: pg_temp functions that give NULL where DuckDB's cast fails."""
    if not isinstance(node, exp.TryCast):
        return node
    if node.to.is_type("date"):
        return _pg_call("pg_temp.try_date", node.this.copy())
    if node.to.is_type("double"):
        return _pg_call("pg_temp.try_double", node.this.copy())
    raise Untranslatable(f"TRY_CAST to {node.to.sql('duckdb')}")


def _pg_strptime(node: exp.Expression) -> exp.Expression:
    """try_strptime(text, pattern) as pg_temp.try_strptime(regexp_match(text, the pattern's regex), the parts)."""
    if not (isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime"):
        return node
    text, pattern = node.expressions
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise Untranslatable("try_strptime with a pattern that is not a literal")
    regex, parts = strptime_regex(pattern.this)
    return _pg_call("pg_temp.try_strptime", _pg_call("regexp_match", text.copy(), exp.Literal.string(regex)),
                    exp.Array(expressions=[exp.Literal.string(p) for p in parts]))


def _pg_regex(node: exp.Expression) -> exp.Expression:
    """Regular expressions: patterns in ARE's spelling; a full match anchored; regexp_extract('' where nothing matches) and
    regexp_extract_all through regexp_match(es); a literal split by string_to_array."""
    if isinstance(node, exp.RegexpLike | exp.RegexpReplace | exp.RegexpExtract | exp.RegexpExtractAll | exp.RegexpFullMatch):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise Untranslatable(f"{node.key} with a pattern that is not a literal")
        regex = postgres_regex(pattern.this)
        if isinstance(node, exp.RegexpFullMatch):
            return exp.RegexpLike(this=node.this.copy(), expression=exp.Literal.string(f"^(?:{regex})$"))
        if isinstance(node, exp.RegexpExtract | exp.RegexpExtractAll):
            group = node.args.get("group")
            number = int(group.this) if isinstance(group, exp.Literal) else 0
            if number == 0:
                regex, number = f"({regex})", 1
            if isinstance(node, exp.RegexpExtract):
                found = exp.Bracket(this=exp.Paren(this=_pg_call("regexp_match", node.this.copy(), exp.Literal.string(regex))), expressions=[exp.Literal.number(number)], offset=1)
                return exp.Case(ifs=[exp.If(this=exp.Is(this=node.this.copy(), expression=exp.Null()), true=exp.Null())],
                                default=exp.Coalesce(this=found, expressions=[exp.Literal.string("")]))
            every = sqlglot.parse_one(f"ARRAY(SELECT m[{number}] FROM regexp_matches(x, 'p', 'g') AS m)", read="postgres")
            every = every.transform(lambda n: node.this.copy() if isinstance(n, exp.Column) and n.name == "x" else
                                    exp.Literal.string(regex) if isinstance(n, exp.Literal) and n.this == "p" else n)
            return exp.Case(ifs=[exp.If(this=exp.Is(this=node.this.copy(), expression=exp.Null()), true=exp.Null())], default=every)
        node = node.copy()
        node.set("expression", exp.Literal.string(regex))
        return node
    if isinstance(node, exp.Split):
        return _pg_call("string_to_array", node.this.copy(), node.expression.copy())
    return node


def _pg_word_lookup(node: exp.Expression) -> exp.Expression:
    """`[v1, …][list_position([k1, …], cell)]` (signal_sql.word_lookup) as `CASE cell WHEN k1 THEN v1 … END` (the first key wins, as list_position finds it)."""
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Array) and len(node.expressions) == 1:
        index = node.expressions[0]
        if isinstance(index, exp.Anonymous) and index.name.lower() == "list_position":
            keys, cell = index.expressions
            if not isinstance(keys, exp.Array) or len(keys.expressions) != len(node.this.expressions):
                raise Untranslatable("list_position over a list that is not written out")
            ifs = [exp.If(this=k.copy(), true=v.copy()) for k, v in zip(keys.expressions, node.this.expressions, strict=True)]
            return exp.Case(this=cell.copy(), ifs=ifs)
    return node


def _pg_aggregates(node: exp.Expression) -> exp.Expression:
    """DuckDB's aggregates PostgreSQL (15) lacks: any_value, arg_min, flatten(list(…)); contains()."""
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        node = node.this
    if isinstance(node, exp.AnyValue):  # any non-NULL value (the checker's are alike within the group)
        value = node.this.copy()
        return exp.Bracket(this=exp.Paren(this=exp.Filter(this=exp.ArrayAgg(this=value), expression=exp.Where(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))))),
                           expressions=[exp.Literal.number(1)], offset=1)
    if isinstance(node, exp.ArgMin):  # the value of the row with the least key (rows without a key left out)
        value, key = node.this.copy(), node.expression.copy()
        agg = exp.ArrayAgg(this=exp.Order(this=value, expressions=[exp.Ordered(this=key, nulls_first=False)]))
        return exp.Bracket(this=exp.Paren(this=exp.Filter(this=agg, expression=exp.Where(this=exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null()))))),
                           expressions=[exp.Literal.number(1)], offset=1)
    if isinstance(node, exp.Flatten) and isinstance(node.this, exp.ArrayAgg | exp.Filter):
        inner = node.this
        condition = inner.expression.copy() if isinstance(inner, exp.Filter) else None
        agg = inner.this if isinstance(inner, exp.Filter) else inner
        if not isinstance(agg, exp.ArrayAgg):
            raise Untranslatable("flatten of something other than list(…)")
        joined: exp.Expression = _pg_call("pg_temp.array_cat_agg", agg.this.copy())
        counted: exp.Expression = exp.Count(this=exp.Star())
        if condition is not None:
            joined, counted = exp.Filter(this=joined, expression=condition), exp.Filter(this=counted, expression=condition.copy())
        # list() over no rows is NULL; over rows whose lists are all NULL, flatten gives an empty list
        empty = exp.cast(exp.Array(expressions=[]), exp.DataType.build("TEXT[]"))
        return exp.Case(ifs=[exp.If(this=exp.GT(this=counted, expression=exp.Literal.number(0)), true=exp.Coalesce(this=joined, expressions=[empty]))])
    if isinstance(node, exp.Flatten):
        raise Untranslatable("flatten of something other than list(…)")
    if isinstance(node, exp.Contains):
        return exp.GT(this=exp.StrPosition(this=node.this.copy(), substr=node.expression.copy()), expression=exp.Literal.number(0))
    return node


def _pg_case_mapping(node: exp.Expression) -> exp.Expression:
    """lower()/upper() in ICU's Unicode case mapping (the text itself compared by code point: COLLATE "C")."""
    if isinstance(node, exp.Lower | exp.Upper) and not isinstance(node.this, exp.Collate):
        mapped = type(node)(this=exp.Collate(this=node.this.copy(), expression=exp.to_identifier(CASE_COLLATION, quoted=True)))
        return exp.Paren(this=exp.Collate(this=mapped, expression=exp.to_identifier("C", quoted=True)))
    return node


_SUBQUERIES = itertools.count(1)


def _pg_subquery_alias(node: exp.Expression) -> exp.Expression:
    """A subquery in FROM or a join gets a name: PostgreSQL 15 wants one."""
    if isinstance(node, exp.Subquery) and not node.alias and isinstance(node.parent, exp.From | exp.Join):
        node.set("alias", exp.TableAlias(this=exp.to_identifier(f"_q{next(_SUBQUERIES)}")))  # a name no other subquery has
    return node


#: The rewrites for PostgreSQL, applied in order to every node before its SQL is written.
POSTGRES_REWRITES: tuple[Callable[[exp.Expression], exp.Expression], ...] = (_pg_word_lookup, _pg_try_cast, _pg_strptime, _pg_regex, _pg_aggregates,
                                                                             _pg_case_mapping, _pg_subquery_alias)

#: Each dialect: SQLGlot's name for it, its rewrites, and the function names it may be handed as they are.
DIALECTS: dict[str, tuple[str, tuple[Callable[[exp.Expression], exp.Expression], ...], frozenset[str]]] = {
    "spark": ("spark", REWRITES, SAME_NAME),
    "postgres": ("postgres", POSTGRES_REWRITES, POSTGRES_SAME_NAME),
}


def to_dialect(sql: str | exp.Expression, dialect: str) -> exp.Expression:
    """A DuckDB statement (text, or a tree already parsed) as a syntax tree ready to be written in `dialect`'s SQL."""
    _, rewrites, same_name = DIALECTS[dialect]
    if isinstance(sql, exp.Expression):
        tree = sql.copy()
    else:
        try:
            tree = sqlglot.parse_one(sql, read="duckdb")
        except sqlglot.errors.ParseError as exc:
            raise Untranslatable(str(exc).splitlines()[0]) from None
    for rewrite in rewrites:
        tree = tree.transform(rewrite)
    unknown = sorted({f.name.lower() for f in tree.find_all(exp.Anonymous)} - same_name)
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
