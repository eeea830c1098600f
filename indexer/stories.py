"""Stories: articles reporting the same event share a story id.

Cheap signals, each of which explains itself in the article's `story_reason`:
- **same text** (syndication, reprints): MinHash (datasketch, 64 permutations) of word 5-shingles,
  stored as 16 LSH band keys (`fingerprint`); two articles sharing at least SAME_TEXT_BANDS bands
  are copies of one text, whatever their dates.
- **same lead**: cosine of the lead vectors (mean of the first two passage vectors: who, what, where)
  at or above SAME_LEAD, for articles at most MAX_DAYS apart (or without a full date) that share a
  name (capitalised words of the lead, minus sentence starters and corporate suffixes): formulaic
  texts about different actors ("Pall Corp sets quarterly dividend" / "Walgreen votes quarterly
  dividend") read alike to the model but name no one in common.
- **same quote**: the same quotation (normalised words, or quote vectors at or above the API's
  SAME_STATEMENT: translations) together with a lead cosine at or above SAME_LEAD_WITH_QUOTE.
Candidates come from Elasticsearch: a terms query on the band keys (LSH) and a kNN on the lead vector,
so grouping never compares all pairs. An article joins the story of its strongest match if it also
resembles the story's first article (no chains of look-alikes, no merging of stories). New articles
(no story yet) are grouped incrementally after each `morgue index`; `morgue stories --rebuild`
forgets every story and starts over. A lead that names no one is too generic to match by lead alone.

Thresholds are calibrated on SemEval-2022 Task 8 (see bench/semeval_stories.py and its result).
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterator

import numpy as np
from datasketch import MinHash
from elasticsearch import Elasticsearch, helpers

from indexer import schema, store
from indexer.quotes import SAME_STATEMENT

NUM_PERM, BANDS = 64, 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
SAME_TEXT_BANDS = 8  # ≥ half the bands equal: Jaccard of shingles ≈ 0.7 or more
SAME_LEAD = 0.75  # SemEval en-en, bge-small title+lead vectors: precision 0.907, recall 0.765 (bench/results/semeval_stories.md)
SAME_LEAD_WITH_QUOTE = 0.60
MAX_DAYS = 3
CANDIDATES = 10
BATCH = 64
MAX_QUOTE_PROBES = 3  # longest quotes of an article looked up by meaning


def fingerprint(text: str) -> list[str]:
    """16 LSH band keys of the MinHash of the text's word 5-shingles."""
    words = re.findall(r"\w+", text.lower())
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(len(words) - SHINGLE_WORDS + 1, 1))}
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    signature.update_batch([s.encode() for s in shingles])
    values = signature.hashvalues.astype(np.uint64)
    return [f"{band}:{hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=6).hexdigest()}"
            for band in range(BANDS)]


_NAME = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z0-9]\b|\b(?:[A-Z]\.){2,}")
NOT_NAMES = set("""a an the in on at of to for by from with as and or but if when while after before since
until this that these those there here it its he she his her him they them their we our you your i me my
mr mrs ms dr sir mln bln pct vs inc co corp corporation ltd plc llc group company companies holdings
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
reuter reuters said says also however meanwhile""".split())
LEAD_CHARS = 1500
MIN_SHARED_NAMES = 2


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”«»]\s*|\n)\s*$")


def names(body: str) -> list[str]:
    """Who and where the lead is about: capitalised words inside sentences (a capital after a full stop
    or a line break says nothing), lower-cased, possessives dropped, minus common words."""
    lead = body[:LEAD_CHARS]
    found = set()
    for match in _NAME.finditer(lead):
        if _SENTENCE_START.search(lead[max(0, match.start() - 3):match.start()]):
            continue
        name = re.sub(r"['’]s$", "", match.group(0).lower().rstrip("."))
        if name not in NOT_NAMES and len(name) > 1:
            found.add(name)
    return sorted(found)


def cosine(a, b) -> float:
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))


@dataclass
class Match:
    candidate: str
    reason: str  # same text | same lead | same quote
    strength: float


def decide(bands_shared: int, lead_cos: float | None, shared_quote: bool, days_apart: int | None,
           shared_names: int | None, same_lead: float = SAME_LEAD) -> Match | None:
    """The rule, in one place (the bench calls it too). Returns the reason and strength, or None.
    shared_names None: one side names no one."""
    if bands_shared >= SAME_TEXT_BANDS:
        return Match("", "same text", 1.0 + bands_shared / BANDS)
    if lead_cos is None or (days_apart is not None and days_apart > MAX_DAYS):
        return None
    if shared_names is not None and shared_names < MIN_SHARED_NAMES:
        return None
    if shared_names is None:  # a lead that names no one: too generic to call the same event
        return Match("", "same quote", lead_cos) if shared_quote and lead_cos >= same_lead else None
    if lead_cos >= same_lead:
        return Match("", "same lead", lead_cos)
    if shared_quote and lead_cos >= SAME_LEAD_WITH_QUOTE:
        return Match("", "same quote", lead_cos)
    return None


