"""The file of sources to import ("danh sách nguồn"), CSV or XLSX: its columns, reading it into rows, the template.

Pure: bytes in, rows of raw values out (what the candidate's and the register_source step's schemas load),
each with the line the user sees in the file (the header is line 1), and the problems of the file itself
(encoding, header, size) and of its cells (a choice or a yes/no that means nothing). Checking the rows
against the schemas and the database, and writing them, is ketnap.db.source_import's.

Decisions, each for a reason the user can see:

- A column is known by its Vietnamese title ("Họ và tên", "Số CCCD", …) or its English field name
  (full_name, citizen_id, …), compared without case, diacritics, '_' or a trailing '*'.
- CSV: UTF-8 (with or without the BOM Excel writes) or UTF-16 with its BOM; anything else is refused with
  the line of the first byte that is not UTF-8 — guessing a Windows code page (cp1258, TCVN3) could
  silently store garbled names in an audited record. A NUL is not text either (UTF-16 without its BOM
  reads as UTF-8 full of NULs when it is all ASCII): refused with its line. The delimiter (`,`, `;` or
  tab) is the one the header line uses most.
- XLSX: the sheet named "Nguồn", else the first one. Excel dates become ISO dates. A citizen ID typed as
  a number has lost its leading zeros (every number from Hà Nội starts 001): a whole number of at most
  12 digits is left-padded with zeros to 12. The padded number is then checked like any other, its
  province and its agreement with the date of birth and gender included, so a mistyped number is still
  caught. CSV text is never padded: there a short number is reported as such.
- Choices (gender, education, source category) are accepted as codes or as their Vietnamese or English
  names; yes/no columns as x, có, yes, 1 … or blank for no.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from .engine.rules import Message
from .engine.text import search_key
from .workflows import vocab
from .workflows.citizen_id import make_citizen_id

MAX_BYTES = 40 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNPACKED = 400 * 1024 * 1024  # an xlsx is a zip: its parts, unpacked, at most this
SHEET = "Nguồn"
FORMATS = ("csv", "xlsx")
M = Message


@dataclass(frozen=True)
class Column:
    """A column of the file: the field it fills (`key`), its title in the template, what it accepts."""

    key: str
    title: str
    kind: str  # text, date, choice, flag, citizen_id, reference (resolved against the database)
    help: Message
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


def _flag(key: str, title: str, *aliases: str) -> Column:
    return Column(key, title, "flag", M("x (có) hoặc để trống (không)", "x (yes) or blank (no)"), aliases=aliases)


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", "text", M("2–200 ký tự", "2–200 characters"), True, ("Họ tên",), "Nguyễn Văn An"),
    Column("date_of_birth", "Ngày sinh", "date", M("ngày/tháng/năm, ví dụ 05/05/2000", "day/month/year, e.g. 05/05/2000"),
           True, example="05/05/2000"),
    Column("gender", "Giới tính", "choice", M("Nam hoặc Nữ", "Nam (male) or Nữ (female)"), True, example="Nam"),
    Column("citizen_id", "Số CCCD", "citizen_id",
           M("12 chữ số; người đã có số này không được thêm lần nữa", "12 digits; a person already registered is not added again"),
           True, ("CCCD", "Số căn cước", "Số căn cước công dân", "Số định danh cá nhân"),
           make_citizen_id(date(2000, 5, 5), "male", 123, "051")),
    Column("ethnicity", "Dân tộc", "text", M("để trống: Kinh", "blank: Kinh"), example="Kinh"),
    Column("religion", "Tôn giáo", "text", M("để trống nếu không có", "blank if none")),
    Column("education", "Trình độ học vấn", "choice", M("một trong danh sách dưới đây", "one of the list below"), True,
           ("Học vấn",), vocab.EDUCATION_LEVELS["upper_secondary"][0]),
    Column("occupation", "Nghề nghiệp", "text", M("nghề nghiệp, nơi làm việc", "occupation, workplace"),
           aliases=("Nghề nghiệp, nơi làm việc",), example="Nông dân"),
    Column("branch", "Chi bộ", "reference",
           M("mã chi bộ (trong danh sách dưới đây, và ở trang «Chi bộ» của tệp mẫu .xlsx); để trống nếu bạn chỉ phụ trách một chi bộ",
             "the branch's code (listed below, and in the sheet «Chi bộ» of the .xlsx template); blank if you look after one branch only"),
           aliases=("Mã chi bộ", "branch_code"), example="CB-0-0"),
    Column("registered_on", "Ngày vào nguồn", "date", M("ngày/tháng/năm, không sau hôm nay", "day/month/year, not after today"),
           True, ("Ngày đưa vào nguồn",)),
    Column("source_category", "Nhóm nguồn", "choice", M("một trong danh sách dưới đây; để trống: Khác", "one of the list below; blank: other"),
           aliases=("Đối tượng nguồn",), example=vocab.SOURCE_CATEGORIES["union_member"]),
    Column("introducing_mass_org", "Đoàn thể giới thiệu", "reference",
           M("tên hoặc loại đoàn thể của cấp ủy cơ sở (ví dụ: Đoàn Thanh niên Cộng sản Hồ Chí Minh), hoặc mã số",
             "the name or kind of a mass organisation of the grassroots committee (e.g. youth_union), or its number"),
           aliases=("introducing_mass_org_id",), example=vocab.MASS_ORG_KINDS["youth_union"]),
    _flag("youth_union_member", "Đoàn viên"),
    _flag("trade_union_member", "Công đoàn viên", "Đoàn viên công đoàn"),
    _flag("religious_office", "Chức sắc, chức việc tôn giáo", "Là chức sắc, chức việc tôn giáo"),
    _flag("special_area", "Vùng cao, vùng sâu, vùng khó khăn", "Ở vùng cao, vùng sâu, vùng đặc biệt khó khăn"),
    _flag("sea_fisherman", "Ngư dân bám biển"),
    _flag("community_figure", "Người có uy tín", "Già làng, trưởng bản, người có uy tín"),
    _flag("lived_abroad", "Đã từng ở nước ngoài"),
    _flag("other_party_history", "Đã tham gia đảng phái khác"),
    _flag("no_branch_at_workplace", "Nơi làm việc chưa có tổ chức đảng"),
    Column("note", "Ghi chú", "text", M("tùy ý", "free text")),
)
BY_KEY = {column.key: column for column in COLUMNS}
EXAMPLE_FLAGS = {"youth_union_member": "x"}


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A title or a value as compared: 'Số CCCD *' -> 'so cccd', 'date_of_birth' -> 'date of birth'.
    Kept for the values seen last: a file repeats its choices on every row."""
    return search_key(text.replace("_", " ").replace("*", " ").strip(" :"))


