"""A report as an Excel workbook laid out like the appendix of a Party report, ready to print on A4.

One worksheet, written top-down: the organisation's name and the "ĐẢNG CỘNG SẢN VIỆT NAM" heading
with the date line, the title and period, the key figures, each table (numbers, percentages and
dates as real Excel values with their formats, so they can be summed and re-sorted), the notes,
the charts as PNG images and the "NGƯỜI LẬP BIỂU" signature block.
"""

from __future__ import annotations

import io
import math
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ..engine.rules import Message
from .charts import chart_png
from .format import FLAG_TEXT, NOTES, cell_text, date_line, label, period_line, total_cells
from .model import Column, Report, Table

PARTY = Message("ĐẢNG CỘNG SẢN VIỆT NAM", "COMMUNIST PARTY OF VIET NAM")
PREPARED_BY = Message("NGƯỜI LẬP BIỂU", "PREPARED BY")
SIGN_HERE = Message("(Ký, ghi rõ họ tên)", "(signature and full name)")
SIGN_STAMP = Message("(Ký, đóng dấu)", "(signature and seal)")

FONT_NAME = "Times New Roman"  # the typeface of Party documents (Hướng dẫn 36-HD/VPTW)
NUMBER_FORMATS = {"int": "#,##0", "percent": "0.00%", "days": "#,##0.0", "date": "dd/mm/yyyy"}
HORIZONTAL = {"text": "left", "flag": "center", "date": "center"}
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7ECF4")
MIN_WIDTH, MAX_WIDTH = 8, 55
LANDSCAPE_FROM = 7  # columns: a table this wide is printed landscape
ROW_PIXELS = 20  # a default 15-point row
CHAR_PIXELS = 7  # one unit of column width


def _font(bold: bool = False, italic: bool = False, size: int = 12, underline: str | None = None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, underline=underline)


def _header_width(text: str) -> int:
    """Width a wrapped header needs: its longest word, or the whole label when short."""
    return max(len(max(text.split(), key=len, default="")), min(len(text), 16))


def column_widths(report: Report, lang: str, span: int) -> list[int]:
    """Each column's width in characters (index 0 unused): its widest header, cell or key-figure label, within bounds."""
    widths = [MIN_WIDTH] * (span + 1)

    def fit(column: int, size: int) -> None:
        widths[column] = min(MAX_WIDTH, max(widths[column], size + 2))

    for figure in report.figures:
        fit(1, len(label(figure.label, lang)))
    for table in report.tables:
        for column, spec in enumerate(table.columns, start=1):
            fit(column, _header_width(label(spec.label, lang)))
        total = total_cells(table, lang)
        for cells in [*table.rows, *([total] if total is not None else [])]:
            for column, (spec, value) in enumerate(zip(table.columns, cells, strict=False), start=1):
                fit(column, len(cell_text(value, spec.kind, lang)))
    return widths


