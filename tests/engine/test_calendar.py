"""R-CALC-WD: the working-day calendar (ketnap.engine.calendar).

Expected dates are literals checked by hand against the Vietnamese holiday list (the `holidays`
package: Tết 8–14/02/2024 and 27/01–01/02/2025, 30/4–1/5 with the substitute 29/04/2024 and
02/05/2025, 2/9 with 03/09/2024 and 01/09/2025), so a calendar that forgets a holiday fails here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketnap.engine.calendar import WorkingCalendar

CAL = WorkingCalendar()
DAYS = st.dates(min_value=date(2016, 1, 1), max_value=date(2029, 12, 31))


def test_day_one_is_the_first_working_day_after_the_event() -> None:
    assert CAL.add_working_days(date(2024, 3, 4), 1) == date(2024, 3, 5)  # Mon -> Tue
    assert CAL.add_working_days(date(2024, 3, 8), 1) == date(2024, 3, 11)  # Fri -> Mon
    assert CAL.add_working_days(date(2024, 3, 9), 1) == date(2024, 3, 11)  # an event on Saturday
    assert CAL.add_working_days(date(2024, 3, 4), 5) == date(2024, 3, 11)


def test_weekends_are_not_working_days() -> None:
    assert not CAL.is_working_day(date(2024, 3, 9))  # Saturday
    assert not CAL.is_working_day(date(2024, 3, 10))  # Sunday
    assert CAL.is_working_day(date(2024, 3, 11))


def test_tet_2024_is_skipped() -> None:
    tet = [date(2024, 2, d) for d in (8, 9, 12, 13, 14)]
    assert not any(CAL.is_working_day(d) for d in tet)
    assert CAL.is_working_day(date(2024, 2, 7)) and CAL.is_working_day(date(2024, 2, 15))
    assert CAL.add_working_days(date(2024, 2, 7), 1) == date(2024, 2, 15)
    assert CAL.working_days_between(date(2024, 2, 7), date(2024, 2, 15)) == 1


def test_tet_2025_is_skipped_including_the_saturday() -> None:
    for day in range(27, 32):
        assert not CAL.is_working_day(date(2025, 1, day)), day
    assert not CAL.is_working_day(date(2025, 2, 1))
    assert CAL.is_working_day(date(2025, 1, 24)) and CAL.is_working_day(date(2025, 2, 3))
    assert CAL.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)


@pytest.mark.parametrize(
    ("event", "next_working_day"),
    [
        (date(2024, 8, 30), date(2024, 9, 4)),  # 2/9/2024: Mon 2 and Tue 3 off
        (date(2025, 8, 29), date(2025, 9, 3)),  # 2/9/2025: Mon 1 and Tue 2 off
        (date(2023, 8, 31), date(2023, 9, 5)),  # 2023: Fri 1/9 off, 4/9 observed for Saturday 2/9
        (date(2024, 4, 26), date(2024, 5, 2)),  # 29/4/2024 substitute day off, 30/4, 1/5
        (date(2025, 4, 29), date(2025, 5, 5)),  # 30/4, 1/5 and the substitute 2/5/2025
        (date(2024, 4, 17), date(2024, 4, 19)),  # Hùng Kings 18/4/2024
        (date(2023, 12, 29), date(2024, 1, 2)),  # New Year
    ],
)
def test_national_holidays_and_substitute_days_off_are_skipped(event: date, next_working_day: date) -> None:
    assert CAL.add_working_days(event, 1) == next_working_day


def test_extra_configured_days_off_and_working_days() -> None:
    cal = WorkingCalendar(extra_days_off=[date(2024, 3, 8)], extra_working_days=[date(2024, 5, 4)])
    assert not cal.is_working_day(date(2024, 3, 8))
    assert cal.add_working_days(date(2024, 3, 7), 1) == date(2024, 3, 11)
    assert cal.is_working_day(date(2024, 5, 4))  # a Saturday worked in exchange
    assert cal.add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    assert CAL.add_working_days(date(2024, 3, 7), 1) == date(2024, 3, 8)  # the shared default is untouched


def test_sixty_working_days_across_tet_2024() -> None:
    # Jan 3-31: 21; Feb: 21 weekdays - 5 Tết days = 16 (37); March: 21 (58); 1-2 April (60).
    assert CAL.add_working_days(date(2024, 1, 2), 60) == date(2024, 4, 2)
    assert CAL.working_days_between(date(2024, 1, 2), date(2024, 4, 2)) == 60


def test_within_passes_on_the_nth_working_day_and_fails_the_next_day() -> None:
    assert CAL.within(date(2024, 1, 2), date(2024, 4, 2), 60)
    assert not CAL.within(date(2024, 1, 2), date(2024, 4, 3), 60)
    assert CAL.within(date(2024, 3, 1), date(2024, 3, 8), 5)
    assert not CAL.within(date(2024, 3, 1), date(2024, 3, 9), 5)  # the Saturday after the 5th working day is late
    assert CAL.within(date(2024, 3, 1), date(2024, 3, 1), 5)  # the same day


def test_working_days_between_edge_cases() -> None:
    assert CAL.working_days_between(date(2024, 3, 5), date(2024, 3, 5)) == 0
    assert CAL.working_days_between(date(2024, 3, 5), date(2024, 3, 1)) == 0
    assert CAL.working_days_between(date(2024, 3, 8), date(2024, 3, 10)) == 0
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2024, 3, 5), 0)


@given(DAYS, st.integers(min_value=1, max_value=150))
def test_working_days_between_counts_what_add_working_days_adds(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n)
    assert CAL.is_working_day(end)
    assert CAL.working_days_between(start, end) == n
    assert CAL.working_days_between(start, end - timedelta(days=1)) == n - 1
    assert CAL.within(start, end, n) and not CAL.within(start, end + timedelta(days=1), n)


@given(DAYS, DAYS)
def test_add_working_days_lands_back_on_a_working_end_date(start: date, end: date) -> None:
    count = CAL.working_days_between(start, end)
    if count and CAL.is_working_day(end):
        assert CAL.add_working_days(start, count) == end


def _naive_add(cal: WorkingCalendar, start: date, n: int) -> date:
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        counted += cal.is_working_day(day)
    return day


@pytest.mark.parametrize(("start", "n"), [(date(2023, 12, 29), 1), (date(2024, 2, 7), 5), (date(2021, 6, 30), 400),
                                          (date(2025, 12, 31), 30), (date(2019, 1, 1), 1000)])
def test_precomputed_counting_agrees_with_counting_day_by_day(start: date, n: int) -> None:
    cal = WorkingCalendar(extra_days_off=[date(2024, 2, 15)])
    cal.add_working_days(date(2024, 6, 1), 3)  # the precomputed span starts elsewhere and must grow both ways
    end = _naive_add(cal, start, n)
    assert cal.add_working_days(start, n) == end
    assert cal.working_days_between(start, end) == n
