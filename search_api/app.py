"""The JSON API under /api: thin routes over the service functions, each declaring its query model and
its response model (so /openapi.json documents both), and one error map for everything (search_api.errors).
The web pages are mounted on the same app by web.app."""
from __future__ import annotations

import logging
from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel, Field
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.background import BackgroundTask
from starlette.routing import Match

from indexer.settings import Settings
from search_api import (aggregate, articles, export as exports, people, quote_search, related as relations,
                        search as searching, watch_routes, watermark, webhook)
from search_api.auth import Guard
from search_api.context import Context
from search_api.errors import ApiError, NotFound
from search_api.gate import Gate
from search_api.models import (Article, ErrorBody, Health, PersonResponse, QuoteResponse, RelatedResponse,
                               SearchResponse, Syntax, TimeBucket, TopBucket)
from search_api.query import SearchQuery, invalid, validated

# The indexing time an export or a count covers up to (search answers carry it as `watermark`).
WATERMARK_HEADER = "X-Morgue-Watermark"
log = logging.getLogger("morgue.api")

ERRORS = {status: {"model": ErrorBody, "description": text} for status, text in (
    (400, "The request or the query is wrong: the message says what and where"),
    (401, "MORGUE_API_KEYS is set and the key is missing or wrong"),
    (404, "No such article, endpoint or index"),
    (409, "The index was built with another embedding model than the API's"),
    (429, "Too many requests (MORGUE_RATE_LIMIT a minute) or wrong API keys: wait (Retry-After)"),
    (503, "Elasticsearch is unreachable: try again (Retry-After)"))}


def answer(model: BaseModel) -> Response:
    """A route's response model as JSON in one pass of pydantic's serializer. Handed the model, FastAPI
    would validate it again on a second thread hop, then turn it into dicts and those into JSON: the same
    bytes (the route still declares its response_model, so /openapi.json is unchanged)."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def _context(request: Request) -> Context:
    return request.app.state.context


def authorised(request: Request) -> None:
    request.app.state.guard.check(request)


Ctx = Annotated[Context, Depends(_context)]


class Interval(str, Enum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class CountQuery(SearchQuery):
    interval: Interval = Interval.month


class ExportQuery(SearchQuery):
    format: Literal["csv", "jsonl"] = "jsonl"
    text: bool = Field(False, description="include each article's text")


def _swagger(title: str) -> str:
    """Swagger UI pinned to one version on jsDelivr with Subresource Integrity (the files are npm's
    swagger-ui-dist 5.17.14), so a changed or tampered copy never runs."""
    base = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14"
    return f"""<!doctype html><html><head><title>{title} API</title>
<link rel="stylesheet" href="{base}/swagger-ui.css" crossorigin="anonymous"
 integrity="sha384-wxLW6kwyHktdDGr6Pv1zgm/VGJh99lfUbzSn6HNHBENZlCN7W602k9VkGdxuFvPn"></head>
<body><div id="swagger-ui"></div>
<script src="{base}/swagger-ui-bundle.js" crossorigin="anonymous"
 integrity="sha384-wmyclcVGX/WhUkdkATwhaK1X1JtiNrr2EoYJ+diV3vj4v6OC5yCeSu+yW13SYJep"></script>
