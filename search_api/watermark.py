"""Watermarks: points in indexing time (`indexed_at`, UTC, milliseconds), so that a dashboard or a
watch can ask for what is new without missing or repeating anything.

The indexer stamps each article as it hands it to a bulk request (indexer.store.stamped); it is
searchable once that request and the next refresh (1 s) are done. An answer that passes a watermark
on therefore covers only articles stamped SETTLE_SECONDS or more before it was made: anything younger
may still be in flight, and the next poll (`indexed_since=<watermark>`) gets it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

SETTLE_SECONDS = 10.0  # a bulk request of 200 articles takes ~1 s here; a refresh 1 s: ample margin


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601, UTC, milliseconds: how watermarks are written and compared."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(value: str) -> datetime:
    """An ISO time; one without a zone is UTC."""
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def settled(moment: datetime | None = None) -> datetime:
    """The newest stamp every article of which is surely searchable at `moment`."""
    return (moment or now()) - timedelta(seconds=SETTLE_SECONDS)


def upper_bound(indexed_since: datetime | None) -> str:
    """The `indexed_at` an answer covers up to: now, or, when the client polls with indexed_since,
    the settled time (so the watermark it gets back is exact)."""
    return iso(settled() if indexed_since is not None else now())
