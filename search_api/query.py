"""The one query object every endpoint takes, as GET parameters or as a POST JSON body."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from enum import Enum
from typing import Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from indexer.raw import well_formed
from search_api.errors import BadRequest
from search_api.syntax import MAX_QUERY_CHARS

MAX_SIZE = 100
MAX_DEPTH = 500
MAX_VALUES = 100  # values of one filter (outlet=A&outlet=B…)
MAX_VALUE_CHARS = 512  # one outlet, speaker, language or story id
# Meaning: the least cosine similarity (an article's closest passage or lead) at which it matches. The best
# F1 of "matches" against "relevant" on the Reuters dev queries with bge-small-en-v1.5 int8 (precision 0.36,
# recall 0.53): bench/watch_floor.py, bench/results/watch-floor.md. Watches ask for more precision
# (search_api.watches.SEMANTIC_FLOOR, the best F0.5). Another encoder has other similarities: pass `floor`.
MATCH_FLOOR = 0.64
LIST_PARAMS = ("outlet", "language", "speaker", "person", "org", "place")


class Mode(str, Enum):
    hybrid = "hybrid"
    keyword = "keyword"
    semantic = "semantic"


class Fusion(str, Enum):
    rrf = "rrf"
    convex = "convex"


class Sort(str, Enum):
    relevance = "relevance"
    date = "date"  # newest first
    oldest = "oldest"

    @property
    def date_order(self) -> str | None:
        """"desc" or "asc" when sorting by date (articles without a date come last either way)."""
        return {"date": "desc", "oldest": "asc"}.get(self.value)


class SearchQuery(BaseModel):
    """Search terms and filters. Unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="Keyword syntax (see /api/syntax) or plain words")
    mode: Mode = Mode.hybrid
    from_: date | None = Field(None, alias="from", description="First publication date, YYYY-MM-DD")
    to: date | None = Field(None, description="Last publication date, YYYY-MM-DD (inclusive)")
    outlet: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="Outlet (repeatable)")
    language: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="Language code (repeatable)")
    speaker: list[str] = Field(default_factory=list, max_length=MAX_VALUES,
                               description="Articles quoting this speaker (repeatable; a name inside the full name matches)")
    person: list[str] = Field(default_factory=list, max_length=MAX_VALUES,
                              description="Articles naming this person (canonical name; repeatable)")
    org: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="Articles naming this organisation")
    place: list[str] = Field(default_factory=list, max_length=MAX_VALUES,
                             description="Articles naming this place, or datelined there")
    has_quotes: bool | None = None
    story: str | None = Field(None, max_length=MAX_VALUE_CHARS)
    size: int = Field(10, ge=1, le=MAX_SIZE)
    sort: Sort = Field(Sort.relevance, description="relevance; date (newest first); oldest")
    fusion: Fusion = Fusion.rrf
    alpha: float = Field(0.5, ge=0.0, le=1.0, description="Weight of the semantic leg in convex fusion")
    # Defaults from the sweep on the Reuters dev queries (bench/results/relevance-reuters.md): nDCG@10 is
    # flat at 0.797–0.801 for k 10–20 and a semantic weight of 2.5–6; equal weights at k=60 give 0.758.
    rrf_k: int = Field(20, ge=1, le=1000, description="RRF: score = Σ weight / (rrf_k + rank)")
    semantic_weight: float = Field(2.5, ge=0.0, le=100.0,
                                   description="RRF: weight of the semantic leg (the keyword leg's is 1)")
    floor: float = Field(MATCH_FLOOR, ge=0.0, le=1.0,
                         description="Meaning: the least cosine similarity of an article's closest passage or lead "
                                     "for it to match (the default was chosen by measurement)")
    depth: int = Field(200, ge=10, le=MAX_DEPTH, description="Candidates taken from each leg before fusion")
    cursor: str | None = Field(None, max_length=4096)
    facets: bool = False
    collapse: Literal["none", "story"] = Field("none", description="story: one hit per story, with its other articles")
    indexed_since: datetime | None = Field(
        None, description="Only articles indexed after this watermark (ISO time, UTC). Pass back the `watermark` "
                          "of the previous answer to get exactly what is new since (1970-01-01T00:00:00Z: everything)")

    @field_validator(*LIST_PARAMS, mode="before")
    @classmethod
    def _listify(cls, value):
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator(*LIST_PARAMS)
    @classmethod
    def _short(cls, values: list[str]) -> list[str]:
        if any(len(v) > MAX_VALUE_CHARS for v in values):
            raise ValueError(f"a value is at most {MAX_VALUE_CHARS} characters")
        return values

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _iso_date(cls, value):
        """Only YYYY-MM-DD: a number (to=0) is not a date."""
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("expected a date as YYYY-MM-DD")
        return value.strip()

    @field_validator("indexed_since", mode="before")
    @classmethod
    def _iso_time(cls, value):
        """An ISO time (a watermark); a number is not one."""
        if value is None or isinstance(value, datetime):
            return value
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?(Z|[+-]\d{2}:?\d{2})?",
                                                          value.strip()):
            raise ValueError("expected a watermark: an ISO time such as 2026-12-01T17:00:00.000Z")
        return value.strip()

    @field_validator("indexed_since")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)

    @model_validator(mode="after")
    def _check(self) -> "SearchQuery":
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        if self.mode is not Mode.keyword and self.sort is Sort.relevance and not self.q.strip(" *"):
            # Meaning needs words; with no words, rank like keyword mode (newest first).
            self.mode = Mode.keyword
        return self

    def cache_key(self) -> dict:
        """What a cursor must agree with (everything but the cursor itself)."""
        return self.model_dump(mode="json", exclude={"cursor"}, by_alias=True)


def _validation_detail(errors: list[dict]) -> list[dict]:
    def plain(value):  # echoed in the answer: JSON-safe only (a lone surrogate in a JSON body made it a 500)
        if isinstance(value, str):
            return well_formed(value)
        return value if isinstance(value, int) or (isinstance(value, float) and value == value
                                                   and abs(value) != float("inf")) else None

    return [{"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body")),
             "problem": e.get("msg"), "input": plain(e.get("input"))} for e in errors]


def invalid(errors: list[dict]) -> BadRequest:
    """Pydantic's (or FastAPI's) validation errors as one 400 that names the field."""
    detail = _validation_detail(errors)
    first = detail[0] if detail else {"field": "", "problem": "invalid request"}
    message = f"invalid {first['field'] or 'request'}: {first['problem']}"
    return BadRequest(message + (f" (and {len(detail) - 1} more)" if len(detail) > 1 else ""), detail)


def grouped(items: Iterable[tuple[str, str]]) -> dict:
    """Query-string pairs → the query's fields (outlet=A&outlet=B → a list; other names once only)."""
    params: dict = {}
    for key, value in items:
        key = key.removesuffix("[]")
        if key in LIST_PARAMS:
            params.setdefault(key, []).append(value)
        elif key in params:
            raise BadRequest(f"parameter '{key}' given twice")
        else:
            params[key] = value
    return params


def validated(params: dict) -> SearchQuery:
    try:
        return SearchQuery.model_validate(params)
    except ValidationError as exc:
        raise invalid(exc.errors()) from exc
