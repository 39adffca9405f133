"""The numbers behind the HTML report's charts, as plain functions (the template only draws them).

Kept apart from the drawing so that each number can be tested on a handful of accounts:
the stage matrix, findings by kind and by rule, the revenue Pareto curve and the portfolio
2×2. Unknown values are never counted as zero: an account without a best fit has its own
column, one without revenue is left out of the curve and counted as such.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from checker.check import CheckResult
from checker.evaluate import Finding
from checker.inputs.columns import decode

#: The share of revenue the Pareto curve marks (the "80 %" of the 80/20 rule).
PARETO_SHARE = 0.8
#: Points drawn on the curve at most; a curve of 100,000 accounts is drawn from this many.
PARETO_POINTS = 101
#: The portfolio classes in the order of the 2×2: now high (++ +-), now low (-+ --).
PORTFOLIO_CLASSES = ("++", "+-", "-+", "--")


@dataclass
class Matrix:
    """Declared phase (rows: stages, then endings) × best-fit stage (columns, then no fit)."""

    rows: list[str]  # phase ids, stages first; "" for accounts whose stage was not recognised
    columns: list[str]  # stage ids; "" for accounts without a best fit (too little data)
    counts: list[list[int]]

    @property
    def largest(self) -> int:
        return max((n for row in self.counts for n in row), default=0)


def stage_matrix(result: CheckResult) -> Matrix:
    """How many accounts are declared in each phase and fit each stage best (the diagonal is health)."""
    pb = result.playbook
    columns = [s.id for s in pb.stages] + [""]
    rows = [p.id for p in [*pb.stages, *pb.endings]]
    pairs = Counter(zip(result.table.declared, result.evaluation.best_fit, strict=True))
    if any(declared is None for declared, _ in pairs):
        rows.append("")
    counts = [[pairs[(row or None, column or None)] for column in columns] for row in rows]
    return Matrix(rows, columns, counts)


def by_rule(findings: list[list[Finding]]) -> list[tuple[str, str, int, str]]:
    """(rule, kind, findings, handbook link) per rule that fired, most findings first."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for account in findings:
        for f in account:
            counts[f.rule] += 1
            first.setdefault(f.rule, f)
    return [(rule, first[rule].kind, n, first[rule].handbook_url) for rule, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


@dataclass
class Pareto:
    """Share of accounts (largest revenue first) against their share of the revenue."""

    points: list[tuple[float, float]]  # (share of accounts, share of revenue), from (0, 0) to (1, 1)
    accounts: int  # accounts with a known revenue of zero or more
    unknown: int  # accounts whose revenue is unknown (or negative: a credit, not a size)
    share_for_80: float | None  # the share of accounts that bring PARETO_SHARE of the revenue
    accounts_for_80: int | None
    total: float = 0.0


def pareto(revenue: np.ndarray, most_points: int = PARETO_POINTS) -> Pareto | None:
    """The Pareto curve of a revenue column (NaN = unknown); None when no revenue is known."""
    known = revenue[~np.isnan(revenue)]
    usable = np.sort(known[known >= 0])[::-1]
    unknown = len(revenue) - len(usable)
    total = float(usable.sum())
    if not len(usable) or total <= 0:
        return None
    cumulative = np.concatenate([[0.0], np.cumsum(usable) / total])
    n = len(usable)
    # The first k accounts whose revenue reaches the share (a small tolerance for float sums).
    k = int(np.searchsorted(cumulative, PARETO_SHARE - 1e-12))
    ks = np.unique(np.linspace(0, n, min(n + 1, most_points)).round().astype(int))
    points = [(round(i / n, 4), round(float(cumulative[i]), 4)) for i in ks.tolist()]
    return Pareto(points, n, unknown, round(k / n, 4), k, total)


@dataclass
class Portfolio:
    """Accounts per portfolio class, and how many of them have findings."""

    accounts: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    unknown: int = 0


def portfolio(result: CheckResult) -> Portfolio | None:
    """The portfolio 2×2's counts; None when the export has no portfolio class."""
    signal = result.playbook.signals.get("portfolio_class")
    if signal is None or "portfolio_class" not in result.table.columns.present:
        return None
    out = Portfolio(dict.fromkeys(PORTFOLIO_CLASSES, 0), dict.fromkeys(PORTFOLIO_CLASSES, 0))
    for value, findings in zip(result.table.columns.get("portfolio_class").tolist(), result.evaluation.findings, strict=True):
        code = decode(value, signal)
        if code not in out.accounts:
            out.unknown += 1
            continue
        out.accounts[code] += 1
        out.flagged[code] += bool(findings)
    return out


def revenue_pareto(result: CheckResult) -> Pareto | None:
    if "revenue_12m" not in result.table.columns.present:
        return None
    return pareto(result.table.columns.get("revenue_12m"))
