"""The only module that writes to Elasticsearch: versioned indices behind an alias, bulk writes with
retries, and the look-ups that make re-ingesting idempotent."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from elasticsearch import ApiError, ConnectionError as ESConnectionError, ConnectionTimeout, Elasticsearch, helpers

from indexer import schema
from indexer.connection import TRANSIENT
from indexer.embed import Embedder, ModelInfo

RETRIES = 5


class StoreUnavailable(RuntimeError):
    """Elasticsearch could not be reached after retries: stop; a re-run finishes the job."""


class ModelMismatch(RuntimeError):
    """The index was built with another embedding model than the one configured."""


class SchemaOutdated(RuntimeError):
    """The index was built by an older version of the index contract (analysis, fields)."""


@dataclass
class Target:
    alias: str
    index: str  # the concrete index written to
    swap_on_finish: bool  # --rebuild: point the alias here at the end


def _versions(es: Elasticsearch, alias: str) -> list[int]:
    names = es.indices.get(index=f"{alias}-v*", expand_wildcards="open", ignore_unavailable=True)
    return sorted(int(m.group(1)) for name in names if (m := re.fullmatch(rf"{re.escape(alias)}-v(\d+)", name)))


def alias_index(es: Elasticsearch, alias: str) -> str | None:
    result = es.options(ignore_status=404).indices.get_alias(name=alias)
    names = list(result.body) if result.meta.status == 200 else []
    return names[0] if names else None


def index_meta(es: Elasticsearch, index: str) -> dict:
    """What an index records of itself in its mapping's `_meta` (schema version, model, grouping's mark)."""
    return es.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {})


def prepare(es: Elasticsearch, alias: str, embedder: Embedder, rebuild: bool = False,
            layout: schema.Layout = schema.Layout()) -> Target:
    """The index to write into: the alias's current one, or a new version (first run, or --rebuild) with
    the layout's shards and replicas."""
    current = alias_index(es, alias)
    if current and not rebuild:
        meta = index_meta(es, current)
        if meta.get("schema_version", 0) < schema.SCHEMA_VERSION:
            raise SchemaOutdated(f"index {current} was built with index schema {meta.get('schema_version')} and this "
                                 f"version of Morgue writes schema {schema.SCHEMA_VERSION}: run `morgue index PATH... "
                                 f"--rebuild` to rebuild it (embeddings come from the cache)")
        if meta.get("model") != embedder.model_id:
            raise ModelMismatch(f"index {current} was built with {meta.get('model')} but {embedder.model_id} is "
                                f"configured: use that model or run with --rebuild")
        # Fields added to the schema since the index was made (additive only; the model is unchanged).
        es.indices.put_mapping(index=current, properties=schema.mapping(ModelInfo(
            meta["model"], meta["dims"], meta.get("normalized", True)))["properties"])
        return Target(alias, current, swap_on_finish=False)
    version = (_versions(es, alias) or [0])[-1] + 1
    index = schema.version_name(alias, version)
    es.indices.create(index=index, mappings=schema.mapping(embedder.info), settings=schema.index_settings(layout))
    if current is None:
        es.indices.put_alias(index=index, name=alias)
        return Target(alias, index, swap_on_finish=False)
    return Target(alias, index, swap_on_finish=True)


def finish(es: Elasticsearch, target: Target) -> None:
    """Refresh, and for a rebuild swap the alias in one atomic step, then drop the old versions."""
    es.indices.refresh(index=target.index)
    if not target.swap_on_finish:
        return
    old = [name for name in es.indices.get_alias(name=target.alias)]
    actions = [{"remove": {"index": name, "alias": target.alias}} for name in old]
    actions.append({"add": {"index": target.index, "alias": target.alias}})
    es.indices.update_aliases(actions=actions)
    for name in old:
        if name != target.index:
            es.indices.delete(index=name)


def _retry(call, what: str):
    delay = 1.0
    for attempt in range(RETRIES):
        try:
            return call()
        except (ESConnectionError, ConnectionTimeout) as exc:
            if attempt == RETRIES - 1:
                raise StoreUnavailable(f"Elasticsearch unreachable during {what}: {exc.__class__.__name__}") from exc
        except ApiError as exc:
            if exc.meta.status not in TRANSIENT or attempt == RETRIES - 1:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 15)


def update_fields(es: Elasticsearch, index: str, updates: dict[str, dict], refresh: bool = True) -> int:
    """Partial updates ({id: {field: value}}; None clears a field)."""
    if not updates:
        return 0
    actions = [{"_op_type": "update", "_index": index, "_id": doc_id, "doc": fields} for doc_id, fields in updates.items()]
    done, _ = _retry(lambda: helpers.bulk(es, actions, chunk_size=500, refresh=refresh), "story updates")
    return done


