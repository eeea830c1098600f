"""Who said it: one rule for matching a requested speaker, in Elasticsearch and in Python alike. A
speaker matches by the exact name or a name inside it ("Kirby" finds "John Kirby")."""
from __future__ import annotations

import re


def clause(speaker: str) -> dict:
    """The query on one quote's speaker (inside the nested `quotes`)."""
    return {"bool": {"should": [{"term": {"quotes.speaker.raw": speaker}},
                                {"match_phrase": {"quotes.speaker": speaker}}], "minimum_should_match": 1}}


def matches(name: str | None, wanted: list[str]) -> bool:
    """Whether a quote's speaker is one of the speakers asked for (whole words, any case)."""
    if not name:
        return False
    words = re.findall(r"\w+", name.lower())
    for speaker in wanted:
        asked = re.findall(r"\w+", speaker.lower())
        if asked and any(words[i:i + len(asked)] == asked for i in range(len(words) - len(asked) + 1)):
            return True
    return False
