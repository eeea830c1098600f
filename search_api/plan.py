"""The searches sent to Elasticsearch, as request bodies: the keyword leg (BM25, search_api.syntax), the
meaning leg (two kNN searches whose scores add up: an article's closest passage and its lead), the
match set that counts and facets are computed over, the facets, and the page's own fetch. Filters
apply inside every one of them.

What "match" means, the same for the list, the count, the facets and the timeline:
- keyword: the articles that contain the words (the Boolean match set);
- meaning: the articles whose closest passage or lead is at least `floor` close to the query (cosine;
  the default was chosen by measurement, bench/watch_floor.py), among the MEANING_CAP nearest of each;
- hybrid: the union of the two, which fusion ranks."""
from __future__ import annotations

from indexer import analysis, schema
from indexer.entities import spellings
from search_api import speakers, watermark
from search_api.query import Mode, SearchQuery, Sort
from search_api.syntax import Parsed

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: cannot occur in article text
# The legs rank; only the page is fetched in full and highlighted (highlighting 200 candidates per leg
# to show 10 was most of a search's time on long articles). What fusion needs of each candidate (its
# date, its story) comes from doc values, not from _source: loading and parsing 200 stored articles to
# read two fields was 60 % of the keyword leg on BBC (27.7 → 11.2 ms a query, bench/latency.py).
RANKING_FIELDS = {"_source": False, "docvalue_fields": [{"field": schema.DATE, "format": "strict_date_optional_time"},
                                                         schema.STORY]}
STORY_MEMBERS = 20
MEMBER_FIELDS = [schema.TITLE, schema.OUTLET, schema.DATE, schema.URL]  # what a story lists of each article
FACET_SIZE = 20
ENTITY_FACETS = {"person": schema.PEOPLE, "org": schema.ORGANIZATIONS, "place": schema.PLACES}  # facet → field
MEANING_CAP = 1000  # nearest passages and leads read to count what is close in meaning (more: "1,000+")
COUNTED = {Mode.keyword: "keyword", Mode.semantic: "meaning", Mode.hybrid: "keyword_or_meaning"}


def filters(query: SearchQuery, speakers_too: bool = True, as_of: str | None = None) -> list[dict]:
    """Article filters. speakers_too=False leaves the speaker out (a quote search applies it per quote);
    as_of leaves out articles indexed later (paging, search_api.cursor)."""
    out: list[dict] = []
    if query.from_ or query.to:
        bounds = {}
        if query.from_:
            bounds["gte"] = query.from_.isoformat()
        if query.to:
            bounds["lte"] = query.to.isoformat()
        out.append({"range": {schema.DATE: bounds}})
    if as_of:
        out.append({"range": {schema.INDEXED_AT: {"lte": as_of}}})
    if query.indexed_since is not None:
        out.append({"range": {schema.INDEXED_AT: {"gt": watermark.iso(query.indexed_since)}}})
    if query.outlet:
        out.append({"terms": {schema.OUTLET: query.outlet}})
    if query.language:
        out.append({"terms": {schema.LANGUAGE: [l.lower() for l in query.language]}})
    if query.person:
        out.append({"terms": {schema.PEOPLE: query.person}})
    if query.org:
        out.append({"terms": {schema.ORGANIZATIONS: spellings(query.org)}})
    if query.place:
        places = spellings(query.place)
        out.append({"bool": {"should": [{"terms": {schema.PLACES: places}}, {"terms": {schema.PLACE: places}}],
                             "minimum_should_match": 1}})
    for speaker in query.speaker if speakers_too else ():
        out.append({"nested": {"path": schema.QUOTES, "query": speakers.clause(speaker)}})
    if query.has_quotes is not None:
        exists = {"nested": {"path": schema.QUOTES, "query": {"exists": {"field": "quotes.text"}}}}
        out.append(exists if query.has_quotes else {"bool": {"must_not": [exists]}})
    if query.story:
        out.append({"term": {schema.STORY: query.story}})
    return out


