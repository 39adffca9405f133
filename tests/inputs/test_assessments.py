"""Reading assessments files: the cells as an export's, labels as values, and every bad input refused whole."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.inputs.assessments import merge_reviews, read_assessments
from checker.inputs.files import InputError
from checker.inputs.values import canonical_text
from tests.conftest import run

AS_OF = date(2026, 11, 1)
HEAD = "account_id,account_name,reviewed_on,reviewer,declared_stage"
EXPORT = ("account_id,account_name,owner,declared_stage,customer_contacts_12m,open_books\n"
          "A1,Alpha Oy,Anna,,2,\nA2,Beta Ltd,Anna,cooperation,,yes\nA3,Gamma Ab,Mikko,,,\n")


def write(tmp_path: Path, text: str, name: str = "reviews.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def message(exc: InputError, lang: str = "en") -> str:
    return exc.render(lang)


def test_cells_read_as_an_exports_with_labels_and_a_leading_quote(tmp_path, playbook):
    path = write(tmp_path, f"{HEAD},share_of_wallet,open_books,customer_contacts_12m,portfolio_class,last_health_check\n"
                           "A1,Alpha,2026-10-01,Anna,Cooperation stage,about half,kyllä,'7,'+-,1.9.2026\n"
                           "A2,Beta,2026-10-02,Mikko,integroitu vaihe,45 %,no,,tärkeä nyt ja tulevaisuudessa,\n")
    found = read_assessments([path], playbook, AS_OF)
    a1, a2 = found.reviews["A1"], found.reviews["A2"]
    options = {o["label"]["en"]: o["value"] for o in playbook.signals["share_of_wallet"].data["ask"]["options"]}
    assert a1.values["share_of_wallet"] == options["about half"]
    assert a1.values == {"share_of_wallet": options["about half"], "open_books": True, "customer_contacts_12m": 7,
                         "portfolio_class": "+-", "last_health_check": date(2026, 9, 1)}
    assert a1.declared == "cooperation" and a2.declared == "integrated"
    assert a2.values == {"share_of_wallet": 0.45, "open_books": False, "portfolio_class": "++"}
    assert (a1.file, a1.line, a2.line) == ("reviews.csv", 2, 3)


def test_every_option_label_reads_as_its_value(tmp_path, playbook):
    asked = {s: sig for s, sig in playbook.signals.items() if sig.data.get("ask", {}).get("options")}
    assert asked, "the catalogue asks some signals in ranges or choices"
    for lang in ("en", "fi"):
        for signal_id, signal in asked.items():
            lines = [f"{HEAD},{signal_id}"] + [f"A{n},x,2026-10-0{1 + n % 9},Anna,,\"{o['label'][lang]}\"" for n, o in enumerate(signal.data["ask"]["options"])]
            found = read_assessments([write(tmp_path, "\n".join(lines) + "\n")], playbook, AS_OF)
            assert [found.reviews[f"A{n}"].values[signal_id] for n in range(len(lines) - 1)] == [o["value"] for o in signal.data["ask"]["options"]]


def test_the_newest_review_of_an_account_wins_across_files(tmp_path, playbook):
    old = write(tmp_path, f"{HEAD},customer_contacts_12m\nA1,Alpha,2026-01-05,Anna,,3\n", "old.csv")
    new = write(tmp_path, f"{HEAD},customer_contacts_12m\nA1,Alpha,2026-09-05,Mikko,,5\nA2,Beta,2026-02-01,Anna,,1\n", "new.csv")
    found = read_assessments([new, old], playbook, AS_OF)
    assert found.reviews["A1"].values == {"customer_contacts_12m": 5} and found.reviews["A1"].reviewer == "Mikko"
    assert (found.rows_read, found.superseded, found.files) == (3, 1, ["new.csv", "old.csv"])


def test_a_sheet_row_nobody_filled_is_counted_not_used(tmp_path, playbook):
    found = read_assessments([write(tmp_path, f"{HEAD},customer_contacts_12m\nA1,Alpha,,,,2\nA2,Beta,2026-10-01,Anna,,\n")], playbook, AS_OF)
    assert list(found.reviews) == ["A2"] and (found.rows_read, found.rows_not_filled) == (2, 1)


@pytest.mark.parametrize(("body", "expected"), [
    ("A1,Alpha,2026-10-01,Anna,,140 %\n", ["reviews.csv:2: share_of_wallet '140 %' cannot be used"]),
    ("A1,Alpha,2026-10-01,Anna,,45\n", ["reviews.csv:2: share_of_wallet '45' cannot be used"]),
    ("A1,Alpha,2026-12-24,Anna,,\n", ["reviews.csv:2: reviewed_on 2026-12-24 is after the check's date 2026-11-01"]),
    ("A1,Alpha,2026-10-01,,,\n", ["reviews.csv:2: account A1: reviewer is empty"]),
    ("A1,Alpha,,Anna,,\n", ["reviews.csv:2: reviewed_on is empty"]),
    ("A1,Alpha,1.13.2026,Anna,,\n", ["reviews.csv:2: reviewed_on '1.13.2026'"]),
    ("A1,Alpha,2026-10-01,Anna,,\nA1,Alpha,2026-10-01,Mikko,,0.2\n", ["reviews.csv:3: account A1 was already reviewed on 2026-10-01 (reviews.csv:2)"]),
    ("A1,Alpha,2026-10-01,Anna,cooperaton,\n", ["reviews.csv:2: declared_stage 'cooperaton' is not a stage", "did you mean 'cooperation'"]),
    (",Alpha,2026-10-01,Anna,,\n", ["reviews.csv:2: account_id is empty"]),
])
def test_a_bad_row_refuses_the_whole_file_naming_file_and_line(tmp_path, playbook, body, expected):
    path = write(tmp_path, f"{HEAD},share_of_wallet\n{body}")
    with pytest.raises(InputError) as caught:
        read_assessments([path], playbook, AS_OF)
    text = message(caught.value)
    assert "nothing of this assessments file was used" in text
    for part in expected:
        assert part in text


def test_an_answer_dated_after_its_review_is_refused(tmp_path, playbook):
    path = write(tmp_path, f"{HEAD},last_health_check\nA1,Alpha,2026-10-01,Anna,,2026-10-20\n")
    with pytest.raises(InputError) as caught:
        read_assessments([path], playbook, AS_OF)
    assert "reviews.csv:2: last_health_check 2026-10-20 is after the review's own date 2026-10-01" in message(caught.value)


def test_every_problem_is_listed_not_only_the_first(tmp_path, playbook):
    path = write(tmp_path, f"{HEAD},share_of_wallet\nA1,Alpha,2026-10-01,,,\nA2,Beta,2026-10-01,Anna,,2\nA3,Gamma,2026-10-01,Anna,,0.3\n")
    with pytest.raises(InputError) as caught:
        read_assessments([path], playbook, AS_OF)
    text = message(caught.value, "fi")
    assert "reviews.csv:2:" in text and "reviews.csv:3:" in text and "reviews.csv:4" not in text
    assert "2 ongelma(a)" in text


@pytest.mark.parametrize(("text", "expected"), [
    (f"{HEAD},share_of_walet\n", "reviews.csv: line 1: 'share_of_walet' is not a column of an assessments file (did you mean 'share_of_wallet'?)"),
    ("account_id,account_name,reviewer\n", "reviews.csv: line 1: missing column(s) reviewed_on, declared_stage"),
    (f"{HEAD},open_books,Open books\n", "column 'Open books' appears twice as open_books"),
])
def test_a_wrong_header_is_one_message(tmp_path, playbook, text, expected):
    with pytest.raises(InputError) as caught:
        read_assessments([write(tmp_path, text)], playbook, AS_OF)
    assert expected in message(caught.value)


def test_headers_in_either_language_and_by_signal_name(tmp_path, playbook):
    head = ",".join(playbook.text(f"review.column.{c}", "fi") for c in ("account_id", "account_name", "reviewed_on", "reviewer", "declared_stage"))
    path = write(tmp_path, f"{head},{playbook.signals['open_books'].name['fi']},Share of wallet\nA1,Alpha,2026-10-01,Anna,,ei,noin neljännes\n")
    assert read_assessments([path], playbook, AS_OF).reviews["A1"].values == {"open_books": False, "share_of_wallet": 0.22}


def test_the_cli_refuses_a_bad_file_with_exit_2_and_no_traceback(tmp_path, capsys):
    export = write(tmp_path, EXPORT, "export.csv")
    reviews = write(tmp_path, f"{HEAD},share_of_wallet\nA1,Alpha,2026-10-01,Anna,,0.3\nA2,Beta,2026-10-01,Anna,,140 %\n")
    for command in ("check", "signals"):
        code, out, err = run(capsys, command, str(export), "--assessments", str(reviews), "--as-of", "2026-11-01")
        assert code == 2 and out == ""
        assert "reviews.csv:3: share_of_wallet '140 %' cannot be used" in err and "Traceback" not in err
    code, _, err = run(capsys, "check", str(export), "--assessments", str(tmp_path / "missing.csv"), "--as-of", "2026-11-01")
    assert code == 2 and "missing.csv: no such file" in err
    binary = tmp_path / "reviews.xlsx"
    binary.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _, err = run(capsys, "check", str(export), "--assessments", str(binary), "--as-of", "2026-11-01")
    assert code == 2 and "cannot open as an Excel workbook" in err


def test_merge_fills_only_what_the_crm_does_not_know(tmp_path, playbook):
    from checker.inputs.accounts import read_accounts

    table = read_accounts(write(tmp_path, EXPORT, "export.csv"), playbook)
    path = write(tmp_path, f"{HEAD},customer_contacts_12m,open_books\nA1,Alpha,2026-10-01,Anna,exploratory,2,yes\nA2,Beta,2026-10-01,Anna,,5,yes\n"
                           "A9,Alpha Oy,2026-10-01,Anna,,1,\n")
    merged = merge_reviews(table, read_assessments([path], playbook, AS_OF), playbook)
    contacts, books = table.columns.get("customer_contacts_12m"), table.columns.get("open_books")
    assert contacts[0] == 2 and contacts[1] == 5 and books[0] == 1 and books[1] == 1  # the CRM's 2 and yes stand; gaps filled
    assert merged.used["customer_contacts_12m"].tolist() == [False, True, False]
    assert merged.used["open_books"].tolist() == [True, False, False]
    assert table.declared[0] == "exploratory" and merged.stage_from_review == {0}
    assert not [n for n in table.notes.get(0, []) if n.code == "data.no_stage"]
    assert merged.disagreements == []
    (review, hint), = merged.unmatched
    assert review.account_id == "A9" and "has id A1" in hint.render("en")
    assert canonical_text(merged.reviewed[0].values["open_books"]) == "yes"


def test_the_schema_describes_the_columns_the_reader_takes(tmp_path, playbook):
    import json

    from checker.inputs.assessments import IDENTITY, OPTIONAL
    from checker.playbook.schemas import SCHEMA_DIR, validator

    schema = json.loads((SCHEMA_DIR / "assessments.schema.json").read_text(encoding="utf-8"))
    assert schema["required"] == list(IDENTITY) and set(schema["properties"]) == {*IDENTITY, *OPTIONAL}
    row = {"account_id": "A1", "account_name": "Alpha", "reviewed_on": "2026-10-01", "reviewer": "Anna", "declared_stage": "",
           "share_of_wallet": "0.45", "open_books": "yes", "last_health_check": "2026-09-01"}
    assert list(validator("assessments.schema.json").iter_errors(row)) == []
    path = write(tmp_path, ",".join(row) + "\n" + ",".join(row.values()) + "\n")
    assert read_assessments([path], playbook, AS_OF).reviews["A1"].values == {"share_of_wallet": 0.45, "open_books": True, "last_health_check": date(2026, 9, 1)}
    assert [e.message for e in validator("assessments.schema.json").iter_errors({**row, "reviewer": ""})]
    assert all(s == s.lower() for s in playbook.signals)  # every signal id fits the schema's column names


def test_a_reviews_stage_stands_in_for_one_the_playbook_does_not_know(tmp_path, playbook):
    from checker.inputs.accounts import read_accounts

    table = read_accounts(write(tmp_path, "account_id,account_name,declared_stage\nA1,Alpha,Partnership\n", "export.csv"), playbook)
    merge_reviews(table, read_assessments([write(tmp_path, f"{HEAD}\nA1,Alpha,2026-10-01,Anna,basic\n")], playbook, AS_OF), playbook)
    assert table.declared == ["basic"]
    assert [n.code for n in table.notes[0]] == ["data.unknown_stage"]  # the CRM's own value is still reported
