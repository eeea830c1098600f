"""API keys (MORGUE_API_KEYS): required on the API, its documentation and the web pages alike. Programs
send `Authorization: Bearer <key>` or `X-API-Key: <key>`; a browser signs in once on /login and the
key rides in an HttpOnly cookie. Wrong keys are rate limited per client address."""
from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from search_api.errors import TooManyRequests, Unauthorized

COOKIE = "morgue_key"
FAILURES_ALLOWED = 10  # wrong keys per client address within WINDOW seconds, then 429
WINDOW = 60.0


class Guard:
    def __init__(self, keys: list[str]):
        self.keys = keys
        self.failures: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    def valid(self, given: str | None) -> bool:
        return bool(given) and any(hmac.compare_digest(given.encode(), k.encode()) for k in self.keys)

    @staticmethod
    def given(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.headers.get("x-api-key") or request.cookies.get(COOKIE)

    def check(self, request: Request) -> None:
        """Raises 401 for a missing or wrong key, 429 once a client has sent too many wrong ones."""
        if not self.enabled:
            return
        client = request.client.host if request.client else "unknown"
        now = time.monotonic()
        with self.lock:
            recent = self.failures[client]
            while recent and now - recent[0] > WINDOW:
                recent.popleft()
            if len(recent) >= FAILURES_ALLOWED:
                raise TooManyRequests(f"too many wrong API keys from {client}: wait a minute",
                                      int(WINDOW - (now - recent[0])) + 1)
        given = self.given(request)
        if self.valid(given):
            return
        if given:  # a wrong key counts against the address; a missing one is just not signed in
            with self.lock:
                self.failures[client].append(now)
        raise Unauthorized("missing or wrong API key: send `Authorization: Bearer <key>` or `X-API-Key: <key>`, "
                           "or sign in on /login in a browser")
