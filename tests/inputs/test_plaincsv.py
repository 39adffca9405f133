"""The DuckDB route for plain CSV files gives exactly what the csv-module route gives.

Each case is read twice, once as usual and once with the plain route switched off; the
two account tables must agree in every id, value, note, unusable row and line number.
"""
from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

import numpy as np
import pytest
import yaml

from checker.check import Inputs, choose_mapping
from checker.inputs.accounts import AccountTable, read_accounts
from checker.inputs.files import InputError
from checker.inputs.plaincsv import CAST, PlainCsv, _in_range, _plain_value
from checker.inputs.values import parse_cell
from checker.playbook.model import Signal

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
HEAD = ("account_id,account_name,owner,declared_stage,share_of_wallet,purchases_12m,customer_contacts_12m,"
        "open_books,last_interaction,revenue_12m,portfolio_class,relationship_start\n")

#: name -> (file body after HEAD, whether the plain route should take it)
CASES = {
    "plain": (("A1,Alpha,Eeva,basic,0.4,3,2,yes,2026-10-01,1200.50,++,2019-05-01\n"
              "A2,Beta,,Yhteistyövaihe,,0,,no,,,--,\n"), True),
    "finnish forms": (("A1,Alpha,,basic,45 %,3,2,KYLLÄ,1.10.2026,\"1 200,50\",+ +,2019-05-01\n"
                      "A2,Beta,,cooperation,n/a,-,,ei,2026-10-01,€ 300,+-,\n"), True),
    "bad values": (("A1,Alpha,,basic,150 %,2.5,x,maybe,2026-02-31,abc,+++,0000-01-01\n"
                   "A2,Beta,,basic,nan,inf,-3,2,31.2.2026,1e3,??,2026-13-01\n"), True),
    "spaces": (("A1 , Alpha ,  , basic , 0.5 , 3 ,\t2\t, yes , 2026-10-01 , 12 ,  ++ , 2019-05-01 \n"
               "A2,Beta,,basic,   ,  ,,  ,,,,\n"), True),
    "repeated and missing ids": (("A1,Alpha,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n"
                                 ",Nameless,,basic,0.1,1,1,no,2026-10-01,10,++,2019-05-01\n"
                                 ",,,,,,,,,,,\n"
                                 "A1,Alpha again,,basic,0.9,9,9,no,2026-10-01,10,++,2019-05-01\n"
                                 "A3,Gamma,,unknown stage,1,1,1,1,2026-10-01,10,-+,2019-05-01\n"), True),
    "quoted cells": (('A1,"Alpha, Inc.",Eeva,"basic",0.4,3,2,yes,2026-10-01,"1,200.50",++,2019-05-01\n'
                     'A2,"Beta ""B""",,basic,0.4,3,2,yes,2026-10-01,12,++,2019-05-01\n'), True),
    "blank line": (("A1,Alpha,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n\n"
                   "A2,Beta,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n"), False),
    "multi-line cell": (('A1,"Alpha\nsecond line",,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n'
                        "A2,Beta,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n"), False),
    "ragged rows": ("A1,Alpha,,basic,0.4,3\nA2,Beta,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01,extra\n", False),
    "slashed dates": (("A1,Alpha,,basic,0.4,3,2,yes,25/10/2026,10,++,2019-05-01\n"
                      "A2,Beta,,basic,0.4,3,2,yes,03/10/2026,10,++,2019-05-01\n"), True),
}


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, playbook, inputs: Inputs | None = None) -> tuple[AccountTable, AccountTable, bool]:
    inputs = inputs or Inputs(path)
    mapping, _ = choose_mapping(inputs)
    taken = []
    real = PlainCsv.read

    def spy(self, *args):
        got = real(self, *args)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(PlainCsv, "read", spy)
    plain = read_accounts(path, playbook, mapping, date_format=inputs.date_format)
    with monkeypatch.context() as m:
        m.setattr(PlainCsv, "open", classmethod(lambda cls, _: None))
        reference = read_accounts(path, playbook, mapping, date_format=inputs.date_format)
    return plain, reference, any(taken)


def _notes(table: AccountTable) -> dict:
    """Data notes as plain text (a hint is a message object, compared by its English words)."""
    return {row: [(n.code, n.column, {k: str(v) for k, v in n.values.items()}) for n in notes] for row, notes in table.notes.items()}


def _same(a: AccountTable, b: AccountTable) -> None:
    assert (a.ids, a.names, a.owners, a.declared_raw, a.declared) == (b.ids, b.names, b.owners, b.declared_raw, b.declared)
    assert a.rows == b.rows
    assert _notes(a) == _notes(b)
    assert a.unusable == b.unusable and a.rows_read == b.rows_read
    assert (a.encoding, a.ignored_columns, a.footer_rows, a.mixed_encoding) == (b.encoding, b.ignored_columns, b.footer_rows, b.mixed_encoding)
    assert a.columns.present == b.columns.present
    for name in a.columns.present:
        assert np.array_equal(a.columns.get(name), b.columns.get(name), equal_nan=True), name


