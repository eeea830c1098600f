"""One article by id (the reader), and the health of the cluster and index."""
from __future__ import annotations

import elasticsearch

from indexer import schema
from search_api.context import Context
from search_api.errors import NotFound, Unavailable
from search_api.models import Article, Health
from search_api.present import QUOTE_FIELDS

MAX_ID_CHARS = 512  # Elasticsearch refuses longer ids: such an id names no article


def article(ctx: Context, article_id: str) -> Article:
    if not article_id or len(article_id) > MAX_ID_CHARS:
        raise NotFound(f"no article with id {article_id[:80]!r}")
    with ctx.errors():
        response = ctx.es.search(index=ctx.alias, size=1, query={"ids": {"values": [article_id]}},
                                 source={"excludes": schema.INTERNAL + [schema.QUOTE_VECTOR, schema.PASSAGE_VECTOR]})
    hits = response["hits"]["hits"]
    if not hits:
        raise NotFound(f"no article with id {article_id[:80]!r}")
    source = hits[0]["_source"]
    fields = {k: v for k, v in source.items()
              if k in Article.model_fields and k not in (schema.ID, schema.QUOTES, schema.PASSAGES)}
    return Article(id=hits[0]["_id"], **fields,
                   quotes=[{k: q.get(k) for k in QUOTE_FIELDS} for q in source.get(schema.QUOTES, [])],
                   passages=[{k: p.get(k) for k in ("text", "start", "end")} for p in source.get(schema.PASSAGES, [])])


def health(ctx: Context) -> Health:
    """200 with the facts when the cluster is reachable, else 503 saying so."""
    try:
        aliases = ctx.es.indices.get_alias(name=ctx.alias, ignore_unavailable=True)
        index = next(iter(aliases), None) if aliases else None
        meta, docs = {}, 0
        if index:
            meta = ctx.es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})
            docs = ctx.es.count(index=index)["count"]
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        ctx.cluster.reconnect()
        raise Unavailable("Elasticsearch is not reachable", {"reason": type(exc).__name__}) from exc
    configured = getattr(ctx.embedder, "model_id", None)
    return Health(status="ok" if index else "empty", elasticsearch="reachable", alias=ctx.alias, index=index,
                  documents=docs, index_model=meta.get("model"), configured_model=configured,
                  model_matches=bool(index) and meta.get("model") == configured)
