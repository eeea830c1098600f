"""The routes of watches, their feeds and batch search, on the same app and error map as the rest of
the API (search_api.app). A watch belongs to the API key that made it."""
from __future__ import annotations

import hmac
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse

from search_api import batch, feed, watch_run, watch_store, watches, webhook
from search_api.auth import Guard
from search_api.context import Context
from search_api.errors import NotFound, Unauthorized
from search_api.watch_models import (Deleted, DeliveryList, MatchPage, RunSummary, Watch, WatchCreate,
                                     WatchCreated, WatchList)


def _context(request: Request) -> Context:
    return request.app.state.context


def owner(request: Request) -> str:
    guard: Guard = request.app.state.guard
    return watch_store.owner_of(guard.given(request)) if guard.enabled else ""


Ctx = Annotated[Context, Depends(_context)]
Owner = Annotated[str, Depends(owner)]


async def batch_request(request: Request) -> tuple[list[str], dict, str | None]:
    """JSON, CSV / plain text, or a form upload (field `file`, or `terms` one a line; `format`)."""
    kind = request.headers.get("content-type", "").lower()
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        upload = form.get("file")
        text = (await upload.read()).decode("utf-8", "replace") if hasattr(upload, "read") else ""
        text = text or str(form.get("terms") or "")
        filters = {k: form.getlist(k) if k in ("outlet", "language") else form.get(k)
                   for k in ("from", "to", "outlet", "language") if form.get(k)}
        return batch.checked(batch.terms_from_csv(text)), filters, str(form.get("format") or "") or None
    return batch.parse_body(await request.body(), kind)


def api_router(policy: webhook.Policy, responses: dict) -> APIRouter:
    api = APIRouter(prefix="/api", responses=responses)

    @api.post("/watches", status_code=201, summary="Save a search as a watch (any mode); the answer shows its "
                                                    "webhook secret once")
    def watch_create(body: WatchCreate, request: Request, context: Ctx, who: Owner) -> WatchCreated:
        return watches.create(context, body, who, request.app.state.guard.enabled)

    @api.get("/watches", summary="Your watches, with their match counts")
    def watch_list(request: Request, context: Ctx, who: Owner) -> WatchList:
        return WatchList(watches=watches.listing(context, who, request.app.state.guard.enabled))

    @api.get("/watches/{watch_id}", summary="One watch")
    def watch_get(watch_id: str, request: Request, context: Ctx, who: Owner) -> Watch:
        return watches.view(watches.find(context, watch_id, who), request.app.state.guard.enabled)

    @api.delete("/watches/{watch_id}", summary="Delete a watch, its matches and its deliveries")
    def watch_delete(watch_id: str, context: Ctx, who: Owner) -> Deleted:
        watches.remove(context, watch_id, who)
        return Deleted(deleted=watch_id)

    @api.get("/watches/{watch_id}/matches", summary="Articles the watch reported, in the order reported; `since` "
                                                    "a watermark of an earlier answer")
    def watch_matches(watch_id: str, context: Ctx, who: Owner, since: str | None = None,
                      cursor: Annotated[str | None, Query(max_length=512)] = None,
                      size: Annotated[int, Query(ge=1, le=1000)] = 100) -> MatchPage:
        return watches.matches(context, watch_id, who, since, cursor, size)

    @api.get("/watches/{watch_id}/deliveries", summary="The watch's webhook deliveries, newest first")
    def watch_deliveries(watch_id: str, context: Ctx, who: Owner) -> DeliveryList:
        return watches.deliveries(context, watch_id, who)

    @api.post("/watches/run", summary="Evaluate every watch now (what `morgue watch run` does)")
    def watch_run_now(context: Ctx) -> RunSummary:
        return RunSummary(**asdict(watch_run.run(context, policy)))

    @api.post("/batch", summary=f"Count up to {batch.MAX_TERMS:,} names or phrases at once: one row per term",
              response_class=StreamingResponse, openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": {"type": "object", "properties": {
                      "terms": {"type": "array", "items": {"type": "string"}, "maxItems": batch.MAX_TERMS},
                      "filters": {"type": "object"}, "format": {"type": "string", "enum": ["jsonl", "csv"]}},
                      "required": ["terms"]}},
                  "text/csv": {"schema": {"type": "string"}}}}},
              responses={200: {"content": {"application/x-ndjson": {"schema": {"$ref": "#/components/schemas/BatchRow"}},
                                           "text/csv": {"schema": {"type": "string"}}},
                               "description": "One row per term, in the order given"}})
    async def batch_search(request: Request, context: Ctx,
                           format: Literal["jsonl", "csv"] | None = None) -> StreamingResponse:
        terms, filters, fmt = await batch_request(request)
        lines, media = batch.stream(context, terms, batch.filters_of(filters), format or fmt or "jsonl")
        extension = "csv" if media.startswith("text/csv") else "jsonl"
        return StreamingResponse(lines, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="morgue-batch.{extension}"'})

    return api


def mount(app: FastAPI, authorised, policy: webhook.Policy, responses: dict) -> None:
    """The routes on the app, behind its key check, declaring its error answers (responses)."""
    app.include_router(api_router(policy, responses), dependencies=[Depends(authorised)])

    @app.get("/watches/{watch_id}/feed.atom", include_in_schema=False)
    def watch_feed(watch_id: str, request: Request, token: str = "") -> Response:
        """A feed reader sends no header: with API keys set, the watch's token in the URL lets it in."""
        context: Context = request.app.state.context
        guard: Guard = request.app.state.guard
        found = watches.find(context, watch_id, None)
        if guard.enabled and not (hmac.compare_digest(token.encode(), found.feed_token.encode())
                                  or guard.valid(guard.given(request))):
            raise (NotFound(f"no watch {watch_id!r}") if token else Unauthorized("this feed needs its token (?token=)"))
        with context.errors():
            hits = watch_store.matches(context.es, context.alias, found.id, None, found.last_run_at, None, feed.SIZE,
                                       newest_first=True) if found.last_run_at else []
        body = feed.atom(found, watches.items(hits), str(request.base_url), str(request.url))
        return Response(body, media_type="application/atom+xml; charset=utf-8")
