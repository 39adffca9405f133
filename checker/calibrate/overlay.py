"""The suggested lines as a thresholds file: only the numbers, each with the figures behind it as a comment.

The file is what `playbook check --thresholds` reads (schema/thresholds.schema.json). It is
written for a person to read before accepting it: a comment per line says how many accounts
of the stage and of its neighbour meet the playbook's line and the suggested one, and the
balanced accuracy of each.
"""
from __future__ import annotations

import os
from pathlib import Path

from checker.calibrate import Calibration
from checker.calibrate.lines import Figures
from checker.playbook.schemas import SCHEMA_DIR


def _figures(calibration: Calibration, lang: str, figures: Figures, own: str, neighbour: str) -> str:
    return calibration.playbook.text("calibrate.overlay_figures", lang, value=f"{figures.value:g}", own=own, own_meet=figures.own_meet,
                                     own_n=figures.own, neighbour=neighbour, neighbour_meet=figures.neighbour_meet,
                                     neighbour_n=figures.neighbour, ba=f"{figures.balanced_accuracy:.2f}")


def overlay_text(calibration: Calibration, lang: str, target: Path) -> str | None:
    """The thresholds file for `target` (its schema line relative to where it is written); None with no line to suggest."""
    pb = calibration.playbook
    suggested = [line for line in calibration.lines if line.suggested is not None]
    if not suggested:
        return None
    schema = Path(os.path.relpath(SCHEMA_DIR / "thresholds.schema.json", target.resolve().parent)).as_posix()
    head = pb.text("calibrate.overlay_header", lang, input=calibration.input_name, date=calibration.as_of.isoformat(),
                   accounts=calibration.accounts, version=pb.manifest["version"])
    lines = [f"# yaml-language-server: $schema={schema}", *(f"# {line}" for line in head.splitlines()),
             "kind: thresholds", f'playbook_version: "{pb.manifest["version"]}"', "thresholds:"]
    for line in suggested:
        assert line.current is not None and line.suggested is not None and line.own and line.neighbour
        lines.append(f"  # {line.rule.title[lang]}")
        for key, figures in (("calibrate.overlay_playbook", line.current), ("calibrate.overlay_suggested", line.suggested)):
            lines.append(f"  # {pb.text(key, lang)}: {_figures(calibration, lang, figures, line.own, line.neighbour)}")
        lines.append(f"  {line.rule.id}: {line.suggested.value:g}")
    return "\n".join(lines) + "\n"
