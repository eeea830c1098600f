"""The shapes of every JSON answer: declared on the routes, so /openapi.json is complete and a
generated client is typed; the web pages render the same objects."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Span = list[int]  # [start, end) character offsets


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Model):
    code: str = Field(description="machine-readable: bad_request, query_syntax, not_found, unauthorized, …")
    message: str
    detail: object | None = None


class ErrorBody(Model):
    error: ErrorDetail


class LegScore(Model):
    rank: int = Field(description="1-based rank in this leg")
    score: float = Field(description="the leg's raw score (BM25, or the summed kNN scores)")
    normalised: float | None = Field(None, description="convex fusion: the score min-max normalised over the leg")


class Explain(Model):
    fusion: str = Field(description="rrf or convex (hybrid), keyword or semantic (one leg)")
    score: float | None = None
    keyword: LegScore | None = None
    semantic: LegScore | None = None
    rrf_k: int | None = None
    weights: dict[str, float] | None = None
    alpha: float | None = None


class Highlight(Model):
    field: str
    text: str
    matches: list[Span]


class Passage(Model):
    text: str | None
    start: int | None
    end: int | None
    score: float | None = None
    matches: list[Span] = Field(default_factory=list)


class Quote(Model):
    text: str
    speaker: str | None = None
    speaker_role: str | None = None
    speaker_kind: str | None = Field(None, description="person, organization or other")
    speaker_surface: str | None = Field(None, description="the name as the text writes it")
    cue: str | None = None
    block: bool | None = None
    start: int
    end: int
    key: str | None = None
    matches: list[Span] = Field(default_factory=list)


class ArticleSummary(Model):
    id: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    date_precision: str | None = None
    url: str | None = None
    language: str | None = None
    story: str | None = None
    copy_of: str | None = Field(None, description="the article this one copies (syndication), when it is a copy")


class StorySummary(Model):
    """What a story is, in a line: "3 outlets · 5 articles · 2–4 March 2025", copies apart."""
    articles: int = Field(description="articles of the story, copies included")
    outlets: int
    copies: int = Field(description="articles that copy another one of the story (syndication)")
    first: str | None = Field(None, description="date of the first report")
    last: str | None = Field(None, description="date of the latest report")
    first_report: str = Field(description="id of the story's first article")


class Hit(Model):
    id: str
    title: str | None
    outlet: str | None
    date: str | None
    date_precision: str | None
    url: str | None
    language: str | None
    place: str | None
    story: str | None
    score: float
    explain: Explain
    highlights: list[Highlight]
    best_passage: Passage | None
    quotes: list[Quote]
    story_articles: list[ArticleSummary] | None = Field(None, description="collapse=story: the story's other articles")
    story_outlets: list[str] | None = None
    story_summary: StorySummary | None = Field(None, description="collapse=story: the story in figures")
    story_matches: list["Hit"] | None = Field(None, description="collapse=story: its other articles that match")


class Bucket(Model):
    key: str
    count: int
    quotes: int | None = Field(None, description="speakers: quotations, where count is articles")


class DateRange(Model):
    first: str | None
    last: str | None
    dated: int = Field(0, description="matching articles that have a publication date (the rest are not on a timeline)")


class Facets(Model):
    outlet: list[Bucket]
    language: list[Bucket]
    speaker: list[Bucket]
    person: list[Bucket] = Field(default_factory=list, description="people the matching articles name")
    org: list[Bucket] = Field(default_factory=list, description="organisations they name")
    place: list[Bucket] = Field(default_factory=list, description="places they name")
    dates: DateRange


class SearchResponse(Model):
    total: int = Field(description="articles that match (before collapsing into stories), counted over `counted`")
    total_relation: Literal["eq", "gte"]
    counted: Literal["keyword", "meaning", "keyword_or_meaning"] = Field(
        description="the set that `total`, the facets and count-over-time describe, the one the hits are ranked "
                    "from: keyword, the articles containing the words; meaning, those at least `floor` close in "
                    "meaning; keyword_or_meaning, either")
    floor: float | None = Field(None, description="the similarity floor of the meaning side (absent in keyword mode)")
    hits: list[Hit]
    cursor: str | None = Field(None, description="pass back as `cursor` for the next page; absent on the last")
    notes: list[str] = Field(default_factory=list, description="how the query was read, when not as written")
    stories: int | None = None
    facets: Facets | None = None
    watermark: str = Field(description="the indexing time this answer covers up to: pass it back as `indexed_since` "
                                       "to get only what was indexed after it")


class Share(Model):
    """A count with its denominator: the same filters without the query."""
    count: int
    total: int
    ratio: float


class TimeBucket(Share):
    date: str


class TopBucket(Share):
    key: str


class Carrier(Model):
    article: ArticleSummary
    text: str
    speaker: str | None = None
    start: int | None = None
    end: int | None = None
    match: Literal["same words", "same meaning"]
    similarity: float


class FirstSeen(Model):
    article_id: str
    outlet: str | None
    date: str


class QuoteHit(Quote):
    id: str
    score: float
    explain: Explain
    article: ArticleSummary
    carried_by: list[Carrier]
    outlets: list[str]
    first_seen: FirstSeen | None


class SpeakerBucket(Model):
    key: str
    quotes: int
    articles: int


class QuoteFacets(Model):
    speaker: list[SpeakerBucket]


class QuoteResponse(Model):
    total: int
    total_relation: Literal["eq", "gte"]
    quotes: list[QuoteHit]
    facets: QuoteFacets


class PersonTime(Model):
    date: str
    mentions: int = Field(0, description="articles naming the person that month")
    quoted: int = Field(0, description="articles quoting them")


class PersonResponse(Model):
    name: str
    mentioned_in: int = Field(description="articles naming the person")
    quoted_in: int = Field(description="articles quoting them")
    roles: list[Bucket] = Field(description="the roles the texts give them, with how many quotations")
    timeline: list[PersonTime]
    alongside: list[Bucket] = Field(description="who is quoted in the same articles most often")
    quotes: list[QuoteHit] = Field(description="their quotations, newest first, with where else each was carried")


class Article(Model):
    id: str
    title: str | None = None
    body: str | None = None
    outlet: str | None = None
    date: str | None = None
    date_precision: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    language: str | None = None
    url: str | None = None
    author: str | None = None
    place: str | None = None
    file: str | None = Field(None, description="where the article sits in the archive that was indexed")
    people: list[str] = Field(default_factory=list, description="people the article names (canonical)")
    organizations: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    story: str | None = None
    story_reason: str | None = None
    indexed_at: str | None = None
    quotes: list[Quote] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)


class RelatedHit(ArticleSummary):
    same_story: bool
    score: float | None
    explain: Explain


class RelatedResponse(Model):
    article: ArticleSummary
    hits: list[RelatedHit]


class Health(Model):
    status: Literal["ok", "empty"]
    elasticsearch: Literal["reachable"]
    alias: str
    index: str | None
    documents: int
    index_model: str | None
    configured_model: str | None
    model_matches: bool


class Syntax(Model):
    syntax: str
