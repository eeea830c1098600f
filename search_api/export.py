"""GET /api/export: every article the query matches, streamed as CSV or JSON lines.

A point-in-time and search_after walk the whole match set one page at a time (no 10,000 cap, memory
independent of the number of matches). The match set is the one a search in the same mode counts
(search_api.plan.match_set): the words, what is close in meaning, or either. The query is checked before the first byte is sent, so a
mistake is a 400; if Elasticsearch goes away mid-stream, the last line says so (a truncated export
is never silent)."""
from __future__ import annotations

import csv
import io
import json
import logging
import threading
from typing import Callable, Iterator

import elasticsearch

from indexer import schema
from search_api import plan
from search_api.context import Context
from search_api.errors import BadRequest
from search_api.query import SearchQuery
from search_api.search import parse_query, query_vector

PAGE = 1000
FORMATS = ("csv", "jsonl")
COLUMNS = [schema.ID, schema.DATE, schema.DATE_PRECISION, schema.OUTLET, schema.TITLE, schema.PLACE,
           schema.LANGUAGE, schema.URL, schema.AUTHOR, schema.STORY, "speakers", "quote_count", schema.FILE]
QUOTE_KEYS = ("text", "speaker", "speaker_role", "start", "end")
log = logging.getLogger(__name__)


def _record(hit: dict, with_text: bool) -> dict:
    source = hit["_source"]
    quotes = [{k: q.get(k) for k in QUOTE_KEYS} for q in source.get(schema.QUOTES, [])]
    record = {schema.ID: hit["_id"], **{k: source.get(k) for k in COLUMNS[1:] if k in source},
              "speakers": sorted({q["speaker"] for q in quotes if q["speaker"]}), "quote_count": len(quotes),
              "quotes": quotes}
    if with_text:
        record[schema.BODY] = source.get(schema.BODY)
    return record


class ExportError(RuntimeError):
    pass


class PointInTime:
    """The export's point-in-time, closed once however the export ends: the walk finishing, failing,
    or the reader going away (the response's background task closes it then, from another thread)."""

    def __init__(self, ctx: Context, pit_id: str):
        self.ctx, self.id, self.closed = ctx, pit_id, False
        self.lock = threading.Lock()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        try:
            self.ctx.es.close_point_in_time(id=self.id)
        except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:  # expired, or the node is gone:
            log.info("point-in-time not closed: %s", exc)                      # it ends after keep_alive


def _pages(ctx: Context, query: dict, pit: PointInTime) -> Iterator[list[dict]]:
    sort = [{schema.DATE: {"order": "asc", "missing": "_last"}}, {"_shard_doc": "asc"}]
    after = None
    excludes = [schema.PASSAGES, schema.QUOTE_VECTOR, *schema.INTERNAL]
    while not pit.closed:
        try:
            response = ctx.es.search(size=PAGE, query=query, sort=sort, pit={"id": pit.id, "keep_alive": PIT_KEEP_ALIVE},
                                     source={"excludes": excludes}, track_total_hits=False, search_after=after)
        except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout, elasticsearch.ApiError) as exc:
            raise ExportError(f"Elasticsearch failed mid-export ({type(exc).__name__}): the export is incomplete") from exc
        hits = response["hits"]["hits"]
        if not hits:
            return
        pit.id = response.get("pit_id", pit.id)
        after = hits[-1]["sort"]
        yield hits


PIT_KEEP_ALIVE = "2m"


def export(ctx: Context, query: SearchQuery, fmt: str, with_text: bool = False,
           as_of: str | None = None) -> tuple[Iterator[str], str, Callable[[], None]]:
    """(lines, media type, release). Validates and opens the point-in-time before anything streams;
    as_of (a watermark) leaves out articles indexed later. `release` closes the point-in-time: call it
    when the response ends, however it ends (the walk closes it too when it gets to the end)."""
    if fmt not in FORMATS:
        raise BadRequest(f"unknown format {fmt!r}: use csv or jsonl")
    parsed = parse_query(query.q, ctx=ctx)
    with ctx.errors():
        vector = query_vector(ctx, parsed, query)
        es_query = plan.match_set(parsed, query, vector, as_of)
        pit = PointInTime(ctx, ctx.es.open_point_in_time(index=ctx.alias, keep_alive=PIT_KEEP_ALIVE)["id"])
    lines = _csv_lines if fmt == "csv" else _jsonl_lines
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return lines(ctx, es_query, pit, with_text), media, pit.close


def _walk(ctx: Context, es_query: dict, pit: PointInTime, with_text: bool) -> Iterator[list[dict]]:
    """Records a page at a time; the point-in-time is closed however the walk ends."""
    try:
        for hits in _pages(ctx, es_query, pit):
            yield [_record(hit, with_text) for hit in hits]
    finally:
        pit.close()


def _jsonl_lines(ctx: Context, es_query: dict, pit: PointInTime, with_text: bool) -> Iterator[str]:
    try:
        for records in _walk(ctx, es_query, pit, with_text):
            yield "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    except ExportError as exc:
        yield json.dumps({"error": {"code": "unavailable", "message": str(exc)}}) + "\n"


def _csv_lines(ctx: Context, es_query: dict, pit: PointInTime, with_text: bool) -> Iterator[str]:
    columns = COLUMNS + ([schema.BODY] if with_text else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writeheader()
    yield flush()
    try:
        for records in _walk(ctx, es_query, pit, with_text):
            writer.writerows({**record, "speakers": "; ".join(record["speakers"])} for record in records)
            yield flush()
    except ExportError as exc:
        yield f"# ERROR: {exc}\n"
