"""Where watches live: small indices beside the archive's alias, each a versioned index behind an
alias of its own, created on first use and migrated (new fields added) when MAPPINGS grows:

    <alias>-watches            the saved searches
    <alias>-watch-matches      one document per (watch, article) ever reported; its id is derived from
                               the pair and written with op_type=create, so reporting is idempotent
    <alias>-watch-deliveries   webhook deliveries and their attempts
    <alias>-watch-runs         a log of evaluations, and the lease that keeps two from overlapping

Writes refresh these small indices at once (refresh=true) rather than wait for the next scheduled
refresh (wait_for, up to a second each): a run makes a handful of them.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields

from elasticsearch import ConflictError, Elasticsearch, NotFoundError, helpers

VERSION = 1
_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}
_STORED = {"type": "keyword", "index": False, "doc_values": False}
_OPAQUE = {"type": "object", "enabled": False}
MAPPINGS = {
    "watches": {"id": _KEYWORD, "name": _KEYWORD, "owner": _KEYWORD, "query": _OPAQUE, "mode": _KEYWORD,
                "floor": {"type": "float"}, "vector": {"type": "float", "index": False, "doc_values": False},
                "model": _KEYWORD, "webhook": _STORED, "secret": _STORED, "feed_token": _STORED,
                "backfill": {"type": "boolean"}, "created_at": _DATE, "watermark": _DATE, "last_run_at": _DATE,
                "matches": {"type": "long"}, "last_new": {"type": "integer"}},
    "matches": {"watch": _KEYWORD, "article": _KEYWORD, "matched_at": _DATE, "indexed_at": _DATE, "run": _KEYWORD,
                "title": _STORED, "outlet": _KEYWORD, "date": _STORED, "url": _STORED},
    "deliveries": {"id": _KEYWORD, "watch": _KEYWORD, "run": _KEYWORD, "created_at": _DATE, "status": _KEYWORD,
                   "attempts": {"type": "integer"}, "next_attempt_at": _DATE, "delivered_at": _DATE,
                   "last_status": {"type": "integer"}, "last_error": _STORED, "articles": {"type": "integer"},
                   "payload": _OPAQUE},
    "runs": {"id": _KEYWORD, "started_at": _DATE, "finished_at": _DATE, "watches": {"type": "integer"},
             "new_matches": {"type": "integer"}, "seconds": {"type": "float"}, "lease_until": _DATE},
}
_ready: set[tuple[int, str]] = set()


def name(alias: str, kind: str) -> str:
    return f"{alias}-watches" if kind == "watches" else f"{alias}-watch-{kind}"


def ensure(es: Elasticsearch, alias: str) -> None:
    """Create the indices that do not exist yet; add fields the mapping gained to those that do."""
    for kind, properties in MAPPINGS.items():
        target = name(alias, kind)
        if (id(es), target) in _ready:
            continue
        if es.indices.exists_alias(name=target):
            es.indices.put_mapping(index=target, properties=properties)
        else:
            es.options(ignore_status=400).indices.create(  # 400: another process just created it
                index=f"{target}-v{VERSION}", aliases={target: {}},
                mappings={"dynamic": "strict", "_meta": {"version": VERSION}, "properties": properties},
                settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})  # a copy on a second node
        _ready.add((id(es), target))


def forget(es: Elasticsearch, alias: str) -> None:
    """Drop the watch indices of an alias (tests, `--rebuild` keeps them)."""
    for kind in MAPPINGS:
        target = name(alias, kind)
        _ready.discard((id(es), target))
        found = es.options(ignore_status=404).indices.get_alias(name=target)
        if found.meta.status == 200:
            es.indices.delete(index=",".join(found.body))


def owner_of(key: str | None) -> str:
    """Watches belong to the API key that made them (a digest of it; the key is never stored)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""


@dataclass
class Watch:
    id: str
    name: str
    query: dict
    mode: str
    created_at: str
    watermark: str
    owner: str = ""
    floor: float | None = None
    vector: list[float] | None = None
    model: str | None = None
    webhook: str | None = None
    secret: str = ""
    feed_token: str = ""
    backfill: bool = False
    last_run_at: str | None = None
    matches: int = 0
    last_new: int = 0

    @classmethod
    def from_doc(cls, doc: dict) -> "Watch":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in known})


def put(es: Elasticsearch, alias: str, *watches: Watch) -> None:
    """Write watches (one, or many at once), searchable when this returns."""
    helpers.bulk(es, ({"_index": name(alias, "watches"), "_id": w.id, "_source": asdict(w)} for w in watches),
                 refresh=True)


def get(es: Elasticsearch, alias: str, watch_id: str, owner: str | None = None) -> Watch | None:
    """The watch, or None when there is none of that id for this owner (None: any owner)."""
    try:
        doc = es.get(index=name(alias, "watches"), id=watch_id)["_source"]
    except NotFoundError:
        return None
    watch = Watch.from_doc(doc)
    return watch if owner is None or watch.owner == owner else None


def _walk(es: Elasticsearch, index: str, query: dict, sort: list, size: int = 1000):
    after = None
    while True:
        body = {"size": size, "query": query, "sort": sort, **({"search_after": after} if after else {})}
        hits = es.search(index=index, **body)["hits"]["hits"]
        yield from hits
        if len(hits) < size:
            return
        after = hits[-1]["sort"]


def all_watches(es: Elasticsearch, alias: str, owner: str | None = None) -> list[Watch]:
    query = {"term": {"owner": owner}} if owner is not None else {"match_all": {}}
    return [Watch.from_doc(h["_source"]) for h in _walk(es, name(alias, "watches"), query, [{"id": "asc"}])]


