"""Counts over time → the geometry of a small bar chart. The template draws it as inline SVG (no
script, no external library); each bar's title gives the count, the total and the share."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, GAP = 640, 120, 1


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the bar's tooltip and accessible name
    kind: str = "count"


@dataclass
class Chart:
    bars: list[Bar]
    first: str
    last: str
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def choose_interval(span_days: int | None) -> str:
    """Enough bars to see a shape, few enough to read: days up to three months, then months, then years."""
    if span_days is None or span_days > 6 * 365:
        return "year"
    return "day" if span_days <= 92 else "month"


def chart(rows: list) -> Chart | None:
    """rows: counts over time (search_api.models.TimeBucket: date, count, total, ratio)."""
    if not rows or not any(r.count for r in rows):
        return None
    peak = max(r.count for r in rows)
    width = WIDTH / len(rows)
    bars = []
    for i, row in enumerate(rows):
        height = HEIGHT * row.count / peak
        bars.append(Bar(round(i * width, 2), round(HEIGHT - height, 2), round(max(width - GAP, 1), 2),
                        round(height, 2), f"{row.date}: {row.count} of {row.total} articles ({100 * row.ratio:.1f}%)"))
    return Chart(bars, rows[0].date, rows[-1].date, peak)


def person_chart(rows: list) -> Chart | None:
    """Two bars a month: articles naming the person and articles quoting them (models.PersonTime)."""
    if not rows:
        return None
    peak = max(max(r.mentions, r.quoted) for r in rows) or 1
    width = WIDTH / len(rows)
    bars = []
    for i, row in enumerate(rows):
        for j, (kind, value) in enumerate((("mentions", row.mentions), ("quoted", row.quoted))):
            height = HEIGHT * value / peak
            bars.append(Bar(round(i * width + j * width / 2, 2), round(HEIGHT - height, 2),
                            round(max(width / 2 - GAP, 1), 2), round(height, 2),
                            f"{row.date[:7]}: named in {row.mentions}, quoted in {row.quoted}", kind))
    return Chart(bars, rows[0].date, rows[-1].date, peak)
