"""Every failure a user can cause or meet, as one documented JSON error: {"error": {"code", "message",
"detail"}} with its HTTP status (and, for the CLI, its exit code). Elasticsearch's own failures are
translated here, in one place (`translated`), so nothing but a bug answers 500."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

import elasticsearch

log = logging.getLogger("morgue.errors")


class ApiError(Exception):
    status = 400
    code = "bad_request"
    exit_code = 1  # the CLI's: 1 the user's mistake, 2 set-up, 3 the cluster

    def __init__(self, message: str, detail: object = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail}}


class BadRequest(ApiError):
    pass


class QuerySyntax(ApiError):
    code = "query_syntax"


class InvalidCursor(BadRequest):
    """A cursor that is not one of ours, belongs to another query, or has expired."""
    code = "invalid_cursor"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"  # wrong keys; RateLimited for the request rate

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, {"retry_after": retry_after}, {"Retry-After": str(retry_after)})


class RateLimited(TooManyRequests):
    code = "rate_limited"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class ModelMismatch(ApiError):
    status = 409
    code = "model_mismatch"
    exit_code = 2


class Unavailable(ApiError):
    status = 503
    code = "search_unavailable"
    exit_code = 3

    def __init__(self, message: str, detail: object = None, retry_after: int = 10):
        super().__init__(message, detail, {"Retry-After": str(retry_after)})


# Elasticsearch answers 4xx to a search it cannot run: the query was too big or too deep for it.
_TOO_COMPLEX = ("too_many_clauses", "too_many_nested_clauses", "query_shard_exception", "illegal_argument_exception",
                "parsing_exception", "x_content_parse_exception", "search_phase_execution_exception")


def from_search_error(leg: str, error: dict) -> ApiError:
    """A failed search in an `_msearch` (a leg) as the error it is for the user. The answer names the
    cause by its type; Elasticsearch's own wording (index names, shard numbers, internals) goes to the
    log, not to the client."""
    causes = error.get("root_cause") or [error]
    kind = causes[0].get("type") or error.get("type") or ""
    reason = causes[0].get("reason") or error.get("reason") or str(error)
    log.warning("%s search failed in Elasticsearch: %s: %s", leg, kind, str(reason)[:1000])
    detail = {"leg": leg, "type": kind, **({"failed_shards": error["failed_shards"]} if "failed_shards" in error else {})}
    if kind in ("search_context_missing_exception",):
        return InvalidCursor("this cursor has expired: search again from the first page", {"leg": leg})
    if kind == "index_not_found_exception":
        return NotFound("the archive index does not exist yet: run `morgue index PATH`")
    if kind in _TOO_COMPLEX or error.get("status", 500) < 500:
        return BadRequest("the archive cannot run this search as written: it is too large or too deeply nested; "
                          "use fewer words, operators or parentheses", detail)
    return Unavailable(f"the {leg} search failed in Elasticsearch ({kind or 'unknown cause'}); try again shortly", detail)


@contextmanager
def translated(on_unreachable=None) -> Iterator[None]:
    """Elasticsearch's exceptions as ApiErrors: unreachable → 503 (after `on_unreachable()`, which may
    look for the node again), a missing index → 404, a refused request → 400."""
    try:
        yield
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        if on_unreachable is not None:
            on_unreachable()
        raise Unavailable("Elasticsearch is not reachable; try again shortly", {"reason": type(exc).__name__}) from exc
    except elasticsearch.ApiError as exc:
        error = exc.body.get("error", {}) if isinstance(exc.body, dict) else {}
        if isinstance(error, dict) and error:
            raise from_search_error("request", {**error, "status": exc.meta.status}) from exc
        if exc.meta.status == 404:
            raise NotFound("not found") from exc
        log.warning("Elasticsearch answered %s: %s", exc.meta.status, str(exc)[:1000])
        if exc.meta.status < 500:
            raise BadRequest(f"Elasticsearch refused the request ({exc.meta.status})") from exc
        raise Unavailable(f"Elasticsearch failed ({exc.meta.status}); try again shortly") from exc
