"""Which account a log row belongs to, in SQL.

A row's account cell may hold the account's id, its name (Dynamics), a placeholder for an
empty lookup (Salesforce's `000000000000000AAA`, an empty GUID), or nothing; then the row's
contact (through a contacts export, `--contacts`) or the opportunity it is about (through
the deals log) still names the account. Each way is counted for the coverage line.
"""
from __future__ import annotations

from checker.inputs.engine import Engine
from checker.inputs.signal_sql import blank, identifier, literal

#: Ids that stand for "no record": Salesforce's all-zero ids (15 or 18 characters) and an
#: empty GUID, with or without braces. Such a cell is empty.
PLACEHOLDER = r"0{15}(AAA)?|0{18}|\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?"
#: Fields holding ids or names of records, where a placeholder may stand.
ID_FIELDS = ("account_id", "customer_contact", "related", "deal_id", "contact_id")


def whole(pattern: str) -> str:
    """A regular expression matching a whole text only (regexp_matches with anchors: unlike
    DuckDB's regexp_full_match, every engine's SQL has it)."""
    return f"^(?:{pattern})$"


def id_cell(column: str, lead_patterns: list[str] | None = None) -> str:
    """SQL: a cell with placeholders (and, for contacts, lead ids) as NULL. The regular
    expression runs only on cells holding a run of zeros (or, for leads, on every cell)."""
    test = f"regexp_matches(trim({column}), {literal(whole(PLACEHOLDER))})"
    if lead_patterns:
        test = f"({test} OR regexp_matches(trim({column}), {literal(whole('|'.join(lead_patterns)))}))"
    else:
        test = f"(contains({column}, '00000000') AND {test})"
    return f"CASE WHEN {test} THEN NULL ELSE {column} END"


def _unique_keys(db: Engine, table: str, select: str) -> None:
    """A lookup `table(key, acc)` from `select` (rows of key, acc: the account's position in the
    account table): a key naming two accounts is ambiguous and links nothing. Records without an
    account (a CRM's duplicate contact with no company) neither link nor veto a link."""
    db.run(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT key, any_value(acc) AS acc FROM ({select}) "
           f"WHERE key IS NOT NULL AND key <> '' AND acc IS NOT NULL GROUP BY 1 HAVING count(DISTINCT acc) = 1")


def contact_links(db: Engine, source: str) -> None:
    """The lookup `contact_links`: a contact's id (as written) and name (case-folded) → its
    account's position, from the contacts view `source` (contact_id, contact_name, account_id);
    the contact's account may be written as its id or its (unique) name."""
    db.run(f"""CREATE OR REPLACE TEMP TABLE contacts_resolved AS
        SELECT c.contact_id, c.contact_name, coalesce(i.position, n.acc) AS acc, nullif(c.account_id, '') AS account_text
        FROM (SELECT * EXCLUDE (account_id), trim(split_part(account_id, ';', 1)) AS account_id FROM {source}) c  -- several: the first (primary)
        LEFT JOIN known_ids i ON i.account_id = c.account_id LEFT JOIN account_names n ON n.name_key = lower(c.account_id)""")
    _unique_keys(db, "contact_links", "SELECT trim(contact_id) AS key, acc FROM contacts_resolved UNION ALL "
                 "SELECT lower(trim(contact_name)), acc FROM contacts_resolved")


def deal_links(db: Engine, source: str) -> None:
    """The lookup `deal_links`: a deal's id (as written) and name (case-folded) → its account's
    position, from `source` (deal_id, deal_name, acc)."""
    _unique_keys(db, "deal_links", f"SELECT trim(deal_id) AS key, acc FROM {source} UNION ALL "
                 f"SELECT lower(trim(deal_name)), acc FROM {source}")


def cell_links(db: Engine, keys: str, lookups: set[str]) -> bool:
    """The lookup `cell_links` for account cells that are no known id (`keys`: SQL of their
    distinct texts): the account each names, as the account's name, a contact's name (Dynamics'
    `Regarding`) or a deal's name, and how. Built from the distinct texts, so a log of millions
    of rows joins a small table. Whether any cell was found."""
    ways = [("account_names", "n", "name_key", "account")] + [(t, a, "key", how) for t, a, how in
                                                               (("contact_links", "c", "contact"), ("deal_links", "d", "deal")) if t in lookups]
    joins = " ".join(f"LEFT JOIN {t} {a} ON {a}.{k} = lower(u.key)" for t, a, k, _ in ways)
    how = " ".join(f"WHEN {a}.acc IS NOT NULL THEN {literal(w)}" for _, a, _, w in ways)
    named = "CASE WHEN n.acc IS NULL AND c.acc IS NOT NULL THEN u.key END" if "contact_links" in lookups else "NULL::VARCHAR"
    db.run(f"""CREATE OR REPLACE TEMP TABLE cell_links AS
        SELECT * FROM (SELECT u.key, coalesce({', '.join(f'{a}.acc' for _, a, _, _ in ways)}) AS acc, CASE {how} END AS how, {named} AS named_contact
                       FROM (SELECT DISTINCT key FROM ({keys}) WHERE key IS NOT NULL AND key NOT IN (SELECT account_id FROM known_ids)) u {joins})
        WHERE acc IS NOT NULL""")
    return bool(db.one("SELECT count(*) FROM cell_links")[0])


