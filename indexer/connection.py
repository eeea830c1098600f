"""The Elasticsearch client, built from the settings: a real cluster (MORGUE_ES_URL) or the managed node."""
from __future__ import annotations

from elasticsearch import Elasticsearch

from indexer.local_es import LocalESError, managed_node
from indexer.settings import Settings, get_settings


def es_url(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if settings.es_url:
        return settings.es_url
    state = managed_node().state()
    if state is None:
        raise LocalESError("no Elasticsearch: run `morgue es start`, or set MORGUE_ES_URL to a cluster")
    return state.url


def connect(settings: Settings | None = None, url: str | None = None, **options) -> Elasticsearch:
    """A client with retries on connection errors; credentials and CA come from the settings."""
    settings = settings or get_settings()
    kwargs: dict = {"request_timeout": 30, "retry_on_timeout": True, "max_retries": 3}
    if settings.es_api_key:
        kwargs["api_key"] = settings.es_api_key
    elif settings.es_user:
        kwargs["basic_auth"] = (settings.es_user, settings.es_password or "")
    if settings.es_ca:
        kwargs["ca_certs"] = str(settings.es_ca)
    kwargs.update(options)
    return Elasticsearch(url or es_url(settings), **kwargs)
