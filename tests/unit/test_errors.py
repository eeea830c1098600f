"""search_api.errors: Elasticsearch's failures as the errors they are for a user."""
import pytest

from search_api.errors import ApiError, BadRequest, InvalidCursor, NotFound, Unavailable, from_search_error


@pytest.mark.parametrize("error, kind, status", [
    ({"type": "search_context_missing_exception", "reason": "No search context found"}, InvalidCursor, 400),
    ({"root_cause": [{"type": "too_many_nested_clauses", "reason": "depth"}], "status": 400}, BadRequest, 400),
    ({"type": "index_not_found_exception", "reason": "no such index"}, NotFound, 404),
    ({"type": "circuit_breaking_exception", "reason": "memory", "status": 503}, Unavailable, 503),
])
def test_leg_failures_map_to_user_errors(error, kind, status):
    mapped = from_search_error("keyword", error)
    assert isinstance(mapped, kind) and mapped.status == status and mapped.message
    body = mapped.body()["error"]
    assert set(body) == {"code", "message", "detail"}


def test_unavailable_says_when_to_retry():
    error = Unavailable("down")
    assert error.headers["Retry-After"] == "10" and error.exit_code == 3


def test_a_search_some_shards_failed_is_not_a_partial_answer():
    from search_api.errors import BadRequest, Unavailable
    from search_api.retrieve import leg

    ok = {"hits": {"hits": [{"_id": "a"}], "total": {"value": 1, "relation": "eq"}}, "_shards": {"total": 2, "failed": 0}}
    assert leg("keyword", ok).total == 1
    broken = {**ok, "_shards": {"total": 2, "failed": 1, "failures": [
        {"shard": 1, "reason": {"type": "node_disconnected_exception", "reason": "node left"}}]}}
    with pytest.raises(Unavailable, match=r"keyword search failed in Elasticsearch \(node_disconnected_exception\)") as caught:
        leg("keyword", broken)
    assert caught.value.status == 503 and caught.value.headers["Retry-After"]
    assert caught.value.detail["failed_shards"] == "1 of 2" and "node left" not in caught.value.message
    too_big = {**ok, "_shards": {"total": 2, "failed": 2, "failures": [
        {"reason": {"type": "query_shard_exception", "reason": "too many clauses"}}]}}
    with pytest.raises(BadRequest):
        leg("keyword", too_big)
    with pytest.raises(Unavailable, match="the semantic search failed"):
        leg("semantic", {"error": {"type": "circuit_breaking_exception", "reason": "memory"}, "status": 503})


def test_cursor_mistakes_have_their_own_code():
    from search_api import cursor
    from search_api.query import SearchQuery

    for token in ("garbage", cursor.encode(SearchQuery(q="other"), cursor.Position(10, "2026-01-01T00:00:00.000Z"))):
        with pytest.raises(ApiError) as caught:
            cursor.decode(SearchQuery(q="barrier", cursor=token))
        assert (caught.value.status, caught.value.code) == (400, "invalid_cursor")
