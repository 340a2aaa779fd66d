"""The report renderers (format, charts, Excel, CSV, text) on a realistic commune report."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ketnap.engine.rules import Message
from ketnap.reports.charts import chart_png, chart_svg
from ketnap.reports.excel import report_xlsx, sheet_title
from ketnap.reports.format import cell_text, date_line, label, ratio_text
from ketnap.reports.model import Chart, Column, Figure, Report, Series, Table
from ketnap.reports.periods import parse_period
from ketnap.reports.text import display_width, report_csv, report_txt, truncate

BRANCHES = ["Chi bộ ấp Thạnh Bình", "Chi bộ Trường THCS Bình Châu", "Chi bộ ấp Bình Hòa"]
INJECTED = '=HYPERLINK("http://evil.example","bấm")'
SVG_NS = "{http://www.w3.org/2000/svg}"


def progress_table(names: list[str] = BRANCHES, extra_columns: int = 0) -> Table:
    columns = [
        Column("org", Message("Tổ chức đảng", "Party organisation")),
        Column("target", Message("Chỉ tiêu", "Target"), "int"),
        Column("admitted", Message("Đã kết nạp", "Admitted"), "int"),
        Column("rate", Message("Tỷ lệ", "Rate"), "percent"),
        Column("met", Message("Đạt chỉ tiêu", "Target met"), "flag"),
    ]
    columns += [Column(f"extra{i}", Message(f"Cột {i}", f"Column {i}"), "days") for i in range(extra_columns)]
    extra: list[float | None] = [12.5] * extra_columns
    rows = [
        [names[0], 80, 5, 5 / 80, False, *extra],
        [names[1], 70, 4, 4 / 70, False, *extra],
        [names[2], 79, 3, None, None, *extra],
    ]
    return Table("progress", Message("Tiến độ thực hiện chỉ tiêu", "Progress against targets"), columns, rows,
                 total=[None, 229, 12, 12 / 229, False, *extra])  # the renderers label the total


def funnel_chart() -> Chart:
    return Chart("funnel", Message("Phễu phát triển đảng viên", "Admission funnel"), "funnel",
                 ["Quần chúng ưu tú", "Học lớp nhận thức về Đảng", "Chi bộ đề nghị", "Đã kết nạp"],
                 [Series(Message("Số người", "People"), [120, 80, 30, 12])])


def bar_chart() -> Chart:
    return Chart("targets", Message("Chỉ tiêu và kết quả theo chi bộ", "Targets and admissions by branch"), "bar",
                 BRANCHES, [Series(Message("Chỉ tiêu", "Target"), [80, 70, 79]),
                            Series(Message("Đã kết nạp", "Admitted"), [5, 4, 3])])


def sample_report(table: Table | None = None) -> Report:
    return Report(
        kind="progress",
        title=Message("Báo cáo kết quả công tác phát triển đảng viên", "Report on the admission of new members"),
        org_id=7,
        org_name="Đảng bộ xã Bình Châu",
        period=parse_period("2026"),
        as_of=date(2026, 11, 23),
        figures=[Figure(Message("Đã kết nạp / chỉ tiêu", "Admitted / target"), ratio_text(12, 229))],
        tables=[table or progress_table()],
        charts=[funnel_chart(), bar_chart()],
        notes=[Message("Số liệu tính đến hết ngày báo cáo.", "Figures up to the report date.")],
    )


def workbook_sheet(data: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(data)).active


def sheet_texts(ws: Worksheet) -> dict[str, tuple[int, int]]:
    """Every text cell's value and its (row, column)."""
    return {cell.value: (cell.row, cell.column) for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}


# -- format ------------------------------------------------------------------------------------------
def test_ratio_text_in_both_languages_and_without_a_target() -> None:
    assert ratio_text(12, 229, "vi") == "12/229 = 5,24%"
    assert ratio_text(12, 229, "en") == "12/229 = 5.24%"
    assert ratio_text(1234, 2000, "vi") == "1.234/2.000 = 61,70%"
    assert ratio_text(12, None) == "12/–"
    assert ratio_text(12, 0) == "12/–"


