"""Working-day calendar for legal deadlines ("ngày làm việc", R-CALC-WD).

Working days are Monday to Friday minus Vietnamese public holidays (the `holidays` package: New
Year, the lunar Tết days, Hùng Kings, 30/4, 1/5, National Day and the government's substitute days
off) and any extra days off configured per year. Day 1 is the first working day after the starting
event; an act is on time when it falls on or before the N-th working day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays


class WorkingCalendar:
    """Counts working days; immutable once built so one instance can serve every request."""

    def __init__(self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()):
        self._extra_off = frozenset(extra_days_off)
        self._extra_work = frozenset(extra_working_days)
        self._cache: dict[int, frozenset[date]] = {}
        self._ordinals: list[int] = []
        self._span = (9999, 0)

    def _holidays(self, year: int) -> frozenset[date]:
        days = self._cache.get(year)
        if days is None:
            days = _public_holidays(year) | {d for d in self._extra_off if d.year == year}
            self._cache[year] = days
        return days

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri, not a public holiday or configured day off; or a configured extra working day."""
        if day in self._extra_work:
            return True
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def _working_ordinals(self, first_year: int, last_year: int) -> list[int]:
        """Sorted ordinals of every working day from `first_year` to `last_year`, grown on demand."""
        lo, hi = self._span
        if lo <= first_year and last_year <= hi:
            return self._ordinals
        lo, hi = min(lo, first_year), max(hi, last_year)
        day, stop = date(lo, 1, 1), date(hi, 12, 31)
        ordinals = []
        while day <= stop:
            if self.is_working_day(day):
                ordinals.append(day.toordinal())
            day += timedelta(days=1)
        self._ordinals, self._span = ordinals, (lo, hi)
        return ordinals

    def add_working_days(self, start: date, n: int) -> date:
        """The N-th working day after `start` (day 1 is the first working day after it)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        years = 1 + n // 200
        ordinals = self._working_ordinals(start.year, start.year + years)
        index = bisect_right(ordinals, start.toordinal()) + n - 1
        while index >= len(ordinals):
            years += 1
            ordinals = self._working_ordinals(start.year, start.year + years)
        return date.fromordinal(ordinals[index])

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days fall after `start` up to and including `end` (0 if end <= start)."""
        if end <= start:
            return 0
        ordinals = self._working_ordinals(start.year, end.year)
        return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())

    def within(self, start: date, act: date, n: int) -> bool:
        """True when `act` falls on or before the N-th working day after `start`."""
        return act <= self.add_working_days(start, n)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())
