"""`playbook calibrate`: the playbook's numeric lines on a company's own accounts, and lines fitted to them.

`calibrate()` takes an account table already read (as `check` reads it), fits every numeric
line (lines.py), evaluates the accounts with the playbook's lines and with the suggested
ones (effect.py) and returns a `Calibration`; `overlay_text` writes the suggestions as a
thresholds file (schema/thresholds.schema.json) that someone accepts by giving it to
`check --thresholds`. Nothing here changes a check by itself.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from checker.calibrate.effect import StageEffect, compare
from checker.calibrate.lines import Line, Settings, fit_lines
from checker.evaluate import Evaluator, fit_table
from checker.inputs.accounts import AccountTable
from checker.inputs.files import InputError
from checker.playbook.model import Playbook
from checker.playbook.thresholds import Thresholds, apply_thresholds, overlaps


class CalibrationRefused(InputError):
    """The export cannot carry a calibration at all (no declared stages, one stage only…): nothing is written."""


@dataclass
class Calibration:
    """Everything the calibration page and the overlay show; numbers already computed."""

    as_of: date
    input_name: str
    playbook: Playbook
    settings: Settings
    accounts: int
    declared: dict[str, int]  # accounts declared in each stage
    far_off: dict[str, int]  # of those, the verdict calls two or more stages off: left out of the fit
    unreadable: dict[str, int]  # signal → cells that could not be read (unknown here, data findings in `check`)
    lines: list[Line]
    effect: list[StageEffect]

    @property
    def suggestions(self) -> dict[str, float]:
        return {line.rule.id: line.suggested.value for line in self.lines if line.suggested is not None}


def calibrate(table: AccountTable, playbook: Playbook, as_of: date, handbook_url: str = "") -> Calibration:
    """Fit the playbook's numeric lines to `table`; raise CalibrationRefused when it cannot carry any."""
    if "calibration" not in playbook.manifest:
        raise CalibrationRefused("calibrate.no_settings")
    settings = Settings.of(playbook)
    stage_ids = [s.id for s in playbook.stages]
    declared = Counter(d for d in table.declared if d in stage_ids)
    if not declared:
        raise CalibrationRefused("calibrate.no_stages", path=table.path.name, n=len(table), header=table.headers.get("declared_stage", "declared_stage"))
    if len(declared) == 1:
        only = next(iter(declared))
        raise CalibrationRefused("calibrate.one_stage", path=table.path.name, n=declared[only], stage=only)
    unreadable = _unreadable(table, playbook)
    cols = table.columns
    fitted = fit_table(playbook, cols, as_of, table.declared)
    order = {s: k for k, s in enumerate(stage_ids)}
    declared_k = np.array([order.get(d, -1) if d else -1 for d in table.declared], dtype=np.int64)
    far = (declared_k >= 0) & (fitted.best_index >= 0) & (np.abs(fitted.best_index - declared_k) >= 2)
    far_off = {s: int(np.count_nonzero(far & (declared_k == k))) for s, k in order.items()}
    # Accounts declared in an ending are shown on their ending's rules; no stage line is fitted to them.
    labels = np.array([d if d in playbook.phases else "" for d in table.declared], dtype=object)
    in_ending = np.array([d in playbook.phases and playbook.phases[d].kind == "ending" for d in table.declared], dtype=bool)
    lines = fit_lines(playbook, cols, as_of, labels, ((declared_k >= 0) & ~far) | in_ending, settings)
    _drop_overlaps(playbook, lines)
    suggested = {line.rule.id: line.suggested.value for line in lines if line.suggested is not None}
    evaluator = Evaluator(playbook, as_of, "en", handbook_url)
    now = evaluator.evaluate(table)
    overlaid = apply_thresholds(playbook, Thresholds("", "", suggested, {})) if suggested else playbook
    after = Evaluator(overlaid, as_of, "en", handbook_url).evaluate(table) if suggested else now
    return Calibration(as_of, table.path.name, playbook, settings, len(table), {s: declared[s] for s in stage_ids}, far_off,
                       unreadable, lines, compare(playbook, table, now, after))


def _drop_overlaps(playbook: Playbook, lines: list[Line]) -> None:
    """Withdraw suggestions that would make two neighbouring stages overlap (the overlay would be refused)."""
    from checker.playbook.messages import Problem

    while True:
        suggested = {line.rule.id: line.suggested.value for line in lines if line.suggested is not None}
        if not suggested:
            return
        clash = [(low, high) for low, high, _ in overlaps(apply_thresholds(playbook, Thresholds("", "", suggested, {})))
                 if low.id in suggested or high.id in suggested]
        if not clash:
            return
        low, high = clash[0]
        for line in lines:
            if line.rule.id in (low.id, high.id) and line.suggested is not None:
                line.suggested = None
                line.reason = Problem("calibrate.would_overlap", low=low.id, high=high.id)


def _unreadable(table: AccountTable, playbook: Playbook) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for notes in table.notes.values():
        for note in notes:
            if note.code == "data.invalid_value" and note.column in playbook.signals:
                counts[note.column] += 1
    numeric = {s for s, spec in playbook.signals.items() if spec.type in ("count", "share", "amount", "date")}
    for signal in sorted(counts):
        if signal in numeric and signal in table.columns.present and not np.count_nonzero(~np.isnan(table.columns.get(signal))):
            header = table.headers.get(signal, signal)
            first = next(table.rows[i] for i, notes in sorted(table.notes.items()) if any(n.column == signal for n in notes))
            raise CalibrationRefused("calibrate.not_numeric", path=table.path.name, header=header, n=counts[signal], row=first)
    return dict(counts)


__all__ = ["Calibration", "CalibrationRefused", "calibrate"]
