"""Webhook deliveries: a JSON POST per watch and run with new matches, signed with the watch's secret.

Headers: `X-Morgue-Signature: sha256=<hex HMAC-SHA256 of the body>`, `X-Morgue-Delivery: <id>` (the
same id on every retry, so a receiver can drop repeats), `X-Morgue-Event: watch.matches`. A delivery
is tried ATTEMPTS_NOW times within a run, BACKOFF × 2ⁿ seconds apart; if it still fails it stays
pending and later runs try again (backing off further) until MAX_ATTEMPTS, then it is failed. Nothing
here raises: an unreachable receiver is logged and retried, never in the way of indexing."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from search_api import watermark
from search_api.watch_store import Delivery

SIGNATURE_HEADER = "X-Morgue-Signature"
DELIVERY_HEADER = "X-Morgue-Delivery"
EVENT = "watch.matches"
MAX_ATTEMPTS = 8
log = logging.getLogger("morgue.webhook")


@dataclass(frozen=True)
class Policy:
    timeout: float = 5.0  # seconds per attempt
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    attempts_now: int = 3  # tries within one run
    workers: int = 8  # deliveries in flight at once

    @classmethod
    def from_settings(cls, settings) -> "Policy":
        return cls(timeout=settings.webhook_timeout, backoff=settings.webhook_backoff)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (and the tests): the signature in constant time."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header)


def _post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked at creation
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]


def _try(delivery: Delivery, url: str, secret: str, policy: Policy) -> Delivery:
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Morgue-Webhook/1", SIGNATURE_HEADER: sign(secret, body),
               DELIVERY_HEADER: delivery.id, "X-Morgue-Event": EVENT}
    for attempt in range(policy.attempts_now):
        if attempt:
            time.sleep(policy.backoff * 2 ** (delivery.attempts - 1))
        status, error = _post(url, body, headers, policy.timeout)
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", watermark.iso(watermark.now()), None
            return delivery
        log.warning("webhook delivery %s to %s failed (attempt %d): %s", delivery.id, url, delivery.attempts, error)
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = "failed", None
            return delivery
    wait = timedelta(seconds=policy.backoff * 2 ** delivery.attempts)
    delivery.next_attempt_at = watermark.iso(watermark.now() + wait)
    return delivery


def deliver(deliveries: list[Delivery], targets: dict[str, tuple[str, str]], policy: Policy) -> list[Delivery]:
    """Try each delivery ({watch id: (url, secret)}), several at once; returns them updated. A delivery
    whose watch is gone or has no webhook any more is failed with that reason."""
    def one(delivery: Delivery) -> Delivery:
        target = targets.get(delivery.watch)
        if target is None or not target[0]:
            delivery.status, delivery.last_error, delivery.next_attempt_at = "failed", "the watch has no webhook", None
            return delivery
        return _try(delivery, target[0], target[1], policy)

    if not deliveries:
        return []
    with ThreadPoolExecutor(max_workers=min(policy.workers, len(deliveries))) as pool:
        return list(pool.map(one, deliveries))
