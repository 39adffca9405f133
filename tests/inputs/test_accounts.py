from __future__ import annotations

from pathlib import Path

import pytest

from checker.inputs.accounts import InputError, normalise_header, read_accounts, stage_lookup

HEADER = "account_id,account_name,declared_stage,share_of_wallet,purchases_12m\n"


def values(table, index):
    """Parsed values of one account, by signal."""
    from checker.playbook.model import load_playbook

    signals = load_playbook().signals
    return {name: table.columns.value(name, index, signals) for name in sorted(table.columns.present)}


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "accounts.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(("raw", "expected"), [(" Share of Wallet ", "share_of_wallet"), ("ACCOUNT_ID", "account_id"), ("declared-stage", "declared_stage"), ("purchases  12m", "purchases_12m")])
def test_header_matching_ignores_case_spaces_and_separators(raw, expected):
    assert normalise_header(raw) == expected


def test_stage_names_and_aliases_in_both_languages(playbook):
    lookup = stage_lookup(playbook)
    assert lookup["cooperation"] == "cooperation"
    assert lookup["yhteistyövaihe"] == "cooperation"
    assert lookup["keskinäisen riippuvuuden vaihe"] == "interdependence"
    assert lookup["integrated stage"] == "integrated"
    assert lookup["paused"] == "paused"
    assert lookup["drawn out"] == "drawn-out"


def test_reads_accounts_and_accounts_for_every_row(tmp_path, playbook):
    path = write(tmp_path, HEADER + "A1,Acme,COOPERATION,45 %,3\n\nA2,Beta,Perusvaihe,,\n,NoId,basic,,\nA1,Again,basic,,\n")
    table = read_accounts(path, playbook)
    assert table.ids == ["A1", "A2"]
    assert table.declared == ["cooperation", "basic"]
    assert values(table, 0) == {"share_of_wallet": 0.45, "purchases_12m": 3}
    assert values(table, 1) == {"share_of_wallet": None, "purchases_12m": None}
    assert table.rows == [2, 4]
    assert [(u.row, u.code) for u in table.unusable] == [(5, "data.no_account_id"), (6, "data.duplicate_account")]
    assert table.rows_read == len(table) + len(table.unusable) == 4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings_excel_writes(tmp_path, playbook, encoding):
    path = write(tmp_path, HEADER + "A1,Pääkonttori Oy,yhteistyövaihe,0.5,2\n", encoding)
    table = read_accounts(path, playbook)
    assert table.names == ["Pääkonttori Oy"]
    assert table.declared == ["cooperation"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters(tmp_path, playbook, delimiter):
    path = write(tmp_path, (HEADER + "A1,Acme,basic,\"0,2\",4\n").replace(",", delimiter).replace('"0' + delimiter + '2"', "0,2"))
    assert values(read_accounts(path, playbook), 0) == {"share_of_wallet": 0.2, "purchases_12m": 4}


def test_missing_required_column_is_named_with_a_suggestion(tmp_path, playbook):
    path = write(tmp_path, "account_id,account_nme,declared_stage\nA1,Acme,basic\n")
    with pytest.raises(InputError, match=r"line 1: missing required column\(s\) 'account_name' \(did you mean 'account_nme'\?\)"):
        read_accounts(path, playbook)


def test_bad_cells_become_notes_not_dropped_rows(tmp_path, playbook):
    path = write(tmp_path, HEADER + "A1,Acme,basic,150 %,several\nA2,Beta,basic,x,1,extra\nA3,Gamma\n")
    table = read_accounts(path, playbook)
    notes = {table.ids[i]: [(n.code, n.column) for n in ns] for i, ns in table.notes.items()}
    assert notes["A1"] == [("data.invalid_value", "share_of_wallet"), ("data.invalid_value", "purchases_12m")]
    assert notes["A2"][0] == ("data.ragged_long", None)
    assert ("data.ragged_short", None) in notes["A3"]
    assert values(table, 0) == {"share_of_wallet": None, "purchases_12m": None}



def test_a_long_bad_cell_is_quoted_shortened(tmp_path, playbook):
    # Someone pasted a note into a number column: the message quotes its start, not all of it.
    pasted = "Called twice with no answer so we try again next week " * 5
    table = read_accounts(write(tmp_path, HEADER + f"A1,Acme,basic,0.5,{pasted}\nA2,Beta,basic,0.5,{'9' * 400}\n"), playbook)
    quoted = [n.values["value"] for ns in table.notes.values() for n in ns]
    assert [len(q) for q in quoted] == [60, 60] and all(q.endswith("…") for q in quoted)
    assert quoted[0].startswith("Called twice") and [n.values["reason"] for ns in table.notes.values() for n in ns] == ["reason.count", "reason.too_large"]

@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04rest-of-zip", r"zip or Excel \(.xlsx\) file, not CSV"),
        (b"\x00\x01\x02binary", "not a text file"),
        (b"account_id,account_id,account_name,declared_stage\n", "appears twice"),
    ],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, playbook, content, message):
    path = tmp_path / "accounts.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_accounts(path, playbook)