_TITLES = {fold(name): column.key for column in COLUMNS for name in (column.title, column.key, *column.aliases)}


def _choices(codes: Iterable[str], *names: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for code in codes:
        found[fold(code)] = code
        for table in names:
            name = table[code]
            found[fold(name[0] if isinstance(name, tuple) else name)] = code
    return found


CHOICES: dict[str, dict[str, str]] = {
    "gender": _choices(vocab.GENDERS, {c: vi for c, (vi, _en) in vocab.GENDERS.items()}, {c: en for c, (_vi, en) in vocab.GENDERS.items()}),
    "education": _choices(vocab.EDUCATION_LEVELS, vocab.EDUCATION_LEVELS, vocab.EDUCATION_EN),
    "source_category": _choices(vocab.SOURCE_CATEGORIES, vocab.SOURCE_CATEGORIES, vocab.SOURCE_CATEGORIES_EN),
}
CHOICE_NAMES: dict[str, list[str]] = {
    "gender": [vi for vi, _en in vocab.GENDERS.values()],
    "education": [vi for vi, _rank in vocab.EDUCATION_LEVELS.values()],
    "source_category": list(vocab.SOURCE_CATEGORIES.values()),
}
YES = frozenset({"x", "co", "yes", "y", "true", "1", "dung", "v", "✓", "✔"})
NO = frozenset({"khong", "no", "n", "false", "0", "-"})


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file: the line as the user sees it (header = 1; None: the file as a whole),
    the column's title as written in the file (None: no one column), and what is wrong."""

    line: int | None
    column: str | None
    message: str
    key: str | None = None


@dataclass
class SourceRow:
    """One data row: its line, the raw values for the schemas and the references (by column key),
    and the problems of its cells found while reading."""

    line: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SourceFile:
    """What was read: the format and how, each column's title as written (by key), the rows, the problems."""

    format: str
    rows: list[SourceRow] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def title(self, key: str) -> str:
        """The column's title as in the file, or the template's when the file has no such column."""
        return self.titles.get(key) or BY_KEY[key].title


# -- reading ---------------------------------------------------------------------------------------


def read_source_file(data: bytes, filename: str = "", fmt: str | None = None) -> SourceFile:
    """The rows of a CSV or XLSX file (`fmt`, else the content and the file name's extension decide)."""
    kind, problem = _format_of(data, filename, fmt)
    found = SourceFile(kind)
    if problem is not None:
        found.problems.append(Problem(None, None, problem))
    elif len(data) > MAX_BYTES:
        found.problems.append(Problem(None, None, f"Tệp lớn hơn {MAX_BYTES // 2**20} MB: hãy chia thành nhiều tệp "
                                                  f"(the file is larger than {MAX_BYTES // 2**20} MB: split it)."))
    elif kind == "xlsx":
        _read_table(found, _xlsx_rows(data, found))
    else:
        _read_table(found, _csv_rows(data, found))
    return found


def _format_of(data: bytes, filename: str, fmt: str | None) -> tuple[str, str | None]:
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == "xls":
        return "xlsx", ("Tệp Excel 97–2003 (.xls) không đọc được: hãy lưu thành Excel Workbook (.xlsx) hoặc CSV UTF-8 "
                        "(old .xls files are not read: save as .xlsx or CSV UTF-8).")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx", None
    kind = fmt or ("xlsx" if suffix in ("xlsx", "xlsm") else "csv")
    if kind == "xlsx":
        return kind, "Tệp không phải Excel (.xlsx) (not an xlsx file)."
    if not data.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        return kind, "Tệp trống (the file is empty)."
    return kind, None


def _decode(data: bytes, found: SourceFile) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found.encoding, encoding = "utf-16", "utf-16"
    else:
        found.encoding = encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
    else:
        # NUL is never text: a file full of them is UTF-16 without its BOM, which decodes as "UTF-8" when it is all ASCII
        if (nul := text.find("\x00")) < 0:
            return text
        line = text.count("\n", 0, nul) + 1
    found.problems.append(Problem(line, None, (
        f"Tệp không phải văn bản UTF-8 (dòng {line} có ký tự không đọc được): trong Excel hãy lưu bằng «CSV UTF-8 "
        "(Comma delimited)», hoặc dùng tệp mẫu .xlsx (the file is not UTF-8: in Excel save it as 'CSV UTF-8', or use "
        "the .xlsx template).")))
    return None


def _delimiter(text: str) -> str:
    """The delimiter the header line (the first that is not blank) uses most, outside quotes (',' when none)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in text.lstrip("\r\n"):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif char in counts and not quoted:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def _csv_rows(data: bytes, found: SourceFile) -> Iterator[tuple[int, Sequence[Any]]]:
    text = _decode(data, found)
    if text is None:
        return
    found.delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=found.delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as err:
        found.problems.append(Problem(start, None, f"Dòng {start} không đọc được như CSV: {err} (not readable as CSV)."))


def _xlsx_rows(data: bytes, found: SourceFile) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook

    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > MAX_UNPACKED:
            found.problems.append(Problem(None, None, f"Tệp Excel giải nén ra hơn {MAX_UNPACKED // 2**20} MB: hãy chia nhỏ "
                                                      f"(the xlsx file unpacks to more than {MAX_UNPACKED // 2**20} MB)."))
            return
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - a hostile file may break the zip, XML or openpyxl anywhere: it is unreadable
        found.problems.append(Problem(None, None, f"Không đọc được tệp Excel: {type(err).__name__} (not a readable xlsx file)."))
        return
    try:
        sheet = next((ws for ws in book.worksheets if fold(ws.title) == fold(SHEET)), book.worksheets[0])
        found.sheet = sheet.title
        sheet.reset_dimensions()  # the declared size is the file's word: rows are not padded to it
        yield from enumerate(sheet.iter_rows(values_only=True), 1)
    except Exception as err:  # noqa: BLE001 - as above
        found.problems.append(Problem(None, None, f"Không đọc được tệp Excel: {type(err).__name__} (not a readable xlsx file)."))
    finally:
        book.close()


def _read_table(found: SourceFile, lines: Iterator[tuple[int, Sequence[Any]]]) -> None:
    """The first line that is not blank is the header; blank lines are skipped. A file whose header has a
    problem is not read further: its rows cannot be understood until the header is right."""
    header: list[str | None] | None = None
    for line, cells in lines:
        if all(_blank(cell) for cell in cells):
            continue
        if header is None:
            header = _header(found, line, cells)
            if found.problems:
                return
            continue
        if len(found.rows) >= MAX_ROWS:
            found.problems.append(Problem(line, None, f"Tệp có hơn {MAX_ROWS:,} dòng dữ liệu: hãy chia thành nhiều tệp ".replace(",", ".")
                                          + f"(more than {MAX_ROWS:,} rows: split the file)."))
            return
        found.rows.append(_row(found, header, line, cells))
    if header is None and not found.problems:
        found.problems.append(Problem(None, None, "Tệp trống: không có dòng tiêu đề (the file is empty: no header row)."))


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header(found: SourceFile, line: int, cells: Sequence[Any]) -> list[str | None]:
    keys: list[str | None] = []
    for cell in cells:
        title = "" if cell is None else str(cell).strip()
        key = _TITLES.get(fold(title)) if title else None
        if title and key is None:
            found.problems.append(Problem(line, title, f"Cột «{title}» không có trong mẫu nhập; xem tệp mẫu "
                                                       "(unknown column: see the template)."))
        elif key is not None and key in found.titles:
            found.problems.append(Problem(line, title, f"Cột «{title}» có hai lần (the same column twice).", key))
        elif key is not None:
            found.titles[key] = title
        keys.append(key)
    for column in COLUMNS:
        if column.required and column.key not in found.titles:
            found.problems.append(Problem(line, column.title, f"Thiếu cột «{column.title}» (missing column {column.key}).", column.key))
    return keys


def _row(found: SourceFile, header: Sequence[str | None], line: int, cells: Sequence[Any]) -> SourceRow:
    row = SourceRow(line, {})
    for index, cell in enumerate(cells):
        key = header[index] if index < len(header) else None
        if key is None:
            if not _blank(cell):
                row.problems.append(Problem(line, f"cột {index + 1}", f"Ô có giá trị nhưng cột {index + 1} không có tiêu đề "
                                                                      f"(a value in column {index + 1}, which has no header)."))
            continue
        value, problem = _value(BY_KEY[key], cell)
        if problem is not None:
            row.problems.append(Problem(line, found.title(key), problem, key))
        elif value is not None:
            row.values[key] = value
    return row


def _value(column: Column, cell: Any) -> tuple[Any, str | None]:
    """A cell as the schema takes it, or what is wrong with it; None for a blank cell."""
    if type(cell) is str:  # every CSV cell, most XLSX ones
        text = cell.strip()
    elif cell is None:
        return None, None
    else:
        number = _whole_number(cell)
        if column.kind == "citizen_id" and number is not None and 0 <= number < 10**12:
            return f"{number:012d}", None
        text = _text(cell)
    if not text:
        return None, None
    if column.kind == "choice":
        code = CHOICES[column.key].get(fold(text))
        if code is None:
            names = ", ".join(CHOICE_NAMES[column.key])
            return None, (f"«{text}» không có trong danh sách; dùng một trong: {names} "
                          f"(not one of the choices; the codes are also accepted: {', '.join(sorted(set(CHOICES[column.key].values())))}).")
        return code, None
    if column.kind == "flag":
        folded = fold(text)
        if folded in YES:
            return True, None
        if folded in NO:
            return False, None
        return None, f"«{text}» không phải có/không: ghi x cho có, để trống cho không (not yes/no: x for yes, blank for no)."
    return text, None


def _whole_number(cell: Any) -> int | None:
    """A spreadsheet number that is a whole number (Excel keeps every number as a float)."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return None


def _text(cell: Any) -> str:
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    number = _whole_number(cell)
    return str(number) if number is not None else str(cell).strip()


# -- the template ----------------------------------------------------------------------------------


def template_row(today: date, branch_code: str | None = None) -> list[str]:
    """The template's example row: a made-up person registered today in `branch_code`."""
    values = {column.key: column.example for column in COLUMNS}
    values.update(EXAMPLE_FLAGS, registered_on=f"{today:%d/%m/%Y}")
    if branch_code:
        values["branch"] = branch_code
    return [values[column.key] for column in COLUMNS]


Branches = Sequence[tuple[str, str]]
"""The branches a user may import into: (code, name), the first one the example's."""


def template_csv(today: date, branches: Branches = ()) -> bytes:
    """The CSV template: UTF-8 with a BOM (so Excel reads the diacritics), the titles and one example row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.title for column in COLUMNS])
    writer.writerow(template_row(today, branches[0][0] if branches else None))
    return codecs.BOM_UTF8 + out.getvalue().encode()


def template_xlsx(today: date, branches: Branches = ()) -> bytes:
    """The XLSX template: the sheet "Nguồn" (titles, an example row, the citizen ID and date columns stored as
    text so that leading zeros and day/month survive), a sheet "Hướng dẫn" describing each column and one
    "Chi bộ" with the codes of `branches`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from .reports.excel import keep_text

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([column.title + (" *" if column.required else "") for column in COLUMNS])
    sheet.append(template_row(today, branches[0][0] if branches else None))
    for index, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.title) + 4))
        sheet.cell(1, index).font = Font(bold=True)
        sheet.cell(1, index).alignment = Alignment(wrap_text=True, vertical="top")
        if column.kind in ("citizen_id", "date"):
            for row in range(2, 1002):
                sheet.cell(row, index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Hướng dẫn")
    guide.append(["Cột (column)", "Bắt buộc (required)", "Giá trị (values)", "Tên tiếng Anh (English name)"])
    for column in COLUMNS:
        guide.append([column.title, "có" if column.required else "", column.help.vi, column.key])
    for key, names in CHOICE_NAMES.items():
        guide.append([])
        guide.append([f"{BY_KEY[key].title}: các giá trị (values)"])
        for name in names:
            guide.append(["", "", name])
    for letter, width in zip("ABCD", (34, 18, 70, 26), strict=True):
        guide.column_dimensions[letter].width = width
    for cell in guide[1]:
        cell.font = Font(bold=True)
    codes = book.create_sheet(BY_KEY["branch"].title)
    codes.append(["Mã (code)", "Chi bộ (branch)"])
    for code, name in branches:
        codes.append([code, name])
        for cell in codes[codes.max_row]:
            keep_text(cell)  # a name beginning with "=" stays text, not a formula
    codes.column_dimensions["A"].width, codes.column_dimensions["B"].width = 18, 60
    for cell in codes[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