def matching(parsed: Parsed, query: SearchQuery, as_of: str | None = None) -> dict:
    """The articles the query matches by its words (the keyword match set)."""
    return {"bool": {"must": [parsed.query], "filter": filters(query, as_of=as_of)}}


def close_in_meaning(query: SearchQuery, vector: list[float], as_of: str | None = None) -> dict:
    """The articles whose closest passage or lead is at least query.floor close to the vector."""
    def knn(field: str) -> dict:
        return {"knn": schema.knn(field, vector, MEANING_CAP, MEANING_CAP, similarity=query.floor,
                                  filter=filters(query, as_of=as_of))}

    return {"bool": {"should": [{"nested": {"path": schema.PASSAGES, "query": knn(schema.PASSAGE_VECTOR)}},
                                knn(schema.LEAD_VECTOR)], "minimum_should_match": 1}}


def match_set(parsed: Parsed, query: SearchQuery, vector: list[float] | None, as_of: str | None = None) -> dict:
    """The articles that match in the query's mode (see the module's docstring). vector: the query's
    embedding (None in keyword mode, or when there is nothing to embed)."""
    if query.mode is Mode.keyword or vector is None:
        return matching(parsed, query, as_of)
    meaning = close_in_meaning(query, vector, as_of)
    if query.mode is Mode.semantic:
        return meaning
    return {"bool": {"should": [matching(parsed, query, as_of), meaning], "minimum_should_match": 1}}


def count_body(parsed: Parsed, query: SearchQuery, vector: list[float] | None, as_of: str | None = None) -> dict:
    return {"size": 0, "track_total_hits": True, "query": match_set(parsed, query, vector, as_of)}


# Equal scores are ordered by id, not by Lucene's doc id, which differs between a primary and its
# replica and between two builds of the same data: 13 of 79 TIME queries ranked tied articles the other
# way round after a rebuild, and hybrid's fusion turned that into different ranks.
RELEVANCE = ["_score", {schema.ID: "asc"}]


def date_sort(sort: Sort) -> list | None:
    """Elasticsearch's sort for a date order (undated last), None for relevance."""
    if sort.date_order is None:
        return None
    return [{schema.DATE: {"order": sort.date_order, "missing": "_last"}}, *RELEVANCE]


def keyword_body(parsed: Parsed, query: SearchQuery, size: int, as_of: str | None = None) -> dict:
    return {"query": matching(parsed, query, as_of), "size": size, **RANKING_FIELDS,
            "track_total_hits": True, "sort": date_sort(query.sort) or RELEVANCE}


def semantic_body(query: SearchQuery, vector: list[float], size: int, as_of: str | None = None) -> dict:
    """Articles ranked by their closest passage plus their lead: the passage finds the paragraph that
    answers, the lead what the whole article is about (Reuters dev nDCG@10 with bge-small: passages
    0.641, lead 0.682, both 0.675 and the best on TIME; bench/results/encoders.md). No inner hits here:
    loading the matching passage of every candidate tripled the leg's time (22 → 71 ms for 200
    candidates on Reuters); the page's own passages come with the page (page_body)."""
    knn = [schema.knn(name, vector, size, similarity=query.floor,
                      filter=filters(query, as_of=as_of)) for name in (schema.PASSAGE_VECTOR, schema.LEAD_VECTOR)]
    return {"knn": knn, "size": size, **RANKING_FIELDS, "sort": RELEVANCE}


def highlight(parsed: Parsed) -> dict | None:
    """Matches marked on the stemmed field and its exact subfield together (indexer.analysis)."""
    if not parsed.terms:
        return None

    def both(field: str) -> list[str]:
        return [field, f"{field}.{analysis.EXACT_SUBFIELD}"]

    return {
        "type": "fvh", "pre_tags": [MARK_OPEN], "post_tags": [MARK_CLOSE], "encoder": "default",
        "fields": {schema.TITLE: {"number_of_fragments": 0, "matched_fields": both(schema.TITLE)},
                   schema.BODY: {"fragment_size": 180, "number_of_fragments": 3, "no_match_size": 0,
                                 "matched_fields": both(schema.BODY)}},
        "highlight_query": parsed.query,
    }


