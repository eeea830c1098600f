"""What every request passes before the routes: its declared body size, then the rate limit
(search_api.auth.Guard). A plain ASGI middleware: Starlette's `@app.middleware("http")` runs each
request through an extra task and a stream of its response, which was a tenth of the API's busy time
on a hybrid search (py-spy, 4 clients)."""
from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from search_api.auth import Guard
from search_api.errors import ApiError, PayloadTooLarge

MAX_BODY_BYTES = 64 * 1024  # a query object is small; more is a mistake or an attack
BATCH_BODY_BYTES = 8 * 1024 * 1024  # 10,000 terms of up to 512 characters, as JSON or CSV
BATCH_PATHS = ("/api/batch", "/batch")


def refused(request: Request, guard: Guard) -> ApiError | None:
    length = request.headers.get("content-length")
    limit = BATCH_BODY_BYTES if request.url.path in BATCH_PATHS else MAX_BODY_BYTES
    if length and (not length.isdigit() or int(length) > limit):
        return PayloadTooLarge(f"request bodies are at most {limit:,} bytes here")
    if not request.url.path.startswith("/static/"):
        try:
            guard.throttle(request)
        except ApiError as error:
            return error
    return None


class Gate:
    def __init__(self, app: ASGIApp, guard: Guard):
        self.app, self.guard = app, guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (error := refused(Request(scope), self.guard)) is not None:
            await JSONResponse(error.body(), status_code=error.status, headers=error.headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)