@pytest.mark.parametrize(("value", "kind", "lang", "expected"), [
    (0.0524, "percent", "vi", "5,24%"),
    (0.0524, "percent", "en", "5.24%"),
    (1234, "int", "vi", "1.234"),
    (1234, "int", "en", "1,234"),
    (12.5, "days", "vi", "12,5"),
    (1234.25, "days", "en", "1,234.2"),
    (date(2026, 3, 5), "date", "vi", "05/03/2026"),
    (date(2026, 3, 5), "date", "en", "05/03/2026"),
    (None, "int", "vi", "–"),
    (None, "flag", "en", "–"),
    (True, "flag", "vi", "Đạt"),
    (False, "flag", "vi", "Chưa đạt"),
    (True, "flag", "en", "Met"),
    (False, "flag", "en", "Not met"),
    ("Chi bộ ấp Bình Hòa", "text", "vi", "Chi bộ ấp Bình Hòa"),
])
def test_cell_text(value: object, kind: str, lang: str, expected: str) -> None:
    assert cell_text(value, kind, lang) == expected


def test_label_picks_the_language_and_rejects_unknown_ones() -> None:
    message = Message("Chỉ tiêu", "Target")
    assert label(message) == "Chỉ tiêu"
    assert label(message, "en") == "Target"
    with pytest.raises(ValueError, match="unknown language"):
        label(message, "fr")


# -- charts ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [funnel_chart, bar_chart])
def test_svg_is_xml_scales_and_is_deterministic(make: Callable[[], Chart]) -> None:
    first, second = chart_svg(make()), chart_svg(make())
    assert first == second
    root = ET.fromstring(first.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") and root.get("width") == "100%" and root.get("height") is None
    assert root.get("aria-label") == label(make().title)
    assert "<text" not in first  # text drawn as paths
    assert "<dc:date>" not in first
    assert first.startswith("<svg")  # no XML prolog: it can be inlined in a page


def test_two_charts_on_one_page_do_not_share_clip_path_ids() -> None:
    def clip_ids(svg: str) -> set[str]:
        return {element.get("id", "") for element in ET.fromstring(svg).iter(f"{SVG_NS}clipPath")}

    other = bar_chart()
    other.key = "targets-2"
    assert clip_ids(chart_svg(bar_chart())) and not clip_ids(chart_svg(bar_chart())) & clip_ids(chart_svg(other))


def test_svg_titles_follow_the_language() -> None:
    assert ET.fromstring(chart_svg(bar_chart(), "en")).get("aria-label") == "Targets and admissions by branch"
    assert chart_svg(bar_chart(), "en") != chart_svg(bar_chart(), "vi")


def test_png_charts_and_an_empty_chart() -> None:
    assert chart_png(funnel_chart()).startswith(b"\x89PNG")
    empty = Chart("none", Message("Không có số liệu", "Nothing"), "line", [], [])
    assert chart_png(empty, "en").startswith(b"\x89PNG")
    line = Chart("months", Message("Theo tháng", "By month"), "line", ["01/2026", "02/2026"],
                 [Series(Message("Đã kết nạp", "Admitted"), [1, 3])])
    assert ET.fromstring(chart_svg(line)).tag == f"{SVG_NS}svg"


def test_charts_drawn_in_threads_equal_charts_drawn_alone() -> None:
    alone = [chart_svg(bar_chart()), chart_svg(funnel_chart(), "en")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda i: chart_svg(bar_chart()) if i % 2 == 0 else chart_svg(funnel_chart(), "en"), range(6)))
    assert drawn == alone * 3


def test_a_chart_is_quick() -> None:
    chart_png(bar_chart())  # warm the font cache
    started = time.perf_counter()
    chart_png(bar_chart())
    chart_svg(bar_chart())
    assert time.perf_counter() - started < 1.0  # two charts; about 0.2 s on the 2-CPU machine


