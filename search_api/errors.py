"""Errors the API answers with: {"error": {"code", "message", "detail"}} and the right status."""
from __future__ import annotations


class ApiError(Exception):
    status = 400
    code = "bad_request"

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


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class ModelMismatch(ApiError):
    status = 409
    code = "model_mismatch"


class Unavailable(ApiError):
    status = 503
    code = "search_unavailable"

    def __init__(self, message: str, detail: object = None, retry_after: int = 10):
        super().__init__(message, detail, {"Retry-After": str(retry_after)})
