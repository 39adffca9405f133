"""A whole check on a real CRM export (read from ../shared/real-exports/ when it exists beside the project)."""
from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from checker.check import Inputs, run_check

DYNAMICS = Path(__file__).resolve().parents[1].parent / "shared" / "real-exports" / "dynamics"


@pytest.mark.skipif(not DYNAMICS.is_dir(), reason="the real exports are not beside the project")
def test_quiet_accounts_of_a_real_export_get_no_best_fit(playbook, tmp_path):
    # The export has no stage column: any column stands in, since the best fit does not depend on it.
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: mapping\nextends: dynamics\naccounts:\n  declared_stage: [Business Type]\n", encoding="utf-8")
    accounts = next(DYNAMICS.glob("Active Accounts*.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on the workbooks' missing default style
        result = run_check(Inputs(accounts, list(DYNAMICS.glob("All Activities*.xlsx")), list(DYNAMICS.glob("All Opportunities*.xlsx")),
                                  mapping=mapping), playbook, date(2025, 11, 3), "en", "http://h")
    cols = result.table.columns
    quiet = (np.nan_to_num(cols.get("purchases_12m")) == 0) & (np.nan_to_num(cols.get("interactions_90d")) == 0)
    assert quiet.sum() >= len(result.table) // 2, "the export is mostly quiet accounts"
    fits = [fit for fit, q in zip(result.evaluation.best_fit, quiet.tolist(), strict=True) if q]
    assert all(fit is None for fit in fits), fits
