"""Benchmark: a check with a review of every account (`--assessments`) against the same check without.

Generates a canonical export of N accounts (default 100,000) from the playbook's stage
profiles and an assessments file with a made-up answer to every question the review asks,
for every account (answered at random, so most answers disagree with the export's values:
the worst case for `review-disagrees`), then times both checks in this process and prints
the ratio. What it costs is reading and checking the file's cells one by one (a review
file is written by people, so every cell is parsed and every problem named) and one
finding per disagreement.

    .venv/bin/python tests/benchmarks/bench_reviews.py [--accounts N]
"""
from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from checker.check import Inputs, run_check
from checker.playbook.model import load_playbook
from checker.sample import sample_csv

AS_OF = date(2026, 10, 31)


def answers(playbook, ids: list[str], rng: random.Random) -> list[list[str]]:
    asked = [s for s in playbook.signals.values() if "ask" in s.data]
    rows = [["account_id", "account_name", "reviewed_on", "reviewer", "declared_stage", *(s.id for s in asked)]]
    for account in ids:
        row = [account, "", "2026-09-01", "Reviewer", ""]
        for s in asked:
            options = s.data["ask"].get("options")
            row.append(rng.choice(options)["label"]["en"] if options else "yes" if s.type == "boolean" else "2026-01-15" if s.type == "date" else str(rng.randint(0, 6)))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    n = parser.parse_args().accounts
    playbook = load_playbook()
    with tempfile.TemporaryDirectory() as folder:
        export, reviews = Path(folder) / "accounts.csv", Path(folder) / "reviews.csv"
        export.write_text(sample_csv(playbook, AS_OF, n, verify=False), encoding="utf-8")
        ids = list(dict.fromkeys(line.split(",", 1)[0] for line in export.read_text(encoding="utf-8").splitlines()[1:]))  # the sample repeats an id on purpose
        with reviews.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(answers(playbook, ids, random.Random(19)))
        run_check(Inputs(export), playbook, AS_OF, "en", "http://h")  # warm up
        start = time.perf_counter()
        plain = run_check(Inputs(export), playbook, AS_OF, "en", "http://h")
        without = time.perf_counter() - start
        start = time.perf_counter()
        reviewed = run_check(Inputs(export, assessments=[reviews]), playbook, AS_OF, "en", "http://h")
        with_reviews = time.perf_counter() - start
    coverage = reviewed.summary()["coverage"]
    print(f"{len(plain.table):,} accounts: check {without:.1f} s; with a review of each {with_reviews:.1f} s "
          f"({with_reviews / without:.1f}×), {coverage['reviews']['disagreements']:,} disagreements; "
          f"best fit {plain.summary()['coverage']['best_fit']['share']:.0%} → {coverage['best_fit']['share']:.0%}")


if __name__ == "__main__":
    main()
