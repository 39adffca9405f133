"""Small made-up exports for the week-over-week tests: a few accounts, a few signals."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import run

HEADER = "account_id,account_name,declared_stage,competitive_tenders_12m,open_books,purchases_12m\n"
#: Week 1: A1 is tendered (error) and has no open books (warning); B2 buys nothing (warning); C3 is clean.
WEEK1 = {"A1": "Alpha Oy,integrated,2,no,", "B2": "Beta Oy,basic,,,0", "C3": "Gamma Oy,basic,,,4"}


def export(folder: Path, name: str, rows: dict[str, str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(f"{account},{cells}\n" for account, cells in rows.items()), encoding="utf-8")
    return path


def check_json(capsys, path: Path, as_of: str, *options: str) -> tuple[int, dict, str]:
    """A check to JSON: exit code, the report, stderr."""
    code, out, err = run(capsys, "check", str(path), "--format", "json", "--as-of", as_of, *options)
    return code, json.loads(out) if out else {}, err


def findings(report: dict, account: str) -> dict[str, dict]:
    return {f["rule"]: f for a in report["accounts"] if a["account_id"] == account for f in a["findings"]}