@pytest.mark.parametrize("case", CASES)
def test_both_routes_read_the_same(case, tmp_path, monkeypatch, playbook):
    body, plain_expected = CASES[case]
    path = tmp_path / "accounts.csv"
    path.write_text(HEAD + body, encoding="utf-8", newline="")
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken is plain_expected
    assert plain.ids
    _same(plain, reference)
    if case == "bad values":  # every signal cell but one (`1e3` reads as 1000) is unreadable: a data note each
        assert sum(1 for notes in plain.notes.values() for n in notes if n.code == "data.invalid_value") == 2 * 8 - 1
        assert plain.columns.get("revenue_12m")[1] == 1000


def test_lines_ended_by_carriage_returns_alone_take_the_csv_route(tmp_path, monkeypatch, playbook):
    path = tmp_path / "accounts.csv"
    path.write_text((HEAD + CASES["plain"][0]).replace("\n", "\r"), encoding="utf-8", newline="")
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert not taken and plain.ids == ["A1", "A2"]
    _same(plain, reference)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_other_encodings_take_the_plain_route_too(encoding, tmp_path, monkeypatch, playbook):
    path = tmp_path / "accounts.csv"
    text = HEAD.replace(",", ";").replace("\n", "\r\n") + "A1;Ääninen Oy;Eeva;Yhteistyövaihe;0,4;3;2;kyllä;1.10.2026;1200,50;++;2019-05-01\r\n"
    path.write_bytes(text.encode(encoding))
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken
    assert plain.names == ["Ääninen Oy"] and plain.declared == ["cooperation"]
    _same(plain, reference)


def test_a_file_mixing_utf8_and_latin1_lines_takes_the_plain_route_with_its_counts(tmp_path, monkeypatch, playbook):
    path = tmp_path / "accounts.csv"
    path.write_bytes(HEAD.encode() + "A1,Panadería,Eeva,basic,0.4,3,2,yes,2026-10-01,1200.50,++,2019-05-01\n".encode("latin-1")
                     + "A2,ÁVILA Café,,basic,,0,,no,,,--,\n".encode() + b"A3,Ferreter\xeda\x8d,,basic,,1,,no,,,--,\n")
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken and plain.encoding == "mixed" and plain.mixed_encoding == (1, 2)
    assert plain.names == ["Panadería", "ÁVILA Café", "Ferretería\x8d"]
    _same(plain, reference)


def _fixture_inputs(folder: Path) -> Inputs:
    """The account export of a bundled CRM fixture, with the options its expected.yaml runs it with."""
    args = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["args"]
    options = dict(zip(args[1::2], args[2::2], strict=True)) if len(args) % 2 else {}
    mapping = options.get("--mapping")
    return Inputs(folder / args[0], preset=options.get("--preset", "auto"), mapping=folder / mapping if mapping else None,
                  date_format=options.get("--date-format"))


@pytest.mark.parametrize("folder", sorted(p.parent for p in EXPORTS.glob("*/expected.yaml") if p.parent.name != "bad"), ids=lambda p: p.name)
def test_bundled_exports_read_the_same(folder, monkeypatch, playbook):
    inputs = _fixture_inputs(folder)
    if inputs.accounts.suffix != ".csv":
        pytest.skip("not a CSV export")
    plain, reference, _ = _both(inputs.accounts, monkeypatch, playbook, inputs)
    _same(plain, reference)


def test_the_sample_export_takes_the_plain_route(monkeypatch, playbook):
    plain, reference, taken = _both(ROOT / "docs" / "samples" / "accounts.csv", monkeypatch, playbook)
    assert taken
    _same(plain, reference)


def test_a_large_plain_file_keeps_file_order(tmp_path, monkeypatch, playbook):
    # DuckDB reads big files in parallel; rows must still come out in file order.
    lines = [f"A{i},Name {i},,basic,0.{i % 10},{i % 7},{i % 5},yes,2026-10-01,{i},++,2019-05-01\n" for i in range(60_000)]
    path = tmp_path / "accounts.csv"
    path.write_text(HEAD + "".join(lines), encoding="utf-8")
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken and plain.ids[:3] == ["A0", "A1", "A2"] and plain.ids[-1] == "A59999"
    _same(plain, reference)


