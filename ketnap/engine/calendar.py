"""Working-day calendar for legal deadlines ("ngày làm việc", R-CALC-WD).

Working days are Monday to Friday minus Vietnamese public holidays (the `holidays` package: New
Year, the lunar Tết days, Hùng Kings, 30/4, 1/5, National Day and the government's substitute days
off) and any extra days off configured per year. Day 1 is the first working day after the starting
event; an act is on time when it falls on or before the N-th working day.
"""

from __future__ import annotations

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

    def add_working_days(self, start: date, n: int) -> date:
        """The N-th working day after `start` (day 1 is the first working day after it)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days fall after `start` up to and including `end` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def within(self, start: date, act: date, n: int) -> bool:
        """True when `act` falls on or before the N-th working day after `start`."""
        return act <= self.add_working_days(start, n)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())