# -- Excel -------------------------------------------------------------------------------------------
def test_xlsx_heading_title_period_and_signature() -> None:
    ws = workbook_sheet(report_xlsx(sample_report(), signer="Nguyễn Văn An"))
    texts = sheet_texts(ws)
    assert ws.title == "progress"
    assert ws["A1"].value == "ĐẢNG BỘ XÃ BÌNH CHÂU" and ws["A1"].font.b
    party_row, party_column = texts["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert party_row == 1 and party_column > 1
    assert texts["ngày 23 tháng 11 năm 2026"] == (2, party_column)
    title_row, _ = texts["Báo cáo kết quả công tác phát triển đảng viên"]
    title = ws.cell(title_row, 1)
    assert title.font.b and title.alignment.horizontal == "center"
    assert texts["Kỳ báo cáo: năm 2026"][0] == title_row + 1
    figure_row, _ = texts["Đã kết nạp / chỉ tiêu"]
    assert ws.cell(figure_row, 2).value == "12/229 = 5,24%"
    signature_row, signature_column = texts["NGƯỜI LẬP BIỂU"]
    assert signature_column > 1 and signature_row > figure_row
    assert texts["(Ký, ghi rõ họ tên)"] == (signature_row + 1, signature_column)
    assert texts["Nguyễn Văn An"][0] > signature_row + 1
    assert texts["- Số liệu tính đến hết ngày báo cáo."][0] < signature_row


def test_xlsx_table_values_formats_and_total() -> None:
    ws = workbook_sheet(report_xlsx(sample_report()))
    texts = sheet_texts(ws)
    header_row, _ = texts["Tổ chức đảng"]
    assert [ws.cell(header_row, c).value for c in range(1, 6)] == ["Tổ chức đảng", "Chỉ tiêu", "Đã kết nạp", "Tỷ lệ", "Đạt chỉ tiêu"]
    assert all(ws.cell(header_row, c).font.b and ws.cell(header_row, c).alignment.wrap_text for c in range(1, 6))
    assert texts["Tiến độ thực hiện chỉ tiêu"][0] == header_row - 1
    first = header_row + 1
    assert ws.cell(first, 1).value == "Chi bộ ấp Thạnh Bình"
    assert ws.cell(first, 2).value == 80 and ws.cell(first, 2).number_format == "#,##0"
    assert ws.cell(first, 4).value == pytest.approx(0.0625) and ws.cell(first, 4).number_format == "0.00%"
    assert ws.cell(first, 5).value == "Chưa đạt"
    assert ws.cell(first + 2, 4).value is None and ws.cell(first + 2, 5).value is None
    total = first + 3
    assert ws.cell(total, 1).value == "Tổng cộng"
    assert ws.cell(total, 4).value == pytest.approx(0.0524017) and ws.cell(total, 4).number_format == "0.00%"
    assert all(ws.cell(total, c).font.b for c in range(1, 6))
    assert not ws.cell(first, 2).font.b
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    assert ws.column_dimensions["A"].width >= len("Chi bộ Trường THCS Bình Châu")


def test_xlsx_dates_are_real_dates_and_formulas_stay_text() -> None:
    columns = [Column("name", Message("Họ và tên", "Full name")), Column("day", Message("Ngày kết nạp", "Admitted on"), "date")]
    table = Table("admitted", Message("Danh sách", "List"), columns, [[INJECTED, date(2026, 3, 5)]])
    ws = workbook_sheet(report_xlsx(sample_report(table), signer="=1+1"))
    texts = sheet_texts(ws)
    row, column = texts[INJECTED]
    assert ws.cell(row, column).data_type == "s"
    assert "=1+1" in texts
    assert ws.cell(row, 2).value == datetime(2026, 3, 5) and ws.cell(row, 2).number_format == "dd/mm/yyyy"


def test_xlsx_print_setup_and_images() -> None:
    data = report_xlsx(sample_report())
    ws = workbook_sheet(data)
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_options.horizontalCentered
    assert len(ws._images) == 2
    wide = workbook_sheet(report_xlsx(sample_report(progress_table(extra_columns=2))))
    assert wide.page_setup.orientation == "landscape"
    properties = load_workbook(io.BytesIO(data)).properties
    assert properties.creator == "ketnap" and properties.title == "Báo cáo kết quả công tác phát triển đảng viên"


def test_xlsx_in_english() -> None:
    texts = sheet_texts(workbook_sheet(report_xlsx(sample_report(), lang="en")))
    for text in ("COMMUNIST PARTY OF VIET NAM", "23 November 2026", "Period: 2026", "Party organisation", "Total",
                 "PREPARED BY", "(signature and full name)", "Not met"):
        assert text in texts, text
    assert "Tổ chức đảng" not in texts


def test_date_line_and_sheet_title() -> None:
    assert date_line(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert date_line(date(2026, 4, 3), "en") == "3 April 2026"
    assert sheet_title("a/b:c" + "x" * 40) == ("a_b_c" + "x" * 40)[:31]


# -- CSV ---------------------------------------------------------------------------------------------
def test_csv_parses_back_with_raw_values() -> None:
    table = progress_table([INJECTED, "Chi bộ \"Ấp 1\", xã Bình Châu", "Chi bộ ấp Bình Hòa"])
    rows = list(csv.reader(io.StringIO(report_csv(sample_report(table)))))
    assert rows[0] == ["Đã kết nạp / chỉ tiêu", "12/229 = 5,24%"]
    assert rows[1] == []
    assert rows[2] == ["progress"]
    assert rows[3] == ["Tổ chức đảng", "Chỉ tiêu", "Đã kết nạp", "Tỷ lệ", "Đạt chỉ tiêu"]
    assert rows[4] == ["'" + INJECTED, "80", "5", "0.0625", "0"]
    assert rows[5][0] == "Chi bộ \"Ấp 1\", xã Bình Châu"
    assert rows[6] == ["Chi bộ ấp Bình Hòa", "79", "3", "", ""]
    assert rows[7][:3] == ["Tổng cộng", "229", "12"] and float(rows[7][3]) == pytest.approx(0.0524017)
    assert len(rows) == 8


def test_csv_guards_every_formula_start_dates_iso_and_blank_line_between_tables() -> None:
    columns = [Column("name", Message("Tên", "Name")), Column("day", Message("Ngày", "Day"), "date"),
               Column("n", Message("Số", "Number"), "int")]
    names = ["+1", "-2", "@SUM(A1)", "\tx", "\rx", "Bình thường"]
    second = Table("list", Message("Danh sách", "List"), columns, [[name, date(2026, 3, 5), -3] for name in names])
    report = sample_report()
    report.tables.append(second)
    text = report_csv(report, "en")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    start = rows.index(["list"])
    assert rows[start - 1] == []
    assert rows[start + 1] == ["Name", "Day", "Number"]
    assert [row[0] for row in rows[start + 2:]] == ["'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "Bình thường"]
    assert rows[start + 2][1:] == ["2026-03-05", "-3"]
    assert rows[0][0] == "Admitted / target"


# -- text --------------------------------------------------------------------------------------------
def test_txt_aligns_columns_and_shows_figures_and_notes() -> None:
    text = report_txt(sample_report())
    lines = text.splitlines()
    assert lines[:4] == ["ĐẢNG BỘ XÃ BÌNH CHÂU", "Báo cáo kết quả công tác phát triển đảng viên", "Kỳ báo cáo: năm 2026",
                         "Tính đến ngày: 23/11/2026"]
    assert "12/229 = 5,24%" in text
    rows = [line for line in lines if line.startswith(("Chi bộ", "Tổng cộng"))]
    assert len(rows) == 4
    rate_ends = {display_width(line[:line.index("%") + 1]) for line in rows if "%" in line}
    assert len(rate_ends) == 1  # the percentages end in the same column
    assert "6,25%" in rows[0] and "Chưa đạt" in rows[0] and "5,24%" in rows[3]
    assert rows[0].index(" 80 ") + 3 == rows[3].index(" 229 ") + 4  # numbers are right-aligned
    assert lines[-1] == "- Số liệu tính đến hết ngày báo cáo."
    assert all(display_width(line) <= 100 for line in lines)


def test_txt_truncates_to_the_width_and_speaks_english() -> None:
    long_name = "Chi bộ Trường Trung học cơ sở Bình Châu và các đơn vị trực thuộc khác trong địa bàn xã"
    text = report_txt(sample_report(progress_table([long_name, *BRANCHES[1:]])), "en", width=60)
    lines = text.splitlines()
    assert all(display_width(line) <= 60 for line in lines)
    assert any(line.startswith("Chi bộ Trường Trung") and "…" in line for line in lines)
    assert "Party organisation" in text and "Period: 2026" in text and "As of: 23/11/2026" in text
    assert "Not met" in text and "12/229 = 5,24%" in text
    title = lines.index("Progress against targets")
    rule = next(i for i in range(title, len(lines)) if lines[i].startswith("─"))
    header = lines[title + 1:rule]
    assert len(header) == 2 and "…" not in "".join(header)  # labels wrap over two lines rather than being cut
    assert header[0].split() == ["Target"] and header[1].split()[-1] == "met"
    assert header[0].index("Target") == header[1].rindex("met")  # "Target" above "met": a flag column is left-aligned


def test_display_width_and_truncate() -> None:
    assert display_width("Bình Hòa") == 8
    assert display_width("Bi\u0300nh") == 4  # a combining grave takes no column
    assert display_width("中文") == 4
    assert truncate("Nguyễn Văn An", 8) == "Nguyễn …"
    assert truncate("An", 8) == "An"