def page_body(parsed: Parsed, ids: list[str], vector: list[float] | None = None) -> dict:
    """The page's articles in full, with the query's matches marked by the highlighter's own query (an
    article found by meaning alone simply has no marks). The query itself only picks the ids: scoring
    them again was 1.5 ms of each page for nothing (the same highlights on 130 BBC searches).
    With the query's vector: each article's passage closest to it too, as an inner hit of the same
    search (one search instead of two: 15 % less of the node's time for the page at 4 clients on BBC,
    the same passages on 60 queries), found by a kNN query (nearest passages diversified by article,
    so k = one per article) rather than a top-level kNN, which costs a phase of its own (1 ms of 10)."""
    chosen = {"ids": {"values": ids}}
    body: dict = {"size": len(ids), "query": chosen,
                  "_source": {"excludes": [schema.BODY, schema.PASSAGES, *schema.INTERNAL]}}
    if (marks := highlight(parsed)) is not None:
        body["highlight"] = marks
    if vector is not None:
        closest = {"nested": {"path": schema.PASSAGES, "score_mode": "max", "query": {
            "knn": schema.knn(schema.PASSAGE_VECTOR, vector, len(ids), len(ids), filter=chosen)},
            "inner_hits": {"size": 1, "_source": ["passages.text", "passages.start", "passages.end"]}}}
        body["query"] = {"bool": {"filter": [chosen], "should": [closest]}}
    return body


def members_body(stories: list[str]) -> dict:
    """Every article of these stories, oldest first (what a collapsed hit lists)."""
    return {"size": STORY_MEMBERS * len(stories), "query": {"terms": {schema.STORY: stories}},
            "_source": [schema.STORY, schema.STORY_REASON, *MEMBER_FIELDS],
            "sort": [{schema.DATE: {"order": "asc", "missing": "_last"}}, {"_shard_doc": "asc"}]}


FACET_KINDS = ("outlet", "language", "speaker", "person", "org", "place")  # query fields a facet sets


def _facet_aggs() -> dict:
    return {
        "outlet": {"terms": {"field": schema.OUTLET, "size": FACET_SIZE}},
        "language": {"terms": {"field": schema.LANGUAGE, "size": FACET_SIZE}},
        "speaker": {"nested": {"path": schema.QUOTES}, "aggs": {
            "names": {"terms": {"field": "quotes.speaker.raw", "size": FACET_SIZE},
                      "aggs": {"articles": {"reverse_nested": {}}}}}},
        **{name: {"terms": {"field": field, "size": FACET_SIZE}} for name, field in ENTITY_FACETS.items()},
    }


def facets_body(parsed: Parsed, query: SearchQuery, vector: list[float] | None, as_of: str | None = None) -> dict:
    """The facets of the match set, and its size. Each facet counts the matches under every filter but
    its own (values of one kind are alternatives: the other outlets stay on offer once one is chosen);
    the facet filters apply to the count as a post_filter."""
    open_query = query.model_copy(update={kind: [] for kind in FACET_KINDS})
    base = filters(open_query, as_of=as_of)

    def facet_filters(q: SearchQuery) -> list[dict]:
        return [f for f in filters(q, as_of=as_of) if f not in base]

    every = facet_filters(query)
    aggs: dict = {"dates": {"filter": {"bool": {"filter": every}}, "aggs": {"inner": {"stats": {"field": schema.DATE}}}}}
    for name, agg in _facet_aggs().items():
        others = facet_filters(query.model_copy(update={name: []}))
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {"inner": agg}}
    return {**count_body(parsed, open_query, vector, as_of), "post_filter": {"bool": {"filter": every}}, "aggs": aggs}
