"""Report charts drawn with matplotlib: SVG text for the pages, PNG bytes for Excel.

Each call draws on a new `matplotlib.figure.Figure` (never pyplot and its global figures or backend;
saving picks the Agg/SVG canvas by format) under a module lock: matplotlib's rcParams are process-wide and `rc_context` swaps them, so two Flask threads
drawing at once must take turns. Text is DejaVu Sans (shipped with matplotlib, it has every
Vietnamese diacritic) and SVG text is drawn as paths, so a chart looks the same on every machine;
a hash salt fixed per chart key and no date make the same chart give the same text, which tests and caches
compare. The SVG is the bare <svg> element: a valid document on its own, and fit to be inlined in a page.
"""

from __future__ import annotations

import io
import re
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal
from xml.sax.saxutils import quoteattr

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..engine.rules import Message
from .format import label, number_text
from .model import Chart

_LOCK = threading.Lock()
# Keys are typed as Any: matplotlib's own key type (matplotlib.typing.RcKeyType) is missing before 3.10.
_STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",
    "text.parse_math": False,  # an organisation named "Chi bộ $x$" is text, not a formula
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = ("#b71c1c", "#f9a825", "#1565c0", "#2e7d32", "#6a1b9a", "#5d4037")
NO_DATA = Message("Không có dữ liệu", "No data")
HEIGHT = 4.2  # inches
_SVG_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


@contextmanager
def _drawing(chart: Chart) -> Iterator[None]:
    """Hold the lock and the report style while a chart is built and saved.

    The SVG ids are salted with the chart's key: fixed for the same chart, different for two charts on one page.
    """
    with _LOCK, matplotlib.rc_context({**_STYLE, "svg.hashsalt": f"ketnap-{chart.key}"}):
        yield


def _value_text(value: float, lang: str) -> str:
    """A bar or tick value: whole numbers without decimals, others with one."""
    return number_text(value, lang, 0 if float(value).is_integer() else 1)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=max(width, 6))) or text


def _style_value_axis(ax: Axes, chart: Chart, lang: str, axis: Literal["x", "y"]) -> None:
    """Value ticks in the language's number format, whole-number ticks when every value is whole."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda value, _pos: _value_text(value, lang)))
    if all(float(v).is_integer() for series in chart.series for v in series.values):
        target.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis=axis, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _bar_width(chart: Chart) -> float:
    """Figure width in inches: room for every group of bars, between 6.4 and 14."""
    return min(14.0, max(6.4, 1.5 + len(chart.labels) * (0.5 + 0.35 * len(chart.series))))


def _draw_bar(fig: Figure, chart: Chart, lang: str) -> None:
    ax = fig.add_subplot()
    count, groups = len(chart.series), range(len(chart.labels))
    width = 0.8 / count
    for index, series in enumerate(chart.series):
        offset = (index - (count - 1) / 2) * width
        bars = ax.bar([g + offset for g in groups], series.values, width, label=label(series.name, lang),
                      color=COLOURS[index % len(COLOURS)])
        ax.bar_label(bars, labels=[_value_text(v, lang) for v in series.values], padding=2, fontsize=7.5)
    rotate = len(chart.labels) > 8
    chars = 18 if rotate else int(fig.get_figwidth() / len(chart.labels) / 0.075)
    ax.set_xticks(list(groups), [_wrap(text, chars) for text in chart.labels], fontsize=8,
                  rotation=35 if rotate else 0, ha="right" if rotate else "center")
    ax.margins(y=0.12)
    _style_value_axis(ax, chart, lang, "y")
    ax.legend(frameon=False, fontsize=8)


def _draw_funnel(fig: Figure, chart: Chart, lang: str) -> None:
    ax = fig.add_subplot()
    values = chart.series[0].values
    bars = ax.barh(range(len(values)), values, 0.7, color=COLOURS[0])
    ax.bar_label(bars, labels=[_value_text(v, lang) for v in values], padding=3, fontsize=8)
    ax.set_yticks(range(len(values)), [_wrap(text, 28) for text in chart.labels], fontsize=8)
    ax.invert_yaxis()
    ax.margins(x=0.1)
    _style_value_axis(ax, chart, lang, "x")


def _draw_line(fig: Figure, chart: Chart, lang: str) -> None:
    ax = fig.add_subplot()
    positions = range(len(chart.labels))
    for index, series in enumerate(chart.series):
        ax.plot(positions, series.values, marker="o", markersize=4, linewidth=1.6,
                label=label(series.name, lang), color=COLOURS[index % len(COLOURS)], clip_on=False)
    rotate = len(chart.labels) > 12
    ax.set_xticks(list(positions), chart.labels, fontsize=8, rotation=35 if rotate else 0, ha="right" if rotate else "center")
    if all(v >= 0 for series in chart.series for v in series.values):
        ax.set_ylim(bottom=0)
    ax.margins(y=0.1)
    _style_value_axis(ax, chart, lang, "y")
    ax.legend(frameon=False, fontsize=8)


def _draw_empty(fig: Figure, lang: str) -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, label(NO_DATA, lang), ha="center", va="center", color="#777777", fontsize=11)


_DRAWERS: dict[str, Callable[[Figure, Chart, str], None]] = {"bar": _draw_bar, "funnel": _draw_funnel, "line": _draw_line}


def _figure(chart: Chart, lang: str) -> Figure:
    """A new figure with the chart drawn and titled (call under `_drawing`)."""
    width = _bar_width(chart) if chart.kind == "bar" else 7.0
    height = max(HEIGHT, 1.2 + 0.45 * len(chart.labels)) if chart.kind == "funnel" else HEIGHT
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.suptitle(_wrap(label(chart.title, lang), 90), fontsize=11, fontweight="bold")
    if chart.labels and chart.series:
        _DRAWERS[chart.kind](fig, chart, lang)
    else:
        _draw_empty(fig, lang)
    return fig


def _scalable(svg: str, title: str) -> str:
    """The <svg> element alone (no XML prolog, so it can also sit inside a page), its fixed width and height
    replaced by width="100%" (the viewBox keeps the proportions), labelled with the title for screen readers."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    root = _SVG_SIZE.sub("", svg[start:end])
    return f'{root} width="100%" role="img" aria-label={quoteattr(title)}{svg[end:]}'



def chart_svg(chart: Chart, lang: str = "vi") -> str:
    """The chart as an SVG document that scales to its container's width; the same chart gives the same text."""
    buffer = io.BytesIO()
    with _drawing(chart):
        _figure(chart, lang).savefig(buffer, format="svg", metadata={"Date": None})
    return _scalable(buffer.getvalue().decode("utf-8"), label(chart.title, lang))


def chart_png(chart: Chart, lang: str = "vi", dpi: int = 110) -> bytes:
    """The chart as PNG bytes at `dpi` dots per inch (for Excel and downloads)."""
    buffer = io.BytesIO()
    with _drawing(chart):
        _figure(chart, lang).savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()
