"""The one query object every endpoint takes, as GET parameters or as a POST JSON body."""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from search_api.syntax import MAX_QUERY_CHARS

MAX_SIZE = 100
MAX_DEPTH = 500


class Mode(str, Enum):
    hybrid = "hybrid"
    keyword = "keyword"
    semantic = "semantic"


class Fusion(str, Enum):
    rrf = "rrf"
    convex = "convex"


class Sort(str, Enum):
    relevance = "relevance"
    date = "date"


class SearchQuery(BaseModel):
    """Search terms and filters. Unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    q: str = Field("", max_length=MAX_QUERY_CHARS, description="Keyword syntax (see /api/syntax) or plain words")
    mode: Mode = Mode.hybrid
    from_: date | None = Field(None, alias="from", description="First publication date, YYYY-MM-DD")
    to: date | None = Field(None, description="Last publication date, YYYY-MM-DD (inclusive)")
    outlet: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    speaker: list[str] = Field(default_factory=list, description="Articles quoting this speaker (full name)")
    has_quotes: bool | None = None
    story: str | None = None
    size: int = Field(10, ge=1, le=MAX_SIZE)
    sort: Sort = Sort.relevance
    fusion: Fusion = Fusion.rrf
    alpha: float = Field(0.5, ge=0.0, le=1.0, description="Weight of the semantic leg in convex fusion")
    # Defaults from the sweep on the Reuters dev queries (bench/results/relevance-reuters.md): nDCG@10 is
    # flat at 0.797–0.801 for k 10–20 and a semantic weight of 2.5–6; equal weights at k=60 give 0.758.
    rrf_k: int = Field(20, ge=1, le=1000, description="RRF: score = Σ weight / (rrf_k + rank)")
    semantic_weight: float = Field(2.5, ge=0.0, le=100.0,
                                   description="RRF: weight of the semantic leg (the keyword leg's is 1)")
    depth: int = Field(200, ge=10, le=MAX_DEPTH, description="Candidates taken from each leg before fusion")
    cursor: str | None = Field(None, max_length=4096)
    facets: bool = False
    collapse: Literal["none", "story"] = Field("none", description="story: one hit per story, with its other articles")

    @field_validator("outlet", "language", "speaker", mode="before")
    @classmethod
    def _listify(cls, value):
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

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
