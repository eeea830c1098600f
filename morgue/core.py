"""Morgue(settings): the one composition root. It owns what is expensive or shared (the Elasticsearch
client, the embedder, the settings) and hands out the services; the CLI, the API and its pages, the
benchmarks and the tests are all built from one. Nothing else reads the environment: Settings() does,
once, where a Morgue is made."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from indexer.connection import Cluster
from indexer.embed import Embedder
from indexer.local_cluster import LocalCluster, managed_cluster
from indexer.local_es import LocalNode, managed_node
from indexer.pipeline import Indexer
from indexer.schema import Layout
from indexer.settings import Settings
from search_api.context import Context, QueryVectors


class Morgue:
    def __init__(self, settings: Settings | None = None, alias: str | None = None):
        self.settings = settings or Settings()
        self.alias = alias or self.settings.index

    @cached_property
    def cluster(self) -> Cluster:
        return Cluster(self.settings)

    @property
    def es(self):
        return self.cluster.client

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder.from_settings(self.settings)

    @cached_property
    def context(self) -> Context:
        """What the read side needs (search, quotes, articles, counts)."""
        return Context(self.cluster, self.alias, self.embedder, recent=QueryVectors(capacity=self.settings.query_vectors))

    @cached_property
    def nlp(self):
        """The English parser (indexer.nlp): speakers and named entities at index time."""
        from indexer import nlp

        return nlp.load()

    def indexer(self) -> Indexer:
        return Indexer(self.es, self.embedder, self.alias, self.cache_dir, self.nlp, self.layout)

    @property
    def layout(self) -> Layout:
        """Shards and replicas of the indices this root creates."""
        return Layout(self.settings.shards, self.settings.replicas)

    @property
    def cache_dir(self) -> Path:
        return self.settings.home / "cache"

    def node(self) -> LocalNode:
        """The managed local Elasticsearch node of this MORGUE_HOME."""
        return managed_node(self.settings)

    def local_cluster(self, nodes: int | None = None) -> LocalCluster:
        """The managed local cluster of this MORGUE_HOME (`morgue es start --nodes N`)."""
        return managed_cluster(self.settings, nodes)

    def app(self):
        """The API with its web pages (what `morgue serve` runs)."""
        from web.app import create_app

        return create_app(self.context, self.settings)

    def webhook_policy(self):
        """How watches deliver to webhooks (timeouts and back-off from the settings)."""
        from search_api.webhook import Policy

        return Policy.from_settings(self.settings)

    def with_alias(self, alias: str) -> "Morgue":
        """The same cluster and encoder, reading and writing another alias (benchmarks, tests)."""
        other = Morgue(self.settings, alias)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("cluster", "embedder", "nlp")})
        return other

    def close(self) -> None:
        if "cluster" in self.__dict__:
            self.cluster.close()