<script>SwaggerUIBundle({{url: "/openapi.json", dom_id: "#swagger-ui"}})</script></body></html>"""


def http_error_json(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own 404 and 405 in our error shape; a 405 names the methods allowed, as HTTP says."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(m for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
                                     if any(route.matches({**request.scope, "method": m})[0] is Match.FULL
                                            for route in request.app.router.routes))
    message = f"no such endpoint: {request.url.path}" if exc.status_code == 404 else str(exc.detail)
    body = {"error": {"code": {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error"),
                      "message": message, "detail": None}}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


def spec(app: FastAPI) -> dict:
    """FastAPI's OpenAPI document without the 422 it adds to every route: validation errors are 400s
    here (ErrorBody), which every route declares."""
    if app.openapi_schema is None:
        document = app.openapi()
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            document.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = document
    return app.openapi_schema


def create_api(context: Context, settings: Settings) -> FastAPI:
    app = FastAPI(title="Morgue", version="0.2.0", docs_url=None, redoc_url=None, openapi_url=None,
                  description="Search a news archive by keyword and by meaning; quotes with speakers; "
                              "counts over time with denominators.",
                  generate_unique_id_function=lambda route: route.name)  # operation ids: search_get, article, …
    guard = Guard([k.strip() for k in (settings.api_keys or "").split(",") if k.strip()], settings.rate_limit)
    app.state.context, app.state.guard = context, guard

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "X-API-Key", "Content-Type"],
                           expose_headers=[WATERMARK_HEADER])

    app.add_middleware(Gate, guard=guard)  # outside CORS, as before: refusals carry no CORS headers

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = list(exc.errors())
        if errors and errors[0].get("loc", ("",))[0] == "path":  # /api/top/colours: no such resource
            error = NotFound(f"no such resource: {request.url.path}", invalid(errors).detail)
            return JSONResponse(error.body(), status_code=error.status)
        error = invalid(errors)
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return http_error_json(request, exc)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):  # a 500 is a bug: logged, answered in JSON, connection kept
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": {"code": "internal_error", "message": "an unexpected error; it is logged",
                                       "detail": None}}, status_code=500)

    api = APIRouter(prefix="/api", dependencies=[Depends(authorised)], responses=ERRORS)

    @api.get("/search", summary="Search (query as GET parameters)", response_model=SearchResponse)
    def search_get(query: Annotated[SearchQuery, Query()], context: Ctx) -> Response:
        return answer(searching.search(context, query))

    @api.post("/search", summary="Search (query as a JSON body)", response_model=SearchResponse)
    def search_post(body: dict, context: Ctx) -> Response:
        return answer(searching.search(context, validated(body)))

    @api.get("/articles/{article_id}", summary="One article: cleaned text, metadata, quotes, passages",
             response_model=Article)
    def article(article_id: str, context: Ctx) -> Response:
        return answer(articles.article(context, article_id))

    @api.get("/articles/{article_id}/related",
             summary="The same story and the closest coverage in other outlets (not the article itself)",
             response_model=RelatedResponse)
    def related(article_id: str, context: Ctx, size: Annotated[int, Query(ge=1, le=100)] = 10,
                same_outlet: bool = False) -> Response:
        return answer(relations.related(context, article_id, size, other_outlets=not same_outlet))

    @api.get("/quotes", summary="Search inside quotations; speaker facet; the other articles carrying each quote",
             response_model=QuoteResponse)
    def quotes(query: Annotated[SearchQuery, Query()], context: Ctx) -> Response:
        return answer(quote_search.search_quotes(context, query))

    @api.get("/export", summary="Every match as CSV or JSON lines, streamed (point-in-time + search_after)",
             response_class=StreamingResponse, responses={200: {"content": {
                 "text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {"schema": {"type": "string"}}},
                 "description": "One record per matching article, oldest first"}})
    def export(query: Annotated[ExportQuery, Query()], context: Ctx) -> StreamingResponse:
        base = SearchQuery.model_validate(query.model_dump(by_alias=True, exclude={"format", "text"}))
        as_of = watermark.upper_bound(base.indexed_since)
        lines, media, release = exports.export(context, base, query.format, with_text=query.text, as_of=as_of)
        # release: the point-in-time is closed when the response ends, also when the reader goes away
        return StreamingResponse(lines, media_type=media, background=BackgroundTask(release), headers={
            "Content-Disposition": f'attachment; filename="morgue-export.{query.format}"', WATERMARK_HEADER: as_of})

    @api.get("/count-over-time", summary="Matches per day/week/month/year, with the total under the same filters")
    def count_over_time(query: Annotated[CountQuery, Query()], context: Ctx, response: Response) -> list[TimeBucket]:
        base = SearchQuery.model_validate(query.model_dump(by_alias=True, exclude={"interval"}))
        response.headers[WATERMARK_HEADER] = as_of = watermark.upper_bound(base.indexed_since)
        return aggregate.count_over_time(context, base, query.interval.value, as_of)

    @api.get("/top/{facet}", summary="Top outlets, speakers, languages, people, organisations or places, with totals "
                                     "under the same filters")
    def top(facet: Literal["outlets", "speakers", "languages", "people", "organizations", "places"],
            query: Annotated[SearchQuery, Query()],
            context: Ctx, response: Response) -> list[TopBucket]:
        response.headers[WATERMARK_HEADER] = as_of = watermark.upper_bound(query.indexed_since)
        return aggregate.top(context, query, facet, as_of=as_of)

    @api.get("/people/{name}", summary="A person: their quotations across outlets, mentions and quotes over time, "
                                       "roles, who is quoted alongside them", response_model=PersonResponse)
    def person(name: str, context: Ctx, size: Annotated[int, Query(ge=1, le=100)] = 50) -> Response:
        return answer(people.person(context, name, size))

    @api.get("/health", summary="Cluster, index version, model, document count")
    def health(context: Ctx) -> Health:
        return articles.health(context)

    @api.get("/syntax", summary="The keyword syntax, with examples")
    def syntax() -> Syntax:
        from search_api import syntax as grammar

        return Syntax(syntax=grammar.__doc__ or "")

    app.include_router(api)
    watch_routes.mount(app, authorised, webhook.Policy.from_settings(settings),
                       ERRORS)

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(authorised)])
    def openapi() -> JSONResponse:
        return JSONResponse(spec(app))

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(authorised)])
    def docs() -> HTMLResponse:
        return HTMLResponse(_swagger(app.title), headers={
            "Content-Security-Policy": "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
                                       "style-src https://cdn.jsdelivr.net; img-src data:; connect-src 'self'"})

    return app