def resolved(source: str, present: set[str], lookups: set[str]) -> str:
    """SQL: `source` with `acc` (the known account of the row as its position in the account
    table, or NULL), `how` (account,
    contact or deal: which way it was found) and `named_contact` (set by `cell_links`).

    In order: the account cell as an id; the row's contact; the related record as a deal, then
    as an account id (Salesforce's WhatId). An account cell naming an account, a contact or a
    deal by name is resolved afterwards, from its distinct texts (`cell_links`)."""
    joins = ["LEFT JOIN known_ids i ON i.account_id = s.account_id"]
    ways = [("i.position", "'account'")]
    if "contact_links" in lookups and "customer_contact" in present:
        joins += ["LEFT JOIN contact_links c1 ON c1.key = s.customer_contact",
                  "LEFT JOIN contact_links c2 ON c2.key = lower(s.customer_contact)"]
        ways += [("c1.acc", "'contact'"), ("c2.acc", "'contact'")]
    if "related" in present:
        if "deal_links" in lookups:  # the deal's id as written, or its name (keys of names are case-folded)
            joins += ["LEFT JOIN deal_links d1 ON d1.key = s.related", "LEFT JOIN deal_links d2 ON d2.key = lower(trim(s.related))"]
            ways += [("d1.acc", "'deal'"), ("d2.acc", "'deal'")]
        joins.append("LEFT JOIN known_ids r ON r.account_id = s.related")
        ways.append(("r.position", "'related'"))
    how = " ".join(f"WHEN {col} IS NOT NULL THEN {way}" for col, way in ways)
    return (f"SELECT s.*, coalesce({', '.join(col for col, _ in ways)}) AS acc, CASE {how} END AS how, NULL::VARCHAR AS named_contact "
            f"FROM {source} s {' '.join(joins)}")


def row_status(date_column: str, date_text: str) -> str:
    """SQL: what became of a resolved row: used, no_date, bad_date, unknown_account, without_account."""
    return (f"CASE WHEN acc IS NOT NULL THEN CASE WHEN {date_column} IS NOT NULL THEN 'used' "
            f"WHEN {blank(date_text)} THEN 'no_date' ELSE 'bad_date' END "
            f"WHEN account_id IS NULL OR {blank('account_id')} THEN 'without_account' ELSE 'unknown_account' END")


def _field_cell(field_name: str, columns: list[str], lead_patterns: list[str]) -> str:
    """One canonical field of a raw row: its column, or the first non-empty of a per-row list;
    placeholder ids (and lead ids, for contacts) as empty."""
    nonblank = [f"nullif(trim({identifier(c)}), '')" for c in columns]
    cell = identifier(columns[0]) if len(columns) == 1 else f"coalesce({', '.join(nonblank)})"
    if field_name in ID_FIELDS:
        return id_cell(cell, lead_patterns if field_name == "customer_contact" else None)
    return cell


def lead_flag(columns: list[str] | None, lead_patterns: list[str]) -> str:
    """SQL: whether the row's person is a lead (the report counts rows of leads without account apart)."""
    if not columns or not lead_patterns:
        return "false"
    nonblank = [f"nullif(trim({identifier(c)}), '')" for c in columns]
    return f"coalesce(regexp_matches(coalesce({', '.join(nonblank)}, ''), {literal(whole('|'.join(lead_patterns)))}), false)"


def select_field(field_name: str, by_field: dict[str, list[str]], implied_type: str | None, lead_patterns: list[str]) -> str:
    """One canonical column of a log's raw table, as SQL."""
    if field_name in by_field:
        return f"{_field_cell(field_name, by_field[field_name], lead_patterns)} AS {field_name}"
    if field_name == "type" and implied_type:
        return f"{literal(implied_type)} AS type"  # a per-type export: every row is of this type
    return f"NULL::VARCHAR AS {field_name}"
