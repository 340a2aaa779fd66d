"""R-CALC-MONTHS and R-CALC-AGE: `add_months` and `completed_months` (ketnap.engine.dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketnap.engine.dates import add_months, completed_months, fmt_date, years_months

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 3, 5), 12, date(2024, 3, 5)),  # the example of rules.md
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: last day of February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),  # common year
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # born 29/02: anniversary in a common year
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2008, 2, 29), 216, date(2026, 2, 28)),  # 18 years after a leap-day birth
        (date(2023, 11, 15), 2, date(2024, 1, 15)),  # across the year end
        (date(2023, 12, 31), 60, date(2028, 12, 31)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 5, 17), 0, date(2024, 5, 17)),
    ],
)
def test_add_months_same_day_number_or_last_day_of_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "months"),
    [
        (date(2006, 5, 5), date(2024, 5, 5), 216),  # exactly 18 years
        (date(2006, 5, 5), date(2024, 5, 4), 215),  # one day short
        (date(1964, 3, 10), date(2024, 4, 7), 720),  # 60 years 0 months 28 days is still "60"
        (date(1964, 3, 10), date(2024, 4, 9), 720),  # 60 years 0 months 30 days
        (date(1964, 3, 10), date(2024, 4, 10), 721),  # 60 years 1 month: over 60
        (date(2008, 2, 29), date(2026, 2, 28), 216),  # born 29/02: 18 on 28/02 of a common year
        (date(2008, 2, 29), date(2026, 2, 27), 215),
        (date(2008, 2, 29), date(2028, 2, 28), 239),  # leap year: not yet 20 on 28/02
        (date(2008, 2, 29), date(2028, 2, 29), 240),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2024, 1, 31), date(2024, 3, 30), 1),  # 2 months would be 31/03
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2024, 5, 17), date(2024, 5, 17), 0),
    ],
)
def test_completed_months_ignores_days_beyond_the_last_completed_month(born: date, on: date, months: int) -> None:
    assert completed_months(born, on) == months


def test_years_months_and_date_format() -> None:
    assert years_months(720) == (60, 0)
    assert years_months(215) == (17, 11)
    assert fmt_date(date(2024, 2, 9)) == "09/02/2024"


@given(DAYS.filter(lambda d: d.day <= 28), st.integers(min_value=-1200, max_value=1200))
def test_completed_months_inverts_add_months_for_days_up_to_28(start: date, n: int) -> None:
    assert completed_months(start, add_months(start, n)) == n


@given(DAYS, st.integers(min_value=0, max_value=1200))
def test_completed_months_inverts_add_months_for_every_day(start: date, n: int) -> None:
    end = add_months(start, n)
    assert completed_months(start, end) == n
    if end > start:
        assert completed_months(start, end - timedelta(days=1)) == n - 1


@given(DAYS, DAYS, DAYS)
def test_completed_months_is_monotonic_in_the_end_date(start: date, a: date, b: date) -> None:
    early, late = sorted((a, b))
    assert completed_months(start, early) <= completed_months(start, late)


@given(DAYS, DAYS)
def test_completed_months_is_the_largest_n_reached(start: date, end: date) -> None:
    n = completed_months(start, end)
    if end >= start:
        assert add_months(start, n) <= end < add_months(start, n + 1)


@given(DAYS, st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=600))
def test_add_months_is_monotonic_in_n(start: date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_months(start, low) <= add_months(start, high)