@pytest.mark.parametrize(("cells", "date_format", "expected"), [
    (["13/04/2026", "03/04/2026"], None, "2026-04-03"),
    (["04/13/2026", "04/03/2026"], None, "2026-04-03"),
    (["03/04/2026"], "mdy", "2026-03-04"),
])
def test_slashed_dates_take_the_order_the_column_shows(tmp_path, playbook, cells, date_format, expected):
    rows = "".join(f"A{i},Acme,basic,{c}\n" for i, c in enumerate(cells))
    path = write(tmp_path, "account_id,account_name,declared_stage,next_review\n" + rows)
    table = read_accounts(path, playbook, date_format=date_format)
    assert str(table.columns.value("next_review", len(cells) - 1, playbook.signals)) == expected


def test_ambiguous_slashed_dates_are_an_error_not_a_guess(tmp_path, playbook):
    path = write(tmp_path, "account_id,account_name,declared_stage,next_review\nA1,Acme,paused,03/04/2026\n")
    with pytest.raises(InputError, match=r"column 'next_review': dates such as '03/04/2026' could be day/month or month/day.*--date-format"):
        read_accounts(path, playbook)



def test_data_notes_name_the_column_as_the_users_file_spells_it(tmp_path, playbook):
    from datetime import date

    from checker.check import Inputs, choose_mapping
    from checker.evaluate import Evaluator

    path = write(tmp_path, "Account ID,Account Name,Business Type,Wallet Share\nA1,Acme,Partner,lots\nA2,,,0.5\n")
    mapping_file = tmp_path / "ours.yaml"
    mapping_file.write_text("kind: mapping\naccounts:\n  declared_stage: [Business Type]\n  share_of_wallet: [Wallet Share]\n", encoding="utf-8")
    mapping, _ = choose_mapping(Inputs(path, preset="canonical", mapping=mapping_file))
    table = read_accounts(path, playbook, mapping)
    evaluation = Evaluator(playbook, date(2026, 10, 31), "en", "http://h").evaluate(table)
    messages = [f.message for findings in evaluation.findings for f in findings if f.kind == "data"]
    assert "Row 2: Business Type 'Partner' is not a stage or ending of the playbook" in " ".join(messages)
    assert "Row 2, column Wallet Share: 'lots' cannot be used" in " ".join(messages)
    assert "Row 3: Business Type is empty" in " ".join(messages) and "Row 3: Account Name is empty." in messages
    assert not any("declared_stage" in m or "share_of_wallet" in m for m in messages)


def test_unusable_rows_name_the_id_column_as_the_users_file_spells_it(tmp_path, playbook):
    from checker.inputs.mappings import Mapping, presets

    path = write(tmp_path, '"Id","Name","OwnerId","Type"\n"001A","Acme","005A","basic"\n"","Beta","005A","basic"\n"001A","Again","005A","basic"\n')
    mapping = presets()["salesforce"].merged(Mapping("custom", "custom", {"accounts": {"declared_stage": ["Type"]}}))
    table = read_accounts(path, playbook, mapping)
    messages = [playbook.text(u.code, lang, row=u.row, **u.values) for u in table.unusable for lang in ("en", "fi")]
    assert messages == ["Row 3: Id is empty, so the row could not be checked.", "Rivi 3: Id on tyhjä, joten riviä ei voitu tarkistaa.",
                        "Row 4 repeats Id '001A' from row 2; only row 2 was checked. Merge or remove the duplicate.",
                        "Rivi 4 toistaa rivin 2 tunnuksen '001A' (sarake Id); vain rivi 2 tarkistettiin. Yhdistä tai poista kaksoiskappale."]


@pytest.mark.parametrize("plain", [True, False], ids=["plain route", "csv route"])
def test_a_table_with_unreadable_cells_is_freed_without_the_cycle_collector(tmp_path, playbook, plain):
    """A kept BadValue holds no traceback: its frames would hold it back (a cycle), and with it
    the whole call stack's data, until the cycle collector, paused during a check, walks all of it."""
    import gc
    import weakref

    text = HEADER + "A1,Alpha,basic,150 %,several\nA2,Beta,basic,abc,2.5\nA3,Gamma,basic,0.5,3\n"
    path = write(tmp_path, text if plain else text.replace("\n", "\n\n"))  # blank lines: not plain
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        table = read_accounts(path, playbook)
        assert sum(len(notes) for notes in table.notes.values()) == 4
        gone = weakref.ref(table.columns.get("purchases_12m"))  # the reader's locals held it
        del table
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
