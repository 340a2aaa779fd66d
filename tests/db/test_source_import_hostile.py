"""Hostile files of sources (db.source_import, source_file), on SQLite and PostgreSQL: what test_source_import.py
does not already try.

Broken and oversized spreadsheets (a truncated zip, one that unpacks too large or lies about its size,
more rows than allowed), text in other encodings (Latin-1, UTF-16 without its BOM, a file that changes
encoding half-way, a NUL), a stray quote, and names that look like spreadsheet formulas. Each refusal
names its line (and column, when there is one) and writes nothing; a formula-looking name is stored as
the text it is (tests/webui/test_hostile_names.py follows such names into the Excel and CSV reports).
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from db_world import World, counts
from openpyxl import Workbook
from test_source_import import TITLES, a_person, code_of, csv_bytes, problems, run_import

from ketnap import source_file

pytestmark = pytest.mark.db
FORMULAS = ['=HYPERLINK("http://evil.example","bấm")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "=1+1", "\t=1"]


def xlsx_bytes(rows: Sequence[Sequence[Any]], formula_text: bool = True) -> bytes:
    """A workbook with the sheet «Nguồn»; a string starting with '=' is written as text (quote prefix) unless
    `formula_text` is False, when openpyxl writes it as a formula (with no value computed, as a script's file has)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nguồn"
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if formula_text and isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type, cell.quotePrefix = "s", True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_rows(world: World, n: int, **cells: Any) -> list[list[Any]]:
    people = [a_person(code_of(world, "branch"), **cells) for _ in range(n)]
    titles = list(people[0])
    return [titles] + [[p[t] for t in titles] for p in people]


def assert_refused(world: World, data: bytes, expected: set[tuple[int | None, str | None]], words: str = "",
                   filename: str = "nguon.csv") -> None:
    """Refused on the named lines and columns, for a check and for an import alike, and nothing written."""
    before = counts(world.engine)
    for dry_run in (True, False):
        report = run_import(world, data, dry_run=dry_run, filename=filename)
        assert not report.ok and problems(report) == expected, report.errors
        assert all(words in e.message for e in report.errors), report.errors
        assert all(row.dossier_id is None for row in report.rows)
    assert counts(world.engine) == before


# -- spreadsheets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.99])
def test_a_truncated_xlsx_is_unreadable_not_a_crash(world: World, keep: float) -> None:
    data = xlsx_bytes(person_rows(world, 2))
    assert_refused(world, data[: int(len(data) * keep)], {(None, None)}, "Không đọc được tệp Excel", "nguon.xlsx")


def _padded(data: bytes, size: int) -> bytes:
    """The workbook with `size` bytes of XML comment in its sheet: a tiny zip that unpacks large."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            part = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                part = part.replace(b"</sheetData>", b"</sheetData><!--" + b"x" * size + b"-->")
            dst.writestr(item.filename, part)
    return out.getvalue()


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_file, "MAX_UNPACKED", 2**20)
    bomb = _padded(xlsx_bytes(person_rows(world, 1)), 4 * 2**20)
    assert len(bomb) < 64 * 1024
    assert_refused(world, bomb, {(None, None)}, "giải nén ra hơn 1 MB", "nguon.xlsx")


def test_an_xlsx_that_lies_about_its_unpacked_size_is_unreadable(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size check reads the sizes the zip declares; a part declaring 1,000 bytes and holding megabytes
    is not read past what it declared: the zip is broken, nothing more."""
    monkeypatch.setattr(source_file, "MAX_UNPACKED", 2**20)
    data = bytearray(_padded(xlsx_bytes(person_rows(world, 1)), 4 * 2**20))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        sheet = next(item for item in zf.infolist() if item.filename.endswith("sheet1.xml"))
    struct.pack_into("<I", data, sheet.header_offset + 22, 1000)  # the local header's uncompressed size
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # and the central directory's, which the size check reads
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + length].endswith(b"sheet1.xml"):
            struct.pack_into("<I", data, at + 24, 1000)
        at = data.find(b"PK\x01\x02", at + 4)
    assert_refused(world, bytes(data), {(None, None)}, "Không đọc được tệp Excel", "nguon.xlsx")


def test_too_many_rows_in_an_xlsx_are_refused_naming_the_line(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_file, "MAX_ROWS", 2)
    assert_refused(world, xlsx_bytes(person_rows(world, 3)), {(4, None)}, "hơn 2 dòng", "nguon.xlsx")


