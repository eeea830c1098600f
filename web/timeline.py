"""Counts over time → the geometry of a small bar chart with its axes. The template draws it as inline
SVG (no library): each bar links to the search narrowed to its interval (drill-down) and names its
count, the total and the share; the count axis can show counts or the share of all articles."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT, GAP = 640, 150, 1
LEFT, BOTTOM, TOP = 44, 22, 8  # room for the count axis, the date axis and the top label
MAX_BAR = 36  # one dated match is a bar, not a block filling the width
MAX_TICKS = 6


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the bar's tooltip and accessible name
    kind: str = "count"
    href: str | None = None  # the search narrowed to this bar's interval


@dataclass
class Tick:
    at: float  # x (date axis) or y (count axis) in the chart's units
    label: str


@dataclass
class Chart:
    bars: list[Bar]
    first: str
    last: str
    peak: int
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    base: int = HEIGHT - BOTTOM  # y of the date axis


def choose_interval(span_days: int | None) -> str:
    """Enough bars to see a shape, few enough to read: days up to six weeks, weeks up to a year, months
    up to eight years, then years."""
    if span_days is None or span_days > 8 * 366:
        return "year"
    if span_days <= 42:
        return "day"
    return "week" if span_days <= 366 else "month"


def interval_end(start: str, interval: str) -> str:
    """The last day of the interval that begins on `start` (YYYY-MM-DD)."""
    day = date.fromisoformat(start[:10])
    if interval == "day":
        end = day
    elif interval == "week":
        end = day + timedelta(days=6)
    elif interval == "month":
        end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        end = day.replace(month=12, day=31)
    return end.isoformat()


def tick_label(start: str, interval: str) -> str:
    return {"year": start[:4], "month": start[:7]}.get(interval, start[:10])


def _count_ticks(peak: float, ratio: bool) -> list[float]:
    if ratio:
        return [0.0, peak / 2, peak] if peak else [0.0]
    if peak <= 1:
        return [0.0, float(peak)]
    return sorted({0.0, float(round(peak / 2)), float(peak)})


def chart(rows: list, interval: str = "month", link=None, ratio: bool = False) -> Chart | None:
    """rows: counts over time (search_api.models.TimeBucket: date, count, total, ratio). link(start, end)
    → the href of the search narrowed to an interval; ratio: bar heights are the share of all articles."""
    if not rows or not any(r.count for r in rows):
        return None
    value = (lambda r: r.ratio) if ratio else (lambda r: r.count)
    peak = max(value(r) for r in rows) or 1
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_width / len(rows)
    width = min(max(slot - GAP, 1), MAX_BAR)
    bars = []
    for i, row in enumerate(rows):
        height = plot_height * value(row) / peak
        end = interval_end(row.date, interval)
        span = row.date[:10] if end == row.date[:10] else f"{row.date[:10]} to {end}"
        bars.append(Bar(round(LEFT + i * slot + (slot - width) / 2, 2), round(TOP + plot_height - height, 2),
                        round(width, 2), round(height, 2),
                        f"{span}: {row.count} of {row.total} articles ({100 * row.ratio:.1f}%)",
                        href=link(row.date[:10], end) if link and row.count else None))
    step = max(1, -(-len(rows) // MAX_TICKS))
    x_ticks = [Tick(round(LEFT + i * slot + slot / 2, 2), tick_label(rows[i].date, interval))
               for i in range(0, len(rows), step)]
    y_ticks = [Tick(round(TOP + plot_height - plot_height * v / peak, 2),
                    f"{100 * v:.1f}%" if ratio else f"{int(v):,}") for v in _count_ticks(peak, ratio)]
    return Chart(bars, rows[0].date, rows[-1].date, max(r.count for r in rows), x_ticks, y_ticks)


def person_chart(rows: list) -> Chart | None:
    """Two bars a month: articles naming the person and articles quoting them (models.PersonTime)."""
    if not rows:
        return None
    peak = max(max(r.mentions, r.quoted) for r in rows) or 1
    plot_width, plot_height = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_width / len(rows)
    width = min(max(slot / 2 - GAP, 1), MAX_BAR / 2)
    bars = []
    for i, row in enumerate(rows):
        for j, (kind, value) in enumerate((("mentions", row.mentions), ("quoted", row.quoted))):
            height = plot_height * value / peak
            bars.append(Bar(round(LEFT + i * slot + slot / 2 - width + j * width, 2), round(TOP + plot_height - height, 2),
                            round(width, 2), round(height, 2),
                            f"{row.date[:7]}: named in {row.mentions}, quoted in {row.quoted}", kind))
    step = max(1, -(-len(rows) // MAX_TICKS))
    x_ticks = [Tick(round(LEFT + i * slot + slot / 2, 2), rows[i].date[:7]) for i in range(0, len(rows), step)]
    y_ticks = [Tick(round(TOP + plot_height - plot_height * v / peak, 2), f"{int(v):,}") for v in _count_ticks(peak, False)]
    return Chart(bars, rows[0].date, rows[-1].date, peak, x_ticks, y_ticks)