# ------------------------------------------------------------------ grouping against the index


@dataclass
class StoryRun:
    articles: int = 0
    new_stories: int = 0
    joined: int = 0
    seconds: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds else 0.0
        why = ", ".join(f"{k} {v}" for k, v in sorted(self.reasons.items())) or "none"
        return (f"stories: {self.articles} articles grouped ({self.joined} joined a story, {self.new_stories} new; "
                f"reasons: {why}) in {self.seconds:.1f}s, {1000 / rate if rate else 0:.1f} ms/article")


FEATURES = [schema.DATE, schema.STORY, schema.FINGERPRINT, schema.NAMES, "quotes.key", "quotes.text", "quotes.start"]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _pending(es: Elasticsearch, index: str) -> Iterator[list[dict]]:
    """Articles without a story, oldest first (undated last), a batch at a time, with what grouping
    needs (a point-in-time keeps the walk consistent while the run writes story ids)."""
    pit = es.open_point_in_time(index=index, keep_alive="5m")["id"]
    sort = [{schema.DATE: {"order": "asc", "missing": "_last"}}, {"_shard_doc": "asc"}]
    after = None
    try:
        while True:
            response = es.search(size=BATCH, query={"bool": {"must_not": [{"exists": {"field": schema.STORY}}]}},
                                 sort=sort, pit={"id": pit, "keep_alive": "5m"}, search_after=after,
                                 source={"includes": FEATURES + [schema.LEAD_VECTOR, schema.QUOTE_VECTOR],
                                         "exclude_vectors": False}, track_total_hits=False)
            hits = response["hits"]["hits"]
            if not hits:
                return
            pit, after = response.get("pit_id", pit), hits[-1]["sort"]
            yield [{"id": h["_id"], **h["_source"]} for h in hits]
    finally:
        es.close_point_in_time(id=pit)


def _searches(doc: dict) -> list[tuple[str, dict]]:
    """Candidate look-ups for one article: shared band keys, nearest leads, nearest quotes."""
    not_self = {"bool": {"must_not": [{"ids": {"values": [doc["id"]]}}]}}
    source = {"includes": [schema.DATE, schema.STORY, schema.FINGERPRINT, schema.NAMES, "quotes.key"]}
    # Candidates found by text or quote carry their lead vector: the rule needs the lead cosine.
    with_lead = {"includes": source["includes"] + [schema.LEAD_VECTOR], "exclude_vectors": False}
    out = []
    if doc.get(schema.FINGERPRINT):
        out.append(("text", {"size": CANDIDATES, "_source": with_lead, "query": {"bool": {"filter": [not_self, {
            "terms": {schema.FINGERPRINT: doc[schema.FINGERPRINT]}}]}}}))
    if doc.get(schema.LEAD_VECTOR):
        window: list[dict] = [not_self]
        day = _day(doc.get(schema.DATE))
        if day:
            window.append({"bool": {"should": [
                {"range": {schema.DATE: {"gte": (day - timedelta(days=MAX_DAYS)).isoformat(),
                                         "lte": (day + timedelta(days=MAX_DAYS + 1)).isoformat()}}},
                {"bool": {"must_not": [{"exists": {"field": schema.DATE}}]}}], "minimum_should_match": 1}})
        out.append(("lead", {"size": CANDIDATES, "_source": source, "knn": {
            "field": schema.LEAD_VECTOR, "query_vector": doc[schema.LEAD_VECTOR], "k": CANDIDATES,
            "num_candidates": 5 * CANDIDATES, "filter": {"bool": {"filter": window}}}}))
    quotes = sorted((q for q in doc.get(schema.QUOTES, []) if q.get("vector") and len(q.get("text", "")) > 30),
                    key=lambda q: -len(q["text"]))[:MAX_QUOTE_PROBES]
    for quote in quotes:
        out.append(("quote", {"size": CANDIDATES, "_source": with_lead, "knn": {
            "field": schema.QUOTE_VECTOR, "query_vector": quote["vector"], "k": CANDIDATES,
            "num_candidates": 5 * CANDIDATES, "similarity": SAME_STATEMENT, "filter": not_self}}))
    return out


def _seed_leads(es: Elasticsearch, index: str, story_ids: set[str]) -> dict[str, list[float]]:
    """Lead vectors of the articles that started these stories (a story's id is its first article's)."""
    if not story_ids:
        return {}
    response = es.search(index=index, size=len(story_ids), query={"ids": {"values": sorted(story_ids)}},
                         source={"includes": [schema.LEAD_VECTOR], "exclude_vectors": False})
    return {h["_id"]: h["_source"][schema.LEAD_VECTOR] for h in response["hits"]["hits"]
            if h["_source"].get(schema.LEAD_VECTOR)}