def test_a_file_of_more_rows_than_allowed_is_refused_at_the_first_one_too_many(world: World) -> None:
    data = ("\r\n".join([";".join(TITLES)] + ["x"] * (source_file.MAX_ROWS + 1)) + "\r\n").encode()
    report = run_import(world, data, dry_run=True)
    assert problems(report) == {(source_file.MAX_ROWS + 2, None)} and "200.000" in report.errors[0].message


def test_a_file_over_the_size_limit_is_refused_whole(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_file, "MAX_BYTES", 1000)
    data = csv_bytes([a_person(code_of(world, "branch")) for _ in range(10)])
    assert len(data) > 1000
    for name, content in (("nguon.csv", data), ("nguon.xlsx", xlsx_bytes(person_rows(world, 10)))):
        assert_refused(world, content, {(None, None)}, "Tệp lớn hơn", name)


def test_a_formula_without_its_value_leaves_the_name_missing(world: World) -> None:
    """A name written as a real formula (a script's file, no value computed) is no name: refused on its cell."""
    rows = person_rows(world, 2)
    rows[2][0] = '=HYPERLINK("http://evil.example","bấm")'
    assert_refused(world, xlsx_bytes(rows, formula_text=False), {(3, "Họ và tên")}, filename="nguon.xlsx")


# -- text in other encodings -----------------------------------------------------------------------


def _header_and(*lines: str) -> str:
    return ";".join(TITLES) + "\r\n" + "".join(f"{line}\r\n" for line in lines)


ASCII_ROW = "Le Van An;05/05/2000;Nam;;Dai hoc;CB;01/03/2026"
ENGLISH = "full_name;date_of_birth;gender;citizen_id;education;registered_on\r\nLe Van;05/05/2000;male;;;\r\n"


@pytest.mark.parametrize(("data", "line"), [
    ((ENGLISH + "José Müller;05/05/2000;male;;;\r\n").encode("latin-1"), 3),
    (ENGLISH.encode("utf-16-le"), 1),
    (ENGLISH.encode("utf-16-be"), 1),
    (_header_and("Lê Văn An;05/05/2000;Nam;;;;").encode("utf-16-le"), 1),
    (_header_and("Lê Văn An;05/05/2000;Nam;;;;", "Trần Thị Bình;05/05/2000;Nữ;;;;").encode() + "Müller;;;;;;\r\n".encode("latin-1"), 4),
    (_header_and(ASCII_ROW, "Lê\x00Văn;05/05/2000;Nam;;;;").encode(), 3),
    (b"\x00" + _header_and(ASCII_ROW).encode(), 1),
], ids=["latin-1", "utf-16-le-without-bom", "utf-16-be-without-bom", "utf-16-vietnamese-without-bom", "utf-8-then-latin-1", "nul-in-a-cell",
        "nul-first"])
def test_text_that_is_not_utf8_is_refused_naming_its_line(world: World, data: bytes, line: int) -> None:
    assert_refused(world, data, {(line, None)}, "UTF-8")


def test_a_stray_quote_is_refused_on_its_line(world: World) -> None:
    """An opening quote never closed swallows the rest of the file into one cell: the row is refused on its
    line, and so is the file, whatever followed."""
    branch = code_of(world, "branch")
    data = csv_bytes([a_person(branch), a_person(branch, **{"Họ và tên": '"Lê Văn Trích'}), a_person(branch)])
    before = counts(world.engine)
    report = run_import(world, data)
    assert not report.ok and {line for line, _column in problems(report)} == {3} and counts(world.engine) == before


# -- names that look like formulas -----------------------------------------------------------------


def test_names_that_look_like_formulas_are_stored_as_the_text_they_are(world: World) -> None:
    branch = code_of(world, "branch")
    people = [a_person(branch, **{"Họ và tên": name}) for name in FORMULAS]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # quoted as a spreadsheet writes them
    writer.writerows([list(people[0]), *[list(p.values()) for p in people]])
    xlsx_people = [a_person(branch, **{"Họ và tên": name}) for name in FORMULAS]
    for data, filename, rows in ((out.getvalue().encode(), "nguon.csv", people),
                                 (xlsx_bytes([list(xlsx_people[0]), *[list(p.values()) for p in xlsx_people]]), "nguon.xlsx", xlsx_people)):
        report = run_import(world, data, filename=filename)
        assert report.ok, report.errors
        stored = [world.snapshot(row.dossier_id).subject["full_name"] for row in report.rows if row.dossier_id is not None]
        assert stored == [p["Họ và tên"].strip() for p in rows]
