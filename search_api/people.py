"""A person's page (GET /api/people/{name}): every quotation attributed to them across outlets, newest
first, with where else each was carried; how often the archive names them and quotes them over time;
the roles the texts give them; and who is quoted alongside them most often. One _msearch for the
counts, one quote search for the quotations."""
from __future__ import annotations

from indexer import schema
from search_api import speakers
from search_api.context import Context
from search_api.errors import NotFound
from search_api.models import Bucket, PersonResponse, PersonTime
from search_api.query import SearchQuery
from search_api.quote_search import search_quotes
from search_api.retrieve import msearch

MAX_NAME_CHARS = 512


def person(ctx: Context, name: str, size: int = 50) -> PersonResponse:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise NotFound(f"no person {name[:80]!r}")
    quoting = {"nested": {"path": schema.QUOTES, "query": speakers.clause(name)}}
    over_time = {"date_histogram": {"field": schema.DATE, "calendar_interval": "month", "format": "yyyy-MM-dd"}}
    bodies = {
        "mentions": {"size": 0, "query": {"term": {schema.PEOPLE: name}}, "aggs": {"time": over_time}},
        "quoting": {"size": 0, "query": quoting, "aggs": {"time": over_time, "quotes": {
            "nested": {"path": schema.QUOTES}, "aggs": {
                "theirs": {"filter": speakers.clause(name), "aggs": {
                    "roles": {"terms": {"field": "quotes.speaker_role", "size": 10}}}},
                "others": {"terms": {"field": "quotes.speaker.raw", "size": 12},
                           "aggs": {"articles": {"reverse_nested": {}}}}}}}},
    }
    with ctx.errors():
        legs = msearch(ctx.es, ctx.alias, bodies)
        quotes = search_quotes(ctx, SearchQuery(speaker=[name], mode="keyword", sort="date", size=min(size, 100)))
    mentions, quoted = legs["mentions"], legs["quoting"]
    if not mentions.total and not quoted.total:
        raise NotFound(f"the archive neither names nor quotes {name!r}")
    times: dict[str, PersonTime] = {}
    for kind, leg in (("mentions", mentions), ("quoted", quoted)):
        for bucket in leg.aggregations["time"]["buckets"]:
            entry = times.setdefault(bucket["key_as_string"], PersonTime(date=bucket["key_as_string"]))
            setattr(entry, kind, bucket["doc_count"])
    nested = quoted.aggregations["quotes"]
    alongside = [Bucket(key=b["key"], count=b["articles"]["doc_count"], quotes=b["doc_count"])
                 for b in nested["others"]["buckets"] if not speakers.matches(b["key"], [name])][:10]
    return PersonResponse(
        name=name, mentioned_in=mentions.total, quoted_in=quoted.total,
        roles=[Bucket(key=b["key"], count=b["doc_count"]) for b in nested["theirs"]["roles"]["buckets"]],
        timeline=sorted(times.values(), key=lambda t: t.date), alongside=alongside, quotes=quotes.quotes)
