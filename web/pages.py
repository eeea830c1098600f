"""The web UI: server-rendered pages on the same app as the API, calling the same service functions.

Everything from articles reaches the page through Jinja's autoescaping; matches and quotes are drawn
from offsets by the templates (web/segments.py), never from HTML produced elsewhere. No script runs:
the Content-Security-Policy forbids any, inline or not. With MORGUE_API_KEYS set, the pages ask for
a key once (/login) and keep it in an HttpOnly cookie."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from search_api import aggregate, articles, people, quote_search, related as relations, search as searching
from search_api.app import http_error_json
from search_api.auth import COOKIE
from search_api.errors import ApiError, NotFound, Unauthorized
from search_api.highlight import term_spans
from search_api.query import grouped, validated
from web import dates, results, segments, timeline, watch_pages

HERE = Path(__file__).parent
MODES = [("hybrid", "both"), ("keyword", "keyword"), ("semantic", "meaning")]
# Only the site's own files run (web/static/keys.js: the keyboard shortcuts); nothing inline, nothing an
# article brings.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}  # a journalist's query never leaks to a linked site
API_PATHS = ("/api/", "/openapi.json", "/docs")


def safe_url(url: str | None) -> str | None:
    """Only http(s) links from articles become hrefs (no javascript: or data: URLs)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(date_span=dates.span, marked=segments.marked, paragraphs=segments.paragraphs, safe_url=safe_url, MODES=MODES,
                       WATCH_FIELDS=watch_pages.QUERY_FIELDS)
    return env


def _page_params(request: Request) -> dict:
    """The search form's fields from the query string (lists stay lists); empty fields are dropped (the
    form sends every filter box, filled or not)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if v.strip()]
    return {k: v for k, v in grouped(items).items() if v not in ("", [])}


def _span_days(first: str | None, last: str | None) -> int | None:
    if not first or not last:
        return None
    return (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days


def _local(target: str | None) -> str:
    """Only a path on this site to go back to after signing in (no open redirect)."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def mount(app: FastAPI) -> None:
    env = _environment()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    guard = app.state.guard

    def render(name: str, status: int = 200, headers: dict | None = None, **context) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})

    def signed_in(request: Request) -> RedirectResponse | None:
        try:
            guard.check(request)
        except Unauthorized:
            return RedirectResponse("/login?" + urlencode({"next": str(request.url.path) + (
                f"?{request.url.query}" if request.url.query else "")}), status_code=303)
        return None

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render("login.html", next=_local(next), failed=False)

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request):
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        key, target = (form.get("key") or [""])[0], _local((form.get("next") or ["/"])[0])
        if not guard.enabled or guard.valid(key):
            response = RedirectResponse(target, status_code=303)
            if guard.enabled:
                response.set_cookie(COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https")
            return response
        try:
            guard.check(request)  # counts the failure; 429 once there were too many
        except ApiError as error:
            if error.status == 429:
                return render("error.html", status=429, headers=error.headers, error=error)
        return render("login.html", status=401, next=target, failed=True)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        params = _page_params(request)
        ratio = params.get("timeline") == "ratio"
        context = {"params": params, "link": lambda **c: results.link(params, **c), "result": None, "error": None,
                   "chart": None, "interval": None, "ratio": ratio, "chips": results.chips(params),
                   "facet_link": lambda name, key: results.facet_link(params, name, key),
                   "permalink": results.permalink(params), "export_link": lambda f: results.export_link(params, f),
                   "count_phrase": results.count_phrase, "SORTS": results.SORTS}
        if not set(params) - set(results.UI_ONLY):
            return render("search.html", **context)
        ctx = request.app.state.context
        try:
            # One hit per story unless the reader asks otherwise (collapse=none).
            query = validated({"collapse": "story", "size": results.PAGE_SIZE,
                               **{k: v for k, v in params.items() if k not in results.UI_ONLY}, "facets": True})
            result = searching.search(ctx, query)
            interval = timeline.choose_interval(_span_days(result.facets.dates.first, result.facets.dates.last))
            rows = aggregate.count_over_time(ctx, query.model_copy(update={"cursor": None}), interval)
            drill = lambda start, end: results.link(params, **{"from": start, "to": end, "cursor": None})  # noqa: E731
            context.update(result=result, chart=timeline.chart(rows, interval, drill, ratio), interval=interval)
        except ApiError as error:
            context["error"] = error
            return render("search.html", status=error.status, headers=error.headers, **context)
        return render("search.html", **context)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def reader_page(article_id: str, request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        ctx = request.app.state.context
        q = request.query_params.get("q", "")
        try:
            article = articles.article(ctx, article_id)
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        try:
            terms = searching.parse_query(q).terms if q else []
        except ApiError:
            terms = []
        marks = term_spans(article.body or "", terms)
        try:
            related = relations.related(ctx, article_id, size=6).hits
        except ApiError:
            related = []
        try:  # where else each quote appeared: same words, or the same statement translated/paraphrased
            carriers = quote_search.link(ctx, [{**q.model_dump(), "article": {"id": article_id}} for q in article.quotes])
        except ApiError:
            carriers = {}
        speakers: dict[str, list[dict]] = {}
        for quote in article.quotes:
            speakers.setdefault(quote.speaker or "Unattributed", []).append(
                {"quote": quote, "carried_by": carriers.get(f"{article_id}:{quote.start}", [])})
        return render("article.html", article=article, marks=marks, speakers=speakers, related=related, q=q)

    watch_pages.mount(app, render, signed_in)

    @app.get("/people/{name}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(name: str, request: Request):
        if (redirect := signed_in(request)) is not None:
            return redirect
        try:
            found = people.person(request.app.state.context, name)
        except ApiError as error:
            return render("error.html", status=error.status, headers=error.headers, error=error)
        return render("person.html", person=found, chart=timeline.person_chart(found.timeline))

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith(API_PATHS) or exc.status_code != 404:
            return http_error_json(request, exc)
        return render("error.html", status=404, error=NotFound("no such page"))
