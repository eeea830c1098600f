"""Evaluating every watch against what was indexed since it last ran, in batched `_msearch` requests.

A run at time E looks, for each watch, at articles stamped in (lower, E], where lower is the watch's
last watermark minus OVERLAP_SECONDS (never before the watch was made, unless it asked for a
backfill). An article stamped just before E may become searchable only after the run has looked
(search_api.watermark): the overlap makes the next run look again. Reporting is idempotent (one
record per watch and article, written with create), so looking twice never reports twice; and the
watermark moves only after a run's records are written, so a run that dies reports nothing it did not
record. A lease keeps two runs of one archive from interleaving."""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from elasticsearch import Elasticsearch

from indexer import schema
from search_api import plan, watch_store as store, watermark, webhook
from search_api.context import Context
from search_api.errors import ApiError
from search_api.query import Mode, SearchQuery
from search_api.search import parse_query
from search_api.watch_store import Delivery, Watch

OVERLAP_SECONDS = 600.0  # ≫ SETTLE_SECONDS; costs only a second look at the last ten minutes
PAGE = 1000  # matches per watch and request: a keyword leg pages on, a meaning leg splits its window
MSEARCH_CHUNK = 100
LEASE_SECONDS = 600.0
SUMMARY = [schema.ID, schema.TITLE, schema.OUTLET, schema.DATE, schema.URL, schema.INDEXED_AT]
log = logging.getLogger("morgue.watches")


@dataclass
class RunReport:
    ran: bool  # False: another run held the lease
    watches: int = 0
    new_matches: int = 0
    seconds: float = 0.0
    searches: int = 0
    deliveries: dict[str, int] = field(default_factory=dict)  # status → count
    failed_watches: dict[str, str] = field(default_factory=dict)  # watch id → why it could not run

    def line(self) -> str:
        if not self.ran:
            return "watches: another evaluation is running; nothing done"
        per = f", {1000 * self.seconds / self.watches:.2f} ms per watch" if self.watches else ""
        sent = ", ".join(f"{n} {status}" for status, n in sorted(self.deliveries.items())) or "none"
        return (f"watches: {self.watches} evaluated, {self.new_matches} new matches in {self.seconds:.2f} s{per}; "
                f"webhook deliveries: {sent}" + (f"; {len(self.failed_watches)} could not run" if self.failed_watches else ""))


def _lower(watch: Watch) -> str | None:
    if watch.backfill and watch.last_run_at is None:
        return None
    floor = watermark.iso(watermark.parse(watch.watermark) - timedelta(seconds=OVERLAP_SECONDS))
    return max(floor, watch.created_at)


def _window(lower: str | None, upper: str) -> dict:
    return {"range": {schema.INDEXED_AT: {"lte": upper, **({"gt": lower} if lower else {})}}}


def legs(watch: Watch, lower: str | None, upper: str) -> dict[str, dict]:
    """The watch's searches over one window of indexing time: its keyword match set, every plain word
    required (a ranked search can afford "any word", an alert cannot: `OR` still says either), and the
    articles whose closest passage or lead is at least `floor` close in meaning (cosine)."""
    query = SearchQuery.model_validate(watch.query)
    parsed = parse_query(query.q, every_word=True)
    filters = plan.filters(query) + [_window(lower, upper)]
    bodies = {}
    if query.mode in (Mode.keyword, Mode.hybrid):
        bodies["keyword"] = {"query": {"bool": {"must": [parsed.query], "filter": filters}}, "size": PAGE,
                             "_source": SUMMARY, "sort": [{schema.INDEXED_AT: "asc"}, {schema.ID: "asc"}]}
    if query.mode in (Mode.semantic, Mode.hybrid) and watch.vector:
        bodies["semantic"] = {"knn": [schema.knn(f, watch.vector, PAGE, similarity=watch.floor,
                                                 filter=filters) for f in (schema.PASSAGE_VECTOR, schema.LEAD_VECTOR)],
                              "size": PAGE, "_source": SUMMARY}
    return bodies


def _msearch(es: Elasticsearch, index: str, searches: list[tuple[object, dict]]) -> list[tuple[object, dict]]:
    """[(key, body)] → [(key, response item)], MSEARCH_CHUNK searches per request."""
    out = []
    for start in range(0, len(searches), MSEARCH_CHUNK):
        chunk = searches[start:start + MSEARCH_CHUNK]
        lines = [part for _, body in chunk for part in ({"index": index}, body)]
        out += list(zip((key for key, _ in chunk), es.msearch(searches=lines)["responses"]))
    return out


