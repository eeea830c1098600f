"""The web UI: server-rendered pages on the same app as the API, calling the same service functions.

Everything from articles reaches the page through Jinja's autoescaping; matches and quotes are drawn
from offsets by the templates (web/segments.py), never from HTML produced elsewhere. No script runs:
the Content-Security-Policy forbids any, inline or not."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from search_api import quote_search, related as relations, service
from search_api.errors import ApiError, NotFound
from search_api.highlight import term_spans
from web import segments, timeline

HERE = Path(__file__).parent
MODES = [("hybrid", "both"), ("keyword", "keyword"), ("semantic", "meaning")]
FILTERS = ("from", "to", "outlet", "language", "speaker")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}  # a journalist's query never leaks to a linked site


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
    env.globals.update(marked=segments.marked, paragraphs=segments.paragraphs, safe_url=safe_url, MODES=MODES)
    return env


def _page_params(request: Request) -> dict:
    """The search form's fields from the query string (lists stay lists); empty fields are dropped."""
    from search_api.app import _grouped

    return {k: v for k, v in _grouped(request.query_params.multi_items()).items() if v not in ("", [])}


def _link(params: dict, **changes) -> str:
    merged = {**params, **changes}
    items = [(k, v) for k, values in merged.items() if values is not None
             for v in (values if isinstance(values, list) else [values])]
    return "/?" + urlencode(items)


def _span_days(first: str | None, last: str | None) -> int | None:
    if not first or not last:
        return None
    return (date.fromisoformat(last[:10]) - date.fromisoformat(first[:10])).days


def mount(app: FastAPI) -> None:
    env = _environment()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request) -> HTMLResponse:
        from search_api.app import validated_query

        params = _page_params(request)
        context = {"params": params, "link": lambda **c: _link(params, **c), "result": None, "error": None,
                   "chart": None, "interval": None}
        if not params:
            return render("search.html", **context)
        ctx = request.app.state.context()
        try:
            # One hit per story unless the reader asks otherwise (collapse=none).
            query = validated_query({"collapse": "story", **params, "facets": True})
            result = service.search(ctx, query)
            dates = result["facets"]["dates"]
            interval = timeline.choose_interval(_span_days(dates["first"], dates["last"]))
            rows = service.count_over_time(ctx, query.model_copy(update={"cursor": None}), interval)
            context.update(result=result, chart=timeline.chart(rows), interval=interval)
        except ApiError as error:
            context["error"] = error
            return render("search.html", status=error.status, **context)
        return render("search.html", **context)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def reader_page(article_id: str, request: Request) -> HTMLResponse:
        ctx = request.app.state.context()
        q = request.query_params.get("q", "")
        try:
            article = service.article(ctx, article_id)
        except ApiError as error:
            return render("error.html", status=error.status, error=error)
        try:
            terms = service.parse_query(q).terms if q else []
        except ApiError:
            terms = []
        marks = term_spans(article.get("body") or "", terms)
        try:
            related = relations.related(ctx, article_id, size=6)["hits"]
        except ApiError:
            related = []
        quotes = article.get("quotes") or []
        try:  # where else each quote appeared: same words, or the same statement translated/paraphrased
            carriers = quote_search.link(ctx, [{**quote, "article": {"id": article_id}} for quote in quotes])
        except ApiError:
            carriers = {}
        speakers: dict[str, list[dict]] = {}
        for quote in quotes:
            quote["carried_by"] = carriers.get(f"{article_id}:{quote['start']}", [])
            speakers.setdefault(quote.get("speaker") or "Unattributed", []).append(quote)
        return render("article.html", article=article, marks=marks, speakers=speakers, related=related, q=q)

    @app.exception_handler(404)
    async def not_found(request: Request, exc) -> HTMLResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse(NotFound(f"no such endpoint: {request.url.path}").body(), status_code=404)
        return render("error.html", status=404, error=NotFound("no such page"))

