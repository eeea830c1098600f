"""The pages of watches and batch search: "Watch this search" on the results page posts here; /watches
lists them with their new matches and feeds; /batch takes a list of names (an upload or pasted) and
answers with a CSV or JSONL file to download. Same services, same owners as the API."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from search_api import batch, watch_routes, watches
from search_api.errors import ApiError
from search_api.query import LIST_PARAMS
from search_api.watch_models import WatchCreate

QUERY_FIELDS = ("q", "mode", "from", "to", "story", "has_quotes", *LIST_PARAMS)


def mount(app: FastAPI, render, signed_in) -> None:
    def keys_on(request: Request) -> bool:
        return request.app.state.guard.enabled

    @app.post("/watches", include_in_schema=False)
    async def watch_this(request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        form = await request.form()
        query = {k: (form.getlist(k) if k in LIST_PARAMS else form.get(k)) for k in QUERY_FIELDS if form.get(k)}
        try:
            body = WatchCreate(name=str(form.get("name") or query.get("q") or "untitled watch")[:200], query=query)
            made = watches.create(request.app.state.context, body, watch_routes.owner(request), keys_on(request))
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        except ValueError as error:  # the form's fields, checked by the model
            return render("error.html", status=400, error=ApiError(str(error).splitlines()[0]))
        return RedirectResponse(f"/watches?{urlencode({'made': made.id})}", status_code=303)

    @app.get("/watches", response_class=HTMLResponse, include_in_schema=False)
    def watch_list(request: Request, made: str = ""):
        if (redirect := signed_in(request)) is not None:
            return redirect
        try:
            found = watches.listing(request.app.state.context, watch_routes.owner(request), keys_on(request))
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        return render("watches.html", watches=found, made=made)

    @app.get("/watches/{watch_id}", response_class=HTMLResponse, include_in_schema=False)
    def watch_page(watch_id: str, request: Request, cursor: str | None = None):
        if (redirect := signed_in(request)) is not None:
            return redirect
        ctx, who = request.app.state.context, watch_routes.owner(request)
        try:
            watch = watches.view(watches.find(ctx, watch_id, who), keys_on(request))
            page = watches.matches(ctx, watch_id, who, None, cursor, 50)
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        return render("watch.html", watch=watch, page=page)

    @app.post("/watches/{watch_id}/delete", include_in_schema=False)
    def watch_delete(watch_id: str, request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        try:
            watches.remove(request.app.state.context, watch_id, watch_routes.owner(request))
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        return RedirectResponse("/watches", status_code=303)

    @app.get("/batch", response_class=HTMLResponse, include_in_schema=False)
    def batch_page(request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        return render("batch.html", limit=batch.MAX_TERMS, error=None)

    @app.post("/batch", include_in_schema=False)
    async def batch_download(request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        try:
            terms, filters, fmt = await watch_routes.batch_request(request)
            lines, media = batch.stream(request.app.state.context, terms, batch.filters_of(filters), fmt or "csv")
        except ApiError as error:
            return render("batch.html", status=error.status, headers=error.headers, limit=batch.MAX_TERMS, error=error)
        extension = "csv" if media.startswith("text/csv") else "jsonl"
        return StreamingResponse(lines, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="morgue-batch.{extension}"'})
