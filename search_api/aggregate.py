"""Counts for dashboards, always with their denominator: matches per interval, top outlets, speakers
and languages, each against every article under the same filters (Media Cloud's count/total/ratio)."""
from __future__ import annotations

from indexer import schema
from search_api import plan
from search_api.context import Context
from search_api.errors import BadRequest, NotFound
from search_api.models import TimeBucket, TopBucket
from search_api.query import SearchQuery
from search_api.retrieve import msearch
from search_api.search import parse_query, query_vector

INTERVALS = ("day", "week", "month", "year")
TOP_FIELDS = {"outlets": schema.OUTLET, "languages": schema.LANGUAGE, "speakers": "quotes.speaker.raw",
              "people": schema.PEOPLE, "organizations": schema.ORGANIZATIONS, "places": schema.PLACES}


def _matching_and_all(ctx: Context, query: SearchQuery, aggs: dict | None, all_aggs: dict | None = None,
                      as_of: str | None = None) -> dict:
    """Aggregations over the query's matches ("matching") and over every article under the same
    filters ("all", the denominator), in one round trip; either may be left out (None). The matches are
    those a search in the same mode counts (search_api.plan.match_set); as_of (a watermark) leaves out
    articles indexed later."""
    parsed = parse_query(query.q, ctx=ctx)
    bodies = {}
    if aggs is not None:
        vector = query_vector(ctx, parsed, query)
        bodies["matching"] = {"size": 0, "aggs": aggs, "query": plan.match_set(parsed, query, vector, as_of)}
    if all_aggs is not None:
        bodies["all"] = {"size": 0, "aggs": all_aggs, "query": {"bool": {"filter": plan.filters(query, as_of=as_of)}}}
    return {name: leg.aggregations for name, leg in msearch(ctx.es, ctx.alias, bodies).items()}


def _ratio(count: int, total: int) -> float:
    return count / total if total else 0.0


def count_over_time(ctx: Context, query: SearchQuery, interval: str, as_of: str | None = None) -> list[TimeBucket]:
    if interval not in INTERVALS:
        raise BadRequest(f"unknown interval {interval!r}: use one of {', '.join(INTERVALS)}")
    aggs = {"over_time": {"date_histogram": {"field": schema.DATE, "calendar_interval": interval,
                                             "format": "yyyy-MM-dd", "min_doc_count": 0}}}
    with ctx.errors():
        result = _matching_and_all(ctx, query, aggs, aggs, as_of)
    totals = {b["key_as_string"]: b["doc_count"] for b in result["all"]["over_time"]["buckets"]}
    counts = {b["key_as_string"]: b["doc_count"] for b in result["matching"]["over_time"]["buckets"]}
    return [TimeBucket(date=key, count=counts.get(key, 0), total=total, ratio=_ratio(counts.get(key, 0), total))
            for key, total in sorted(totals.items())]


def top(ctx: Context, query: SearchQuery, facet: str, size: int = 20, as_of: str | None = None) -> list[TopBucket]:
    if facet not in TOP_FIELDS:
        raise NotFound(f"no top list {facet!r}: use one of {', '.join(TOP_FIELDS)}")

    def aggs(size: int, include: list[str] | None = None) -> dict:
        terms = {"field": TOP_FIELDS[facet], "size": size, **({"include": include} if include else {})}
        if facet == "speakers":  # articles quoting the speaker, ranked by articles, not by quotes
            terms["order"] = {"articles": "desc"}
            return {"top": {"nested": {"path": schema.QUOTES},
                            "aggs": {"keys": {"terms": terms, "aggs": {"articles": {"reverse_nested": {}}}}}}}
        return {"top": {"terms": terms}}

    def buckets(result: dict) -> dict[str, int]:
        if facet == "speakers":
            return {b["key"]: b["articles"]["doc_count"] for b in result["top"]["keys"]["buckets"]}
        return {b["key"]: b["doc_count"] for b in result["top"]["buckets"]}

    with ctx.errors():
        counts = buckets(_matching_and_all(ctx, query, aggs(size), as_of=as_of)["matching"])
        if not counts:
            return []
        # The denominator of exactly these keys (a second round trip: the top keys of all articles may differ).
        totals = buckets(_matching_and_all(ctx, query, None, aggs(len(counts), list(counts)), as_of)["all"])
    return [TopBucket(key=key, count=count, total=totals.get(key, count), ratio=_ratio(count, totals.get(key, count)))
            for key, count in counts.items()]
