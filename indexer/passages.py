"""Passages: sentence-aware windows of the body that fit the model (≤ 256 word pieces), with offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 900  # ~200 word pieces of English news text
LEAD_CHARS = 1000  # the lead: title and opening, ~250 word pieces
OVERLAP_SENTENCES = 1
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’»)]*|\n|$)")


@dataclass
class Passage:
    text: str
    start: int
    end: int


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def split_passages(text: str, max_chars: int = MAX_CHARS) -> list[Passage]:
    """Greedy packing of whole sentences; the last sentence of a passage opens the next one."""
    sentences = []
    for start, end in _sentences(text):
        while end - start > max_chars:  # a run-on "sentence": cut at a space
            cut = text.rfind(" ", start, start + max_chars)
            cut = cut if cut > start else start + max_chars
            sentences.append((start, cut))
            start = cut + 1
        sentences.append((start, end))
    passages: list[Passage] = []
    i = 0
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - sentences[i][0] <= max_chars:
            j += 1
        start, end = sentences[i][0], sentences[j][1]
        passages.append(Passage(text[start:end], start, end))
        if j + 1 >= len(sentences):
            break
        i = max(j + 1 - OVERLAP_SENTENCES, i + 1)
    return passages


def lead(title: str | None, body: str, max_chars: int = LEAD_CHARS) -> str:
    """The title and the opening of the body, cut at a word: embedded as one text, it says what the
    article is about (measured on the Reuters dev queries: a better match for a topic than any
    single passage; see bench/results/relevance-reuters.md)."""
    text = f"{title.strip()}\n{body}" if title and title.strip() else body
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[:cut if cut > max_chars // 2 else max_chars]