def existing(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, dict]:
    """{id: {content_hash, source}} for the ids already stored."""
    if not ids:
        return {}
    response = _retry(lambda: es.mget(index=index, ids=ids, source_includes=[schema.CONTENT_HASH, schema.SOURCE, schema.INPUT_HASH]),
                      "look-up of stored articles")
    return {doc["_id"]: doc["_source"] for doc in response["docs"] if doc.get("found")}


def by_source(es: Elasticsearch, index: str, sources: list[str]) -> dict[str, list[tuple[str, str | None]]]:
    """{source: [(id, input hash)]} of stored articles read from these sources: a re-read input whose
    hash is stored is unchanged without enriching it again, and a changed file's old version is found."""
    if not sources:
        return {}
    response = _retry(lambda: es.search(index=index, size=10_000, query={"terms": {schema.SOURCE: sources}},
                                        _source=[schema.SOURCE, schema.INPUT_HASH]), "look-up by source")
    found: dict[str, list[tuple[str, str | None]]] = {}
    for hit in response["hits"]["hits"]:
        found.setdefault(hit["_source"][schema.SOURCE], []).append((hit["_id"], hit["_source"].get(schema.INPUT_HASH)))
    return found



def stamped(document: dict) -> dict:
    """`indexed_at` set as the document is handed to the bulk request (milliseconds, UTC): a document
    becomes searchable within a bulk request and a refresh of its stamp, which is what watches and
    `indexed_since` rely on (search_api.watermark)."""
    document[schema.INDEXED_AT] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    return document


def write(es: Elasticsearch, index: str, documents: list[dict]) -> dict[str, str]:
    """Bulk index. Returns {id: reason} of the documents Elasticsearch refused (a mapping error, a
    document too large): each fails alone, the rest are written. Transient failures (429, 5xx, the
    connection) are retried with back-off; if they persist, StoreUnavailable (a re-run finishes)."""
    refused: dict[str, str] = {}
    batched, alone, delay = list(documents), [], 1.0
    for attempt in range(RETRIES):
        retry, too_large = [], []
        for docs, chunk_size in ((batched, 200), (alone, 1)):  # a batch answered 413 is sent one by one
            by_id = {doc[schema.ID]: doc for doc in docs}
            try:
                for ok, item in helpers.streaming_bulk(
                        es, ({"_index": index, "_id": i, "_source": stamped(d)} for i, d in by_id.items()),
                        chunk_size=chunk_size, max_chunk_bytes=20 * 1024 * 1024, raise_on_error=False,
                        raise_on_exception=False, max_retries=2, initial_backoff=1):
                    if ok:
                        by_id.pop(item["index"]["_id"], None)
                        continue
                    result = item.get("index", item)
                    doc, status = by_id.pop(result.get("_id")), result.get("status")
                    if status == 413 and chunk_size > 1:
                        too_large.append(doc)
                    elif not isinstance(status, int) or status in TRANSIENT:
                        retry.append(doc)
                    else:
                        refused[doc[schema.ID]] = _reason(result.get("error"), status)
            except (ESConnectionError, ConnectionTimeout):
                retry += list(by_id.values())  # what was not confirmed is sent again (writes are idempotent)
        if not retry and not too_large:
            return refused
        batched, alone = retry, too_large
        if retry and attempt < RETRIES - 1:
            time.sleep(delay)
            delay = min(delay * 2, 15)
    raise StoreUnavailable(f"Elasticsearch unreachable during bulk write: {len(batched) + len(alone)} documents "
                           f"not taken after {RETRIES} tries")


def _reason(error, status) -> str:
    if isinstance(error, dict):
        text = error.get("reason") or error.get("type") or str(error)
    else:
        text = str(error or "")
    if status == 413:
        text = "document too large for one request (413)"
    return text[:300]


def stored_sources(es: Elasticsearch, index: str) -> dict[str, str]:
    """{id: source} of every stored article (for --prune), read with search_after in pages."""
    found: dict[str, str] = {}
    after = None
    while True:
        body = {"size": 5000, "sort": [{schema.ID: "asc"}], "_source": [schema.SOURCE]}
        if after:
            body["search_after"] = after
        hits = _retry(lambda: es.search(index=index, **body), "listing stored articles")["hits"]["hits"]
        if not hits:
            return found
        for hit in hits:
            found[hit["_id"]] = hit["_source"].get(schema.SOURCE, "")
        after = hits[-1]["sort"]


def delete(es: Elasticsearch, index: str, ids: list[str]) -> None:
    if ids:
        actions = ({"_op_type": "delete", "_index": index, "_id": i} for i in ids)
        _retry(lambda: helpers.bulk(es, actions, raise_on_error=False), "delete")
