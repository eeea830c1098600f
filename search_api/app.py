"""FastAPI application: the JSON API under /api (the web UI mounts its pages on the same app)."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError

from indexer.connection import connect
from indexer.embed import get_embedder
from indexer.settings import Settings, get_settings
from search_api import export as exports, quote_search, related as relations, service
from search_api.errors import ApiError, BadRequest, Unauthorized
from search_api.query import SearchQuery


def _validation_detail(errors: list[dict]) -> list[dict]:
    return [{"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body")),
             "problem": e.get("msg"), "input": e.get("input") if isinstance(e.get("input"), (str, int, float)) else None}
            for e in errors]


def _message(errors: list[dict]) -> str:
    first = errors[0]
    where = first["field"] or "request"
    return f"invalid {where}: {first['problem']}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")


LIST_PARAMS = ("outlet", "language", "speaker")


def query_from_params(request: Request, own: tuple[str, ...] = ()) -> SearchQuery:
    """GET parameters → the query model (lists as repeated parameters: outlet=A&outlet=B). `own` names
    the endpoint's own parameters, which are not part of the query."""
    return validated_query(_grouped((k, v) for k, v in request.query_params.multi_items() if k not in own))


def _flag(request: Request, name: str, default: bool) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise BadRequest(f"parameter '{name}' must be true or false, not {value!r}")


def _grouped(items) -> dict:
    params: dict = {}
    for key, value in items:
        key = key.removesuffix("[]")
        if key in LIST_PARAMS:
            params.setdefault(key, []).append(value)
        elif key in params:
            raise BadRequest(f"parameter '{key}' given twice")
        else:
            params[key] = value
    return params


def validated_query(params: dict) -> SearchQuery:
    try:
        return SearchQuery.model_validate(params)
    except ValidationError as exc:
        detail = _validation_detail(exc.errors())
        raise BadRequest(_message(detail), detail) from exc


def get_context(request: Request) -> service.Context:
    return request.app.state.context()


Ctx = Annotated[service.Context, Depends(get_context)]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Morgue", version="0.1.0",
                  description="Search a news archive by keyword and by meaning; quotes with speakers; "
                              "counts over time with denominators.")
    state: dict = {}

    def context() -> service.Context:
        if "ctx" not in state:
            state["ctx"] = service.Context(connect(settings), settings.index, get_embedder(settings.model))
        return state["ctx"]

    app.state.context = context

    keys = [k.strip() for k in (settings.api_keys or "").split(",") if k.strip()]

    def authorise(request: Request) -> None:
        if not keys:
            return
        header = request.headers.get("authorization", "")
        given = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key", "")
        if not given or not any(hmac.compare_digest(given, k) for k in keys):
            raise Unauthorized("missing or wrong API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`")

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "X-API-Key", "Content-Type"])

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        detail = _validation_detail(exc.errors())
        error = BadRequest(_message(detail), detail)
        return JSONResponse(error.body(), status_code=400)

    api = APIRouter(prefix="/api", dependencies=[Depends(authorise)])

    @api.get("/search", summary="Search (query as GET parameters)")
    def search_get(request: Request, ctx: Ctx) -> dict:
        return service.search(ctx, query_from_params(request))

    @api.post("/search", summary="Search (query as a JSON body)")
    def search_post(body: dict, ctx: Ctx) -> dict:
        return service.search(ctx, validated_query(body))

    @api.get("/articles/{article_id}", summary="One article: cleaned text, metadata, quotes, passages")
    def article(article_id: str, ctx: Ctx) -> dict:
        return service.article(ctx, article_id)

    @api.get("/articles/{article_id}/related",
             summary="The same story and the closest coverage in other outlets (not the article itself)")
    def related(article_id: str, request: Request, ctx: Ctx, size: int = 10) -> dict:
        if not 1 <= size <= 100:
            raise BadRequest("size must be between 1 and 100")
        return relations.related(ctx, article_id, size, other_outlets=not _flag(request, "same_outlet", False))

    @api.get("/quotes", summary="Search inside quotations; speaker facet; the other articles carrying each quote")
    def quotes(request: Request, ctx: Ctx) -> dict:
        return quote_search.search_quotes(ctx, query_from_params(request))

    @api.get("/export", summary="Every match as CSV or JSON lines, streamed (point-in-time + search_after)")
    def export(request: Request, ctx: Ctx) -> StreamingResponse:
        query = query_from_params(request, own=("format", "text"))
        fmt = request.query_params.get("format", "jsonl")
        lines, media = exports.export(ctx, query, fmt, with_text=_flag(request, "text", False))
        return StreamingResponse(lines, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="morgue-export.{fmt}"'})

    @api.get("/count-over-time", summary="Matches per day/week/month/year, with the total under the same filters")
    def count_over_time(request: Request, ctx: Ctx) -> list[dict]:
        return service.count_over_time(ctx, query_from_params(request, own=("interval",)),
                                       request.query_params.get("interval", "month"))

    @api.get("/top/{facet}", summary="Top outlets, speakers or languages, with totals under the same filters")
    def top(facet: str, request: Request, ctx: Ctx) -> list[dict]:
        return service.top(ctx, query_from_params(request), facet)

    @api.get("/health", summary="Cluster, index version, model, document count")
    def health(ctx: Ctx) -> dict:
        return service.health(ctx)

    @api.get("/syntax", summary="The keyword syntax, with examples")
    def syntax() -> dict:
        from search_api import syntax as grammar

        return {"syntax": grammar.__doc__}

    app.include_router(api)
    from web import pages  # the UI calls the service functions above; mounted last, after the API

    pages.mount(app)
    return app

