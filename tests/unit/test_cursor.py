"""search_api.cursor: opaque, bound to its query, bounded."""
import base64
import json

import pytest

from search_api import cursor, watermark
from search_api.errors import BadRequest
from search_api.query import SearchQuery


def test_round_trip_keeps_offset_and_time():
    query = SearchQuery(q="barrier", size=10)
    position = cursor.Position(20, "2025-03-04T10:00:00.250Z")
    again = cursor.decode(query.model_copy(update={"cursor": cursor.encode(query, position)}))
    assert again == position


def test_first_page_starts_now_or_settled_when_polling():
    before = watermark.iso(watermark.now())
    position = cursor.decode(SearchQuery(q="barrier"))
    assert position.offset == 0 and position.as_of.endswith("Z") and position.as_of >= before
    polled = cursor.decode(SearchQuery(q="barrier", indexed_since="2026-01-01T00:00:00Z"))
    lag = watermark.parse(position.as_of) - watermark.parse(polled.as_of)
    assert abs(lag.total_seconds() - watermark.SETTLE_SECONDS) < 1


def test_a_cursor_belongs_to_its_query():
    token = cursor.encode(SearchQuery(q="barrier"), cursor.Position(10, "2025-03-04T10:00:00+00:00"))
    with pytest.raises(BadRequest, match="another query"):
        cursor.decode(SearchQuery(q="flood", cursor=token))


@pytest.mark.parametrize("token", ["not-a-cursor", "", "eyJ2IjogMn0", base64.urlsafe_b64encode(
    json.dumps({"v": 2, "offset": "x", "as_of": 5, "q": "y"}).encode()).decode()])
def test_garbage_is_a_400(token):
    with pytest.raises(BadRequest):
        cursor.decode(SearchQuery(q="barrier", cursor=token or "x"))


def test_paging_stops_at_the_limit_with_advice():
    query = SearchQuery(q="barrier", size=100)
    token = cursor.encode(query, cursor.Position(cursor.MAX_RESULTS, "2025-03-04T10:00:00+00:00"))
    with pytest.raises(BadRequest, match="export"):
        cursor.decode(query.model_copy(update={"cursor": token}))
