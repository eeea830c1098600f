"""Text plus offsets → pieces the templates render. No HTML is built here: a piece is plain text and a
kind ("text", "mark", "quote"); Jinja escapes the text and writes the tags itself."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Piece:
    kind: str  # text | mark | quote
    text: str = ""
    children: list["Piece"] = field(default_factory=list)  # a quote's own text and marks
    quote: object | None = None  # the quote (search_api.models.Quote) of a quote piece


def _clip(spans: list[list[int]] | list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """Spans inside [start, end), shifted to start at 0, merged where they overlap."""
    clipped = sorted((max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start)
    merged: list[tuple[int, int]] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


def marked(text: str, marks) -> list[Piece]:
    """Text with the query's matches as mark pieces."""
    pieces, position = [], 0
    for start, end in _clip(marks or [], 0, len(text)):
        if start > position:
            pieces.append(Piece("text", text[position:start]))
        pieces.append(Piece("mark", text[start:end]))
        position = end
    if position < len(text):
        pieces.append(Piece("text", text[position:]))
    return pieces


def paragraphs(body: str, quotes: list, marks) -> list[list[Piece]]:
    """An article body as paragraphs of pieces: each quote (by its offsets) a quote piece holding its
    own marks; overlapping quotes keep the first."""
    out = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", body):
        start, end = match.span()
        pieces: list[Piece] = []
        position = start
        for quote in sorted(quotes, key=lambda q: q.start):
            q_start, q_end = max(quote.start, start), min(quote.end, end)
            if q_start >= q_end or q_start < position:
                continue
            pieces += marked(body[position:q_start], _clip(marks or [], position, q_start))
            pieces.append(Piece("quote", children=marked(body[q_start:q_end], _clip(marks or [], q_start, q_end)),
                                quote=quote))
            position = q_end
        pieces += marked(body[position:end], _clip(marks or [], position, end))
        out.append(pieces)
    return out
