"""API keys (MORGUE_API_KEYS): required on the API, its documentation and the web pages alike. Programs
send `Authorization: Bearer <key>` or `X-API-Key: <key>`; a browser signs in once on /login and the
key rides in an HttpOnly cookie. Wrong keys are rate limited per client address; with
MORGUE_RATE_LIMIT, every request is, per key (or per address without keys)."""
from __future__ import annotations

import hmac
import threading
import time
from collections import defaultdict, deque

from fastapi import Request

from search_api.errors import RateLimited, TooManyRequests, Unauthorized

COOKIE = "morgue_key"
FAILURES_ALLOWED = 10  # wrong keys per client address within WINDOW seconds, then 429
WINDOW = 60.0


class Guard:
    def __init__(self, keys: list[str], per_minute: int = 0):
        self.keys = keys
        self.per_minute = per_minute  # MORGUE_RATE_LIMIT; 0: no limit
        self.failures: dict[str, deque] = defaultdict(deque)
        self.recent: dict[str, deque] = defaultdict(deque)  # request times per key or client address
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

    def who(self, request: Request) -> str:
        """Whom a rate limit counts: the API key (a digest of it) when it is a valid one, else the address."""
        given = self.given(request)
        if self.enabled and self.valid(given):
            return "key:" + hmac.new(b"morgue-rate", given.encode(), "sha256").hexdigest()[:16]
        return "address:" + (request.client.host if request.client else "unknown")

    def throttle(self, request: Request) -> None:
        """MORGUE_RATE_LIMIT requests per minute per key (or per client address without one): a sliding
        window of WINDOW seconds; one more is a 429 saying when the next one is allowed. An export or a
        batch is one request, however long it streams."""
        if self.per_minute <= 0:
            return
        who, now = self.who(request), time.monotonic()
        with self.lock:
            recent = self.recent[who]
            while recent and now - recent[0] > WINDOW:
                recent.popleft()
            if len(recent) >= self.per_minute:
                wait = int(WINDOW - (now - recent[0])) + 1
                raise RateLimited(f"more than {self.per_minute} requests a minute: wait {wait} s", wait)
            recent.append(now)
            if len(self.recent) > 100_000:  # addresses seen once long ago: forget them
                for key in [k for k, times in self.recent.items() if not times or now - times[-1] > WINDOW]:
                    del self.recent[key]

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
