"""One settings object for every part of Morgue, read from the environment (prefix MORGUE_)."""
from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Per-user data directory. Root gets a system directory, because the Elasticsearch node runs as
    an unprivileged user that cannot enter /root."""
    if os.geteuid() == 0:
        return Path("/var/lib/morgue")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "morgue"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MORGUE_", extra="ignore")

    es_url: str | None = Field(None, description="Elasticsearch URL; unset = the managed local node")
    es_api_key: str | None = None
    es_user: str | None = None
    es_password: str | None = None
    es_ca: Path | None = Field(None, description="CA certificate (PEM) for an HTTPS cluster")
    index: str = Field("morgue", description="Alias that searches read and the indexer swaps")
    model: str | None = Field(None, description="bge-small-en-v1.5 (unset), e5-small-v2, all-MiniLM-L6-v2, or a "
                                                "sentence-transformers model id or path")
    embed_backend: str | None = Field(None, description="torch, onnx (fp32) or onnx-int8; unset = the model's own "
                                                        "(int8 for the ONNX jars, torch for sentence-transformers)")
    home: Path = Field(default_factory=default_home)
    es_heap: str = "1g"
    shards: int = Field(1, ge=1, le=1024, description="Primary shards of an index built from now on")
    replicas: int = Field(0, ge=0, le=16, description="Replicas of each shard of an index built from now on (1 or "
                                                      "more on a cluster: a node may go away without losing data)")
    es_dist: Path | None = Field(None, description="Local Elasticsearch .zip/.tar.gz to use instead of Maven Central")
    max_file_bytes: int = Field(50 * 1024 * 1024, gt=0, description="Largest input file read by `morgue index`")
    file_seconds: float = Field(60.0, ge=0, description="Seconds the cleaning of one input may take before it is "
                                                        "rejected (0 = no limit)")
    query_vectors: int = Field(256, ge=0, description="Recent query vectors the API keeps (a results page and its "
                                                      "timeline embed the words once); 0 = every search embeds its words")
    api_keys: str | None = Field(None, description="Comma-separated API keys required on /api/* when set")
    cors_origins: str | None = Field(None, description="Comma-separated origins allowed to call the API (dashboards)")
    rate_limit: int = Field(0, ge=0, description="Requests per minute per API key (per client address without keys); "
                                                 "0 = no limit")
    webhook_timeout: float = Field(5.0, gt=0, description="Seconds a watch's webhook may take to answer")
    webhook_backoff: float = Field(0.5, ge=0, description="Seconds before a failed webhook delivery is retried; "
                                                          "doubles with each attempt")
