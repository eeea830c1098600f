"""Dates as a reader writes them: "12 March 2025", "2–4 March 2025", "28 February – 2 March 2025"."""
from __future__ import annotations

from datetime import date


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def span(first: str | None, last: str | None) -> str:
    """The days from first to last (ISO strings), as short as reads well; "" when undated."""
    a, b = _day(first), _day(last) or _day(first)
    if a is None:
        return ""
    if b is None or a == b:
        return f"{a.day} {a:%B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%B} – {b.day} {b:%B %Y}"
    return f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"
