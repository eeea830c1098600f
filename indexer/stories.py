"""Stories: the articles that report one event share a story id (the id of the story's first article).

Whether two articles report the same event is indexer.story_evidence's rule. Grouping applies it so
that a story stays one event:
- **no chains**: an article joins a story only when it matches the story as a whole — the mean
  probability over the story's members (average link), not its nearest member — so A~B, B~C, C~D
  does not make A and D one story;
- **a story spans days, not months**: an article joins only if it is at most MAX_DAYS from the story's
  first report (copies excepted);
- **copies** (shared MinHash bands) join the story of what they copy, whatever their date, and say so
  in `story_reason` ("copy of …"), so the UI can show them as copies rather than as coverage.
Candidates come from Elasticsearch (the band keys, a kNN on the lead vector inside the date window,
the quotes by meaning), never from all pairs.

Which articles are left to group: an article is written as the first report of its own story
(indexer.process.document), and the index's `_meta` records up to which `indexed_at` grouping has run
(GROUPED_UNTIL). Each `morgue index` ends by grouping the articles stamped after it, oldest first,
undated last, ties by id, and writes only the articles whose story changes: a re-index of 300 BBC
articles from the caches no longer rewrites 295 articles (and their nested vectors) to say what they
already say. A run cut short leaves the mark where it was, so the next run groups those articles
again, to the same result. Articles without any story (written by older versions, or by hand) are
grouped too. `morgue stories --rebuild` moves the mark back to the beginning (forget), groups
everything again and gives a story with the same members as before its old id back (keep_ids).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterator

from elasticsearch import Elasticsearch, helpers

from indexer import schema, store
from indexer.quotes import SAME_STATEMENT
from indexer.story_evidence import (BANDS, COPY_BANDS, FIRST_REPORT, MAX_DAYS, THRESHOLD, Match, day, evidence,
                                    fingerprint, probability)

__all__ = ["assign", "forget", "fingerprint", "BANDS", "COPY_BANDS"]

CANDIDATES = 10
BATCH = 64
MAX_QUOTE_PROBES = 3  # longest quotes of an article looked up by meaning
MEMBERS = 30  # members of a story an article is compared with (its first reports)
FLOOR = 0.2  # no member of a story may be this unlike a newcomer (average link with a floor: no chains)
GROUPED_UNTIL = "stories_grouped_until"  # _meta: the last `indexed_at` grouping has been run up to
BEGINNING = "1970-01-01T00:00:00.000+00:00"  # written as store.stamped writes indexed_at

@dataclass
class StoryRun:
    articles: int = 0
    new_stories: int = 0
    joined: int = 0
    written: int = 0  # articles whose story changed
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        why = ", ".join(f"{k} {v}" for k, v in sorted(self.reasons.items())) or "none"
        return (f"stories: {self.articles} articles grouped ({self.joined} joined a story, {self.new_stories} new; "
                f"reasons: {why}; {self.written} written) in {self.seconds:.1f}s, {1000 / rate if rate else 0:.1f} ms/article")


# What grouping reads of an article (story_evidence.evidence takes these).
FEATURES = [schema.DATE, schema.STORY, schema.STORY_REASON, schema.INDEXED_AT, schema.FINGERPRINT, schema.NAMES,
            schema.PEOPLE, schema.ORGANIZATIONS, schema.PLACES, "quotes.key", schema.OUTLET, schema.TITLE]
ORDER = [{schema.DATE: {"order": "asc", "missing": "_last"}}, {schema.ID: "asc"}]


def _with_vectors(fields: list[str]) -> dict:
    return {"includes": fields + [schema.LEAD_VECTOR], "exclude_vectors": False}


def grouped_until(es: Elasticsearch, index: str) -> str | None:
    """The index's mark (GROUPED_UNTIL); None for an index no grouping of this version has marked."""
    return store.index_meta(es, index).get(GROUPED_UNTIL)


def open_mark(es: Elasticsearch, index: str) -> None:
    """Before a run writes: an index without a mark (new, or grouped by an older version, which left
    no article both grouped and stamped later) is marked at its newest article."""
    if grouped_until(es, index) is None:
        _mark(es, index, _newest(es, index))


def _newest(es: Elasticsearch, index: str) -> str:
    """The newest `indexed_at` of the index, written as store.stamped writes it."""
    newest = es.search(index=index, size=0, aggs={"newest": {"max": {"field": schema.INDEXED_AT}}})
    millis = newest["aggregations"]["newest"].get("value")
    return BEGINNING if millis is None else datetime.fromtimestamp(millis / 1000, timezone.utc).isoformat(timespec="milliseconds")


def _mark(es: Elasticsearch, index: str, until: str) -> None:
    es.indices.put_mapping(index=index, meta={**store.index_meta(es, index), GROUPED_UNTIL: until})  # replaced whole


def _left(until: str | None) -> dict:
    """The articles left to group: stamped after the mark, or without a story."""
    unstoried = {"bool": {"must_not": [{"exists": {"field": schema.STORY}}]}}
    if until is None:
        return unstoried
    return {"bool": {"should": [unstoried, {"range": {schema.INDEXED_AT: {"gt": until}}}], "minimum_should_match": 1}}


