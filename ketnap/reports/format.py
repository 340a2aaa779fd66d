"""How report values read in Vietnamese and English: one cell by its column kind, a done/target ratio, a label.

Vietnamese writes "1.234" and "5,24%" (dot thousands, comma decimals), English "1,234" and "5.24%";
dates are dd/mm/yyyy in both. Every renderer that shows a value as text (page, text, chart labels)
goes through here so that the same number never reads two ways.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..engine.rules import Message
from .model import Report, Table

LANGS = ("vi", "en")
MISSING = "–"
FLAG_TEXT = {True: Message("Đạt", "Met"), False: Message("Chưa đạt", "Not met")}
TOTAL_LABEL = Message("Tổng cộng", "Total")
PERIOD = Message("Kỳ báo cáo: {period}", "Period: {period}")
NOTES = Message("Ghi chú:", "Notes:")


def check_lang(lang: str) -> str:
    """`lang` itself when it is "vi" or "en"; ValueError otherwise (a typo must not silently give Vietnamese)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use 'vi' or 'en'")
    return lang


def label(message: Message, lang: str = "vi") -> str:
    """The message's text in `lang` ("vi" or "en")."""
    return message.en if check_lang(lang) == "en" else message.vi


def number_text(value: float, lang: str = "vi", decimals: int = 0) -> str:
    """A number with thousands separators and `decimals` decimals: 1234.5 -> "1.234,5" (vi), "1,234.5" (en)."""
    text = f"{value:,.{decimals}f}"
    if check_lang(lang) == "en":
        return text
    return text.translate(str.maketrans(",.", ".,"))


def percent_text(fraction: float, lang: str = "vi") -> str:
    """A fraction as a percentage with two decimals: 0.0524 -> "5,24%" (vi), "5.24%" (en)."""
    return number_text(fraction * 100, lang, 2) + "%"


def date_text(day: date) -> str:
    """dd/mm/yyyy, the same in both languages."""
    return f"{day:%d/%m/%Y}"


def cell_text(value: Any, kind: str = "text", lang: str = "vi") -> str:
    """One cell shown by its column kind (model.COLUMN_KINDS); None is "–", and text is shown as it is."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if kind == "flag":
        return label(FLAG_TEXT[bool(value)], lang)
    if kind == "int":
        return number_text(round(value), lang)
    if kind == "percent":
        return percent_text(value, lang)
    if kind == "days":
        return number_text(value, lang, 1)
    if kind == "date" and isinstance(value, date):
        return date_text(value)
    return str(value)


def period_line(report: Report, lang: str = "vi") -> str:
    """ "Kỳ báo cáo: năm 2026" / "Period: 2026"."""
    return label(PERIOD, lang).format(period=label(report.period.label, lang))


def ratio_text(done: int, target: int | None, lang: str = "vi") -> str:
    """Done out of a target with the rate: "12/229 = 5,24%" (vi), "12/229 = 5.24%" (en); "12/–" without a target."""
    if not target:
        return f"{number_text(done, lang)}/{MISSING}"
    return f"{number_text(done, lang)}/{number_text(target, lang)} = {percent_text(done / target, lang)}"


def total_cells(table: Table, lang: str = "vi") -> list[Any] | None:
    """The table's total row (None: no total), its first cell labelled "Tổng cộng"/"Total" when the report left it empty."""
    if table.total is None:
        return None
    cells = list(table.total)
    if cells and cells[0] in (None, ""):
        cells[0] = label(TOTAL_LABEL, lang)
    return cells


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def date_line(day: date, lang: str = "vi") -> str:
    """The date under the Party heading: "ngày 23 tháng 11 năm 2026" (days below 10 and months 1, 2 with a
    leading zero, as Party documents write them); "23 November 2026" in English."""
    if check_lang(lang) == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