def test_a_utf8_file_is_outlined_block_by_block(tmp_path):
    from checker.inputs.plaincsv import _utf8_outline

    path = tmp_path / "a.csv"
    body = "id,name\n" + "".join(f"A{i},Ä{'ö' * (i % 50)}\n" for i in range(5000))  # ä and ö straddle 64 KB blocks
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    head, lines, blank = _utf8_outline(path)
    assert head.startswith("id,name\nA0,Ä") and lines == 5001 and not blank  # the BOM dropped; header and 5,000 rows
    path.write_bytes(body.rstrip("\n").encode("utf-8"))
    assert _utf8_outline(path)[1] == 5001  # the same lines without the last line end
    path.write_bytes(body.encode("utf-8") + "é".encode("cp1252"))  # Windows-1252 after 100 KB of UTF-8
    assert _utf8_outline(path) is None
    path.write_bytes(body.encode("utf-8") + "é".encode()[:1])  # cut in the middle of a character
    assert _utf8_outline(path) is None
    path.write_bytes(b" \n\n  ")
    assert _utf8_outline(path)[2] is True
    path.write_bytes("id\n".encode("utf-16"))
    assert _utf8_outline(path) is None


def test_the_scan_holds_no_join(tmp_path, playbook):
    # File order rests on the scan being a pure projection: DuckDB plans `x IN (…)` over a
    # few words as a hash join, which hands back 2,048-row batches out of order.
    import duckdb

    path = tmp_path / "accounts.csv"
    path.write_text(HEAD + "A1,Alpha,,basic,0.4,3,2,yes,2026-10-01,10,++,2019-05-01\n", encoding="utf-8")
    plain = PlainCsv.open(path)
    names = HEAD.strip().split(",")
    numbers = {n: (i, playbook.signals[n]) for i, n in enumerate(names) if n in playbook.signals}
    assert {s.type for _, s in numbers.values()} >= {"boolean", "category", "share", "count", "date", "amount"}
    plan = "".join(row[1] for row in duckdb.connect().execute("EXPLAIN " + plain.read_query(numbers)).fetchall())
    assert "READ_CSV" in plan and "JOIN" not in plan.upper()
    plain.close()


#: Cells that real exports hold, tricky ones included; random files are made of them.
_CELLS = ["", " ", "0", "1", "3", " 7 ", "2.5", "0.45", "45 %", "1,5", "1 200,50", "-3", "1e3", "nan", "inf", "n/a", "-",
          "yes", "no", "KYLLÄ", "ei", "true", "x", "maybe", "2026-10-01", "2026-02-31", "1.10.2026", "31.2.2026",
          "25/10/2026", "0000-01-01", "2026-10-01T10:00:00", "++", "+ +", "--", "-+", "??", "basic", "Yhteistyövaihe",
          "quoted, comma", 'a "quote"', "€ 300", "\t2\t", "9" * 400, "-" + "9" * 20, "99999999999999.5", "999999999999999",
          "1000000000000000", "0000000000000000001", "²", "١٢"]


@pytest.mark.parametrize("seed", range(40))
def test_random_files_read_the_same_by_both_routes(seed, tmp_path, monkeypatch, playbook):
    import random

    rng = random.Random(seed)
    width = HEAD.count(",") + 1
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n")  # quotes a cell only when it must, like a CRM
    for n in range(rng.randint(1, 8)):
        cells = [rng.choice(["", f"A{rng.randint(1, 5)}", f"A{n}"]), f"Name {n}", rng.choice(["", "Eeva"]),
                 rng.choice(["basic", "cooperation", "Integroitu vaihe", "", "nonsense"])]
        writer.writerow(cells + [rng.choice(_CELLS) for _ in range(width - len(cells))])
    path = tmp_path / "accounts.csv"
    path.write_text(HEAD + body.getvalue(), encoding="utf-8", newline="")
    try:
        plain, reference, taken = _both(path, monkeypatch, playbook)
    except InputError as exc:  # the same input error on both routes is agreement too (anything else fails the test)
        with monkeypatch.context() as m:
            m.setattr(PlainCsv, "open", classmethod(lambda cls, _: None))
            with pytest.raises(type(exc)) as again:
                read_accounts(path, playbook)
        assert str(again.value) == str(exc)
        return
    assert taken  # every file here is plain: well-formed rows, one per line
    _same(plain, reference)


#: Pieces of number-like texts: digits, signs, points, exponents, `_`, spaces, words DuckDB or
#: Python read as numbers (`nan`, `inf`), and what only parse_cell reads (`,`, `%`, `€`, `٣`).
NUMBER_BITS = ["0", "1", "5", "9", "00", "12", "0.5", "+-", "999999999999999", "1000000000000000", ".", "-", "+", "e", "E", "_", " ",
               "\t", "nan", "inf", "n/a", ",", "%", "€", "\u00a0", "\u0663", "e-3", "e400", "-0"]


