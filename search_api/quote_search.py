"""Search inside quotations (GET /api/quotes): keyword and meaning over the nested quotes, a speaker
facet, and for each quote the other articles that carry it: the same words (normalised key) or the
same statement in other words (near-identical quote vectors: paraphrase, translation).

query → retrieve (one _msearch: keyword leg, meaning leg, facet) → fuse per quote → link → respond.
"""
from __future__ import annotations

import re

from indexer import schema
from indexer.quotes import SAME_STATEMENT, quote_key
from search_api import fuse, plan, speakers
from search_api.context import Context
from search_api.highlight import term_spans
from search_api.models import (ArticleSummary, Carrier, FirstSeen, QuoteFacets, QuoteHit, QuoteResponse,
                               SpeakerBucket)
from search_api.present import QUOTE_FIELDS as QUOTE_KEYS, explain
from search_api.query import Fusion, Mode, SearchQuery, Sort
from search_api.retrieve import msearch
from search_api.search import by_date, parse_query
from search_api.syntax import Parsed

LINK_MIN_WORDS = 5
MAX_CARRIERS = 20
QUOTES_PER_ARTICLE = 10
ARTICLE_FIELDS = schema.SUMMARY
QUOTE_FIELDS = [f"{schema.QUOTES}.{f}" for f in QUOTE_KEYS]
FACET_SIZE = 20


def _quote_query(parsed: Parsed, query: SearchQuery) -> dict:
    """The query on one quote: the words asked for, by one of the speakers asked for."""
    clause: dict = {"bool": {"must": [parsed.query]}}
    if query.speaker:
        clause["bool"]["filter"] = [{"bool": {"should": [speakers.clause(s) for s in query.speaker],
                                              "minimum_should_match": 1}}]
    return clause


def _inner_hits(size: int = QUOTES_PER_ARTICLE) -> dict:
    return {"size": size, "_source": QUOTE_FIELDS}


def keyword_body(parsed: Parsed, query: SearchQuery, size: int) -> dict:
    quote_query = _quote_query(parsed, query)
    body = {
        "size": size, "_source": ARTICLE_FIELDS, "track_total_hits": True,
        "query": {"bool": {"filter": plan.filters(query, speakers_too=False), "must": [
            {"nested": {"path": schema.QUOTES, "score_mode": "max", "query": quote_query,
                        "inner_hits": _inner_hits()}}]}},
    }
    if query.sort.date_order or not parsed.terms:
        body["sort"] = plan.date_sort(query.sort if query.sort.date_order else Sort.date)
    return body


def semantic_body(query: SearchQuery, vector: list[float], size: int) -> dict:
    return {
        "size": size, "_source": ARTICLE_FIELDS,
        "knn": schema.knn(schema.QUOTE_VECTOR, vector, size, filter=plan.filters(query),
                          inner_hits=_inner_hits()),
    }


def facet_body(parsed: Parsed, query: SearchQuery) -> dict:
    """How many quotes match (keyword) and who said them, counted per quote and per article."""
    return {
        "size": 0, "query": {"bool": {"filter": plan.filters(query, speakers_too=False)}},
        "aggs": {"quotes": {"nested": {"path": schema.QUOTES}, "aggs": {"matching": {
            "filter": _quote_query(parsed, query),
            "aggs": {"speaker": {"terms": {"field": "quotes.speaker.raw", "size": FACET_SIZE},
                                 "aggs": {"articles": {"reverse_nested": {}}}}}}}}},
    }


def _quotes_of(hits: list[dict], query: SearchQuery) -> tuple[list[tuple[str, float]], dict[str, dict]]:
    """Flatten articles' inner hits into ranked quotes: (quote id, score) and quote id → quote."""
    ranked, found = [], {}
    for hit in hits:
        article = {"id": hit["_id"], **{k: hit.get("_source", {}).get(k) for k in ARTICLE_FIELDS}}
        inner = (hit.get("inner_hits") or {}).get(schema.QUOTES, {}).get("hits", {}).get("hits", [])
        for quote_hit in inner:
            quote = quote_hit["_source"]
            if query.speaker and not speakers.matches(quote.get("speaker"), query.speaker):
                continue
            quote_id = f"{hit['_id']}:{quote['start']}"
            score = quote_hit.get("_score")
            ranked.append((quote_id, score if score is not None else hit.get("_score") or 0.0))
            found[quote_id] = {**quote, "article": article}
    if not any(h.get("sort") for h in hits):  # ranked by relevance: best quote first across articles
        ranked.sort(key=lambda item: -item[1])
    return ranked, found