def _is_left(source: dict, until: str | None) -> bool:
    """_left for one article's stored fields (both dates are ISO UTC to the millisecond)."""
    stamp = source.get(schema.INDEXED_AT)
    return not source.get(schema.STORY) or (until is not None and stamp is not None and stamp > until)


def _pending(es: Elasticsearch, index: str, until: str | None) -> Iterator[list[dict]]:
    """Articles left to group, oldest first (undated last, ties by id), a batch at a time (a
    point-in-time keeps the walk consistent while the run writes story ids)."""
    pit = es.open_point_in_time(index=index, keep_alive="5m")["id"]
    after = None
    try:
        while True:
            response = es.search(size=BATCH, query=_left(until),
                                 sort=ORDER, pit={"id": pit, "keep_alive": "5m"}, search_after=after,
                                 source={"includes": FEATURES + [schema.LEAD_VECTOR, schema.QUOTE_VECTOR, "quotes.text"],
                                         "exclude_vectors": False}, track_total_hits=False)
            hits = response["hits"]["hits"]
            if not hits:
                return
            pit, after = response.get("pit_id", pit), hits[-1]["sort"]
            yield [{"id": h["_id"], **h["_source"]} for h in hits]
    finally:
        es.close_point_in_time(id=pit)


def _searches(doc: dict) -> list[dict]:
    """Candidate look-ups for one article: shared band keys, nearest leads in the date window,
    nearest quotes."""
    not_self = {"bool": {"must_not": [{"ids": {"values": [doc["id"]]}}]}}
    source = {"includes": [schema.STORY, schema.INDEXED_AT]}
    out = []
    if doc.get(schema.FINGERPRINT):
        out.append({"size": CANDIDATES, "_source": source, "query": {"bool": {"filter": [not_self, {
            "terms": {schema.FINGERPRINT: doc[schema.FINGERPRINT]}}]}}})
    if doc.get(schema.LEAD_VECTOR):
        window: list[dict] = [not_self]
        when = day(doc.get(schema.DATE))
        if when:
            window.append({"bool": {"should": [
                {"range": {schema.DATE: {"gte": (when - timedelta(days=MAX_DAYS)).isoformat(),
                                         "lte": (when + timedelta(days=MAX_DAYS + 1)).isoformat()}}},
                {"bool": {"must_not": [{"exists": {"field": schema.DATE}}]}}], "minimum_should_match": 1}})
        out.append({"size": CANDIDATES, "_source": source, "knn": schema.knn(
            schema.LEAD_VECTOR, doc[schema.LEAD_VECTOR], CANDIDATES, 5 * CANDIDATES, filter={"bool": {"filter": window}})})
    quotes = sorted((q for q in doc.get(schema.QUOTES, []) if q.get("vector") and len(q.get("text", "")) > 30),
                    key=lambda q: -len(q["text"]))[:MAX_QUOTE_PROBES]
    for quote in quotes:
        out.append({"size": CANDIDATES, "_source": source, "knn": schema.knn(
            schema.QUOTE_VECTOR, quote["vector"], CANDIDATES, 5 * CANDIDATES, similarity=SAME_STATEMENT, filter=not_self)})
    return out


def _members(es: Elasticsearch, index: str, story_ids: set[str], until: str | None) -> dict[str, list[dict]]:
    """The first MEMBERS reports of each story, with what the rule reads (articles left to group are
    not members yet: their story is this run's to decide)."""
    if not story_ids:
        return {}
    out: dict[str, list[dict]] = {s: [] for s in story_ids}
    query = {"bool": {"filter": [{"terms": {schema.STORY: sorted(story_ids)}}], "must_not": [_left(until)]}}
    for hit in helpers.scan(es, index=index, query={"query": query, "sort": ORDER,
                                                    "_source": _with_vectors(FEATURES)},
                            preserve_order=True):
        members = out[hit["_source"][schema.STORY]]
        if len(members) < MEMBERS:
            members.append(_member({"id": hit["_id"], **hit["_source"]}))
    return out


def _member(doc: dict) -> dict:
    """What a story keeps of a member while grouping: the evidence fields, not its text."""
    return {k: v for k, v in doc.items() if k != schema.QUOTES} | {
        schema.QUOTES: [{"key": q.get("key")} for q in doc.get(schema.QUOTES) or ()]}


def judge(doc: dict, members: list[dict], statements: frozenset[str] = frozenset()) -> Match | None:
    """Does doc belong to the story of these members? A copy of any member does; otherwise the story's
    first report must be at most MAX_DAYS away, the mean probability over the members must clear
    THRESHOLD and no member may be below FLOOR."""
    pairs = [evidence(doc, m, m["id"] in statements) for m in members]
    for member, e in zip(members, pairs):
        if e.bands >= COPY_BANDS:
            return Match(member["id"], "copy", 1.0 + e.bands / BANDS)
    if not members or not doc.get(schema.LEAD_VECTOR):
        return None
    if any(e.days is not None and e.days > MAX_DAYS for e in pairs):  # every member, so the first report too
        return None
    each = [probability(e) for e in pairs]
    mean = sum(each) / len(each)
    if min(each) < FLOOR or mean < THRESHOLD:
        return None
    return Match(members[0]["id"], "same event", mean)


