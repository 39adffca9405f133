r"""The log pipeline's DuckDB SQL in PostgreSQL's dialect: the rewrites SQLGlot lacks (transpile.py applies them), and
the functions they call, made in the session's own temporary schema `pg_temp` (checker/engines/warehouse.py makes them).

Its regular expressions are Tcl's (ARE), not RE2: the classes that depend on the database's
locale (\s, \d, \w, [[:alnum:]]) are written out as RE2 means them (ASCII), `.` does not match a
line break (RE2's default), and \p{L} (a Unicode letter) becomes the letters' code point ranges.
Text is compared and ordered by code point (the warehouse engine reads every column COLLATE
"C", as DuckDB compares), and lower()/upper() map case with ICU's Unicode rules (as DuckDB does;
"C" would only map ASCII).
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import sqlglot
from sqlglot import exp

from checker.engines.transpile import Untranslatable, word_lookup_parts

#: The collation lower() and upper() work in on PostgreSQL (ICU's root locale: Unicode case mapping).
CASE_COLLATION = "und-x-icu"
_ASCII_CLASSES = {"alnum": "0-9A-Za-z", "alpha": "A-Za-z", "digit": "0-9", "space": r"\t\n\v\f\r ", "upper": "A-Z", "lower": "a-z",
                  "xdigit": "0-9A-Fa-f", "blank": r"\t ", "word": "0-9A-Za-z_", "punct": r"!-/:-@\[-`{-~", "cntrl": r"\x00-\x1f\x7f"}
_ESCAPED_CLASSES = {"s": r"\t\n\f\r ", "d": "0-9", "w": "0-9A-Za-z_"}
#: pg_temp functions (FUNCTIONS below) the rewrites call, and PostgreSQL's own the SQL names that SQLGlot passes through.
SAME_NAME = frozenset({"pg_temp.try_date", "pg_temp.try_double", "pg_temp.try_strptime", "pg_temp.array_cat_agg", "regexp_match", "regexp_matches",
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
    """A word lookup (transpile.word_lookup_parts) as `CASE cell WHEN k1 THEN v1 … END` (the first key wins, as list_position finds it)."""
    if (parts := word_lookup_parts(node)) is None:
        return node
    keys, values, cell = parts
    return exp.Case(this=cell, ifs=[exp.If(this=k, true=v) for k, v in zip(keys, values, strict=True)])


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
REWRITES: tuple[Callable[[exp.Expression], exp.Expression], ...] = (_pg_word_lookup, _pg_try_cast, _pg_strptime, _pg_regex, _pg_aggregates,
                                                                             _pg_case_mapping, _pg_subquery_alias)


#: The functions the rewrites call (SAME_NAME), made by the warehouse engine in the session's own temporary schema
#: (gone when it closes). Each gives NULL where DuckDB's function gives NULL.
FUNCTIONS = (
    # TRY_CAST(text AS DATE): DuckDB's cast reads Y-M-D (separated by -, / or a space; a time and a zone or zone name
    # after it; spaces around). No exception block (a subtransaction per row: 30 times slower): the ISO form checked
    # first, the day checked against its month.
    r"""CREATE FUNCTION pg_temp.try_date(s text) RETURNS date LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE t text := btrim(s, E' \t\n\r'); m text[]; y int; mo int; d int;
BEGIN
  IF t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    y := substr(t, 1, 4)::int; mo := substr(t, 6, 2)::int; d := substr(t, 9, 2)::int;
  ELSE
    m := regexp_match(t, '^([0-9]{1,7})(?:-([0-9]{1,2})-|/([0-9]{1,2})/| ([0-9]{1,2}) )([0-9]{1,2})(?:[T ][0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:\.[0-9]{1,9})?)?[ ]?(?:[+-][0-9]{1,2}(?::?[0-9]{2})?|[A-Za-z][A-Za-z_/+-]*)?)?$');
    IF m IS NULL THEN RETURN NULL; END IF;
    y := m[1]::int; mo := coalesce(m[2], m[3], m[4])::int; d := m[5]::int;
  END IF;
  IF y < 1 OR mo < 1 OR mo > 12 OR d < 1 OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN RETURN NULL; END IF;
  RETURN make_date(y, mo, d);
END $f$""",
    "CREATE FUNCTION pg_temp.try_date(d date) RETURNS date LANGUAGE sql IMMUTABLE AS 'SELECT d'",
    # TRY_CAST(text AS DOUBLE): a decimal or scientific number, inf, infinity or nan, spaces around; only a number that
    # may be out of PostgreSQL's range (1e400: DuckDB's inf) goes through an exception block.
    r"""CREATE FUNCTION pg_temp.try_double(s text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE t text := btrim(s, E' \t\n\r');
BEGIN
  IF t ~* '^[+-]?(inf|infinity|nan)$' THEN RETURN t::double precision; END IF;
  IF t !~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$' THEN RETURN NULL; END IF;
  IF length(t) < 300 AND t !~ '[eE][+-]?[0-9]{3,}$' THEN RETURN t::double precision; END IF;
  BEGIN
    RETURN t::double precision;
  EXCEPTION WHEN numeric_value_out_of_range THEN
    RETURN CASE WHEN t ~* 'e-' THEN 0.0 WHEN t ~ '^-' THEN '-infinity'::double precision ELSE 'infinity'::double precision END;
  END;
END $f$""",
    "CREATE FUNCTION pg_temp.try_double(d double precision) RETURNS double precision LANGUAGE sql IMMUTABLE AS 'SELECT d'",
    # try_strptime: the parts a pattern's regular expression found (transpile.strptime_regex) as a timestamp.
    r"""CREATE FUNCTION pg_temp.try_strptime(m text[], parts text[]) RETURNS timestamp LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE y int := 1900; mo int := 1; d int := 1; h int := 0; mi int := 0; s double precision := 0; pm int := -1; i int; v text;
BEGIN
  FOR i IN 1 .. coalesce(array_length(parts, 1), 0) LOOP
    v := m[i];
    CASE parts[i]
      WHEN 'Y' THEN y := v::int;
      WHEN 'y' THEN y := CASE WHEN v::int < 69 THEN 2000 ELSE 1900 END + v::int;
      WHEN 'm' THEN mo := v::int;
      WHEN 'd' THEN d := v::int;
      WHEN 'H' THEN h := v::int;
      WHEN 'I' THEN h := v::int;
      WHEN 'M' THEN mi := v::int;
      WHEN 'S' THEN s := s + v::int;
      WHEN 'f' THEN s := s + ('0.' || v)::double precision;
      WHEN 'p' THEN pm := CASE WHEN lower(v) = 'pm' THEN 12 ELSE 0 END;
      WHEN 'b' THEN mo := array_position(ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'], lower(v));
      WHEN 'B' THEN mo := array_position(ARRAY['january','february','march','april','may','june','july','august','september','october',
                                               'november','december'], lower(v));
    END CASE;
  END LOOP;
  IF pm >= 0 THEN IF h < 1 OR h > 12 THEN RETURN NULL; END IF; h := h % 12 + pm; END IF;
  RETURN make_timestamp(y, mo, d, h, mi, s);
EXCEPTION WHEN others THEN RETURN NULL;
END $f$""",
    # flatten(list(arrays)): the arrays joined end to end (NULLs left out).
    "CREATE AGGREGATE pg_temp.array_cat_agg(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray)",
)
