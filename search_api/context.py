"""What every read needs: the cluster, the alias to read, the query encoder; and the index's recorded
model, checked before a query vector is compared with passage vectors."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import schema
from indexer.connection import Cluster
from indexer.embed import Embedder
from search_api.errors import ModelMismatch, translated

INDEX_META_TTL = 60.0  # a rebuild may swap the alias: the recorded model is looked up again after this
META_PATHS = "*.mappings._meta,*.settings.index.number_of_shards"
RECENT_QUERIES = 256  # query vectors kept: a results page embeds its words once for the list and the timeline


@dataclass
class IndexMeta:
    """The alias's index `_meta`, cached for INDEX_META_TTL seconds (shared by request threads)."""

    value: dict = field(default_factory=dict)
    fetched_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, es: Elasticsearch, alias: str) -> dict:
        """The `_meta`, with the index's shard count under "shards"."""
        with self.lock:
            if time.monotonic() - self.fetched_at > INDEX_META_TTL:
                index = next(iter(es.indices.get(index=alias, filter_path=META_PATHS).values()))
                shards = int(index.get("settings", {}).get("index", {}).get("number_of_shards", 1))
                self.value = {**index.get("mappings", {}).get("_meta", {}), "shards": shards}
                self.fetched_at = time.monotonic()
            return self.value


@dataclass
class QueryVectors:
    """The last `capacity` query vectors, by text (shared by request threads); 0 keeps none, so every
    search embeds its words (MORGUE_QUERY_VECTORS=0: what bench/latency.py measures, as its floor does)."""

    vectors: OrderedDict = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    capacity: int = RECENT_QUERIES

    def get(self, embedder: Embedder, text: str) -> list[float]:
        with self.lock:
            if text in self.vectors:
                self.vectors.move_to_end(text)
                return self.vectors[text]
        vector = embedder.encode_query(text)
        with self.lock:
            self.vectors[text] = vector
            while len(self.vectors) > self.capacity:
                self.vectors.popitem(last=False)
        return vector


@dataclass
class Context:
    cluster: Cluster
    alias: str
    embedder: Embedder | None
    meta: IndexMeta = field(default_factory=IndexMeta)
    recent: QueryVectors = field(default_factory=QueryVectors)
    dfs: bool | None = None  # whole-index term statistics: None = when the index has several shards

    @property
    def es(self) -> Elasticsearch:
        return self.cluster.client

    def errors(self) -> AbstractContextManager:
        """Elasticsearch's failures as API errors; an unreachable managed node is looked for again."""
        return translated(on_unreachable=self.cluster.reconnect)

    def check_model(self) -> None:
        """Query vectors must come from the encoder that made the passage vectors."""
        recorded = self.meta.get(self.es, self.alias).get("model")
        configured = getattr(self.embedder, "model_id", None)
        if self.embedder is None or recorded != configured:
            raise ModelMismatch(
                f"the index was built with {recorded!r} and the API is configured with {configured!r}: set "
                f"MORGUE_MODEL (and MORGUE_EMBED_BACKEND) to the index's model, or rebuild the index with "
                f"`morgue index PATH... --rebuild`", {"index_model": recorded, "configured_model": configured})

    @property
    def acronyms(self) -> bool:
        """Whether the index has the acronym forms of abbreviations written in capitals (US_acronym:
        indexer.analysis.variants), which a query's US searches instead of the word us. An index built
        before them answers US as us until it is rebuilt. A node that cannot say is taken to have them
        (the search that follows reports the failure)."""
        try:
            version = self.meta.get(self.es, self.alias).get("schema_version", 0)
        except (ApiError, TransportError):
            return True
        return version >= schema.ACRONYMS_SINCE

    @property
    def search_type(self) -> str | None:
        """BM25 over several shards scores each with its own term statistics, so the same article ranks
        differently by the shard it landed on; the ranking legs ask for the whole index's statistics
        first (one more, small, round trip per shard; measured in bench/results/cluster-relevance.md)."""
        dfs = self.dfs if self.dfs is not None else self.meta.get(self.es, self.alias).get("shards", 1) > 1
        return "dfs_query_then_fetch" if dfs else None

    def encode_query(self, text: str) -> list[float]:
        self.check_model()
        return self.recent.get(self.embedder, text)