def assign(es: Elasticsearch, index: str) -> StoryRun:
    """Give every article left to group (see the module's docstring) its story: the story it matches
    best as a whole (see judge), or a story of its own, named by its id. Writes only the articles whose
    story or reason changes, then moves the mark to the last article grouped."""
    started = time.monotonic()
    run = StoryRun()
    until = grouped_until(es, index)
    last = until
    assigned: dict[str, str] = {}  # article id → story id, this run
    members: dict[str, list[dict]] = {}  # story → its first members (this run's and the index's)
    for batch in _pending(es, index, until):
        plan = [(doc, body) for doc in batch for body in _searches(doc)]
        responses = es.msearch(searches=[x for _, body in plan for x in ({"index": index}, body)])["responses"] \
            if plan else []
        candidates: dict[str, dict[str, str | None]] = {}  # article → {candidate: its story, None if left to group}
        statements: dict[str, set[str]] = {}  # article → the articles quoting one of its statements
        for (doc, body), response in zip(plan, responses):
            for hit in response.get("hits", {}).get("hits", []):
                if body.get("knn", {}).get("field") == schema.QUOTE_VECTOR:
                    statements.setdefault(doc["id"], set()).add(hit["_id"])
                story = None if _is_left(hit["_source"], until) else hit["_source"].get(schema.STORY)
                candidates.setdefault(doc["id"], {})[hit["_id"]] = story
        wanted = {s for found in candidates.values() for s in found.values() if s} - set(members)
        members.update(_members(es, index, wanted, until))
        changes: dict[str, dict] = {}
        for doc in batch:
            best: tuple[Match, str] | None = None
            # a candidate grouped earlier in this run (this batch too) has its story here, not in the index
            found = candidates.get(doc["id"], {})
            for story in sorted({assigned.get(c) or s for c, s in found.items()} - {None}):
                match = judge(doc, members.get(story, []), frozenset(statements.get(doc["id"], ())))
                if match is not None and (best is None or match.strength > best[0].strength):
                    best = (match, story)
            if best is None:
                story, reason = doc["id"], FIRST_REPORT
                run.new_stories += 1
            else:
                match, story = best
                reason = f"copy of {match.candidate}" if match.reason == "copy" else f"same event as {story} ({match.strength:.2f})"
                run.reasons[match.reason] = run.reasons.get(match.reason, 0) + 1
                run.joined += 1
            assigned[doc["id"]] = story
            if (doc.get(schema.STORY), doc.get(schema.STORY_REASON)) != (story, reason):
                changes[doc["id"]] = {schema.STORY: story, schema.STORY_REASON: reason}
            if doc.get(schema.INDEXED_AT) and (last is None or doc[schema.INDEXED_AT] > last):
                last = doc[schema.INDEXED_AT]
            group = members.setdefault(story, [])
            if len(group) < MEMBERS:
                group.append(_member({**doc, schema.STORY: story}))
        run.articles += len(batch)
        run.written += store.update_fields(es, index, changes, refresh=False)
    es.indices.refresh(index=index)
    if until is None:  # an index without a mark had only articles without a story left: all are grouped now
        _mark(es, index, _newest(es, index))
    elif last != until:
        _mark(es, index, last)  # only now: a run cut short groups the same articles again
    run.seconds = time.monotonic() - started
    return run


def current(es: Elasticsearch, index: str) -> dict[str, str]:
    """Every grouped article's story: {article id: story id}."""
    return {hit["_id"]: hit["_source"][schema.STORY] for hit in helpers.scan(
        es, index=index, query={"query": {"exists": {"field": schema.STORY}}, "_source": [schema.STORY]})}


def keep_ids(es: Elasticsearch, index: str, before: dict[str, str]) -> int:
    """After regrouping: a story with exactly the members of a story before takes that story's id back
    (dashboards link to story ids). Returns how many articles got their old id back."""
    def groups(mapping: dict[str, str]) -> dict[str, frozenset]:
        out: dict[str, set] = {}
        for article, story in mapping.items():
            out.setdefault(story, set()).add(article)
        return {story: frozenset(m) for story, m in out.items()}

    old = {members: story for story, members in groups(before).items()}
    updates = {}
    for story, members in groups(current(es, index)).items():
        previous = old.get(members)
        if previous is not None and previous != story:
            updates.update({article: {schema.STORY: previous} for article in members})
    return store.update_fields(es, index, updates) if updates else 0


def forget(es: Elasticsearch, index: str) -> int:
    """Move the mark back to the beginning (for --rebuild): the next assign groups every article again,
    writing only those whose story changes. Returns the number of articles."""
    _mark(es, index, BEGINNING)
    return es.count(index=index)["count"]  # articles: nested passages and quotes are not counted