def keep_text(cell: Cell) -> None:
    """Text that starts with "=" stays text: openpyxl would otherwise store it as a formula."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type, cell.quotePrefix = "s", True


def sheet_title(kind: str) -> str:
    """The report kind as a worksheet name: no characters Excel forbids, at most 31 characters."""
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in kind).strip("'")
    return cleaned[:31] or "Report"


class _SheetWriter:
    """Writes one report onto a worksheet from the top, keeping the next free row and each column's width."""

    def __init__(self, ws: Worksheet, report: Report, lang: str):
        self.ws, self.report, self.lang = ws, report, lang
        self.span = max([4, *(len(table.columns) for table in report.tables)])
        self.row = 1
        self.widths = column_widths(report, lang, self.span)
        self.first_header: int | None = None

    # -- cells -----------------------------------------------------------------------------------
    def _line(self, text: str, first: int, last: int, font: Font, horizontal: str = "center", wrap: bool = False) -> Cell:
        """`text` in a cell merged over columns first..last of the current row."""
        cell = self.ws.cell(self.row, first, text)
        keep_text(cell)
        cell.font = font
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)
        if last > first:
            self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
        return cell

    def _wrapped_height(self, text: str, first: int, last: int, size: int = 12) -> None:
        """A row height for wrapped text in merged cells, which Excel does not fit by itself."""
        chars = sum(self.widths[first:last + 1]) * 12 / size
        lines = math.ceil(len(text) * 1.1 / chars)
        if lines > 1:
            self.ws.row_dimensions[self.row].height = 1.35 * size * lines

    def _value(self, column: int, value: Any, spec: Column, bold: bool) -> None:
        """One table cell: a real number, date or text with its Excel format, bordered."""
        cell = self.ws.cell(self.row, column)
        kind = spec.kind if not isinstance(value, str) else "text"
        if value is not None:
            self._set(cell, value, kind)
        cell.font = _font(bold=bold)
        cell.border = BOX
        cell.alignment = Alignment(horizontal=HORIZONTAL.get(kind, "right"), vertical="center", wrap_text=kind == "text")

    def _set(self, cell: Cell, value: Any, kind: str) -> None:
        """A value that is not None: flags as Đạt/Chưa đạt, text as text (never a formula), others with their format."""
        if kind == "flag":
            cell.value = label(FLAG_TEXT[bool(value)], self.lang)
        elif kind == "text":
            cell.value = str(value)
            keep_text(cell)
        else:
            cell.value = value
            cell.number_format = NUMBER_FORMATS[kind]

    # -- blocks ----------------------------------------------------------------------------------
    def heading(self) -> None:
        """Organisation and Party heading, date line, title and period."""
        middle = self.span // 2
        organisation = self.report.org_name.upper()
        self._line(organisation, 1, middle, _font(bold=True), wrap=True)
        self._wrapped_height(organisation, 1, middle)
        self._line(label(PARTY, self.lang), middle + 1, self.span, _font(bold=True, underline="single"))
        self.row += 1
        self._line("*", 1, middle, _font(bold=True))
        self._line(date_line(self.report.as_of, self.lang), middle + 1, self.span, _font(italic=True))
        self.row += 2
        title = label(self.report.title, self.lang)
        self._line(title, 1, self.span, _font(bold=True, size=14), wrap=True)
        self._wrapped_height(title, 1, self.span, size=14)
        self.row += 1
        self._line(period_line(self.report, self.lang), 1, self.span, _font(italic=True))
        self.row += 2

    def figures(self) -> None:
        """Key figures as label/value rows."""
        for figure in self.report.figures:
            text = label(figure.label, self.lang)
            self._line(text, 1, 1, _font(bold=True), horizontal="left")
            self._line(figure.value, 2, self.span, _font(), horizontal="left")
            self.row += 1
        if self.report.figures:
            self.row += 1

    def table(self, table: Table) -> None:
        """Title, header, rows and total of one table, then a blank row."""
        self._line(label(table.title, self.lang), 1, len(table.columns), _font(bold=True), horizontal="left")
        self.row += 1
        self._header(table)
        for cells in table.rows:
            self._cells(table, cells, bold=False)
        total = total_cells(table, self.lang)
        if total is not None:
            self._cells(table, total, bold=True)
        self.row += 1

    def _header(self, table: Table) -> None:
        if self.first_header is None:
            self.first_header = self.row
        for column, spec in enumerate(table.columns, start=1):
            text = label(spec.label, self.lang)
            cell = self.ws.cell(self.row, column, text)
            cell.font, cell.border, cell.fill = _font(bold=True), BOX, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.row += 1

    def _cells(self, table: Table, cells: list[Any], bold: bool) -> None:
        for column, (spec, value) in enumerate(zip(table.columns, cells, strict=False), start=1):
            self._value(column, value, spec, bold)
        self.row += 1

    def notes(self) -> None:
        """The notes under a "Ghi chú:" line, one wrapped line each."""
        if not self.report.notes:
            return
        self._line(label(NOTES, self.lang), 1, self.span, _font(bold=True, italic=True), horizontal="left")
        self.row += 1
        for note in self.report.notes:
            text = f"- {label(note, self.lang)}"
            self._line(text, 1, self.span, _font(), horizontal="left", wrap=True)
            self._wrapped_height(text, 1, self.span)
            self.row += 1
        self.row += 1

    def charts(self) -> None:
        """Each chart as a PNG image, scaled down to the width of the columns when wider."""
        room = sum(width * CHAR_PIXELS + 5 for width in self.widths[1:])
        for chart in self.report.charts:
            image = Image(io.BytesIO(chart_png(chart, self.lang)))
            scale = min(1.0, room / image.width)
            image.width, image.height = round(image.width * scale), round(image.height * scale)
            self.ws.add_image(image, f"A{self.row}")
            self.row += math.ceil(image.height / ROW_PIXELS) + 1

    def signature(self, signer: str | None) -> None:
        """The signature blocks at the bottom: NGƯỜI LẬP BIỂU, (Ký, ghi rõ họ tên), room to sign, the signer;
        with the organisation's signing body ("T/M ĐẢNG ỦY") on the left when the report names one."""
        first = self.span // 2 + 1
        body = self.report.signing_body
        left_end = max(1, first - 1)
        self.row += 1
        self._line(label(PREPARED_BY, self.lang), first, self.span, _font(bold=True))
        if body is not None and left_end >= 1 and first > 1:
            self._line(label(body, self.lang), 1, left_end, _font(bold=True))
        self.row += 1
        self._line(label(SIGN_HERE, self.lang), first, self.span, _font(italic=True))
        if body is not None and first > 1:
            self._line(label(SIGN_STAMP, self.lang), 1, left_end, _font(italic=True))
        self.row += 5
        if signer:
            self._line(signer, first, self.span, _font(bold=True))

    # -- sheet -----------------------------------------------------------------------------------
    def finish(self) -> None:
        """Column widths, frozen header, and the print setup: A4, one page wide, centred, header repeated."""
        for column in range(1, self.span + 1):
            self.ws.column_dimensions[get_column_letter(column)].width = self.widths[column]
        widest = max((len(table.columns) for table in self.report.tables), default=0)
        setup = self.ws.page_setup
        setup.paperSize = self.ws.PAPERSIZE_A4
        setup.orientation = "landscape" if widest >= LANDSCAPE_FROM else "portrait"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        self.ws.print_options.horizontalCentered = True
        self.ws.oddFooter.center.text = "&P/&N"
        if self.first_header is not None:
            self.ws.print_title_rows = f"{self.first_header}:{self.first_header}"
            self.ws.freeze_panes = f"A{self.first_header + 1}"


def report_xlsx(report: Report, lang: str = "vi", signer: str | None = None) -> bytes:
    """The report as an .xlsx file (bytes), one worksheet named after the report's kind."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_title(report.kind)
    writer = _SheetWriter(ws, report, lang)
    writer.heading()
    writer.figures()
    for table in report.tables:
        writer.table(table)
    writer.notes()
    writer.charts()
    writer.signature(signer)
    writer.finish()
    workbook.properties.title = label(report.title, lang)
    workbook.properties.creator = "ketnap"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
