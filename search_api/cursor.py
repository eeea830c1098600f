"""Opaque cursors for the next page. A cursor carries the offset, a fingerprint of the query (a cursor
only continues its own search) and `as_of`, the time of the first page: every page leaves out articles
indexed after it, so indexing while a reader pages does not shift the pages. No point-in-time is held
open on the cluster for it, so cursors do not expire and cost the cluster nothing between pages."""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from search_api import watermark
from search_api.errors import BadRequest, InvalidCursor
from search_api.query import SearchQuery

MAX_RESULTS = 1000  # ranked results reachable by paging; /api/export gives every match


@dataclass(frozen=True)
class Position:
    offset: int
    as_of: str  # a watermark (search_api.watermark)


def fingerprint(query: SearchQuery) -> str:
    return hashlib.sha256(json.dumps(query.cache_key(), sort_keys=True).encode()).hexdigest()[:16]


def encode(query: SearchQuery, position: Position) -> str:
    raw = json.dumps({"v": 2, "offset": position.offset, "as_of": position.as_of, "q": fingerprint(query)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def start(query: SearchQuery) -> Position:
    return Position(0, watermark.upper_bound(query.indexed_since))


def decode(query: SearchQuery) -> Position:
    """The position a query's cursor points at (the first page when it has none)."""
    if not query.cursor:
        position = start(query)
    else:
        try:
            data = json.loads(base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4)))
            position = Position(int(data["offset"]), watermark.iso(watermark.parse(data["as_of"])))
            owner = data["q"]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidCursor("invalid cursor: pass back the cursor of the previous page unchanged") from exc
        if owner != fingerprint(query):
            raise InvalidCursor("this cursor belongs to another query: keep the query and filters of the first page")
        if position.offset < 0:
            raise InvalidCursor("invalid cursor: pass back the cursor of the previous page unchanged")
    if position.offset + query.size > MAX_RESULTS:
        raise BadRequest(f"paging stops at {MAX_RESULTS:,} ranked results: narrow the search or the dates, or "
                         f"download every match with /api/export", {"max_results": MAX_RESULTS})
    return position