def _matches(doc: dict, candidates: dict[str, dict]) -> list[Match]:
    """Every candidate that passes the rule, strongest first."""
    own_keys = {q.get("key") for q in doc.get(schema.QUOTES, []) if q.get("key")}
    own_names = set(doc.get(schema.NAMES) or [])
    out = []
    for candidate, entry in candidates.items():
        source = entry["source"]
        shared_bands = len(set(doc.get(schema.FINGERPRINT) or []) & set(source.get(schema.FINGERPRINT) or []))
        keys = {q.get("key") for q in source.get(schema.QUOTES, []) if q.get("key")}
        lead = entry["lead"]
        if lead is None and doc.get(schema.LEAD_VECTOR) and source.get(schema.LEAD_VECTOR):
            lead = cosine(doc[schema.LEAD_VECTOR], source[schema.LEAD_VECTOR])
        a, b = _day(doc.get(schema.DATE)), _day(source.get(schema.DATE))
        days = abs((a - b).days) if a and b else None
        their_names = set(source.get(schema.NAMES) or [])
        shared_names = len(own_names & their_names) if own_names and their_names else None
        match = decide(shared_bands, lead, entry["quote"] or bool(own_keys & keys), days, shared_names)
        if match is not None:
            match.candidate = candidate
            out.append(match)
    return sorted(out, key=lambda m: -m.strength)


def assign(es: Elasticsearch, index: str) -> StoryRun:
    """Give every article without a story one. It joins the story of its strongest match whose first
    article it also matches (so a story cannot drift along a chain of look-alikes: every member is
    close to where the story began); otherwise it starts a story, named by its own id."""
    started = time.monotonic()
    run = StoryRun()
    assigned: dict[str, str] = {}  # article id → story id, this run
    started_here: dict[str, list[float]] = {}  # lead vectors of stories begun in this run
    for batch in _pending(es, index):
        plan = [(doc, kind, body) for doc in batch for kind, body in _searches(doc)]
        responses = es.msearch(searches=[x for _, _, body in plan for x in ({"index": index}, body)])["responses"] \
            if plan else []
        found: dict[str, dict[str, dict]] = {}
        for (doc, kind, _), response in zip(plan, responses):
            for hit in response.get("hits", {}).get("hits", []):
                entry = found.setdefault(doc["id"], {}).setdefault(
                    hit["_id"], {"source": {}, "lead": None, "quote": False})
                entry["source"] = {**entry["source"], **hit["_source"]}
                if kind == "lead":
                    entry["lead"] = schema.cosine_from_score(hit["_score"])
                elif kind == "quote":
                    entry["quote"] = True
        stored_stories = {e["source"].get(schema.STORY) for c in found.values() for e in c.values()}
        seeds = _seed_leads(es, index, {s for s in stored_stories if s and s not in started_here})
        reasons: dict[str, str] = {}
        for doc in batch:
            story = None
            for match in _matches(doc, found.get(doc["id"], {})):
                entry = found[doc["id"]][match.candidate]
                candidate_story = assigned.get(match.candidate) or entry["source"].get(schema.STORY)
                if candidate_story is None:
                    continue  # grouped later in this run, when it will find this article
                seed = started_here.get(candidate_story) or seeds.get(candidate_story)
                if match.reason != "same text" and candidate_story != match.candidate and seed is not None \
                        and doc.get(schema.LEAD_VECTOR) and cosine(doc[schema.LEAD_VECTOR], seed) < SAME_LEAD:
                    continue  # like one member, unlike the story's first article
                story = candidate_story
                reasons[doc["id"]] = f"{match.reason} as {match.candidate} ({match.strength:.3f})"
                run.reasons[match.reason] = run.reasons.get(match.reason, 0) + 1
                run.joined += 1
                break
            if story is None:
                story = doc["id"]
                started_here[story] = doc.get(schema.LEAD_VECTOR)
                reasons[doc["id"]] = "first of its story"
                run.new_stories += 1
            assigned[doc["id"]] = story
        run.articles += len(batch)
        store.update_fields(es, index, {doc_id: {schema.STORY: assigned[doc_id], schema.STORY_REASON: reason}
                                        for doc_id, reason in reasons.items()}, refresh=False)
    es.indices.refresh(index=index)
    run.seconds = time.monotonic() - started
    return run


def forget(es: Elasticsearch, index: str) -> int:
    """Clear every story id (for --rebuild): a null field is a missing one to the `exists` query."""
    ids = [hit["_id"] for hit in helpers.scan(es, index=index, query={"query": {"exists": {"field": schema.STORY}}},
                                              _source=False)]
    return store.update_fields(es, index, {i: {schema.STORY: None, schema.STORY_REASON: None} for i in ids})
