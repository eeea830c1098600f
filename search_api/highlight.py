"""Query matches as plain text with offsets (never HTML): the UI builds its own <mark> from them."""
from __future__ import annotations

import re
from functools import lru_cache

from indexer import analysis, schema
from search_api.plan import MARK_CLOSE, MARK_OPEN


def from_marked(fragment: str) -> dict:
    """"a \ue000b\ue001 \ue000c\ue001 d" -> {"text": "a b c d", "matches": [[2, 5]]}: adjacent marks
    separated only by spaces become one match (a phrase is one match)."""
    text, spans, start = "", [], None
    for piece in re.split(f"([{MARK_OPEN}{MARK_CLOSE}])", fragment):
        if piece == MARK_OPEN:
            start = len(text)
        elif piece == MARK_CLOSE:
            if start is not None and len(text) > start:
                spans.append([start, len(text)])
            start = None
        else:
            text += piece
    merged: list[list[int]] = []
    for span in spans:
        if merged and not text[merged[-1][1]:span[0]].strip():
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    return {"text": text, "matches": merged}


def highlights(hit: dict, terms: list[str] | None = None) -> list[dict]:
    """The highlighter's fragments as text with offsets. terms: the query's words, to also mark where the
    text writes one with diacritics the query did not type ("Erdoğan" for Erdogan): the search finds
    those through the variants, the highlighter marks only what was typed. The title is checked even
    when the highlighter marked nothing in it."""
    out = []
    for field, fragments in (hit.get("highlight") or {}).items():
        for fragment in fragments:
            item = from_marked(fragment)
            if terms:
                kept = [s for s in item["matches"] if not _other_case(item["text"][s[0]:s[1]], terms)]
                item["matches"] = _merged(kept + _accented_spans(item["text"], terms))
            if item["matches"]:
                out.append({"field": field, **item})
    title = (hit.get("_source") or {}).get(schema.TITLE)
    if terms and title and not any(item["field"] == schema.TITLE for item in out):
        if spans := _accented_spans(title, terms):
            out.insert(0, {"field": schema.TITLE, "text": title, "matches": spans})
    return out


def _other_case(marked: str, terms: list[str]) -> bool:
    """Whether a mark is a word the query typed in capitals written otherwise ("us" for US): the
    highlighter marks the pronoun too, the search did not find it (indexer.analysis.capitals_only)."""
    return marked.lower() in _lowered_capitals(tuple(terms)) \
        and marked not in analysis.acronym_spellings(marked.upper())


@lru_cache(maxsize=256)
def _lowered_capitals(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t.lower() for t in terms if analysis.capitals_only(t))


def _accented_spans(text: str, terms: list[str]) -> list[list[int]]:
    return [] if text.isascii() else [s for s in term_spans(text, terms) if not text[s[0]:s[1]].isascii()]


def _merged(spans: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


@lru_cache(maxsize=1)
def _accented() -> dict[str, str]:
    """Each ASCII letter and the Latin letters with diacritics that fold to it ("e" → "ÈÉÊË…èéêë…")."""
    letters: dict[str, set[str]] = {}
    for code in range(0xC0, 0x250):
        plain = analysis.folded(chr(code))
        if plain and len(plain) == 1 and plain.isalpha():
            letters.setdefault(plain.lower(), set()).add(chr(code))
    return {letter: "".join(sorted(found)) for letter, found in letters.items()}


def _either_spelling(word: str) -> str:
    """A word as a pattern that matches it with or without its diacritics (the search finds both:
    indexer.analysis.folded), so "Erdogan" marks "Erdoğan" and "Sánchez" marks "Sanchez"."""
    return "".join(f"[{re.escape(c)}{_accented()[c.lower()]}]" if c.lower() in _accented() else re.escape(c)
                   for c in analysis.folded(word) or word)


@lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """All the query's words and phrases as one pattern (one scan of a text, not one per term)."""
    alternatives = [_alternative(term) for term in terms if term.split()]
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)  # the longest phrase wins where several start together
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.I)


def _alternative(term: str) -> str:
    """A term as a pattern: its words with any ending (a stem, a trailing wildcard), or an abbreviation
    typed in capitals as written (US marks US, not "us" or "USA")."""
    if analysis.capitals_only(term):
        return "(?-i:" + "|".join(map(re.escape, analysis.acronym_spellings(term))) + r")\b"
    return r"\W+".join(_either_spelling(w) for w in term.split()) + r"\w*"


def term_spans(text: str, terms: list[str]) -> list[list[int]]:
    """Where the query's words and phrases occur in a text (case-insensitive, but an abbreviation typed in
    capitals only in capitals: US, not us; whole words, a trailing-wildcard stem matching any ending)."""
    pattern = _terms_pattern(tuple(terms))
    if pattern is None:
        return []
    return _merged([[match.start(), match.end()] for match in pattern.finditer(text)])
