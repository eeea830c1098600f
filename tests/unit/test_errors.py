"""search_api.errors: Elasticsearch's failures as the errors they are for a user."""
import pytest

from search_api.errors import BadRequest, NotFound, Unavailable, from_search_error


@pytest.mark.parametrize("error, kind, status", [
    ({"type": "search_context_missing_exception", "reason": "No search context found"}, BadRequest, 400),
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
