"""Watches as the API serves them: create (the query checked, its vector kept), list, read, delete,
the matches reported so far (cursor-paged, `since` a watermark) and the webhook deliveries. The
evaluation itself is search_api.watch_run."""
from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import timedelta
from urllib.parse import quote

from search_api import watch_store as store, watermark
from search_api.context import Context
from search_api.errors import BadRequest, InvalidCursor, NotFound
from search_api.query import Mode, validated
from search_api.search import parse_query
from search_api.watch_models import (DeliveryItem, DeliveryList, MatchPage, Watch, WatchCreate, WatchCreated,
                                     WatchMatch)
from search_api.watch_store import Watch as Stored

# Meaning watches: the least cosine similarity (closest passage or lead) that counts as a match. The best
# F0.5 on the Reuters dev queries with bge-small-en-v1.5 int8 (precision 0.50, recall 0.33, F1 0.31; the
# best F1 is at 0.64, precision 0.36): bench/watch_floor.py, bench/results/watch-floor.md. Another
# encoder has other similarities: pass `floor` with the watch.
SEMANTIC_FLOOR = 0.67
PAGING_FIELDS = ("size", "cursor", "sort", "facets", "collapse", "depth", "indexed_since")


def _stored_query(raw: dict) -> dict:
    """The watch's query, checked as /api/search would check it (a mistake is a 400 now, not at every run)."""
    if not isinstance(raw, dict):
        raise BadRequest("invalid query: expected the query object of /api/search")
    query = validated({k: v for k, v in raw.items() if k not in PAGING_FIELDS})
    parse_query(query.q)
    return query.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude={"cursor"}) | {"mode": query.mode.value}


def feed_path(watch: Stored, with_token: bool) -> str:
    return f"/watches/{quote(watch.id)}/feed.atom" + (f"?token={watch.feed_token}" if with_token else "")


def view(watch: Stored, with_token: bool, recent: int = 0) -> Watch:
    return Watch(id=watch.id, name=watch.name, query=watch.query, mode=watch.mode, floor=watch.floor,
                 webhook=watch.webhook, backfill=watch.backfill, created_at=watch.created_at,
                 watermark=watch.watermark, last_run_at=watch.last_run_at, matches=watch.matches,
                 last_new=watch.last_new, recent=recent, feed=feed_path(watch, with_token))


def build(ctx: Context, body: WatchCreate, owner: str) -> Stored:
    """A new watch from a request: its query checked, its vector made (meaning and hybrid watches)."""
    query = _stored_query(body.query)
    mode = query["mode"]
    vector, floor = None, None
    if mode != Mode.keyword.value:
        parsed = parse_query(query.get("q", ""))
        vector, floor = ctx.encode_query(parsed.semantic_text), body.floor if body.floor is not None else SEMANTIC_FLOOR
    made = watermark.iso(watermark.now())
    return Stored(id=uuid.uuid4().hex[:12], name=body.name, query=query, mode=mode, created_at=made, watermark=made,
                  owner=owner, floor=floor, vector=vector,
                  model=getattr(ctx.embedder, "model_id", None) if vector else None, webhook=body.webhook,
                  secret=secrets.token_hex(24), feed_token=secrets.token_urlsafe(24), backfill=body.backfill)


def create(ctx: Context, body: WatchCreate, owner: str, keys_on: bool) -> WatchCreated:
    watch = build(ctx, body, owner)
    with ctx.errors():
        store.ensure(ctx.es, ctx.alias)
        store.put(ctx.es, ctx.alias, watch)
    return WatchCreated(**view(watch, keys_on).model_dump(), secret=watch.secret)


def find(ctx: Context, watch_id: str, owner: str | None) -> Stored:
    with ctx.errors():
        store.ensure(ctx.es, ctx.alias)
        watch = store.get(ctx.es, ctx.alias, watch_id, owner)
    if watch is None:
        raise NotFound(f"no watch {watch_id!r}")
    return watch


def listing(ctx: Context, owner: str, keys_on: bool) -> list[Watch]:
    with ctx.errors():
        store.ensure(ctx.es, ctx.alias)
        watches = store.all_watches(ctx.es, ctx.alias, owner)
        recent = store.recent_counts(ctx.es, ctx.alias, watermark.iso(watermark.now() - timedelta(days=1)))
    return [view(w, keys_on, recent.get(w.id, 0)) for w in sorted(watches, key=lambda w: w.created_at)]


def remove(ctx: Context, watch_id: str, owner: str) -> None:
    find(ctx, watch_id, owner)
    with ctx.errors():
        store.delete(ctx.es, ctx.alias, watch_id)


def _cursor(after: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(after).encode()).decode().rstrip("=")


def _after(cursor: str | None) -> list | None:
    if not cursor:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(after, list) and len(after) == 2:
            return after
    except ValueError:
        pass
    raise InvalidCursor("invalid cursor: pass back the cursor of the previous page unchanged")


def items(hits: list[dict]) -> list[WatchMatch]:
    """Match records as the API shows them."""
    return [WatchMatch(id=h["_source"]["article"], **{k: h["_source"].get(k) for k in
                                                      ("title", "outlet", "date", "url", "indexed_at", "matched_at")})
            for h in hits]


def matches(ctx: Context, watch_id: str, owner: str, since: str | None, cursor: str | None, size: int) -> MatchPage:
    """Matches reported by completed runs (matched_at ≤ the watch's last run): a reader who gets a
    watermark has seen every match up to it."""
    watch = find(ctx, watch_id, owner)
    if since is not None:
        try:
            since = watermark.iso(watermark.parse(since))
        except ValueError as exc:
            raise BadRequest("invalid since: expected a watermark, an ISO time such as 2026-12-01T17:00:00.000Z") from exc
    if watch.last_run_at is None:
        return MatchPage(watch=watch.id, matches=[], watermark=since)
    with ctx.errors():
        hits = store.matches(ctx.es, ctx.alias, watch.id, since, watch.last_run_at, _after(cursor), size + 1)
    shown = hits[:size]
    more = len(hits) > size
    return MatchPage(watch=watch.id, matches=items(shown), cursor=_cursor(shown[-1]["sort"]) if more else None,
                     watermark=None if more else max(filter(None, (since, watch.last_run_at))))


def deliveries(ctx: Context, watch_id: str, owner: str) -> DeliveryList:
    watch = find(ctx, watch_id, owner)
    with ctx.errors():
        found = store.deliveries(ctx.es, ctx.alias, watch.id)
    return DeliveryList(watch=watch.id, deliveries=[DeliveryItem(**{k: v for k, v in d.doc().items()
                                                                   if k not in ("watch", "payload")}) for d in found])
