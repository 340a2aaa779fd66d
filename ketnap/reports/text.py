"""A report as CSV (raw values for other programs) and as plain text (aligned columns for a terminal).

CSV keeps values machine-readable: fractions with "." decimals, ISO dates, flags 1/0; text that a
spreadsheet would take for a formula gets a leading apostrophe. The text form measures cells by how
many terminal columns they take (a precomposed Vietnamese letter is one, a CJK letter two, a
combining mark none), so columns stay aligned.
"""

from __future__ import annotations

import csv
import io
import textwrap
import unicodedata
from datetime import date
from typing import Any

from ..engine.rules import Message
from .format import NOTES, cell_text, date_text, label, period_line, total_cells
from .model import Column, Report, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
AS_OF = Message("Tính đến ngày: {day}", "As of: {day}")
RIGHT_ALIGNED = ("int", "percent", "days")
COLUMN_GAP = "  "
MIN_COLUMN = 5
ELLIPSIS = "…"


# -- CSV ---------------------------------------------------------------------------------------------
def guard_formula(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would read it as a formula (=, +, -, @, tab, CR)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def raw_value(value: Any) -> str:
    """A cell for CSV: "" for None, 1/0 for flags, ISO dates, numbers as Python writes them, guarded text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return guard_formula(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_table(table: Table, lang: str) -> list[list[str]]:
    """The table's key line, header line, rows and total row."""
    total = total_cells(table, lang)
    return [[guard_formula(table.key)], [guard_formula(label(column.label, lang)) for column in table.columns],
            *([raw_value(value) for value in cells] for cells in [*table.rows, *([total] if total is not None else [])])]


def report_csv(report: Report, lang: str = "vi") -> str:
    """The figures (label,value lines) then each table (key line, header, rows, total), a blank line between; no BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for figure in report.figures:
        writer.writerow([guard_formula(label(figure.label, lang)), guard_formula(figure.value)])
    for index, table in enumerate(report.tables):
        if index or report.figures:
            writer.writerow([])
        writer.writerows(_csv_table(table, lang))
    return buffer.getvalue()


# -- plain text --------------------------------------------------------------------------------------
def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns taken by `text` (NFC): Vietnamese letters 1, wide East Asian letters 2, combining marks 0."""
    return sum(_char_width(char) for char in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns, ending in "…" when it was cut."""
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        used += _char_width(char)
        if used > width - 1:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def _pad(text: str, width: int, right: bool) -> str:
    fitted = truncate(text, width)
    space = " " * (width - display_width(fitted))
    return space + fitted if right else fitted + space


def _clean(text: str) -> str:
    """One line of NFC text (decomposed input would be measured wrong)."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _longest_word(text: str) -> int:
    return max((display_width(word) for word in text.split()), default=0)


def _header_height(name: str, width: int) -> int:
    return len(textwrap.wrap(name, width))


def _column_widths(header: list[str], body: list[list[str]], width: int) -> list[int]:
    """Each column as wide as its widest cell and its header's longest word; while the line has room, the column
    whose header wraps over the most lines is widened; if the line is too long, the widest columns are narrowed
    (their cells cut with "…")."""
    widths = [max([_longest_word(name), *(display_width(row[i]) for row in body)]) for i, name in enumerate(header)]
    room = width - len(COLUMN_GAP) * (len(widths) - 1)
    while sum(widths) < room:
        wrapping = [i for i, name in enumerate(header) if display_width(name) > widths[i]]
        if not wrapping:
            break
        widths[max(wrapping, key=lambda i: (_header_height(header[i], widths[i]), -i))] += 1
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= MIN_COLUMN:
            break
        widths[widest] -= 1
    return widths


def _text_row(cells: list[str], widths: list[int], columns: list[Column]) -> str:
    padded = [_pad(cell, w, column.kind in RIGHT_ALIGNED) for cell, w, column in zip(cells, widths, columns, strict=True)]
    return COLUMN_GAP.join(padded).rstrip()


def _header_lines(header: list[str], widths: list[int], columns: list[Column]) -> list[str]:
    """The column labels wrapped within their columns, over as many lines as the longest needs, bottom-aligned."""
    wrapped = [textwrap.wrap(name, w) or [""] for name, w in zip(header, widths, strict=True)]
    height = max(map(len, wrapped))
    padded = [[""] * (height - len(lines)) + lines for lines in wrapped]
    return [_text_row([lines[k] for lines in padded], widths, columns) for k in range(height)]


def _shown_row(cells: list[Any], columns: list[Column], lang: str) -> list[str]:
    """A row's cells as text, one per column (a short row is filled with "–")."""
    values = [*cells, *[None] * (len(columns) - len(cells))]
    return [_clean(cell_text(value, column.kind, lang)) for value, column in zip(values, columns, strict=False)]


def _text_table(table: Table, lang: str, width: int) -> list[str]:
    header = [_clean(label(column.label, lang)) for column in table.columns]
    shown = [_shown_row(cells, table.columns, lang) for cells in table.rows]
    total = total_cells(table, lang)
    total_shown = _shown_row(total or [], table.columns, lang)
    widths = _column_widths(header, [*shown, *([total_shown] if total is not None else [])], width)
    rule = "─" * (sum(widths) + len(COLUMN_GAP) * (len(widths) - 1))
    lines = [*_wrapped(label(table.title, lang), width), *_header_lines(header, widths, table.columns), rule]
    lines += [_text_row(cells, widths, table.columns) for cells in shown]
    if total is not None:
        lines += [rule, _text_row(total_shown, widths, table.columns)]
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    return [truncate(line, width) for line in textwrap.wrap(_clean(text), width)]


def _text_heading(report: Report, lang: str, width: int) -> list[str]:
    lines = [*_wrapped(report.org_name.upper(), width), *_wrapped(label(report.title, lang), width),
             period_line(report, lang), label(AS_OF, lang).format(day=date_text(report.as_of))]
    return lines + ["═" * min(width, max(map(display_width, lines)))]


def _text_figures(report: Report, lang: str, width: int) -> list[str]:
    """One "label : value" line per figure, labels padded to the same width; a label and value on two lines when too long."""
    names = [_clean(label(figure.label, lang)) for figure in report.figures]
    room = max(map(display_width, names))
    lines = []
    for name, figure in zip(names, report.figures, strict=True):
        line = f"{_pad(name, room, False)} : {figure.value}"
        lines += [line] if display_width(line) <= width else [*_wrapped(name, width), f"  {figure.value}"]
    return lines


def _text_notes(report: Report, lang: str, width: int) -> list[str]:
    lines = [label(NOTES, lang)]
    for note in report.notes:
        lines += textwrap.wrap(_clean(label(note, lang)), width=width, initial_indent="- ", subsequent_indent="  ")
    return lines


def report_txt(report: Report, lang: str = "vi", width: int = 100) -> str:
    """The report for a terminal: heading, key figures, each table in aligned columns with its total, notes."""
    blocks = [_text_heading(report, lang, width)]
    if report.figures:
        blocks.append(_text_figures(report, lang, width))
    blocks += [_text_table(table, lang, width) for table in report.tables if table.columns]
    if report.notes:
        blocks.append(_text_notes(report, lang, width))
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
