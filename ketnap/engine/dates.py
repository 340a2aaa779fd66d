"""Calendar arithmetic shared by every rule: months (R-CALC-MONTHS) and age (R-CALC-AGE).

One place computes "N months after D" and "completed months between two dates"; every rule that
speaks of months calls these two functions.
"""

from __future__ import annotations

import calendar
from datetime import date

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(start: date, months: int) -> date:
    """The same day-number `months` later; the last day of that month if it does not exist.

    R-CALC-MONTHS: 12 months after 2023-03-05 is 2024-03-05; 1 month after 2024-01-31 is 2024-02-29.
    """
    total = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(total, 12)
    last_day = 29 if month0 == 1 and calendar.isleap(year) else _MONTH_DAYS[month0]
    return date(year, month0 + 1, min(start.day, last_day))


def completed_months(start: date, end: date) -> int:
    """Whole months completed from `start` to `end` (R-CALC-AGE); days beyond are ignored.

    A month is completed on the day `add_months(start, n)` is reached, so someone born on
    2008-02-29 completes 216 months on 2026-02-28.
    """
    if end < start:
        return -completed_months(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def years_months(months: int) -> tuple[int, int]:
    """Split a count of months into (years, months)."""
    return divmod(months, 12)


def fmt_date(value: date) -> str:
    """Vietnamese date format used in every message: dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y")