def _number_texts(n: int, seed: int = 23) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(NUMBER_BITS) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def test_number_cells_read_by_duckdb_are_read_as_parse_cell_reads_them(tmp_path, monkeypatch, playbook):
    texts = _number_texts(3000)
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["account_id", "account_name", "declared_stage", "purchases_12m", "share_of_wallet", "revenue_12m"])
        for i, text in enumerate(texts):
            out.writerow([f"A{i}", "Name", "basic", text, texts[i - 1], texts[i - 2]])
    monkeypatch.setattr(PlainCsv, "odd_texts_by_scan", lambda *_: pytest.fail("the cells not in plain form are cut from their lines"))
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken and len(plain.ids) == 3000
    _same(plain, reference)
    assert sum(1 for notes in plain.notes.values() for n in notes if n.code == "data.invalid_value") > 1000  # many are no numbers


@pytest.mark.parametrize("kind", CAST)
def test_a_number_duckdb_reads_in_range_is_the_value_parse_cell_gives(kind):
    """What `PlainCsv.read` keeps of DuckDB's cast (a number `_in_range`) is exactly parse_cell's value."""
    import duckdb

    texts = _number_texts(4000, seed=25)
    with duckdb.connect() as db:
        sql = _plain_value("t", Signal("s", kind, {}))  # what the plain route asks DuckDB (NULL: empty; -inf: not read)
        numbers = [v for (v,) in db.execute(f"SELECT {sql} FROM unnest(?) AS u(t)", [texts]).fetchall()]
    kept = 0
    for text, number in zip(texts, numbers, strict=True):
        if number is None or not _in_range(np.array([number]), kind)[0]:
            continue  # parse_cell reads it, as on the csv route
        kept += 1
        value = float(parse_cell(text, kind))
        number = number + 0.0 if kind == "count" else number
        assert value == number and math.copysign(1, value) == math.copysign(1, number), text
    assert kept > 100


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\r\n")])
def test_cells_not_in_plain_form_are_re_read_from_their_lines_as_a_second_pass_reads_them(encoding, newline, tmp_path, monkeypatch, playbook):
    """`odd_texts` cuts the lines of the cells `read` found not plain as DuckDB cut the file:
    quoted cells, CRLF, a BOM, a Windows-1252 file (read from its UTF-8 copy) alike."""
    rows = [["A1", "Äijä, Oy", "", "basic", "45 %", "1 200", "n/a", "", "", "", "", "31.12.2019"],
            ["A2", 'The "best"', "Eeva", "basic", "0.4", "3", "2", "yes", "2026-10-01", "10", "", "2019-05-01"],
            ["A3", "Ö", "", "basic", "0,5", "1e3", "-", "KYLLÄ", "1.10.2026", "", "", ""]]
    path = tmp_path / "accounts.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        f.write(HEAD.replace("\n", newline))
        csv.writer(f, lineterminator=newline).writerows(rows)
    names = HEAD.strip().split(",")
    numbers = {n: (i, playbook.signals[n]) for i, n in enumerate(names) if n in playbook.signals}
    scans = []
    by_scan = PlainCsv.odd_texts_by_scan
    monkeypatch.setattr(PlainCsv, "odd_texts_by_scan", lambda self, *a: scans.append(1) or by_scan(self, *a))
    plain = PlainCsv.open(path)
    texts, values, odd = plain.read([0, 1], numbers)
    assert not scans and texts[1] == ["Äijä, Oy", 'The "best"', "Ö"]
    assert odd["share_of_wallet"].tolist() == ["45 %", None, "0,5"]
    assert odd["relationship_start"].tolist() == ["31.12.2019", None, None]
    assert odd["last_interaction"].tolist() == [None, None, "1.10.2026"]
    not_plain = {name: np.array([cell is not None for cell in column]) for name, column in odd.items()}
    again = plain.odd_texts_by_scan(not_plain, numbers)
    assert {name: column.tolist() for name, column in again.items()} == {name: column.tolist() for name, column in odd.items()}
    assert math.isnan(values["share_of_wallet"][0]) and values["share_of_wallet"][1] == 0.4
    plain.close()
    plain, reference, taken = _both(path, monkeypatch, playbook)
    assert taken
    _same(plain, reference)


def test_lines_are_cut_as_split_cuts_them_across_blocks(tmp_path):
    from checker.inputs.plaincsv import _lines

    rng = random.Random(7)
    for trial in range(60):
        parts = [b"x" * rng.choice([0, 1, 7, 3_000_000 if trial % 10 == 0 else 40]) + b"%d\r" % i for i in range(rng.randint(1, 30))]
        data = b"\n".join(parts) + (b"\n" if trial % 2 else b"")
        path = tmp_path / "f.csv"
        path.write_bytes(data)
        wanted = sorted(rng.sample(range(len(parts) + 2), rng.randint(1, 3)))
        assert _lines(path, wanted) == [parts[w] for w in wanted if w < len(parts)]
