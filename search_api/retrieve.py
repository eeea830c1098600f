"""One round trip to Elasticsearch for several searches (`_msearch`): the legs of a search, or a page's
pieces. A failed search is raised as the error it is for the user (search_api.errors), never as an
empty result."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch

from indexer.connection import TRANSIENT
from search_api.errors import from_search_error

RETRIES = 3
BACKOFF_S = 0.2  # then 0.4: a replica is promoted within about a second of its primary's node leaving


@dataclass
class LegResult:
    hits: list[dict] = field(default_factory=list)
    total: int = 0
    total_relation: str = "eq"
    aggregations: dict = field(default_factory=dict)


def msearch(es: Elasticsearch, index: str, bodies: dict[str, dict], search_type: str | None = None) -> dict[str, LegResult]:
    """search_type: `dfs_query_then_fetch` for the ranking legs of an index of several shards (term
    statistics of the whole index, not of each shard: Context.search_type). A search that some
    shards failed to answer, or that failed on the server's side, is asked again after a short pause
    (a node of a cluster going away: its shards' replicas take over); what still fails is raised."""
    if not bodies:
        return {}
    header = {"index": index, **({"search_type": search_type} if search_type else {})}
    searches: list[dict] = []
    for body in bodies.values():
        searches += [header, body]
    for attempt in range(RETRIES):
        items = es.msearch(searches=searches)["responses"]
        if not any(map(_transient, items)):
            break
        if attempt < RETRIES - 1:
            time.sleep(BACKOFF_S * 2 ** attempt)
    return {name: leg(name, item) for name, item in zip(bodies, items)}


def _transient(item: dict) -> bool:
    if "error" in item:
        return item.get("status", 500) in (500, *TRANSIENT)
    return bool((item.get("_shards") or {}).get("failed"))


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
