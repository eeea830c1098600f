"""One round trip to Elasticsearch for several searches (`_msearch`): the legs of a search, or a page's
pieces. A failed search is raised as the error it is for the user (search_api.errors), never as an
empty result."""
from __future__ import annotations

from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

from search_api.errors import from_search_error


@dataclass
class LegResult:
    hits: list[dict] = field(default_factory=list)
    total: int = 0
    total_relation: str = "eq"
    aggregations: dict = field(default_factory=dict)


def msearch(es: Elasticsearch, index: str, bodies: dict[str, dict]) -> dict[str, LegResult]:
    if not bodies:
        return {}
    searches: list[dict] = []
    for body in bodies.values():
        searches += [{"index": index}, body]
    response = es.msearch(searches=searches)
    return {name: leg(name, item) for name, item in zip(bodies, response["responses"])}


def leg(name: str, item: dict) -> LegResult:
    """One answer of an `_msearch`. A search that failed, or that some shards failed to answer (its
    hits would be silently partial), is raised: 4xx the user's, otherwise a 503 naming the cause."""
    if "error" in item:
        raise from_search_error(name, {**item["error"], "status": item.get("status", 500)})
    shards = item.get("_shards") or {}
    if shards.get("failed"):
        failure = (shards.get("failures") or [{}])[0].get("reason") or {}
        raise from_search_error(name, {**failure, "status": 503, "failed_shards": f"{shards['failed']} of {shards.get('total')}"})
    total = item["hits"].get("total") or {"value": len(item["hits"]["hits"]), "relation": "eq"}
    return LegResult(item["hits"]["hits"], total["value"], total["relation"], item.get("aggregations") or {})
