"""A report as data: what db.reports computes and every renderer (page, Excel, CSV, text, chart) writes.

Cells hold plain values: str, int, float, date, bool or None (shown as "–"). A column's `kind`
says how to show its cells: "text", "int", "percent" (a fraction: 0.0524 is shown 5,24 %), "days"
(a number of days, one decimal), "date", "flag" (True: "Đạt"/"Met", False: "Chưa đạt"/"Not met",
None: "–"). Every label is a vi/en pair (engine.rules.Message).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..engine.rules import Message
from .periods import Period

COLUMN_KINDS = ("text", "int", "percent", "days", "date", "flag")
CHART_KINDS = ("bar", "funnel", "line")


@dataclass(frozen=True)
class Column:
    key: str
    label: Message
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """One table of a report: a title, its columns and rows, and a total row (None: no total)."""

    key: str
    title: Message
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None


@dataclass(frozen=True)
class Series:
    name: Message
    values: list[float]


@dataclass
class Chart:
    """A chart: `labels` along the axis (organisation names, stages, months), one value per label in each series.

    kind "bar" (grouped bars: e.g. target and admitted per branch), "funnel" (one series, horizontal
    bars from the first stage down), "line" (e.g. admissions per month).
    """

    key: str
    title: Message
    kind: str
    labels: list[str]
    series: list[Series]

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"chart {self.key}: series {series.name.en!r} has {len(series.values)} values "
                                 f"for {len(self.labels)} labels")


@dataclass(frozen=True)
class Figure:
    """A key figure shown above the tables: 'Đã kết nạp / chỉ tiêu' — '12/229 = 5,24 %'."""

    label: Message
    value: str


@dataclass
class Report:
    """A whole report for one organisation and one period, as of a day."""

    kind: str
    title: Message
    org_id: int
    org_name: str
    period: Period
    as_of: date
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)
    signing_body: Message | None = None  # "T/M ĐẢNG ỦY": who signs for the organisation, beside the preparer
