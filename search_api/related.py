"""GET /api/articles/{id}/related: the same story or the closest coverage elsewhere, never the article
itself. Articles of the same story come first; then a keyword leg (more-like-this on title and body)
and a meaning leg (kNN of the article's lead against the other leads), fused by RRF in our code."""
from __future__ import annotations

from indexer import schema
from search_api import fuse
from search_api.articles import MAX_ID_CHARS
from search_api.context import Context
from search_api.errors import NotFound
from search_api.models import ArticleSummary, RelatedHit, RelatedResponse
from search_api.present import explain
from search_api.retrieve import msearch

CANDIDATES = 50
FIELDS = schema.SUMMARY


def _load(ctx: Context, article_id: str) -> dict:
    if not article_id or len(article_id) > MAX_ID_CHARS:
        raise NotFound(f"no article with id {article_id[:80]!r}")
    response = ctx.es.search(index=ctx.alias, size=1, query={"ids": {"values": [article_id]}},
                             source={"includes": [*FIELDS, schema.LEAD_VECTOR], "exclude_vectors": False})
    hits = response["hits"]["hits"]
    if not hits:
        raise NotFound(f"no article with id {article_id!r}")
    return hits[0]


def related(ctx: Context, article_id: str, size: int = 10, other_outlets: bool = True) -> RelatedResponse:
    with ctx.errors():
        return _related(ctx, article_id, size, other_outlets)


def _related(ctx: Context, article_id: str, size: int, other_outlets: bool) -> RelatedResponse:
    hit = _load(ctx, article_id)
    source = hit["_source"]
    outlet, story = source.get(schema.OUTLET), source.get(schema.STORY)
    exclude: list[dict] = [{"ids": {"values": [article_id]}}]
    if other_outlets and outlet:
        exclude.append({"term": {schema.OUTLET: outlet}})
    not_these = {"bool": {"must_not": exclude}}
    bodies: dict[str, dict] = {
        "keyword": {"size": CANDIDATES, "_source": FIELDS, "query": {"bool": {"filter": [not_these], "must": [
            {"more_like_this": {"fields": [schema.TITLE, schema.BODY],
                                "like": [{"_index": hit["_index"], "_id": article_id}],
                                "min_term_freq": 1, "min_doc_freq": 2, "max_query_terms": 30}}]}}},
    }
    vector = source.get(schema.LEAD_VECTOR)  # title and opening, embedded at index time
    if vector is not None:
        bodies["semantic"] = {"size": CANDIDATES, "_source": FIELDS,
                              "knn": schema.knn(schema.LEAD_VECTOR, vector, CANDIDATES, 2 * CANDIDATES, filter=not_these)}
    if story:
        bodies["story"] = {"size": CANDIDATES, "_source": FIELDS,
                           "query": {"bool": {"filter": [not_these, {"term": {schema.STORY: story}}]}},
                           "sort": [{schema.DATE: {"order": "asc", "missing": "_last"}}]}
    legs = msearch(ctx.es, ctx.alias, bodies)
    sources = {h["_id"]: h["_source"] for leg in legs.values() for h in leg.hits}
    ranked = {name: [(h["_id"], h["_score"] or 0.0) for h in legs[name].hits] for name in ("keyword", "semantic")
              if name in legs}
    fused = fuse.rrf(ranked) if ranked else []
    same_story = [h["_id"] for h in legs["story"].hits] if "story" in legs else []
    order = same_story + [f.id for f in fused if f.id not in same_story]
    by_id = {f.id: f for f in fused}
    unranked = fuse.Fused("", 0.0)
    return RelatedResponse(
        article=ArticleSummary(id=article_id, **{k: source.get(k) for k in FIELDS}),
        hits=[RelatedHit(id=doc_id, **{k: sources[doc_id].get(k) for k in FIELDS}, same_story=doc_id in same_story,
                         score=by_id[doc_id].score if doc_id in by_id else None,
                         explain=explain(by_id.get(doc_id, unranked), None))
              for doc_id in order[:size]])
