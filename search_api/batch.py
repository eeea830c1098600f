"""Batch search (POST /api/batch): up to MAX_TERMS names or phrases at once, one row per term with its
count and the total under the same filters, first and last seen, the outlets that carry it most and
who is quoted saying it. Each term is an exact phrase of the keyword syntax. Rows stream as they are
counted, CHUNK terms per `_msearch`, so memory stays flat however long the list is; a term that
cannot run says why in its own row and the batch goes on."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from indexer import schema
from indexer.raw import well_formed
from search_api import plan
from search_api.context import Context
from search_api.errors import ApiError, BadRequest
from search_api.query import MAX_VALUE_CHARS, SearchQuery, validated
from search_api.search import parse_query
from search_api.watch_models import BatchRow, Count

MAX_TERMS = 10_000
CHUNK = 100
TOP = 3
HEADER_NAMES = ("term", "terms", "name", "names", "phrase", "query")
CSV_COLUMNS = ["term", "count", "total", "ratio", "first_seen", "last_seen", "top_outlets", "top_speakers", "error"]


def checked(terms: object) -> list[str]:
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise BadRequest("invalid terms: expected a list of strings")
    if not terms:
        raise BadRequest("invalid terms: the batch is empty")
    if len(terms) > MAX_TERMS:
        raise BadRequest(f"a batch has at most {MAX_TERMS:,} terms; this one has {len(terms):,}",
                         {"max_terms": MAX_TERMS, "terms": len(terms)})
    return [well_formed(t) for t in terms]  # half a surrogate pair (a JSON escape): U+FFFD, not a failed search


def terms_from_csv(text: str) -> list[str]:
    """The first column of each row; a first row that names the column (term, name, …) is a header.
    Lines may end in \n, \r\n or a bare \r (the fuzzer's find: a bare \r was a 500); a file the csv
    module cannot read at all is the user's 400."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row and any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise BadRequest(f"the CSV file cannot be read: {exc}") from exc
    if rows and rows[0][0].strip().lower() in HEADER_NAMES:
        rows = rows[1:]
    return [row[0] for row in rows]


def filters_of(raw: dict | None) -> SearchQuery:
    """The batch's filters (dates, outlets, languages, …), checked as /api/search checks them."""
    if raw is not None and not isinstance(raw, dict):
        raise BadRequest("invalid filters: expected an object of filters (from, to, outlet, language, …)")
    raw = dict(raw or {})
    if "q" in raw or "mode" in raw:
        raise BadRequest("invalid filters: the terms are the query; filters take dates, outlets, languages, …")
    return validated({**raw, "mode": "keyword"})


def _phrase(term: str) -> dict:
    words = term.replace('"', " ").split()
    if not words:
        raise BadRequest("an empty term")
    if not any(ch.isalnum() for ch in term):
        raise BadRequest("no letters or digits to search for")
    if len(term) > MAX_VALUE_CHARS:
        raise BadRequest(f"a term is at most {MAX_VALUE_CHARS} characters")
    parsed = parse_query('"' + " ".join(words) + '"')
    if not parsed.terms:
        raise BadRequest("no words to search for (only punctuation or stopwords)")
    return parsed.query


def _body(phrase: dict, term: str, filters: list[dict]) -> dict:
    said = {"match_phrase": {"quotes.text": " ".join(term.replace('"', " ").split())}}
    return {"size": 0, "track_total_hits": True, "query": {"bool": {"must": [phrase], "filter": filters}},
            "aggs": {"first": {"min": {"field": schema.DATE, "format": "yyyy-MM-dd"}},
                     "last": {"max": {"field": schema.DATE, "format": "yyyy-MM-dd"}},
                     "outlets": {"terms": {"field": schema.OUTLET, "size": TOP}},
                     "quotes": {"nested": {"path": schema.QUOTES}, "aggs": {"said": {"filter": said, "aggs": {
                         "speakers": {"terms": {"field": "quotes.speaker.raw", "size": TOP},
                                      "aggs": {"articles": {"reverse_nested": {}}}}}}}}}}


def _row(term: str, item: dict, total: int) -> BatchRow:
    if "error" in item:
        cause = (item["error"].get("root_cause") or [item["error"]])[0]
        return BatchRow(term=term, error=f"Elasticsearch cannot run this term: {str(cause.get('reason'))[:200]}")
    aggs = item["aggregations"]
    count = item["hits"]["total"]["value"]
    return BatchRow(term=term, count=count, total=total, ratio=count / total if total else 0.0,
                    first_seen=aggs["first"].get("value_as_string"), last_seen=aggs["last"].get("value_as_string"),
                    top_outlets=[Count(key=b["key"], count=b["doc_count"]) for b in aggs["outlets"]["buckets"]],
                    top_speakers=[Count(key=b["key"], count=b["articles"]["doc_count"])
                                  for b in aggs["quotes"]["said"]["speakers"]["buckets"]])


def rows(ctx: Context, terms: list[str], query: SearchQuery) -> Iterator[BatchRow]:
    """One row per term, in the order given. The denominator is counted before the first row."""
    filters = plan.filters(query)
    with ctx.errors():
        total = ctx.es.count(index=ctx.alias, query={"bool": {"filter": filters}})["count"]
    for start in range(0, len(terms), CHUNK):
        chunk = terms[start:start + CHUNK]
        searches, runnable, rows_here = [], [], {}
        for i, term in enumerate(chunk):
            try:
                searches += [{"index": ctx.alias}, _body(_phrase(term), term, filters)]
                runnable.append(i)
            except ApiError as error:
                rows_here[i] = BatchRow(term=term, error=error.message)
        if searches:
            with ctx.errors():
                responses = ctx.es.msearch(searches=searches)["responses"]
            for i, item in zip(runnable, responses):
                rows_here[i] = _row(chunk[i], item, total)
        yield from (rows_here[i] for i in range(len(chunk)))


def jsonl(rows: Iterable[BatchRow]) -> Iterator[str]:
    for row in rows:
        yield row.model_dump_json() + "\n"


def as_csv(rows: Iterable[BatchRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        counts = {name: "; ".join(f"{c.key} ({c.count})" for c in getattr(row, name)) for name in ("top_outlets", "top_speakers")}
        writer.writerow([row.term, row.count, row.total, None if row.ratio is None else f"{row.ratio:.6f}",
                         row.first_seen, row.last_seen, counts["top_outlets"], counts["top_speakers"], row.error])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream(ctx: Context, terms: list[str], query: SearchQuery, fmt: str) -> tuple[Iterator[str], str]:
    """(lines, media type); the terms and filters are checked before anything streams."""
    if fmt not in ("jsonl", "csv"):
        raise BadRequest(f"unknown format {fmt!r}: use jsonl or csv")
    produced = rows(ctx, checked(terms), query)
    first = next(produced, None)  # the denominator's failure (503) is a status, not a broken stream

    def again() -> Iterator[BatchRow]:
        if first is not None:
            yield first
        yield from produced

    return (jsonl(again()) if fmt == "jsonl" else as_csv(again())), (
        "application/x-ndjson" if fmt == "jsonl" else "text/csv; charset=utf-8")


def parse_body(data: bytes, content_type: str) -> tuple[list[str], dict, str | None]:
    """(terms, filters, format) from a JSON body ({"terms": [...], "filters": {...}, "format": ...}) or a
    CSV/plain-text body (first column; a term a line)."""
    text = data.decode("utf-8", "replace")
    if content_type.startswith("application/json") or not content_type:
        try:
            body = json.loads(text)
        except ValueError as exc:
            raise BadRequest(f"invalid JSON body: {exc}") from exc
        if not isinstance(body, dict):
            raise BadRequest('invalid body: expected {"terms": [...], "filters": {...}}')
        unknown = set(body) - {"terms", "filters", "format"}
        if unknown:
            raise BadRequest(f"unknown field {sorted(unknown)[0]!r}: a batch takes terms, filters and format")
        return checked(body.get("terms")), body.get("filters") or {}, body.get("format")
    if content_type.startswith(("text/csv", "text/plain")):
        return checked(terms_from_csv(text)), {}, None
    raise BadRequest(f"unsupported content type {content_type!r}: send JSON, text/csv or a form upload")
