from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

from checker.inputs.files import _decode_mixed_line, decode_lines, decode_text, read_table, read_xlsx

# Shaped like a Salesforce Data Export's Account.csv: every cell quoted, mostly ISO-8859-1,
# a few lines pasted in as UTF-8, one of them with Á (0xc3 0x81: 0x81 is undefined in
# Windows-1252), and a stray 0x8d on a Latin-1 line. Names made up.
MIXED = (
    b'"Id","Name","Type","BillingCity"\n'
    b'"001000000000001AAA","Panader\xeda Ejemplo","Customer","Le\xf3n"\n'
    b'"001000000000002AAA","Caf\xc3\xa9 Inventado","Partner","CIUDAD \xc3\x81VILA"\n'
    b'"001000000000003AAA","Ferreter\xeda Ficticia\x8d","Customer","Medell\xedn"\n'
    b'"001000000000004AAA","Plain Ascii Ltd","Customer","Lima"\n'
)


def test_a_latin1_file_with_some_utf8_lines_is_decoded_line_by_line():
    text, encoding, mixed = decode_text(MIXED, "Account.csv")
    assert encoding == "mixed" and mixed == (1, 2)  # lines with non-ASCII bytes: 1 UTF-8, 2 Latin-1
    assert "Panadería Ejemplo" in text and "León" in text
    assert "Café Inventado" in text and "CIUDAD ÁVILA" in text
    assert "Ferretería Ficticia\x8d" in text  # the byte Windows-1252 leaves undefined, as Latin-1


def test_a_windows_1252_file_with_no_utf8_line_is_not_called_mixed():
    text, encoding, mixed = decode_text("a;b\nPääkonttori;€ 5\n".encode("cp1252"), "x.csv")
    assert (encoding, mixed) == ("windows-1252", None) and "Pääkonttori;€ 5" in text


def test_read_table_keeps_the_counts_of_a_mixed_file(tmp_path):
    path = tmp_path / "Account.csv"
    path.write_bytes(MIXED)
    table = read_table(path)
    assert table.encoding == "mixed" and table.mixed == (1, 2)
    assert [row[1] for row in table.rows] == ["Panadería Ejemplo", "Café Inventado", "Ferretería Ficticia\x8d", "Plain Ascii Ltd"]
    assert table.lines == [2, 3, 4, 5]


def _xlsx_openpyxl_warns_about(path: Path) -> Path:
    """A workbook shaped like Dynamics' Export to Excel in what openpyxl warns about: no default
    cell style and a data-validation extension."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["account_id", "account_name", "declared_stage"])
    book.active.append(["A1", "Acme", "basic"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/styles.xml":
                data = re.sub(rb"<cellStyles.*?</cellStyles>", b"", data, flags=re.S)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
                                    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                                    b'<x14:dataValidations count="0"/></ext></extLst></worksheet>')
            target.writestr(name, data)
    return path


def test_openpyxl_warnings_about_a_dynamics_workbook_are_silenced(tmp_path):
    path = _xlsx_openpyxl_warns_about(tmp_path / "Active Accounts.xlsx")
    import openpyxl

    with warnings.catch_warnings(record=True) as seen:  # the workbook does make openpyxl warn…
        warnings.simplefilter("always")
        list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(seen) == 2
    with warnings.catch_warnings(record=True) as seen:  # …but not when the checker reads it
        warnings.simplefilter("always")
        table = read_xlsx(path, None)
    assert seen == [] and table.rows == [["A1", "Acme", "basic"]]


def test_other_warnings_are_not_silenced_while_reading_a_workbook(tmp_path, monkeypatch):
    import openpyxl

    path = _xlsx_openpyxl_warns_about(tmp_path / "a.xlsx")
    real = openpyxl.load_workbook

    def load(*args: object, **kwargs: object):
        warnings.warn("not openpyxl's", DeprecationWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", load)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        read_xlsx(path, None)
    assert [str(w.message) for w in seen] == ["not openpyxl's"]


def test_decoding_line_by_line_is_the_same_as_deciding_each_line_alone():
    """decode_lines tries only the lines with a UTF-8 sequence; the result is as if every line were tried."""
    import random

    def each_line(raw: bytes) -> tuple[str, int, int]:
        out, utf8, legacy = [], 0, 0
        for line in raw.split(b"\n"):
            try:
                out.append(line.decode("utf-8"))
                utf8 += not line.isascii()
            except UnicodeDecodeError:
                both = _decode_mixed_line(line)
                out.append(line.decode("cp1252", "playbook-latin1") if both is None else both)
                utf8 += both is not None
                legacy += 1
        return "\n".join(out), utf8, legacy if utf8 else 0

    pieces = [b"plain\n", "Pää\n".encode("cp1252"), "Pää\n".encode(), b"\x81x\n", b"\xc3\x81 \xe9\n", b"\n", "€ ok\n".encode(), b"end",
              "\xd1\xa0 x\n".encode("latin-1")]
    rng = random.Random(11)
    for _ in range(2000):
        raw = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert decode_lines(raw) == each_line(raw), raw


def test_a_line_mixing_utf8_and_windows_1252_cells_reads_both_right():
    """A made-up Data Export line: one cell pasted as UTF-8, the next typed in Latin-1."""
    raw = b'Id,Name,City\n001A,' + "Ángel Pérez".encode() + b',' + "Mérida".encode("cp1252") + b'\n'
    text, utf8, legacy = decode_lines(raw)
    assert text.splitlines()[1] == "001A,Ángel Pérez,Mérida"
    assert "Ã" not in text
    assert (utf8, legacy) == (1, 1)  # the line holds both, so it counts each way


def test_windows_1252_bytes_that_only_look_like_utf8_stay_windows_1252():
    """`Ñ` followed by a no-break space is valid UTF-8 (a Cyrillic letter) but not plausible text."""
    raw = "ESPAÑA\xa0 y más\n".encode("cp1252")
    assert decode_lines(raw)[0] == "ESPAÑA\xa0 y más\n"
