"""A search as named stages, each a function from one typed value to the next:

    parse → plan (the legs) → retrieve (one _msearch) → fuse → group (stories) → fetch the page → present

The API, the web pages, the CLI and the benchmarks all call `search`."""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer import schema
from search_api import cursor, fuse, plan as bodies, present
from search_api.context import Context
from search_api.cursor import Position
from search_api.errors import QuerySyntax
from search_api.models import SearchResponse
from search_api.query import Fusion, Mode, SearchQuery, Sort
from search_api.retrieve import LegResult, msearch
from search_api.syntax import Parsed, QuerySyntaxError, parse as parse_text


def parse_query(text: str, scope: str = "article", every_word: bool = False, ctx: Context | None = None) -> Parsed:
    """ctx: the index searched, which may predate the acronym forms (then US typed in capitals is us too).
    Without one, the index is taken to have them: `morgue index` writes only into indexes that do."""
    try:
        return parse_text(text, scope, every_word, capitals=ctx.acronyms if ctx is not None else True)
    except QuerySyntaxError as exc:
        raise QuerySyntax(exc.message, exc.detail()) from exc


def query_vector(ctx: Context, parsed: Parsed, query: SearchQuery) -> list[float] | None:
    """The query's embedding when its mode reads meaning and it has words to embed."""
    if query.mode is Mode.keyword or not parsed.semantic_text:
        return None
    return ctx.encode_query(parsed.semantic_text)


def by_date(entries: list, date_of, sort: Sort) -> list:
    """Entries in the sort's date order (stable; undated last), or as they are for relevance."""
    if sort.date_order is None:
        return entries
    dated = sorted((e for e in entries if date_of(e)), key=date_of, reverse=sort.date_order == "desc")
    return dated + [e for e in entries if not date_of(e)]


@dataclass
class Plan:
    query: SearchQuery
    parsed: Parsed
    position: Position
    vector: list[float] | None
    legs: dict[str, dict]


@dataclass
class Ranking:
    fused: list[fuse.Fused]
    sources: dict[str, dict]  # id → what the legs returned of it (date, story: plan.RANKING_FIELDS)
    total: int
    relation: str
    facets: LegResult | None = None
    counted: str = "keyword"  # which set `total` counts (search_api.plan.COUNTED)


@dataclass
class Grouped:
    ranked: list[fuse.Fused]  # one per story when collapsing
    members: dict[str, list[fuse.Fused]] = field(default_factory=dict)  # kept id → its story's other matches


def make_plan(ctx: Context, query: SearchQuery) -> Plan:
    parsed = parse_query(query.q, ctx=ctx)
    if query.mode is not Mode.keyword and not parsed.semantic_text:
        query = query.model_copy(update={"mode": Mode.keyword})  # only filters (outlet:TASS): nothing to embed
    position = cursor.decode(query)
    depth = max(query.depth, position.offset + query.size)
    legs: dict[str, dict] = {}
    vector = query_vector(ctx, parsed, query)
    if query.mode in (Mode.keyword, Mode.hybrid):
        legs["keyword"] = bodies.keyword_body(parsed, query, depth, position.as_of)
        if query.mode is Mode.hybrid:
            legs["keyword"]["sort"] = bodies.RELEVANCE  # hybrid sorts by date after fusing
            # and counts its match set in its own leg: this one need not count every match, which lets
            # Lucene skip what cannot reach the top (BBC: 28 → 18 ms a leg, the same 200 hits in order)
            legs["keyword"]["track_total_hits"] = False
    if vector is not None:
        legs["semantic"] = bodies.semantic_body(query, vector, depth, position.as_of)
    if query.facets:  # the facets leg counts the match set too
        legs["facets"] = bodies.facets_body(parsed, query, vector, position.as_of)
    elif vector is not None:  # the keyword leg counts its own matches; meaning's need counting
        legs["counted"] = bodies.count_body(parsed, query, vector, position.as_of)
    return Plan(query, parsed, position, vector, legs)


def rank(plan: Plan, legs: dict[str, LegResult]) -> Ranking:
    query = plan.query
    ranked = {name: [(h["_id"], h["_score"] if h["_score"] is not None else 0.0) for h in legs[name].hits]
              for name in ("keyword", "semantic") if name in legs}
    if query.mode is Mode.hybrid and query.fusion is Fusion.rrf:
        fused = fuse.rrf(ranked, query.rrf_k, {"semantic": query.semantic_weight})
    elif query.mode is Mode.hybrid:
        fused = fuse.convex(ranked, query.alpha)
    else:
        fused = fuse.single(ranked[query.mode.value], query.mode.value)
    sources: dict[str, dict] = {}
    for name in ("semantic", "keyword"):
        for hit in legs[name].hits if name in legs else ():
            sources.setdefault(hit["_id"], {}).update({k: v[0] for k, v in (hit.get("fields") or {}).items() if v})
    if query.mode is not Mode.keyword:  # keyword mode's leg came sorted
        fused = by_date(fused, lambda f: sources[f.id].get(schema.DATE), query.sort)
    counted = legs.get("facets") or legs.get("counted") or legs["keyword"]
    total, relation = counted.total, counted.total_relation
    if query.mode is not Mode.keyword and total >= bodies.MEANING_CAP:
        relation = "gte"  # the meaning side read its MEANING_CAP nearest: there may be more
    return Ranking(fused, sources, total, relation, legs.get("facets"), bodies.COUNTED[query.mode])


def group(plan: Plan, ranking: Ranking) -> Grouped:
    """collapse=story: the best-ranked article of each story (an article without a story is its own),
    and for each kept article the story's other matching articles, in rank order."""
    if plan.query.collapse != "story":
        return Grouped(ranking.fused)
    first: dict[str, str] = {}
    grouped = Grouped([])
    for entry in ranking.fused:
        story = ranking.sources[entry.id].get(schema.STORY) or entry.id
        if story not in first:
            first[story] = entry.id
            grouped.ranked.append(entry)
        else:
            grouped.members.setdefault(first[story], []).append(entry)
    return grouped


def fetch(ctx: Context, plan: Plan, ranking: Ranking, shown: list[fuse.Fused],
          grouped: Grouped) -> dict[str, LegResult]:
    """One round trip for what the page shows: its articles with highlights, their passages closest
    to the query (when it was embedded) and, when collapsing, every article of its stories."""
    ids = [f.id for f in shown] + [m.id for f in shown for m in grouped.members.get(f.id, [])]
    stories = sorted({ranking.sources[f.id].get(schema.STORY) for f in shown} - {None})
    wanted: dict[str, dict] = {"page": bodies.page_body(plan.parsed, ids, plan.vector)} if ids else {}
    if stories and plan.query.collapse == "story":
        wanted["members"] = bodies.members_body(stories)
    return msearch(ctx.es, ctx.alias, wanted)


def search(ctx: Context, query: SearchQuery) -> SearchResponse:
    with ctx.errors():
        plan = make_plan(ctx, query)
        ranking = rank(plan, msearch(ctx.es, ctx.alias, plan.legs, ctx.search_type))
        grouped = group(plan, ranking)
        offset = plan.position.offset
        shown = grouped.ranked[offset:offset + plan.query.size]
        fetched = fetch(ctx, plan, ranking, shown, grouped)
    more = offset + plan.query.size < len(grouped.ranked)
    next_cursor = cursor.encode(plan.query, Position(offset + plan.query.size, plan.position.as_of)) if more else None
    return present.response(plan.query, plan.parsed, ranking, grouped, shown, fetched, next_cursor,
                            plan.position.as_of)
