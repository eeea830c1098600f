"""The two legs sent to Elasticsearch in one `_msearch`: BM25 over title and body (search_api.syntax),
and by meaning two kNN searches whose scores add up: the article's closest passage and its lead (title
and opening embedded together). Filters apply inside both legs."""
from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

from indexer import analysis, schema
from search_api.query import SearchQuery
from search_api.syntax import Parsed

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: cannot occur in article text
HIT_SOURCE_EXCLUDES = [schema.BODY, schema.PASSAGES, schema.SOURCE, schema.CONTENT_HASH, schema.INPUT_HASH,
                       schema.FINGERPRINT, schema.NAMES]
# The legs rank; only the page is fetched in full and highlighted (highlighting 200 candidates per leg
# to show 10 was most of a search's time on long articles).
RANKING_SOURCE = [schema.DATE, schema.STORY]
PIT_KEEP_ALIVE = "5m"


@dataclass
class LegResult:
    hits: list[dict] = field(default_factory=list)
    total: int = 0
    total_relation: str = "eq"
    aggregations: dict = field(default_factory=dict)


def speaker_match(speaker: str) -> dict:
    """One quote's speaker: the exact name, or the name inside a longer one ("Kirby" → "John Kirby")."""
    return {"bool": {"should": [{"term": {"quotes.speaker.raw": speaker}},
                                {"match_phrase": {"quotes.speaker": speaker}}], "minimum_should_match": 1}}


def filters(query: SearchQuery, speakers: bool = True) -> list[dict]:
    """Article filters. speakers=False leaves the speaker out (a quote search applies it per quote)."""
    out: list[dict] = []
    if query.from_ or query.to:
        bounds = {}
        if query.from_:
            bounds["gte"] = query.from_.isoformat()
        if query.to:
            bounds["lte"] = query.to.isoformat()
        out.append({"range": {schema.DATE: bounds}})
    if query.outlet:
        out.append({"terms": {schema.OUTLET: query.outlet}})
    if query.language:
        out.append({"terms": {schema.LANGUAGE: [l.lower() for l in query.language]}})
    for speaker in query.speaker if speakers else ():
        out.append({"nested": {"path": schema.QUOTES, "query": speaker_match(speaker)}})
    if query.has_quotes is not None:
        exists = {"nested": {"path": schema.QUOTES, "query": {"exists": {"field": "quotes.text"}}}}
        out.append(exists if query.has_quotes else {"bool": {"must_not": [exists]}})
    if query.story:
        out.append({"term": {schema.STORY: query.story}})
    return out


def highlight(parsed: Parsed) -> dict | None:
    if not parsed.terms:
        return None
    def both(field: str) -> list[str]:  # the stemmed field and its exact subfield (indexer.analysis)
        return [field, f"{field}.{analysis.EXACT_SUBFIELD}"]

    return {
        "type": "fvh", "pre_tags": [MARK_OPEN], "post_tags": [MARK_CLOSE], "encoder": "default",
        "fields": {schema.TITLE: {"number_of_fragments": 0, "matched_fields": both(schema.TITLE)},
                   schema.BODY: {"fragment_size": 180, "number_of_fragments": 3, "no_match_size": 0,
                                 "matched_fields": both(schema.BODY)}},
        "highlight_query": parsed.query,
    }


def keyword_body(parsed: Parsed, query: SearchQuery, size: int) -> dict:
    return {"query": {"bool": {"must": [parsed.query], "filter": filters(query)}}, "size": size,
            "_source": RANKING_SOURCE, "track_total_hits": True}


def num_candidates(k: int) -> int:
    """HNSW candidates per shard for a kNN leg of k hits."""
    return min(max(2 * k, 100), 10_000)


def semantic_body(query: SearchQuery, vector: list[float], size: int) -> dict:
    """Articles ranked by their closest passage plus their lead: the passage finds the paragraph that
    answers, the lead what the whole article is about (Reuters dev nDCG@10, bge-small: passages
    0.641, lead 0.682, both 0.675 and the best on TIME; bench/results/encoders.md). No inner hits here:
    loading the matching passage of every candidate tripled the leg's time (22 → 71 ms for 200
    candidates on Reuters); the page's own passages come from best_passages_body."""
    knn = [{"field": name, "query_vector": vector, "k": size, "num_candidates": num_candidates(size),
            "filter": filters(query)} for name in (schema.PASSAGE_VECTOR, schema.LEAD_VECTOR)]
    return {"knn": knn, "size": size, "_source": RANKING_SOURCE}


def best_passages_body(vector: list[float], ids: list[str]) -> dict:
    """For the shown articles only: each one's passage closest to the query, as an inner hit."""
    return {
        "knn": {"field": schema.PASSAGE_VECTOR, "query_vector": vector, "k": len(ids),
                "num_candidates": num_candidates(len(ids)), "filter": [{"ids": {"values": ids}}],
                "inner_hits": {"size": 1, "_source": ["passages.text", "passages.start", "passages.end"]}},
        "size": len(ids), "_source": False,
    }


def page_body(parsed: Parsed, ids: list[str]) -> dict:
    """The page's articles in full, with the query's matches marked (matching by meaning only is fine:
    the query is a `should`, the ids are the filter)."""
    body: dict = {"size": len(ids), "query": {"bool": {"filter": [{"ids": {"values": ids}}], "should": [parsed.query]}},
                  "_source": {"excludes": HIT_SOURCE_EXCLUDES}}
    if (marks := highlight(parsed)) is not None:
        body["highlight"] = marks
    return body


def open_pit(es: Elasticsearch, index: str) -> str:
    return es.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE)["id"]


def msearch(es: Elasticsearch, index: str, bodies: dict[str, dict], pit: str | None = None) -> dict[str, LegResult]:
    """Run the legs in one round trip; a failing leg raises (never a silently empty leg)."""
    searches: list[dict] = []
    for body in bodies.values():
        if pit:
            searches += [{}, {**body, "pit": {"id": pit, "keep_alive": PIT_KEEP_ALIVE}}]
        else:
            searches += [{"index": index}, body]
    response = es.msearch(searches=searches)
    results: dict[str, LegResult] = {}
    for name, item in zip(bodies, response["responses"]):
        if "error" in item:
            raise LegError(name, item["error"])
        total = item["hits"].get("total") or {"value": len(item["hits"]["hits"]), "relation": "eq"}
        results[name] = LegResult(item["hits"]["hits"], total["value"], total["relation"],
                                  item.get("aggregations") or {})
    return results


class LegError(RuntimeError):
    def __init__(self, leg: str, error: dict):
        reason = (error.get("root_cause") or [error])[0].get("reason") or error.get("reason") or str(error)
        super().__init__(f"{leg} search failed: {reason}")
        self.leg = leg
        self.error = error
