"""The service functions behind the API, the CLI and the UI:
query → retrieve (one _msearch) → fuse → highlight → respond."""
from __future__ import annotations

import base64
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import wraps

import elasticsearch
from elasticsearch import Elasticsearch

from indexer import schema
from indexer.embed import Embedder
from search_api import fuse, retrieve
from search_api.errors import BadRequest, ModelMismatch, NotFound, QuerySyntax, Unavailable
from search_api.highlight import highlights, term_spans
from search_api.query import Fusion, Mode, SearchQuery, Sort
from search_api.syntax import Parsed, QuerySyntaxError, parse


@dataclass
class Context:
    """What every service call needs: the cluster, the alias to read, the query encoder."""

    es: Elasticsearch
    alias: str
    embedder: Embedder | None = None
    # The index's recorded model, looked up at most once a minute (a rebuild may swap the alias).
    index_meta: dict = field(default_factory=dict)
    index_meta_at: float = 0.0


_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="morgue-pit")


def es_errors(function):
    """Elasticsearch unreachable → 503 with retry advice; a missing index → 404 with what to run."""
    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
            raise Unavailable("Elasticsearch is not reachable; try again shortly",
                              {"reason": type(exc).__name__}) from exc
        except elasticsearch.NotFoundError as exc:
            if getattr(exc, "error", "") == "index_not_found_exception":
                raise NotFound("the archive index does not exist yet: run `morgue index PATH`") from exc
            raise
    return wrapper


# ------------------------------------------------------------------ cursors


def _fingerprint(query: SearchQuery) -> str:
    return hashlib.sha256(json.dumps(query.cache_key(), sort_keys=True).encode()).hexdigest()[:16]