def _matches(es: Elasticsearch, alias: str, watches: list[Watch], upper: str, report: RunReport) -> dict[str, dict]:
    """{watch id: {article id: source}} over each watch's window; a full page is followed up (keyword:
    search_after; meaning: the window split in two) until nothing is left out."""
    found: dict[str, dict] = {w.id: {} for w in watches}
    pending: list[tuple[object, dict]] = []
    for watch in watches:
        try:
            lower = _lower(watch)
            for leg, body in legs(watch, lower, upper).items():
                pending.append(((watch.id, leg, lower, upper), body))
        except Exception as exc:  # noqa: BLE001 - a stored query this version cannot run fails alone
            report.failed_watches[watch.id] = str(exc)[:200]
    by_id = {w.id: w for w in watches}
    while pending:
        report.searches += len(pending)
        follow: list[tuple[object, dict]] = []
        for (watch_id, leg, lower, top), item in _msearch(es, alias, pending):
            if "error" in item:
                report.failed_watches[watch_id] = str(item["error"].get("reason") or item["error"])[:200]
                continue
            hits = item["hits"]["hits"]
            for hit in hits:
                found[watch_id][hit["_id"]] = hit["_source"]
            if len(hits) < PAGE:
                continue
            if leg == "keyword":
                body = legs(by_id[watch_id], lower, top)["keyword"]
                follow.append(((watch_id, leg, lower, top), {**body, "search_after": hits[-1]["sort"]}))
            elif lower is not None and lower < top:  # meaning: both halves of the window again
                middle = watermark.iso(watermark.parse(lower) + (watermark.parse(top) - watermark.parse(lower)) / 2)
                if lower < middle < top:
                    for a, b in ((lower, middle), (middle, top)):
                        follow.append(((watch_id, leg, a, b), legs(by_id[watch_id], a, b)["semantic"]))
        pending = follow
    return found


def run(ctx: Context, policy: webhook.Policy = webhook.Policy(), now=None) -> RunReport:
    """Evaluate every watch of the archive once; record and deliver what is new."""
    es, alias = ctx.es, ctx.alias
    store.ensure(es, alias)
    started = time.monotonic()
    run_id = uuid.uuid4().hex[:16]
    moment = now or watermark.now()
    if not store.take_lease(es, alias, run_id, watermark.iso(moment),
                            watermark.iso(moment + timedelta(seconds=LEASE_SECONDS))):
        return RunReport(ran=False)
    report = RunReport(ran=True)
    try:
        es.indices.refresh(index=alias)
        upper = watermark.iso(moment)
        watches = store.all_watches(es, alias)
        report.watches = len(watches)
        _current_vectors(ctx, watches, report)
        found = _matches(es, alias, [w for w in watches if w.id not in report.failed_watches], upper, report)
        records = [{"watch": watch_id, "article": article_id, "matched_at": upper, "run": run_id,
                    "indexed_at": source.get(schema.INDEXED_AT), "title": source.get(schema.TITLE),
                    "outlet": source.get(schema.OUTLET), "date": source.get(schema.DATE), "url": source.get(schema.URL)}
                   for watch_id, articles in found.items() for article_id, source in articles.items()]
        created = store.record(es, alias, records)
        new: dict[str, list[dict]] = {}
        for rec in created:
            new.setdefault(rec["watch"], []).append(rec)
        report.new_matches = len(created)
        by_id = {w.id: w for w in watches}
        fresh = [Delivery(id=uuid.uuid4().hex, watch=watch_id, run=run_id, created_at=upper, articles=len(recs),
                          next_attempt_at=upper, payload=payload(by_id[watch_id], run_id, upper, recs))
                 for watch_id, recs in new.items() if by_id[watch_id].webhook]
        store.save_deliveries(es, alias, fresh)
        store.update(es, alias, "watches", {
            w.id: {"watermark": upper, "last_run_at": upper, "matches": w.matches + len(new.get(w.id, [])),
                   "last_new": len(new.get(w.id, []))} for w in watches if w.id not in report.failed_watches})
        report.deliveries = deliver_due(es, alias, {w.id: w for w in watches}, policy)
    finally:
        report.seconds = time.monotonic() - started
        store.release(es, alias, run_id, {"id": run_id, "started_at": watermark.iso(moment),
                                          "finished_at": watermark.iso(watermark.now()), "watches": report.watches,
                                          "new_matches": report.new_matches, "seconds": report.seconds})
    log.info(report.line())
    return report


def _current_vectors(ctx: Context, watches: list[Watch], report: RunReport) -> None:
    """A watch's query vector must come from the encoder of the index: one made with another model is
    encoded again (and kept)."""
    model = getattr(ctx.embedder, "model_id", None)
    changed = {}
    for watch in watches:
        if watch.mode == Mode.keyword.value or (watch.vector and watch.model == model):
            continue
        try:
            watch.vector, watch.model = ctx.encode_query(parse_query(watch.query.get("q", "")).semantic_text), model
            changed[watch.id] = {"vector": watch.vector, "model": model}
        except ApiError as error:
            report.failed_watches[watch.id] = error.message
    store.update(ctx.es, ctx.alias, "watches", changed)


def payload(watch: Watch, run_id: str, upper: str, records: list[dict]) -> dict:
    return {"event": webhook.EVENT, "watch": {"id": watch.id, "name": watch.name}, "run": run_id, "watermark": upper,
            "matches": [{"id": r["article"], "title": r["title"], "outlet": r["outlet"], "date": r["date"],
                         "url": r["url"], "indexed_at": r["indexed_at"]} for r in sorted(records, key=lambda r: r["article"])]}


def deliver_due(es: Elasticsearch, alias: str, watches: dict[str, Watch], policy: webhook.Policy) -> dict[str, int]:
    due = store.due_deliveries(es, alias, watermark.iso(watermark.now()))
    done = webhook.deliver(due, {i: (w.webhook, w.secret) for i, w in watches.items()}, policy)
    store.save_deliveries(es, alias, done)
    counts: dict[str, int] = {}
    for delivery in done:
        counts[delivery.status] = counts.get(delivery.status, 0) + 1
    return counts
