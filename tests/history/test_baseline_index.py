"""The three ways of reading a baseline (the index beside the report, the report line by line,
the report whole) give the same baseline, and a stale or broken index is never believed."""
from __future__ import annotations

import json
import os
from datetime import date

import pytest
from conftest import run

from checker.history.baseline import index_path, load_baseline
from checker.playbook.model import load_playbook
from checker.sample import sample_csv

PLAYBOOK = load_playbook()
VERSION = PLAYBOOK.manifest["version"]


def everything(baseline) -> dict:
    """All a comparison can ask of a baseline."""
    return {
        "as_of": baseline.as_of,
        "version": baseline.playbook_version,
        "accounts": {a: baseline.stages(a) for a in baseline.accounts},
        "findings": {key: baseline.seen(at) for key, at in baseline.findings.items()},
    }


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Two weeks of a 300-account export; week 2's report made with week 1's as baseline and a waiver."""
    folder = tmp_path_factory.mktemp("weeks")
    for week, seed in (("w1", 1), ("w2", 2)):
        (folder / f"{week}.csv").write_text(sample_csv(PLAYBOOK, date(2026, 10, 31), 300, seed=seed, verify=False), encoding="utf-8")
    (folder / "waivers.yaml").write_text("waivers:\n  - account: ACC-00002\n    kind: stage-mismatch\n    reason: known\n    by: Mervi\n    until: 2027-03-31\n",
                                         encoding="utf-8")
    return folder


def check(capsys, folder, *options):
    code, _, err = run(capsys, "check", *options, "--fail-on", "never", "--format", "json")
    assert code == 0, err


@pytest.mark.parametrize("show_waived", [False, True])
def test_index_line_by_line_and_whole_read_the_same(capsys, weeks, tmp_path, show_waived):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    check(capsys, weeks, str(weeks / "w1.csv"), "--as-of", "2026-10-24", "--output", str(first))
    check(capsys, weeks, str(weeks / "w2.csv"), "--as-of", "2026-10-31", "--output", str(second), "--baseline", str(first),
          "--waivers", str(weeks / "waivers.yaml"), *(["--show-waived"] if show_waived else []))
    for report in (first, second):
        assert index_path(report).is_file()
        by_index = load_baseline(report, VERSION)
        assert by_index.read_from == "index"
        index_path(report).unlink()
        by_lines = load_baseline(report, VERSION)
        assert by_lines.read_from == "report"
        whole = tmp_path / "whole.json"
        whole.write_text(json.dumps(json.loads(report.read_text(encoding="utf-8")), indent=1), encoding="utf-8")  # laid out otherwise
        by_whole = load_baseline(whole, VERSION)
        assert by_whole.read_from == "whole"
        assert everything(by_index) == everything(by_lines) == everything(by_whole)
    # Week 2 holds still-open findings with week 1's date, new ones, and a waived one.
    seen = everything(load_baseline(second, VERSION))["findings"]
    assert {s.first_seen for s in seen.values()} == {date(2026, 10, 24), date(2026, 10, 31)}
    assert any(key[0] == "ACC-00002" for key in seen)


def test_the_report_is_the_same_whichever_way_its_baseline_was_read(capsys, weeks, tmp_path):
    first = tmp_path / "first.json"
    check(capsys, weeks, str(weeks / "w1.csv"), "--as-of", "2026-10-24", "--output", str(first))
    outputs = []
    for keep_index in (True, False):
        if not keep_index:
            index_path(first).unlink()
        out = tmp_path / f"second-{keep_index}.json"
        check(capsys, weeks, str(weeks / "w2.csv"), "--as-of", "2026-10-31", "--output", str(out), "--baseline", str(first),
              "--waivers", str(weeks / "waivers.yaml"))
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b'"status":"new"' in outputs[0] and b'"status":"still-open"' in outputs[0]


def test_an_index_is_believed_only_for_the_report_it_was_written_for(capsys, weeks, tmp_path):
    report = tmp_path / "first.json"
    check(capsys, weeks, str(weeks / "w1.csv"), "--as-of", "2026-10-24", "--output", str(report))
    assert load_baseline(report, VERSION).read_from == "index"
    stat = report.stat()
    os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # written or copied again since
    assert load_baseline(report, VERSION).read_from == "report"


@pytest.mark.parametrize("damage", ["not json", "other format", "codes out of range", "columns of other lengths"])
def test_a_broken_index_is_ignored_and_the_report_read(capsys, weeks, tmp_path, damage):
    report = tmp_path / "first.json"
    check(capsys, weeks, str(weeks / "w1.csv"), "--as-of", "2026-10-24", "--output", str(report))
    index = index_path(report)
    expected = everything(load_baseline(report, VERSION))
    data = json.loads(index.read_bytes())
    if damage == "not json":
        text = index.read_text(encoding="utf-8")[:100]
    else:
        if damage == "other format":
            data["format"] = "something else"
        elif damage == "codes out of range":
            data["columns"]["finding"][0] = len(data["columns"]["distinct"])
        else:
            data["columns"]["account"].pop()
        text = json.dumps(data)
    index.write_text(text, encoding="utf-8")
    baseline = load_baseline(report, VERSION)
    assert baseline.read_from == "report"
    assert everything(baseline) == expected


def test_no_index_without_an_output_file_or_for_other_formats(capsys, weeks, tmp_path):
    out = tmp_path / "report.csv"
    code, _, err = run(capsys, "check", str(weeks / "w1.csv"), "--as-of", "2026-10-24", "--fail-on", "never", "--format", "csv", "--output", str(out))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]