def update(es: Elasticsearch, alias: str, kind: str, changes: dict[str, dict]) -> None:
    """Partial updates {id: {field: value}}, refreshed before this returns."""
    if changes:
        helpers.bulk(es, ({"_op_type": "update", "_index": name(alias, kind), "_id": i, "doc": c}
                          for i, c in changes.items()), refresh=True)


def delete(es: Elasticsearch, alias: str, watch_id: str) -> None:
    """The watch, its matches and its deliveries (no _delete_by_query on every node: ids, then bulk)."""
    es.delete(index=name(alias, "watches"), id=watch_id, refresh=True)
    for kind in ("matches", "deliveries"):
        index = name(alias, kind)
        ids = [h["_id"] for h in _walk(es, index, {"term": {"watch": watch_id}}, [{"_doc": "asc"}], 5000)]
        helpers.bulk(es, ({"_op_type": "delete", "_index": index, "_id": i} for i in ids),
                     raise_on_error=False, refresh=True)


def match_id(watch_id: str, article_id: str) -> str:
    return hashlib.sha256(f"{watch_id}\0{article_id}".encode()).hexdigest()[:32]


class RecordError(RuntimeError):
    """Matches could not be recorded: the watermark must not move."""


def record(es: Elasticsearch, alias: str, records: list[dict]) -> list[dict]:
    """Write match records that are not there yet; returns those written now (an existing one, 409, was
    reported before). Refreshed before this returns, so a reader who sees the run sees its matches."""
    by_id = {match_id(r["watch"], r["article"]): r for r in records}
    actions = ({"_op_type": "create", "_index": name(alias, "matches"), "_id": i, "_source": r} for i, r in by_id.items())
    created, failures = [], []
    for ok, item in helpers.streaming_bulk(es, actions, chunk_size=1000, raise_on_error=False, max_retries=3,
                                           initial_backoff=1):
        result = item.get("create", {})
        if ok:
            created.append(by_id[result["_id"]])
        elif result.get("status") != 409:
            failures.append(result.get("error"))
    es.indices.refresh(index=name(alias, "matches"))
    if failures:
        raise RecordError(f"{len(failures)} match records refused: {str(failures[0])[:200]}")
    return created


def matches(es: Elasticsearch, alias: str, watch_id: str, since: str | None, until: str | None,
            after: list | None, size: int, newest_first: bool = False) -> list[dict]:
    """A watch's match records in the order they were reported (matched_at, then article id)."""
    window = {k: v for k, v in (("gt", since), ("lte", until)) if v}
    query = {"bool": {"filter": [{"term": {"watch": watch_id}}] + ([{"range": {"matched_at": window}}] if window else [])}}
    order = "desc" if newest_first else "asc"
    body = {"size": size, "query": query, "sort": [{"matched_at": order}, {"article": order}]}
    if after:
        body["search_after"] = after
    return es.search(index=name(alias, "matches"), **body)["hits"]["hits"]


def recent_counts(es: Elasticsearch, alias: str, since: str) -> dict[str, int]:
    """{watch id: matches reported after `since`} for every watch."""
    response = es.search(index=name(alias, "matches"), size=0, query={"range": {"matched_at": {"gt": since}}},
                         aggs={"w": {"terms": {"field": "watch", "size": 10_000}}})
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["w"]["buckets"]}


@dataclass
class Delivery:
    id: str
    watch: str
    run: str
    created_at: str
    payload: dict
    articles: int
    status: str = "pending"  # pending → delivered | failed
    attempts: int = 0
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None

    def doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> "Delivery":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in known})


def save_deliveries(es: Elasticsearch, alias: str, deliveries: list[Delivery]) -> None:
    if deliveries:
        helpers.bulk(es, ({"_index": name(alias, "deliveries"), "_id": d.id, "_source": d.doc()} for d in deliveries),
                     refresh=True)


def due_deliveries(es: Elasticsearch, alias: str, now: str) -> list[Delivery]:
    query = {"bool": {"filter": [{"term": {"status": "pending"}}, {"range": {"next_attempt_at": {"lte": now}}}]}}
    return [Delivery.from_doc(h["_source"]) for h in
            _walk(es, name(alias, "deliveries"), query, [{"created_at": "asc"}, {"id": "asc"}])]


def deliveries(es: Elasticsearch, alias: str, watch_id: str, size: int = 100) -> list[Delivery]:
    hits = es.search(index=name(alias, "deliveries"), size=size, query={"term": {"watch": watch_id}},
                     sort=[{"created_at": "desc"}, {"id": "desc"}])["hits"]["hits"]
    return [Delivery.from_doc(h["_source"]) for h in hits]


def take_lease(es: Elasticsearch, alias: str, run_id: str, now: str, until: str) -> bool:
    """One evaluation at a time per archive: a lease document, taken over only once it has expired
    (a run that died). False when another run holds it."""
    index = name(alias, "runs")
    lease = {"id": run_id, "started_at": now, "lease_until": until}
    try:
        es.create(index=index, id="lease", document=lease, refresh=True)
        return True
    except ConflictError:
        pass
    try:
        held = es.get(index=index, id="lease")
    except NotFoundError:
        return False  # released meanwhile: the caller may try again
    if held["_source"]["lease_until"] > now:
        return False
    try:
        es.index(index=index, id="lease", document=lease, if_seq_no=held["_seq_no"],
                 if_primary_term=held["_primary_term"], refresh=True)
        return True
    except ConflictError:
        return False


def release(es: Elasticsearch, alias: str, run_id: str, log: dict) -> None:
    index = name(alias, "runs")
    es.index(index=index, id=run_id, document=log)
    try:
        held = es.get(index=index, id="lease")
        if held["_source"]["id"] == run_id:
            es.delete(index=index, id="lease", if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"],
                      refresh=True)
    except (NotFoundError, ConflictError):
        pass
