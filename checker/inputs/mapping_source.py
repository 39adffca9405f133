"""The `source:` entries of a company's `--mapping FILE`: the exports as tables of the engine, written once
beside the column names instead of on every command line.

    source:
      accounts: crm.accounts          # --accounts-table
      activities: [crm.calls, crm.meetings]   # --activities-table (a name or a list)
      deals: crm.deals                # --deals-table
      contacts: crm.contacts          # --contacts-table
      database: crm.duckdb            # --database (relative to the mapping file's folder; the duckdb engine's)

Each entry means what its option means. The command line wins, kind by kind: an export named by an option
(ACCOUNTS or `--accounts-table`; `--activities` or `--activities-table`; …; `--database`) is read instead of
the mapping's entry for it, so that one run can swap one table for a file without editing the mapping.
`database` names the DuckDB file of the default engine; Spark reads the same names from its own catalog.
"""
from __future__ import annotations

import argparse
import copy
from dataclasses import dataclass, field
from pathlib import Path

from checker.inputs.files import InputError
from checker.inputs.mappings import source_entries

LOGS = ("activities", "deals", "contacts")


@dataclass(frozen=True)
class MappingSource:
    """What a mapping file's `source:` names."""

    path: Path  # the mapping file
    accounts: str | None = None
    logs: dict[str, list[str]] = field(default_factory=dict)  # activities / deals / contacts → tables
    database: Path | None = None  # resolved against the mapping file's folder

    def under(self, args: argparse.Namespace) -> argparse.Namespace:
        """The command line's options with this source under them: each export the options leave unnamed, from here."""
        filled = copy.copy(args)
        if self.accounts is not None and args.accounts is None and args.accounts_table is None:
            filled.accounts_table = self.accounts
        for kind, tables in self.logs.items():
            if not getattr(args, kind) and not getattr(args, f"{kind}_table"):
                setattr(filled, f"{kind}_table", list(tables))
        if self.database is not None and args.database is None and args.engine == "duckdb":
            filled.database = self.database
        return filled


def mapping_source(path: Path) -> MappingSource | None:
    """The `source:` entries of the mapping file at `path` (None without them); a database file it names that is
    not there is one message naming the mapping file and its line."""
    entries = source_entries(path)
    if entries is None:
        return None
    data, line = entries
    database = None
    if "database" in data:
        database = (path.parent / data["database"]) if not Path(data["database"]).is_absolute() else Path(data["database"])
        if not database.is_file():
            raise InputError("error.mapping_source_database", path=path, line=line("database"), database=data["database"], folder=path.parent)
    logs = {kind: [data[kind]] if isinstance(data[kind], str) else list(data[kind]) for kind in LOGS if kind in data}
    return MappingSource(path, data.get("accounts"), logs, database)