def search_quotes(ctx: Context, query: SearchQuery) -> QuoteResponse:
    parsed = parse_query(query.q, scope="quote", ctx=ctx)
    size = max(query.size, 10)
    bodies = {}
    with ctx.errors():
        if query.mode in (Mode.keyword, Mode.hybrid):
            bodies["keyword"] = keyword_body(parsed, query, size)
        if query.mode in (Mode.semantic, Mode.hybrid):
            bodies["semantic"] = semantic_body(query, ctx.encode_query(parsed.semantic_text or query.q), size)
        bodies["facets"] = facet_body(parsed, query)
        legs = msearch(ctx.es, ctx.alias, bodies, ctx.search_type)
        ranked, found = {}, {}
        for name in ("keyword", "semantic"):
            if name in legs:
                ranked[name], quotes = _quotes_of(legs[name].hits, query)
                found.update(quotes)
        if query.mode is Mode.hybrid and query.fusion is Fusion.rrf:
            fused = fuse.rrf(ranked, query.rrf_k, {"semantic": query.semantic_weight})
        elif query.mode is Mode.hybrid:
            fused = fuse.convex(ranked, query.alpha)
        else:
            fused = fuse.single(ranked[query.mode.value], query.mode.value)
        fused = by_date(fused, lambda f: found[f.id]["article"].get(schema.DATE), query.sort)
        page = fused[:query.size]
        carriers = link(ctx, [found[f.id] for f in page])
    matching = legs["facets"].aggregations["quotes"]["matching"]
    return QuoteResponse(
        total=matching["doc_count"] if parsed.terms or query.mode is not Mode.semantic else len(fused),
        total_relation="eq" if query.mode is not Mode.semantic else "gte",
        quotes=[_respond(found[f.id], f, query, parsed, carriers.get(f.id, [])) for f in page],
        facets=QuoteFacets(speaker=[SpeakerBucket(key=b["key"], quotes=b["doc_count"], articles=b["articles"]["doc_count"])
                                    for b in matching["speaker"]["buckets"]]))


def _respond(quote: dict, fused: fuse.Fused, query: SearchQuery, parsed: Parsed, carriers: list[Carrier]) -> QuoteHit:
    article = ArticleSummary(**quote["article"])
    appearances = [article] + [c.article for c in carriers]
    dated = [a for a in appearances if a.date]
    first = min(dated, key=lambda a: a.date) if dated else None
    return QuoteHit(
        id=f"{article.id}:{quote['start']}", **{k: quote.get(k) for k in QUOTE_KEYS},
        matches=term_spans(quote.get("text") or "", parsed.terms), score=fused.score, explain=explain(fused, query),
        article=article, carried_by=carriers, outlets=sorted({a.outlet for a in appearances if a.outlet}),
        first_seen=FirstSeen(article_id=first.id, outlet=first.outlet, date=first.date) if first else None)


# ------------------------------------------------------------------ linking the same quote across articles


def _vectors(ctx: Context, article_ids: list[str]) -> dict[tuple[str, int], list[float]]:
    """The stored quote vectors of these articles (vectors are left out of _source unless asked for)."""
    if not article_ids:
        return {}
    response = ctx.es.search(index=ctx.alias, size=len(article_ids), query={"ids": {"values": article_ids}},
                             source={"includes": ["quotes.start", schema.QUOTE_VECTOR], "exclude_vectors": False})
    return {(hit["_id"], q["start"]): q["vector"] for hit in response["hits"]["hits"]
            for q in hit["_source"].get(schema.QUOTES, []) if q.get("vector")}


def _linkable(text: str) -> bool:
    return len(re.findall(r"\w+", text)) >= LINK_MIN_WORDS


def link(ctx: Context, quotes: list[dict]) -> dict[str, list[Carrier]]:
    """For each quote (id article:start), the other articles quoting the same words or the same
    statement in other words, in one _msearch: per quote a term query on the normalised key and a kNN
    on the quote vectors above SAME_STATEMENT."""
    if not quotes:
        return {}
    vectors = _vectors(ctx, list({q["article"]["id"] for q in quotes}))
    bodies: dict[str, dict] = {}
    for quote in quotes:
        own = quote["article"]["id"]
        quote_id = f"{own}:{quote['start']}"
        not_own = {"bool": {"must_not": [{"ids": {"values": [own]}}]}}
        bodies[f"{quote_id}|words"] = {
            "size": MAX_CARRIERS, "_source": ARTICLE_FIELDS,
            "query": {"bool": {"filter": [not_own, {"nested": {
                "path": schema.QUOTES, "query": {"term": {schema.QUOTE_KEY: quote_key(quote["text"])}},
                "inner_hits": _inner_hits(1)}}]}}}
        vector = vectors.get((own, quote["start"]))
        if vector is not None and _linkable(quote["text"]):
            bodies[f"{quote_id}|meaning"] = {
                "size": MAX_CARRIERS, "_source": ARTICLE_FIELDS,
                "knn": schema.knn(schema.QUOTE_VECTOR, vector, MAX_CARRIERS, 100, similarity=SAME_STATEMENT,
                                  filter=not_own, inner_hits=_inner_hits(1))}
    legs = msearch(ctx.es, ctx.alias, bodies)
    out: dict[str, list[Carrier]] = {}
    for name, leg in legs.items():
        quote_id, how = name.rsplit("|", 1)
        carriers = out.setdefault(quote_id, [])
        known = {c.article.id for c in carriers}
        for hit in leg.hits:
            inner = hit.get("inner_hits", {}).get(schema.QUOTES, {}).get("hits", {}).get("hits", [])
            if not inner or hit["_id"] in known:
                continue
            similarity = schema.cosine_from_score(inner[0]["_score"]) if how == "meaning" else 1.0
            if similarity < SAME_STATEMENT:
                continue
            quote = inner[0]["_source"]
            carriers.append(Carrier(
                article=ArticleSummary(id=hit["_id"], **{k: hit["_source"].get(k) for k in ARTICLE_FIELDS}),
                **{k: quote.get(k) for k in ("text", "speaker", "start", "end")},
                match="same words" if how == "words" else "same meaning", similarity=round(similarity, 4)))
    for carriers in out.values():
        carriers.sort(key=lambda c: (c.article.date or "9999", c.article.id))
    return out
