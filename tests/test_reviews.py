"""The account review in a check: review-disagrees / review-stale findings, coverage, the no-stage line, proposals."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from checker.check import Inputs, run_check
from checker.inputs.assessments import distance, tolerance
from checker.playbook.schemas import validator
from tests.conftest import run

AS_OF = date(2026, 11, 1)
HEAD = "account_id,account_name,reviewed_on,reviewer,declared_stage"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def check(tmp_path: Path, playbook, export: str, reviews: str | None, as_of: date = AS_OF):
    accounts = write(tmp_path, "export.csv", export)
    inputs = Inputs(accounts)
    if reviews is not None:
        inputs.assessments = [write(tmp_path, "reviews.csv", reviews)]
    return run_check(inputs, playbook, as_of, "en", "http://h")


def review_findings(result, index: int) -> list:
    return [f for f in result.evaluation.findings[index] if f.kind.startswith("review-")]


def test_disagreement_severity_follows_the_playbooks_tolerance(tmp_path, playbook):
    line = tolerance(playbook, "share_of_wallet", "share")
    assert line["measure"] == "absolute"
    crm = 0.5
    inside, past, far = crm + line["tolerance"] * 0.5, crm + (line["tolerance"] + line["warning"]) / 2, crm - line["warning"] - 0.05
    export = "account_id,account_name,declared_stage,share_of_wallet\n" + "".join(f"A{n},N{n},basic,{crm}\n" for n in range(3))
    reviews = f"{HEAD},share_of_wallet\nA0,N0,2026-10-01,Anna,,{inside:.3f}\nA1,N1,2026-10-01,Anna,,{past:.3f}\nA2,N2,2026-10-01,Anna,,{far:.3f}\n"
    result = check(tmp_path, playbook, export, reviews)
    assert review_findings(result, 0) == []
    (info,) = review_findings(result, 1)
    (warning,) = review_findings(result, 2)
    assert (info.kind, info.severity, warning.severity) == ("review-disagrees", "info", "warning")
    assert "50 %" in warning.message and "Anna" in warning.message and "2026-10-01" in warning.message
    assert warning.evidence["observed"] == crm and warning.evidence["review"] == pytest.approx(far, abs=1e-3)
    assert result.table.columns.get("share_of_wallet").tolist() == [crm] * 3  # the CRM's value stands
    assert result.evaluation.counts["review-disagrees", "warning"] == 1


def test_a_yes_against_a_no_and_a_different_stage_disagree(tmp_path, playbook):
    export = "account_id,account_name,declared_stage,open_books\nA1,Alpha,cooperation,yes\n"
    result = check(tmp_path, playbook, export, f"{HEAD},open_books\nA1,Alpha,2026-10-01,Anna,basic,no\n")
    found = {f.evidence["signal"]: f for f in review_findings(result, 0)}
    assert set(found) == {"open_books", "declared_stage"}
    assert found["declared_stage"].evidence["observed"] == "cooperation" and found["declared_stage"].evidence["review"] == "basic"
    assert result.table.declared == ["cooperation"]


@pytest.mark.parametrize(("measure", "crm", "review", "expected"), [
    ("absolute", 0.5, 0.2, 0.3), ("relative", 10, 5, 0.5), ("relative", 0, 0, 0.0), ("differs", 1, 0, 1.0), ("differs", 2, 2, 0.0)])
def test_distance(measure, crm, review, expected):
    assert float(distance(measure, crm, review)) == pytest.approx(expected)
    assert distance(measure, [crm, crm], [review, crm]).tolist() == pytest.approx([expected, 0.0])


def test_an_old_review_is_used_and_noted_stale(tmp_path, playbook):
    limit = playbook.manifest["review"]["stale_after_days"]
    old, fresh = AS_OF - timedelta(days=limit + 1), AS_OF - timedelta(days=limit)
    export = "account_id,account_name,declared_stage,open_books\nA1,Alpha,basic,\nA2,Beta,basic,\n"
    result = check(tmp_path, playbook, export, f"{HEAD},open_books\nA1,Alpha,{old},Anna,,yes\nA2,Beta,{fresh},Anna,,yes\n")
    (stale,) = review_findings(result, 0)
    assert (stale.kind, stale.severity) == ("review-stale", "info") and f"{limit + 1} days" in stale.message
    assert review_findings(result, 1) == []
    assert result.table.columns.get("open_books").tolist() == [1.0, 1.0]  # both used
    coverage = result.summary()["coverage"]
    assert coverage["reviewed_recently"] == {"count": 1, "share": 0.5}
    assert coverage["reviews"]["stale"] == 1 and coverage["reviews"]["values_used"] == 2


def test_most_accounts_without_a_stage_are_said_once(tmp_path, playbook):
    share = playbook.manifest["review"]["no_stage_share"]
    n = 10
    empty = int(n * share) + 1  # just past the share
    export = "account_id,account_name,declared_stage\n" + "".join(f"A{i},N{i},{'' if i < empty else 'basic'}\n" for i in range(n))
    result = check(tmp_path, playbook, export, None)
    assert not [f for fs in result.evaluation.findings for f in fs if f.rule == "data-no-stage"]
    coverage = result.summary()["coverage"]
    assert coverage["no_stage_said_once"] and coverage["without_stage"]["count"] == empty
    few = check(tmp_path, playbook, "account_id,account_name,declared_stage\nA1,N1,\nA2,N2,basic\nA3,N3,basic\n", None)
    assert [f.rule for fs in few.evaluation.findings for f in fs if f.rule == "data-no-stage"] == ["data-no-stage"]
    assert not few.summary()["coverage"]["no_stage_said_once"]


def test_the_coverage_line_in_every_format(tmp_path, capsys, playbook):
    export = write(tmp_path, "export.csv", "account_id,account_name,declared_stage,revenue_12m\nA1,Alpha,,900\nA2,Beta,,100\nA3,<b>Gamma</b>,,5000\n")
    reviews = write(tmp_path, "reviews.csv", f"{HEAD},open_books,confidential_exchange,share_of_wallet,customer_contacts_12m\nA2,Beta,2026-10-01,Anna,,yes,yes,nearly all of it,9\n")
    outputs = {}
    for fmt in ("table", "markdown", "json", "html"):
        code, out, err = run(capsys, "check", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--format", fmt)
        assert code in (0, 1), err
        outputs[fmt] = out
    assert "Evidence coverage: declared stage 0 of 3 (0 %)" in outputs["table"]
    assert "reviewed in the last 180 days 1 of 3 (33 %)" in outputs["markdown"]
    assert "3 of 3 accounts (100 %) have no declared stage" in outputs["table"]
    report = json.loads(outputs["json"])
    assert list(validator("report.schema.json").iter_errors(report)) == []
    assert report["summary"]["coverage"]["reviews"]["accounts_reviewed"] == 1
    html = outputs["html"]
    assert "Evidence coverage" in html and "/en/review/" in html and "&lt;b&gt;Gamma&lt;/b&gt;" in html and "<b>Gamma" not in html
    # To review first: no evidence and no recent review, highest revenue first (A2 was reviewed).
    first = html.split("<table class=\"pr-review-first\">")[1].split("</table>")[0]
    assert first.index("A3") < first.index("A1") and "A2" not in first
    code, out, _ = run(capsys, "check", str(export), "--as-of", "2026-11-01", "--lang", "fi")
    assert "Näytön kattavuus" in out


def test_signals_json_names_a_reviews_origin(tmp_path, capsys):
    export = write(tmp_path, "export.csv", "account_id,account_name,declared_stage,open_books\nA1,Alpha,basic,no\nA2,Beta,basic,\n")
    reviews = write(tmp_path, "reviews.csv", f"{HEAD},open_books\nA1,Alpha,2026-10-01,Anna,,no\nA2,Beta,2026-10-02,Mikko,,yes\n")
    code, out, _ = run(capsys, "signals", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert list(validator("signal-table.schema.json").iter_errors(document)) == []
    a1, a2 = document["accounts"]
    assert a1["from"]["open_books"] == {"file": "export.csv", "column": "open_books"}
    assert a2["from"]["open_books"] == {"review": {"file": "reviews.csv", "line": 3, "reviewed_on": "2026-10-02", "reviewer": "Mikko"}}
    assert a2["signals"]["open_books"] is True


def test_a_review_of_an_account_not_in_the_export_is_said_with_a_hint(tmp_path, capsys):
    export = write(tmp_path, "export.csv", "account_id,account_name,declared_stage\nACC-1,Alpha,basic\n")
    reviews = write(tmp_path, "reviews.csv", f"{HEAD}\nACC-7,Alpha,2026-10-01,Anna,\n")
    code, out, err = run(capsys, "check", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--format", "json")
    assert code == 0  # the rest of the check stands
    assert "reviews.csv:2: account ACC-7 (Alpha) is not in the export (the account named 'Alpha' has id ACC-1); its review was not used" in err
    assert json.loads(out)["summary"]["coverage"]["reviews"]["not_in_export"] == [{"file": "reviews.csv", "line": 2, "account_id": "ACC-7"}]


def test_propose_stages_writes_an_importable_csv(tmp_path, capsys, playbook):
    settings = playbook.manifest["review"]["proposals"]
    export = write(tmp_path, "export.csv", "account_id,account_name,owner,declared_stage,share_of_wallet,open_books,confidential_exchange,"
                                           "competitive_tenders_12m,customer_contacts_12m,joint_planning_12m\n"
                                           "A1,Alpha,Anna,,0.9,yes,yes,0,9,3\nA2,=cmd,Anna,,,,,,,\nA3,Gamma,Anna,basic,0.1,no,no,3,1,0\n")
    code, _, err = run(capsys, "check", str(export), "--as-of", "2026-11-01", "--propose-stages", str(tmp_path / "p.csv"))
    assert code in (0, 1), err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "p.csv").read_text(encoding="utf-8"))))
    assert [r["account_id"] for r in rows] == ["A1", "A2"]  # A3 has a stage
    a1, a2 = rows
    assert a1["proposed_stage_id"] in ("interdependence", "integrated") and a1["proposed_stage"] == playbook.phases[a1["proposed_stage_id"]].name["en"]
    thin = int(a1["evidence"]) < settings["min_evidence"] or (a1["margin"] and float(a1["margin"]) < settings["min_margin"])
    assert (a1["review"] == "review") == thin
    assert a2["account_name"] == "'=cmd" and a2["proposed_stage"] == "" and a2["review"] == "review"
    assert "proposed stages for 2 accounts" in err


def test_the_review_kinds_are_listed_explained_filtered_and_waivable(tmp_path, capsys, playbook):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "review-disagrees  [info, warning]" in out and f"> {playbook.manifest['review']['stale_after_days']} days" in out
    code, out, _ = run(capsys, "rules", "review-stale", "--lang", "fi")
    assert code == 0 and playbook.manifest["review"]["findings"]["review-stale"]["title"]["fi"] in out and "/fi/checker/#review-stale" in out
    export = write(tmp_path, "export.csv", "account_id,account_name,declared_stage,open_books\nA1,Alpha,basic,yes\n")
    reviews = write(tmp_path, "reviews.csv", f"{HEAD},open_books\nA1,Alpha,2025-01-01,Anna,,no\n")
    code, out, _ = run(capsys, "check", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--kind", "review-stale", "--format", "json")
    kinds = {f["kind"] for a in json.loads(out)["accounts"] for f in a["findings"]}
    assert kinds == {"review-stale"}
    report = json.loads(run(capsys, "check", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--format", "json")[1])
    assert list(validator("report.schema.json").iter_errors(report)) == []
    (account,) = report["accounts"]
    assert {f["kind"] for f in account["findings"]} >= {"review-disagrees", "review-stale"}
    assert report["rules"]["review-disagrees"]["title"] == playbook.manifest["review"]["findings"]["review-disagrees"]["title"]["en"]
    waivers = tmp_path / "waivers.yaml"
    code, _, err = run(capsys, "waive", "A1", "review-disagrees", "--reason", "the CRM flag is set by hand", "--until", "2027-01-01", "--by", "x", "--waivers", str(waivers))
    assert code == 0, err
    code, out, err = run(capsys, "check", str(export), "--assessments", str(reviews), "--as-of", "2026-11-01", "--waivers", str(waivers), "--format", "json", "--fail-on", "warning")
    assert code == 0, err  # the warning is waived; the stale review is only info


def test_an_assessments_file_in_windows_1252_with_finnish_answers(tmp_path, playbook):
    path = tmp_path / "arviot.csv"
    path.write_bytes(f"{HEAD};open_books;share_of_wallet\nA1;Äijälä Oy;1.10.2026;Päivi Örn;yhteistyövaihe;kyllä;noin puolet\n".replace(",", ";").encode("cp1252"))
    result = check(tmp_path, playbook, "account_id,account_name,declared_stage\nA1,Äijälä Oy,\n", None)
    from checker.inputs.assessments import read_assessments

    review = read_assessments([path], playbook, AS_OF).reviews["A1"]
    assert (review.reviewer, review.declared, review.values) == ("Päivi Örn", "cooperation", {"open_books": True, "share_of_wallet": 0.45})
    assert result.table.declared == [None]
