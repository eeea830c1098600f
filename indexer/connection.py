"""The Elasticsearch client, built from the settings: a real cluster (MORGUE_ES_URL) or the managed node."""
from __future__ import annotations

import threading
from typing import Any

import orjson
from elasticsearch import Elasticsearch
from elasticsearch.serializer import JsonSerializer, NdjsonSerializer, OrjsonSerializer

from indexer.local_cluster import managed_cluster
from indexer.local_es import LocalESError, managed_node
from indexer.settings import Settings


# Transient answers, retried (by the client on the next host, by the bulk writer after a pause): overload
# (429) and a node or proxy going away.
TRANSIENT = (429, 502, 503, 504)


class FastJsonSerializer(OrjsonSerializer):
    """Bodies written by orjson; what orjson refuses and the standard library writes (an integer past 64
    bits, a lone surrogate) is written as before, so Elasticsearch accepts or rejects it as it did."""

    def json_dumps(self, data: Any) -> bytes:
        try:
            return super().json_dumps(data)
        except orjson.JSONEncodeError:
            return JsonSerializer.json_dumps(self, data)


class FastNdjsonSerializer(NdjsonSerializer):
    """The same for the bodies of one JSON per line (_msearch, _bulk)."""

    def json_dumps(self, data: Any) -> bytes:
        try:
            return orjson.dumps(data, default=self.default, option=orjson.OPT_SERIALIZE_NUMPY)
        except orjson.JSONEncodeError:
            return super().json_dumps(data)


# The standard library's json was a sixth of the API's busy time on a hybrid search (py-spy, 4 clients):
# the query vector goes out in several clauses, hundreds of hits come back. Answers are read by orjson
# too: Elasticsearch's own numbers fit 64 bits, and the sources write metadata numbers as text.
SERIALIZERS = {"application/json": FastJsonSerializer(), "application/x-ndjson": FastNdjsonSerializer()}


def es_url(settings: Settings) -> str:
    """MORGUE_ES_URL, else the managed node, else the managed cluster's running nodes (comma-separated)."""
    if settings.es_url:
        return settings.es_url
    state = managed_node(settings).state()
    if state is not None:
        return state.url
    running = managed_cluster(settings).running()
    if not running:
        raise LocalESError("no Elasticsearch: run `morgue es start`, or set MORGUE_ES_URL to a cluster")
    return ",".join(node.url for node in running)


def connect(settings: Settings, url: str | None = None, **options) -> Elasticsearch:
    """A client that retries connection errors, timeouts and transient statuses on the next host (a
    node of a cluster going away); credentials and CA come from the settings. Several hosts may be
    given, comma-separated, in MORGUE_ES_URL."""
    kwargs: dict = {"request_timeout": 30, "retry_on_timeout": True, "max_retries": 3,
                    "retry_on_status": TRANSIENT, "serializers": SERIALIZERS}
    if settings.es_api_key:
        kwargs["api_key"] = settings.es_api_key
    elif settings.es_user:
        kwargs["basic_auth"] = (settings.es_user, settings.es_password or "")
    if settings.es_ca:
        kwargs["ca_certs"] = str(settings.es_ca)
    kwargs.update(options)
    hosts = [h.strip() for h in (url or es_url(settings)).split(",") if h.strip()]
    return Elasticsearch(hosts, **kwargs)


class Cluster:
    """The client of a long-running process (the API). The managed node may come back on another port
    (`morgue es start` takes the next free one): after a connection failure, `reconnect` looks at
    where the node is now and builds a new client if it moved."""

    def __init__(self, settings: Settings, url: str | None = None):
        self.settings = settings
        self.url = url
        self._client: Elasticsearch | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self.url = self.url or es_url(self.settings)
                    self._client = connect(self.settings, self.url)
        return self._client

    def reconnect(self) -> bool:
        """True when the node was found at a new address (the next request goes there)."""
        if self.settings.es_url:
            return False
        try:
            url = es_url(self.settings)
        except LocalESError:
            return False
        with self._lock:
            if url == self.url and self._client is not None:
                return False
            old, self.url, self._client = self._client, url, connect(self.settings, url)
        if old is not None:
            old.close()
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
