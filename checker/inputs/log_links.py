"""Which account a log row belongs to, in SQL.

A row's account cell may hold the account's id, its name (Dynamics), a placeholder for an
empty lookup (Salesforce's `000000000000000AAA`, an empty GUID), or nothing; then the row's
contact (through a contacts export, `--contacts`) or the opportunity it is about (through
the deals log) still names the account. Each way is counted for the coverage line.
"""
from __future__ import annotations

import duckdb

from checker.inputs.signal_sql import blank, literal

#: Ids that stand for "no record": Salesforce's all-zero ids (15 or 18 characters) and an
#: empty GUID, with or without braces. Such a cell is empty.
PLACEHOLDER = r"0{15}(AAA)?|0{18}|\{?0{8}-0{4}-0{4}-0{4}-0{12}\}?"
#: Fields holding ids or names of records, where a placeholder may stand.
ID_FIELDS = ("account_id", "customer_contact", "related", "deal_id", "contact_id")


def id_cell(column: str, lead_patterns: list[str] | None = None) -> str:
    """SQL: a cell with placeholders (and, for contacts, lead ids) as NULL."""
    patterns = PLACEHOLDER + "".join(f"|{p}" for p in lead_patterns or [])
    return f"CASE WHEN regexp_full_match(trim({column}), {literal(patterns)}) THEN NULL ELSE {column} END"


def _unique_keys(db: duckdb.DuckDBPyConnection, table: str, select: str) -> None:
    """A lookup `table(key, account_id)` from `select` (rows of key, account_id): a key naming
    two accounts, or an account and none (two people of one name), is ambiguous and links nothing."""
    db.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT key, any_value(account_id) AS account_id FROM ({select}) "
               f"WHERE key IS NOT NULL AND key <> '' GROUP BY 1 "
               f"HAVING count(DISTINCT coalesce(account_id, '')) = 1 AND count(account_id) > 0")


def contact_links(db: duckdb.DuckDBPyConnection, source: str) -> None:
    """The lookup `contact_links`: a contact's id (as written) and name (case-folded) → its
    account, from the contacts view `source` (contact_id, contact_name, account_id); the
    contact's account may be written as its id or its (unique) name."""
    db.execute(f"""CREATE OR REPLACE TEMP TABLE contacts_resolved AS
        SELECT c.contact_id, c.contact_name, coalesce(i.account_id, n.account_id) AS account_id, nullif(trim(c.account_id), '') AS account_text
        FROM {source} c LEFT JOIN known_ids i ON i.account_id = trim(c.account_id)
        LEFT JOIN account_names n ON n.name_key = lower(trim(c.account_id))""")
    _unique_keys(db, "contact_links", "SELECT trim(contact_id) AS key, account_id FROM contacts_resolved UNION ALL "
                 "SELECT lower(trim(contact_name)), account_id FROM contacts_resolved")


def deal_links(db: duckdb.DuckDBPyConnection, source: str) -> None:
    """The lookup `deal_links`: a deal's id (as written) and name (case-folded) → its account."""
    _unique_keys(db, "deal_links", f"SELECT trim(deal_id) AS key, account_id FROM {source} UNION ALL "
                 f"SELECT lower(trim(deal_name)), account_id FROM {source}")


def resolved(source: str, present: set[str], lookups: set[str]) -> str:
    """SQL: `source` with `acc` (the known account of the row, or NULL) and `how` (account,
    contact or deal: which way it was found).

    In order: the account cell as an id or a name; the row's contact; the account cell as a
    contact's name (Dynamics' `Regarding` names a contact); the related record or the account
    cell as a deal; the related record as an account id (Salesforce's WhatId)."""
    joins = ["LEFT JOIN known_ids i ON i.account_id = s.account_id"]
    ways = [("i.account_id", "account")]
    if "account_names" in lookups:
        joins.append("LEFT JOIN account_names n ON n.name_key = lower(s.account_id)")
        ways.append(("n.account_id", "account"))
    if "contact_links" in lookups:
        if "customer_contact" in present:
            joins += ["LEFT JOIN contact_links c1 ON c1.key = s.customer_contact",
                      "LEFT JOIN contact_links c2 ON c2.key = lower(s.customer_contact)"]
            ways += [("c1.account_id", "contact"), ("c2.account_id", "contact")]
        joins.append("LEFT JOIN contact_links c3 ON c3.key = lower(s.account_id)")
        ways.append(("c3.account_id", "contact"))
    if "deal_links" in lookups:
        if "related" in present:
            joins.append("LEFT JOIN deal_links d1 ON d1.key = s.related")
            ways.append(("d1.account_id", "deal"))
        joins.append("LEFT JOIN deal_links d2 ON d2.key = lower(s.account_id)")
        ways.append(("d2.account_id", "deal"))
    if "related" in present:
        joins.append("LEFT JOIN known_ids r ON r.account_id = s.related")
        ways.append(("r.account_id", "account"))
    how = " ".join(f"WHEN {col} IS NOT NULL THEN {literal(way)}" for col, way in ways)
    # The account cell naming a contact (Dynamics' Regarding) also says who the contact was.
    named = ("CASE WHEN coalesce(i.account_id, n.account_id) IS NULL AND c3.account_id IS NOT NULL THEN trim(s.account_id) END"
             if "contact_links" in lookups and "account_names" in lookups else "NULL::VARCHAR")
    return (f"SELECT s.*, coalesce({', '.join(col for col, _ in ways)}) AS acc, CASE {how} END AS how, {named} AS named_contact "
            f"FROM {source} s {' '.join(joins)}")


def row_status(date_column: str, date_text: str) -> str:
    """SQL: what became of a resolved row: used, no_date, bad_date, unknown_account, without_account."""
    return (f"CASE WHEN acc IS NOT NULL THEN CASE WHEN {date_column} IS NOT NULL THEN 'used' "
            f"WHEN {blank(date_text)} THEN 'no_date' ELSE 'bad_date' END "
            f"WHEN account_id IS NULL OR {blank('account_id')} THEN 'without_account' ELSE 'unknown_account' END")
