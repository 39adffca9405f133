"""The figures behind the playbook's near-the-line margin (`near_line.margin`, README "Calibration").

For every failed numeric expectation (one that can be near: checker/playbook/near.py) its relative
distance from the line, |observed − threshold| / |threshold|, and for each candidate margin how
many failures fall inside it, on two sets:

- the bundled sample (docs/samples/accounts.csv, as of 2026-10-31), split by whether the account's
  best fit is its declared stage (a miss there is noise around a line) or another stage (a miss
  there is the evidence of a mismatch);
- the generated set of tests/calibrate/planted.py (textbook accounts whose true share lines are
  20 % below the playbook's, and planted mismatches three stages off).

A good margin softens many misses of accounts that fit their stage and almost none of the
mismatches. Run: .venv/bin/python tests/calibrate/near_figures.py
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from planted import accounts  # noqa: E402

from checker.check import Inputs, read_signals  # noqa: E402
from checker.evaluate import FAIL, Evaluator, rule_codes  # noqa: E402
from checker.inputs.accounts import AccountTable, table_from_values  # noqa: E402
from checker.near import compared  # noqa: E402
from checker.playbook.model import Playbook, load_playbook  # noqa: E402
from checker.playbook.near import can_be_near  # noqa: E402
from checker.sample import SampleGenerator  # noqa: E402

MARGINS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
SAMPLE_AS_OF = date(2026, 10, 31)
PLANTED_AS_OF = date(2026, 6, 30)


def distances(playbook: Playbook, table: AccountTable, as_of: date, group: np.ndarray) -> dict[bool, list[float]]:
    """The relative distance of every failed numeric expectation on an account declared in the
    rule's phase, by `group` of the account (True / False), a threshold of 0 as infinitely far."""
    cols = table.columns
    declared = np.array([d or "" for d in table.declared])
    out: dict[bool, list[float]] = {True: [], False: []}
    for rule in playbook.rules:
        if not can_be_near(rule, playbook):
            continue
        failing = np.flatnonzero((rule_codes(rule, cols, as_of, playbook) == FAIL) & np.isin(declared, list(rule.applies_to)))
        observed, threshold, _ = compared(rule, cols, as_of, playbook)
        threshold = np.broadcast_to(threshold, observed.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = np.where(threshold[failing] != 0, np.abs(observed[failing] - threshold[failing]) / np.abs(threshold[failing]), np.inf)
        for g, k in zip(gap.tolist(), group[failing].tolist(), strict=True):
            out[bool(k)].append(g)
    return out


def sample_set(playbook: Playbook) -> dict[bool, list[float]]:
    """The bundled sample: True = the account's best fit is its declared stage (or unknown), False = another stage."""
    table, _ = read_signals(Inputs(ROOT / "docs/samples/accounts.csv"), playbook, SAMPLE_AS_OF, "en")
    evaluation = Evaluator(playbook, SAMPLE_AS_OF, "en", "http://h").evaluate(table)
    fits = np.array([b is None or b == d for b, d in zip(evaluation.best_fit, table.declared, strict=True)])
    return distances(playbook, table, SAMPLE_AS_OF, fits)


def planted_set(playbook: Playbook) -> dict[bool, list[float]]:
    """The generated set: True = a textbook account, False = a planted mismatch."""
    table, planted = accounts(playbook, PLANTED_AS_OF)
    textbook = np.array([i not in planted for i in table.ids])
    return distances(playbook, table, PLANTED_AS_OF, textbook)


def jittered_set(playbook: Playbook, per_stage: int = 150, seed: int = 11) -> dict[bool, list[float]]:
    """Generated like the bundled sample (checker/sample.py) but unfiltered: each stage's textbook
    profile with the sample's noise (True), and as many accounts declared in the stage that behave
    like a stage one or two away (False)."""
    generator = SampleGenerator(playbook, PLANTED_AS_OF, seed, verify=False)
    ids = [s.id for s in playbook.stages]
    rows, truth = [], []
    for k, stage in enumerate(ids):
        others = [j for j in range(len(ids)) if j != k and abs(j - k) <= 2]
        for i in range(per_stage):
            rows.append({"account_id": f"{stage}-t{i}", "declared": stage, **generator.clean(stage)})
            rows.append({"account_id": f"{stage}-m{i}", "declared": stage, **generator.clean(ids[generator.rng.choice(others)])})
            truth += [True, False]
    return distances(playbook, table_from_values(playbook, rows), PLANTED_AS_OF, np.array(truth))


def within(gaps: list[float], margin: float) -> int:
    return sum(g <= margin + 1e-9 for g in gaps)


def table_text(playbook: Playbook) -> str:
    sets = [sample_set(playbook), jittered_set(playbook), planted_set(playbook)]
    lines = ["margin | sample: fitting | sample: mismatched | noisy textbook | noisy mismatched | planted lines: textbook | planted: mismatches",
             "(failed numeric expectations within the margin / all)"]
    for m in MARGINS:
        lines.append(f"{m:.2f} | " + " | ".join(f"{within(s[k], m)}/{len(s[k])}" for s in sets for k in (True, False)))
    return "\n".join(lines)


if __name__ == "__main__":
    print(table_text(load_playbook()))
