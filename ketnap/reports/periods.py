"""Report periods ("kỳ báo cáo"): a month, a quarter, a half-year, a year or a term, by a short code.

  2026-03    March 2026               2026-Q1   first quarter of 2026
  2026-H1    first half of 2026       2026      the year 2026
  2025-2030  the term 2025–2030 ("nhiệm kỳ")

Every period is a closed range of calendar days. Reading chosen for a term: "2025-2030" runs from
1/1/2025 to 31/12/2029, five whole calendar years, so that consecutive terms (2020-2025, 2025-2030)
do not count the same admission twice; the congress that closes a term usually sits in its last
year, whose admissions then count towards the next term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..engine.rules import Message

KINDS = ("month", "quarter", "half", "year", "term")
_CODE = re.compile(r"(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])|(\d{4})))?")


@dataclass(frozen=True)
class Period:
    kind: str
    code: str
    start: date
    end: date  # inclusive

    @property
    def label(self) -> Message:
        year = self.start.year
        if self.kind == "month":
            return Message(f"tháng {self.start.month:02d}/{year}", f"{self.start:%B %Y}")
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            roman = ("I", "II", "III", "IV")[quarter - 1]
            return Message(f"quý {roman} năm {year}", f"Q{quarter} {year}")
        if self.kind == "half":
            first = self.start.month == 1
            return Message(f"{'6 tháng đầu' if first else '6 tháng cuối'} năm {year}",
                           f"{'first' if first else 'second'} half of {year}")
        if self.kind == "year":
            return Message(f"năm {year}", f"{year}")
        return Message(f"nhiệm kỳ {self.code.replace('-', '–')}", f"term {self.code.replace('-', '–')}")

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_period(code: str) -> Period:
    """The period of a code; ValueError with the accepted forms for anything else."""
    text = code.strip().upper().replace("–", "-").replace("—", "-")  # 2025–2030 as the page writes it
    found = _CODE.fullmatch(text)
    if found is None:
        raise ValueError(f"Kỳ báo cáo '{code}' không hợp lệ: dùng 2026, 2026-03, 2026-Q1, 2026-H1 hoặc 2025-2030 "
                         f"(period: use 2026, 2026-03, 2026-Q1, 2026-H1 or 2025-2030)")
    year = int(found[1])
    if not 1945 <= year <= 2200:
        raise ValueError(f"Năm {year} ngoài khoảng 1945–2200 (year out of range)")
    month, quarter, half, term_end = found[2], found[3], found[4], found[5]
    if month is not None:
        m = int(month)
        if not 1 <= m <= 12:
            raise ValueError(f"Tháng {m} không hợp lệ (month must be 01–12)")
        return Period("month", f"{year}-{m:02d}", date(year, m, 1), _month_end(year, m))
    if quarter is not None:
        q = int(quarter)
        return Period("quarter", f"{year}-Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if half is not None:
        h = int(half)
        return Period("half", f"{year}-H{h}", date(year, 6 * h - 5, 1), _month_end(year, 6 * h))
    if term_end is not None:
        last = int(term_end)
        if not year < last <= year + 10:
            raise ValueError(f"Nhiệm kỳ {year}-{last} không hợp lệ: năm cuối phải sau năm đầu, tối đa 10 năm "
                             "(term: the end year must follow the start year, at most 10 years)")
        return Period("term", f"{year}-{last}", date(year, 1, 1), date(last - 1, 12, 31))
    return Period("year", str(year), date(year, 1, 1), date(year, 12, 31))


def current_period(kind: str, today: date) -> Period:
    """The period of `kind` that holds `today` (a term: the five-year term starting in a year ending in 0 or 5)."""
    if kind == "month":
        return parse_period(f"{today:%Y-%m}")
    if kind == "quarter":
        return parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    if kind == "half":
        return parse_period(f"{today.year}-H{1 if today.month <= 6 else 2}")
    if kind == "year":
        return parse_period(str(today.year))
    if kind == "term":
        first = today.year - today.year % 5
        return parse_period(f"{first}-{first + 5}")
    raise ValueError(f"unknown period kind {kind!r}")
