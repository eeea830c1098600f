"""One name per person across the archive. Within an article, "Kirby" and "Mr Kirby" are already the
article's "John Kirby" (indexer.entities, indexer.speakers); an article that only ever says "Blair"
keeps "Blair". After each run this step gives such a surname the full name it stands for elsewhere in
the archive ("Blair" → "Tony Blair"), in quotes and in the people named, when exactly one full name
in the archive has that surname (and, for "T. Blair", that initial); with two ("Tony Blair", "Cherie
Blair") the surname stays as it is. Speakers that are organisations ("Labour") keep their name."""
from __future__ import annotations

import re

from elasticsearch import Elasticsearch

from indexer import schema, store

LIMIT = 20_000  # names read per kind
PARTICLES = {"de", "van", "von", "der", "da", "di", "al", "bin", "la", "le", "du", "del"}


def mapping(names: list[str]) -> dict[str, str]:
    """{short form: full name} for the short forms that stand for exactly one full name."""
    full: dict[str, set[str]] = {}
    for name in names:
        words = name.split()
        if len(words) >= 2 and not re.fullmatch(r"[A-Z]\.?", words[0]) and all(
                w[:1].isupper() or w in PARTICLES for w in words):
            full.setdefault(words[-1].lower(), set()).add(name)
    out = {}
    for name in names:
        words = name.split()
        candidates = full.get(words[-1].lower(), set()) - {name}
        if len(words) == 2 and re.fullmatch(r"[A-Z]\.?", words[0]):  # "T. Blair": the same initial
            candidates = {c for c in candidates if c[0] == words[0][0]}
        elif len(words) != 1:
            continue
        if len(candidates) == 1:
            out[name] = next(iter(candidates))
    return out


def _names(es: Elasticsearch, index: str) -> list[str]:
    response = es.search(index=index, size=0, aggs={
        "speakers": {"nested": {"path": schema.QUOTES}, "aggs": {"names": {"filter": {"term": {
            "quotes.speaker_kind": "person"}}, "aggs": {"raw": {"terms": {"field": "quotes.speaker.raw",
                                                                           "size": LIMIT}}}}}},
        "people": {"terms": {"field": schema.PEOPLE, "size": LIMIT}}})
    aggs = response["aggregations"]
    return sorted({b["key"] for b in aggs["speakers"]["names"]["raw"]["buckets"]} |
                  {b["key"] for b in aggs["people"]["buckets"]})


def merge(es: Elasticsearch, index: str) -> int:
    """Rewrites the short forms of the archive; returns how many articles changed."""
    es.indices.refresh(index=index)
    table = mapping(_names(es, index))
    if not table:
        return 0
    short = list(table)
    query = {"bool": {"should": [{"terms": {schema.PEOPLE: short}}, {"nested": {
        "path": schema.QUOTES, "query": {"terms": {"quotes.speaker.raw": short}}}}], "minimum_should_match": 1}}
    updates: dict[str, dict] = {}
    after = None
    while True:
        response = es.search(index=index, size=500, query=query, sort=[{schema.ID: "asc"}], search_after=after,
                             source={"includes": [schema.QUOTES, schema.PEOPLE], "exclude_vectors": False})
        hits = response["hits"]["hits"]
        if not hits:
            break
        for hit in hits:
            source = hit["_source"]
            quotes = [{**q, "speaker": table.get(q.get("speaker"), q.get("speaker"))}
                      if q.get("speaker_kind") == "person" else q for q in source.get(schema.QUOTES, [])]
            people = sorted({table.get(p, p) for p in source.get(schema.PEOPLE, [])})
            updates[hit["_id"]] = {schema.QUOTES: quotes, schema.PEOPLE: people}
        after = hits[-1]["sort"]
    return store.update_fields(es, index, updates)
