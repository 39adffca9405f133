"""Findings marked against an earlier run in SQL (checker/engines/status.py): the key, the last of a
repeated key, and SQL that translates to Spark. The end-to-end comparison with the JSON report's
marks is in test_findings.py. An earlier run's Parquet output as the baseline (`--baseline
findings.parquet`): three weeks of a changing export, each week's Parquet output marked against
the week before's JSON report and against its Parquet output alike (test_spark.py: on Spark too);
a Parquet baseline that cannot be used is one message."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import sqlglot
from sqlglot.errors import ErrorLevel

from checker.engines.findings import sql_check
from checker.engines.status import changes_sql, marked_sql
from checker.history.baseline import Columns
from checker.inputs.accounts import DataNote, table_from_values
from checker.playbook.model import Playbook
from tests.conftest import SAMPLE, run

AS_OF = date(2026, 10, 31)


def test_a_data_finding_is_the_same_finding_only_in_the_same_column(playbook: Playbook) -> None:
    notes = [DataNote("data.invalid_value", "share_of_wallet", {"value": "lots"}), DataNote("data.invalid_value", "open_books", {"value": "?"})]
    table = table_from_values(playbook, [{"account_id": "A", "declared": "basic", "notes": notes}], frozenset())
    earlier = Columns()
    at = earlier.add_account("A", "basic", None)
    earlier.add_finding(at, ("data-invalid-value", "data", "share_of_wallet", "warning", "…"), "2026-09-30")
    earlier.add_finding(at, ("data-invalid-value", "data", "revenue_12m", "warning", "…"), "2026-08-31")
    earlier.add_finding(at, ("data-invalid-value", "data", "share_of_wallet", "warning", "…"), "2026-10-15")  # repeated: the last counts
    check = sql_check(table, playbook, AS_OF, "en")
    check.mark(earlier, date(2026, 10, 24))
    marks = {signal: (status, first) for signal, status, first in check.rows("signal, status, first_seen")}
    assert marks == {"share_of_wallet": ("still-open", "2026-10-15"), "open_books": ("new", "2026-10-31")}
    changes = check.summary()["changes"]
    assert (changes["new"], changes["still_open"], changes["resolved"], changes["since"]) == (1, 1, 1, "2026-10-24")  # revenue_12m's is resolved


def test_the_comparison_translates_to_spark() -> None:
    for sql in (*marked_sql("pb_findings", AS_OF), changes_sql("pb_marked", AS_OF)):
        spark = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)
        assert len(spark) == 1 and spark[0].startswith("SELECT")


# --- last week's findings.parquet as the baseline (`--baseline findings.parquet`) -----------------

def _weeks(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Three weeks of the sample: the export changes each week (accounts gone, accounts new)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    weeks = [tmp_path / "week1.csv", tmp_path / "week2.csv", tmp_path / "week3.csv"]
    weeks[0].write_text("".join(lines[:-10]), encoding="utf-8")
    weeks[1].write_text("".join(lines[:1] + lines[6:]), encoding="utf-8")
    weeks[2].write_text("".join(lines[:1] + lines[12:] + lines[1:4]), encoding="utf-8")
    return weeks[0], weeks[1], weeks[2]


def _parquet(path: Path) -> tuple[list[tuple], dict]:
    rows = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    summary = json.loads(path.with_suffix(".summary.json").read_text(encoding="utf-8"))
    for name in ("findings_file", "accounts_file", "rules_file"):
        summary.pop(name)
    return sorted(rows, key=repr), summary


def week_by_week(capsys, tmp_path: Path, engine: str = "duckdb") -> list[tuple[list[tuple], dict]]:
    """Weeks 2 and 3 written as Parquet twice: marked against the earlier week's JSON report and against its Parquet
    output; each pair must be the same (returned: the Parquet-baseline runs)."""
    weeks = _weeks(tmp_path)
    dates = ["2026-10-31", "2026-11-30", "2026-12-31"]
    for n, week in enumerate(weeks):  # the JSON reports, each marked against the one before
        before = ["--baseline", str(tmp_path / f"week{n}.json")] if n else []
        code, _, err = run(capsys, "check", str(week), "--as-of", dates[n], "--format", "json", "--output", str(tmp_path / f"week{n + 1}.json"),
                           "--fail-on", "never", *before)
        assert code == 0, err
    code, _, err = run(capsys, "check", str(weeks[0]), "--as-of", dates[0], "--output", str(tmp_path / "week1.parquet"), "--fail-on", "never",
                       "--engine", engine)
    assert code == 0, err
    out = []
    for n in (1, 2):
        pair = []
        for kind in ("json", "parquet"):
            target = tmp_path / f"week{n + 1}-{kind}.parquet"
            earlier = tmp_path / (f"week{n}.json" if kind == "json" else (f"week{n}.parquet" if n == 1 else f"week{n}-parquet.parquet"))
            code, _, err = run(capsys, "check", str(weeks[n]), "--as-of", dates[n], "--output", str(target), "--baseline", str(earlier),
                               "--fail-on", "never", "--engine", engine)
            assert code == 0, err
            pair.append(_parquet(target))
        assert pair[1][1] == pair[0][1]  # the summary, its changes too
        assert pair[1][0] == pair[0][0]  # every finding, its status and first_seen too
        out.append(pair[1])
    return out


def test_last_weeks_findings_parquet_marks_the_findings_as_its_json_report_does(capsys, tmp_path: Path) -> None:
    (second, summary2), (third, summary3) = week_by_week(capsys, tmp_path)
    assert {r[13] for r in second} == {"new", "still-open"}  # status
    changes = summary2["summary"]["changes"]
    assert changes["new"] and changes["still_open"] and changes["resolved"] and changes["accounts_added"] and changes["accounts_removed"]
    assert changes["stages_moved"] > 0  # another --as-of: best fits moved (from the accounts file beside the findings)
    first_seen = {r[14] for r in third}
    assert {"2026-10-31", "2026-11-30", "2026-12-31"} <= first_seen  # carried over two weeks from the Parquet files alone
    assert summary3["summary"]["changes"]["since"] == "2026-11-30"


def test_a_parquet_baseline_that_cannot_be_used_is_one_message(capsys, tmp_path: Path) -> None:
    weeks = _weeks(tmp_path)
    earlier = tmp_path / "week1.parquet"
    code, _, err = run(capsys, "check", str(weeks[0]), "--as-of", "2026-10-31", "--output", str(earlier), "--fail-on", "never")
    assert code == 0, err
    target = tmp_path / "now.parquet"

    def refused(*extra: str, baseline: Path = earlier, as_of: str = "2026-11-30", export: Path = weeks[1]) -> str:
        code, out, err = run(capsys, "check", str(export), "--as-of", as_of, "--output", str(target), "--baseline", str(baseline), *extra)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert not target.exists()
        return err

    assert "later" in refused(as_of="2026-10-01") or "after" in refused(as_of="2026-10-01")
    assert "JSON report" in refused("--format", "json", "--output", str(tmp_path / "now.json"))  # a Parquet baseline for a JSON report
    other = tmp_path / "other.csv"
    other.write_text("account_id,account_name,declared_stage\nZ1,Zed Oy,basic\n", encoding="utf-8")
    assert "none of its" in refused(export=other)
    stranger = tmp_path / "stranger.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS x) TO '{stranger}' (FORMAT parquet)")
    assert "stranger.summary.json" in refused(baseline=stranger)
    for beside in ("summary.json", "accounts.parquet"):
        (tmp_path / f"stranger.{beside}").write_bytes((tmp_path / f"week1.{beside}").read_bytes())
    assert "account_id" in refused(baseline=stranger) and "x" in refused(baseline=stranger)  # the columns it lacks, and has
    (tmp_path / "week1.accounts.parquet").unlink()
    assert "week1.accounts.parquet" in refused()


def test_a_parquet_baseline_written_by_a_cluster_is_a_folder_of_part_files(capsys, tmp_path: Path) -> None:
    """On a cluster Spark writes findings.parquet (and its accounts file) as folders of part files: read as one table."""
    weeks = _weeks(tmp_path)
    one = tmp_path / "one.parquet"
    code, _, err = run(capsys, "check", str(weeks[0]), "--as-of", "2026-10-31", "--output", str(one), "--fail-on", "never")
    assert code == 0, err
    folder = tmp_path / "cluster"
    folder.mkdir()
    for name in ("findings.parquet", "findings.accounts.parquet"):
        source = one if name == "findings.parquet" else tmp_path / "one.accounts.parquet"
        (folder / name).mkdir()
        db = duckdb.connect()
        db.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{folder / name}' (FORMAT parquet, PER_THREAD_OUTPUT true)")
    (folder / "findings.summary.json").write_bytes((tmp_path / "one.summary.json").read_bytes())
    results = []
    for earlier in (one, folder / "findings.parquet"):
        target = tmp_path / f"now-{earlier.parent.name}.parquet"
        code, _, err = run(capsys, "check", str(weeks[1]), "--as-of", "2026-11-30", "--output", str(target), "--baseline", str(earlier), "--fail-on", "never")
        assert code == 0, err
        results.append(_parquet(target))
    assert results[1] == results[0] and results[0][1]["summary"]["changes"]["still_open"] > 0
