"""Acceptance: reviews of every account of the real Salesforce and Dynamics exports raise best-fit coverage.

The CRMs know none of the signals that decide a stage (share of wallet, open books, tenders …),
so on their own most accounts have no best fit. The test writes an assessments file of made-up
answers (seeded, one row per account; only the account ids are taken from the export, in a
temporary folder, never into the repository), runs the check with it, and asserts that the
best-fit coverage reaches 90 % and that the coverage line says so. Skipped where
../shared/real-exports/ is absent.
"""
from __future__ import annotations

import csv
import random
import re
from datetime import date, timedelta

import pytest

from checker.check import Inputs, run_check
from checker.reports.coverage import coverage_lines
from tests.inputs.test_logs_real_exports import CASES, REAL, case

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real-exports/ is not beside the clone")


def inputs(folder: str) -> tuple[Inputs, date]:
    spec = case(folder)
    files = {k: [REAL / folder / f for f in spec.get(k, [])] for k in ("activities", "deals", "contacts")}
    return Inputs(REAL / folder / spec["accounts"], files["activities"], files["deals"], "auto", CASES / folder / "mapping.yaml",
                  contacts=files["contacts"]), date.fromisoformat(str(spec["as_of"]))


def made_up_answers(playbook, ids: list[str], as_of: date, rng: random.Random) -> list[list[str]]:
    """One review per account: a made-up answer, at random, to every question the review page asks."""
    asked = [s for s in playbook.signals.values() if "ask" in s.data]
    rows = [["account_id", "account_name", "reviewed_on", "reviewer", "declared_stage", *(s.id for s in asked)]]
    for account_id in ids:
        row = [account_id, "", (as_of - timedelta(days=rng.randint(0, 60))).isoformat(), "Test Reviewer", ""]
        for signal in asked:
            options = signal.data["ask"].get("options")
            if options:
                row.append(rng.choice(options)["label"]["en"])
            elif signal.type == "boolean":
                row.append(rng.choice(["yes", "no"]))
            elif signal.type == "date":
                row.append((as_of - timedelta(days=rng.randint(70, 700))).isoformat())
            else:
                row.append(str(rng.randint(0, 8)))
        rows.append(row)
    return rows


@pytest.mark.parametrize("folder", ["salesforce", "dynamics"])
def test_reviews_of_every_account_raise_best_fit_coverage_to_90_percent(folder, tmp_path, playbook):
    if not (REAL / folder).is_dir():
        pytest.skip(f"{folder} is not in ../shared/real-exports/")
    given, as_of = inputs(folder)
    before = run_check(given, playbook, as_of, "en", "http://h")
    share_before = before.summary()["coverage"]["best_fit"]["share"]
    path = tmp_path / "assessments.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(made_up_answers(playbook, before.table.ids, as_of, random.Random(1)))
    given.assessments = [path]
    after = run_check(given, playbook, as_of, "en", "http://h")
    coverage = after.summary()["coverage"]
    print(f"{folder}: best fit {share_before:.0%} → {coverage['best_fit']['share']:.0%} of {coverage['accounts']} accounts")
    assert share_before < 0.5
    assert coverage["best_fit"]["share"] >= 0.9
    assert coverage["reviewed_recently"]["count"] == coverage["accounts"] == len(before.table)
    assert coverage["reviews"]["not_in_export"] == []
    line = coverage_lines(after)[0]
    shown = re.search(r"best fit (\d+) of (\d+) \((\d+) %\)", line)
    assert shown and int(shown.group(1)) == coverage["best_fit"]["count"] and int(shown.group(3)) >= 90
