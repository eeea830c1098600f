"""The shapes of the watch and batch endpoints (their requests and JSON answers), beside models.py."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from search_api.models import Model

MAX_NAME_CHARS = 200


class WatchCreate(BaseModel):
    """A saved search: the usual query object (any mode) and how to be told of new matches."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    query: dict = Field(description="The query object of /api/search (q, mode, filters); paging fields are ignored")
    floor: float | None = Field(None, ge=-1.0, le=1.0, description="Meaning and hybrid watches: the least cosine "
                                "similarity of an article's closest passage or lead (default: the measured one)")
    webhook: str | None = Field(None, max_length=2048, description="http(s) URL that gets a signed JSON POST per run "
                                                                   "with new matches")
    backfill: bool = Field(False, description="report matching articles already in the archive on the first run")

    @field_validator("webhook")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("a webhook is an http:// or https:// URL")
        return value or None


class Watch(Model):
    id: str
    name: str
    query: dict
    mode: Literal["hybrid", "keyword", "semantic"]
    floor: float | None = Field(None, description="cosine floor of the meaning leg (None: keyword only)")
    webhook: str | None = None
    backfill: bool
    created_at: str
    watermark: str = Field(description="articles indexed up to this time have been looked at")
    last_run_at: str | None = None
    matches: int = Field(description="articles reported so far")
    last_new: int = Field(description="articles the last run reported")
    recent: int = Field(0, description="articles reported in the last 24 hours")
    feed: str = Field(description="path of the Atom feed (with its token when API keys are set)")


class WatchCreated(Watch):
    secret: str = Field(description="signs webhook bodies (X-Morgue-Signature: sha256=HMAC): shown only now")


class WatchList(Model):
    watches: list[Watch]


class WatchMatch(Model):
    id: str = Field(description="the article's id")
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    indexed_at: str | None = None
    matched_at: str = Field(description="when a run reported it")


class MatchPage(Model):
    watch: str
    matches: list[WatchMatch]
    cursor: str | None = Field(None, description="pass back as `cursor` for the next page")
    watermark: str | None = Field(None, description="pass back as `since` to get only matches reported later")


class DeliveryItem(Model):
    id: str
    run: str
    created_at: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    articles: int
    next_attempt_at: str | None = None
    delivered_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None


class DeliveryList(Model):
    watch: str
    deliveries: list[DeliveryItem]


class Deleted(Model):
    deleted: str


class RunSummary(Model):
    ran: bool = Field(description="false when another evaluation was running")
    watches: int
    new_matches: int
    seconds: float
    searches: int
    deliveries: dict[str, int]
    failed_watches: dict[str, str]


class Count(Model):
    key: str
    count: int


class BatchRow(Model):
    term: str
    count: int | None = Field(None, description="articles matching the term (a phrase, exactly) under the filters")
    total: int | None = Field(None, description="articles under the filters")
    ratio: float | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    top_outlets: list[Count] = Field(default_factory=list)
    top_speakers: list[Count] = Field(default_factory=list, description="who is quoted saying the term")
    error: str | None = Field(None, description="why this term could not run (the others still do)")