def encode_cursor(query: SearchQuery, pit: str, offset: int) -> str:
    raw = json.dumps({"v": 1, "pit": pit, "offset": offset, "q": _fingerprint(query)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(query: SearchQuery) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(query.cursor + "=" * (-len(query.cursor) % 4))
        data = json.loads(raw)
        pit, offset, fingerprint = data["pit"], int(data["offset"]), data["q"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest("invalid cursor: pass back the cursor of the previous page unchanged") from exc
    if fingerprint != _fingerprint(query):
        raise BadRequest("this cursor belongs to another query: keep the query and filters of the first page")
    return pit, offset


# ------------------------------------------------------------------ search


def parse_query(text: str, scope: str = "article") -> Parsed:
    try:
        return parse(text, scope)
    except QuerySyntaxError as exc:
        raise QuerySyntax(exc.message, exc.detail()) from exc


INDEX_META_TTL = 60.0


def check_model(ctx: Context) -> None:
    """Query vectors must come from the encoder that made the passage vectors."""
    if time.monotonic() - ctx.index_meta_at > INDEX_META_TTL:
        mapping = ctx.es.indices.get_mapping(index=ctx.alias)
        ctx.index_meta = next(iter(mapping.values()))["mappings"].get("_meta", {})
        ctx.index_meta_at = time.monotonic()
    meta = ctx.index_meta
    if ctx.embedder is None or meta.get("model") != ctx.embedder.model_id:
        raise ModelMismatch(
            f"the index was built with {meta.get('model')!r}, the API is configured with "
            f"{getattr(ctx.embedder, 'model_id', None)!r}: set MORGUE_MODEL to the index's model or rebuild the index",
            {"index_model": meta.get("model"), "configured_model": getattr(ctx.embedder, "model_id", None)})


@es_errors
def search(ctx: Context, query: SearchQuery) -> dict:
    parsed = parse_query(query.q)
    if query.mode is not Mode.keyword and query.sort is Sort.relevance and not parsed.semantic_text:
        query = query.model_copy(update={"mode": Mode.keyword})  # only filters (outlet:TASS): nothing to embed
    if query.cursor:
        pit, offset = decode_cursor(query)
        opening = None
    else:  # opened while the query is being embedded: the round trip costs no time
        opening, offset = _BACKGROUND.submit(retrieve.open_pit, ctx.es, ctx.alias), 0
    depth = max(query.depth, offset + query.size)
    bodies: dict[str, dict] = {}
    if query.mode in (Mode.keyword, Mode.hybrid):
        body = retrieve.keyword_body(parsed, query, depth)
        if query.sort is Sort.date and query.mode is Mode.keyword:
            body["sort"] = [{schema.DATE: {"order": "desc", "missing": "_last"}}, "_score"]
        bodies["keyword"] = body
    vector = None
    if query.mode in (Mode.semantic, Mode.hybrid):
        check_model(ctx)
        vector = ctx.embedder.encode_query(parsed.semantic_text)
        bodies["semantic"] = retrieve.semantic_body(query, vector, depth)
    if query.facets:
        bodies["facets"] = facets_body(parsed, query)
    if opening is not None:
        pit = opening.result()
    try:
        legs = retrieve.msearch(ctx.es, ctx.alias, bodies, pit=pit)
    except elasticsearch.NotFoundError as exc:
        raise BadRequest("the cursor has expired (5 minutes without use): search again from the first page") from exc
    ranked = {name: [(h["_id"], h["_score"] if h["_score"] is not None else 0.0) for h in legs[name].hits]
              for name in ("keyword", "semantic") if name in legs}
    if query.mode is Mode.hybrid:
        fused = (fuse.rrf(ranked, query.rrf_k, {"semantic": query.semantic_weight}) if query.fusion is Fusion.rrf
                 else fuse.convex(ranked, query.alpha))
    else:
        leg = query.mode.value
        fused = fuse.single(ranked[leg], leg)
    if query.sort is Sort.date and query.mode is not Mode.keyword:
        dates = {h["_id"]: h["_source"].get(schema.DATE) or "" for leg in legs.values() for h in leg.hits}
        fused.sort(key=lambda f: dates.get(f.id, ""), reverse=True)
    sources: dict[str, dict] = {}
    for name in ("semantic", "keyword"):
        for hit in legs.get(name, retrieve.LegResult()).hits:
            sources.setdefault(hit["_id"], {}).update({k: v for k, v in hit.items() if v})
    total, relation = _total(query, legs, fused)  # articles, before collapsing
    grouped: dict[str, list[fuse.Fused]] = {}
    if query.collapse == "story":
        fused, grouped = _one_per_story(fused, sources)
    page = fused[offset:offset + query.size]
    more = offset + query.size < len(fused)
    shown = [f.id for f in page] + [m.id for f in page for m in grouped.get(f.id, [])]
    stories = sorted({sources[f.id].get("_source", {}).get(schema.STORY) for f in page} - {None})
    fetched = _fetch_page(ctx, parsed, shown, stories, pit, vector)
    for hit in fetched["page"].hits:  # full source and highlights
        entry = sources[hit["_id"]]
        entry["_source"] = hit["_source"]
        if hit.get("highlight"):
            entry["highlight"] = hit["highlight"]
    for hit in fetched["passages"].hits:  # the passage closest to the query
        sources[hit["_id"]]["inner_hits"] = hit.get("inner_hits")
    hits = [_hit(sources[f.id], f, query, parsed) for f in page]
    if query.collapse == "story":
        _add_story_members(hits, fetched.get("members"))
        for hit in hits:  # the story's other articles that match too, each with its own evidence
            hit["story_matches"] = [_hit(sources[m.id], m, query, parsed) for m in grouped.get(hit["id"], [])]
    response = {
        "total": total, "total_relation": relation,
        "hits": hits,
        "cursor": encode_cursor(query, pit, offset + query.size) if more else None,
        "notes": parsed.notes,
    }
    if query.collapse == "story":
        response["stories"] = len(fused)
    if query.facets:
        response["facets"] = _facets(legs["facets"])
    return response


def _one_per_story(fused: list[fuse.Fused], sources: dict[str, dict]
                   ) -> tuple[list[fuse.Fused], dict[str, list[fuse.Fused]]]:
    """The best-ranked article of each story (an article without a story is its own), and for each
    kept article the story's other matching articles, in rank order."""
    first: dict[str, str] = {}
    kept, grouped = [], {}
    for entry in fused:
        story = sources[entry.id].get("_source", {}).get(schema.STORY) or entry.id
        if story not in first:
            first[story] = entry.id
            kept.append(entry)
        else:
            grouped.setdefault(first[story], []).append(entry)
    return kept, grouped


STORY_MEMBERS = 20
MEMBER_FIELDS = [schema.TITLE, schema.OUTLET, schema.DATE, schema.URL]  # what a story lists of each article


def _fetch_page(ctx: Context, parsed: Parsed, ids: list[str], stories: list[str], pit: str,
                vector: list[float] | None) -> dict:
    """One round trip for what the page shows: its articles with highlights, their passages closest
    to the query (when it was embedded) and, when collapsing, every article of its stories."""
    bodies = {"page": retrieve.page_body(parsed, ids)} if ids else {}
    if ids and vector is not None:
        bodies["passages"] = retrieve.best_passages_body(vector, ids)
    if stories:
        bodies["members"] = {"size": STORY_MEMBERS * len(stories), "query": {"terms": {schema.STORY: stories}},
                             "_source": [schema.STORY, *MEMBER_FIELDS],
                             "sort": [{schema.DATE: {"order": "asc", "missing": "_last"}}, {"_shard_doc": "asc"}]}
    fetched = retrieve.msearch(ctx.es, ctx.alias, bodies, pit=pit) if bodies else {}
    for name in ("page", "passages"):
        fetched.setdefault(name, retrieve.LegResult())
    return fetched


def _add_story_members(hits: list[dict], result: retrieve.LegResult | None) -> None:
    """Each collapsed hit lists the other articles of its story (whether they match or not)."""
    members: dict[str, list[dict]] = {}
    for hit in (result.hits if result else []):
        source = hit["_source"]
        members.setdefault(source[schema.STORY], []).append({"id": hit["_id"], **{
            k: source.get(k) for k in MEMBER_FIELDS}})
    for hit in hits:
        others = [m for m in members.get(hit.get("story"), []) if m["id"] != hit["id"]]
        hit["story_articles"] = others
        hit["story_outlets"] = sorted({m[schema.OUTLET] for m in others if m[schema.OUTLET]} - {hit["outlet"]})


def _total(query: SearchQuery, legs: dict, fused: list) -> tuple[int, str]:
    if query.mode is Mode.semantic:
        return len(fused), "gte"  # meaning has no "all matches": this many candidates were ranked
    keyword = legs["keyword"]
    extra = len(fused) - len(keyword.hits) if query.mode is Mode.hybrid else 0
    return keyword.total + extra, ("gte" if extra or keyword.total_relation != "eq" else "eq")


def _hit(hit: dict, fused: fuse.Fused, query: SearchQuery, parsed: Parsed) -> dict:
    source = hit.get("_source", {})
    best = None
    inner = (hit.get("inner_hits") or {}).get(schema.PASSAGES, {}).get("hits", {}).get("hits", [])
    if inner:
        passage = inner[0]["_source"]
        best = {"text": passage.get("text"), "start": passage.get("start"), "end": passage.get("end"),
                "score": inner[0].get("_score"), "matches": term_spans(passage.get("text") or "", parsed.terms)}
    return {
        "id": hit["_id"], "title": source.get(schema.TITLE), "outlet": source.get(schema.OUTLET),
        "date": source.get(schema.DATE), "date_precision": source.get(schema.DATE_PRECISION),
        "url": source.get(schema.URL), "language": source.get(schema.LANGUAGE), "place": source.get(schema.PLACE),
        "story": source.get(schema.STORY), "score": fused.score,
        "explain": _explain(fused, query),
        "highlights": highlights(hit),
        "best_passage": best,
        "quotes": matching_quotes(source.get(schema.QUOTES) or [], parsed, query, best),
    }


def _explain(fused: fuse.Fused, query: SearchQuery) -> dict:
    """How the score came about: per leg its rank and raw score, and the fusion's parameters."""
    explain = {"fusion": query.fusion.value if query.mode is Mode.hybrid else query.mode.value, "score": fused.score,
               "keyword": fused.legs.get("keyword"), "semantic": fused.legs.get("semantic")}
    if query.mode is Mode.hybrid and query.fusion is Fusion.rrf:
        explain["rrf_k"], explain["weights"] = query.rrf_k, {"keyword": 1.0, "semantic": query.semantic_weight}
    elif query.mode is Mode.hybrid:
        explain["alpha"] = query.alpha
    return explain


def matching_quotes(quotes: list[dict], parsed: Parsed, query: SearchQuery, best: dict | None) -> list[dict]:
    """The hit's quotes that the query is about: containing a query term, by a requested speaker,
    or inside the passage that matched by meaning."""
    speakers = [s.lower() for s in query.speaker]
    out = []
    for quote in quotes:
        text = quote.get("text") or ""
        matches = term_spans(text, parsed.terms)
        by_speaker = any(s in (quote.get("speaker") or "").lower() for s in speakers)
        in_passage = best is not None and best["start"] is not None and \
            quote["start"] < best["end"] and quote["end"] > best["start"]
        if matches or by_speaker or in_passage:
            out.append({**quote, "matches": matches})
    return out


# ------------------------------------------------------------------ facets


FACET_SIZE = 20


def facets_body(parsed: Parsed, query: SearchQuery) -> dict:
    return {
        "size": 0, "query": {"bool": {"must": [parsed.query], "filter": retrieve.filters(query)}},
        "aggs": {
            "outlet": {"terms": {"field": schema.OUTLET, "size": FACET_SIZE}},
            "language": {"terms": {"field": schema.LANGUAGE, "size": FACET_SIZE}},
            "dates": {"stats": {"field": schema.DATE}},
            "speaker": {"nested": {"path": schema.QUOTES}, "aggs": {
                "names": {"terms": {"field": "quotes.speaker.raw", "size": FACET_SIZE},
                          "aggs": {"articles": {"reverse_nested": {}}}}}},
        },
    }


def _facets(result: retrieve.LegResult) -> dict:
    aggs = result.aggregations
    speakers = aggs["speaker"]["names"]["buckets"]
    return {
        "outlet": [{"key": b["key"], "count": b["doc_count"]} for b in aggs["outlet"]["buckets"]],
        "language": [{"key": b["key"], "count": b["doc_count"]} for b in aggs["language"]["buckets"]],
        "speaker": [{"key": b["key"], "count": b["articles"]["doc_count"], "quotes": b["doc_count"]} for b in speakers],
        "dates": {"first": aggs["dates"].get("min_as_string"), "last": aggs["dates"].get("max_as_string")},
    }


# ------------------------------------------------------------------ articles and health


@es_errors
def article(ctx: Context, article_id: str) -> dict:
    try:
        doc = ctx.es.get(index=ctx.alias, id=article_id, source_excludes=[schema.INPUT_HASH])
    except elasticsearch.NotFoundError as exc:
        if getattr(exc, "error", "") == "index_not_found_exception":
            raise
        raise NotFound(f"no article with id {article_id!r}") from exc
    source = doc["_source"]
    source[schema.PASSAGES] = [{k: p.get(k) for k in ("text", "start", "end")} for p in source.get(schema.PASSAGES, [])]
    return {"id": doc["_id"], **source}


def health(ctx: Context) -> dict:
    """Always answers: 200 with the facts when the cluster is reachable, else 503 saying so."""
    try:
        aliases = ctx.es.indices.get_alias(name=ctx.alias, ignore_unavailable=True)
        index = next(iter(aliases), None) if aliases else None
        meta, docs = {}, 0
        if index:
            meta = ctx.es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
            docs = ctx.es.count(index=index)["count"]
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        raise Unavailable("Elasticsearch is not reachable", {"reason": type(exc).__name__}) from exc
    return {"status": "ok" if index else "empty", "elasticsearch": "reachable", "alias": ctx.alias, "index": index,
            "documents": docs, "index_model": meta.get("model"),
            "configured_model": getattr(ctx.embedder, "model_id", None),
            "model_matches": bool(index) and meta.get("model") == getattr(ctx.embedder, "model_id", None)}


# ------------------------------------------------------------------ counts for dashboards

INTERVALS = ("day", "week", "month", "year")
TOP_FIELDS = {"outlets": schema.OUTLET, "languages": schema.LANGUAGE, "speakers": "quotes.speaker.raw"}


def _matching_and_all(ctx: Context, query: SearchQuery, aggs: dict | None,
                      all_aggs: dict | None = None) -> dict[str, dict]:
    """Aggregations over the query's matches ("matching") and over every article under the same
    filters ("all", the denominator), in one round trip; either may be left out (None). Counts use the
    keyword match set in every mode."""
    parsed = parse_query(query.q)
    bodies = {}
    if aggs is not None:
        bodies["matching"] = {"size": 0, "aggs": aggs,
                              "query": {"bool": {"must": [parsed.query], "filter": retrieve.filters(query)}}}
    if all_aggs is not None:
        bodies["all"] = {"size": 0, "aggs": all_aggs, "query": {"bool": {"filter": retrieve.filters(query)}}}
    return {name: leg.aggregations for name, leg in retrieve.msearch(ctx.es, ctx.alias, bodies).items()}


def _ratio(count: int, total: int) -> float:
    return count / total if total else 0.0


@es_errors
def count_over_time(ctx: Context, query: SearchQuery, interval: str) -> list[dict]:
    if interval not in INTERVALS:
        raise BadRequest(f"unknown interval {interval!r}: use one of {', '.join(INTERVALS)}")
    aggs = {"over_time": {"date_histogram": {"field": schema.DATE, "calendar_interval": interval,
                                             "format": "yyyy-MM-dd", "min_doc_count": 0}}}
    result = _matching_and_all(ctx, query, aggs, aggs)
    totals = {b["key_as_string"]: b["doc_count"] for b in result["all"]["over_time"]["buckets"]}
    counts = {b["key_as_string"]: b["doc_count"] for b in result["matching"]["over_time"]["buckets"]}
    return [{"date": key, "count": counts.get(key, 0), "total": total, "ratio": _ratio(counts.get(key, 0), total)}
            for key, total in sorted(totals.items())]


@es_errors
def top(ctx: Context, query: SearchQuery, facet: str, size: int = 20) -> list[dict]:
    if facet not in TOP_FIELDS:
        raise NotFound(f"no top list {facet!r}: use one of {', '.join(TOP_FIELDS)}")

    def aggs(size: int, include: list[str] | None = None) -> dict:
        terms = {"field": TOP_FIELDS[facet], "size": size, **({"include": include} if include else {})}
        if facet == "speakers":  # articles quoting the speaker, ranked by articles, not by quotes
            terms["order"] = {"articles": "desc"}
            return {"top": {"nested": {"path": schema.QUOTES},
                            "aggs": {"keys": {"terms": terms, "aggs": {"articles": {"reverse_nested": {}}}}}}}
        return {"top": {"terms": terms}}

    def buckets(result: dict) -> dict[str, int]:
        if facet == "speakers":
            return {b["key"]: b["articles"]["doc_count"] for b in result["top"]["keys"]["buckets"]}
        return {b["key"]: b["doc_count"] for b in result["top"]["buckets"]}

    counts = buckets(_matching_and_all(ctx, query, aggs(size))["matching"])
    if not counts:
        return []
    # The denominator of exactly these keys (a second round trip: the top keys of all articles may differ).
    totals = buckets(_matching_and_all(ctx, query, None, aggs(len(counts), list(counts)))["all"])
    return [{"key": key, "count": count, "total": totals.get(key, count), "ratio": _ratio(count, totals.get(key, count))}
            for key, count in counts.items()]
