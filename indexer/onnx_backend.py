"""ONNX Runtime encoders for the embedding model: an fp32 export and its int8 dynamic quantisation,
both made here from the local model (nothing is downloaded) and cached under MORGUE_HOME/onnx/.

sentence-transformers' own ONNX backend needs `optimum-onnx`, whose releases pin transformers < 4.58
while sentence-transformers 6 needs transformers ≥ 5, so the two cannot be installed together. This
module does the same three steps itself: `torch.onnx.export` of the transformer, onnxruntime's
`quantize_dynamic` (int8 weights), and the model's own pooling (mean over tokens, then unit length).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

BACKENDS = ("torch", "onnx", "onnx-int8")


def model_folder(home: Path, model_id: str) -> Path:
    return home / "onnx" / re.sub(r"[^\w.-]+", "_", model_id)


def export(st_model, folder: Path) -> Path:
    """The transformer of a loaded SentenceTransformer as ONNX (fp32), once."""
    import torch

    path = folder / "model.onnx"
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

    transformer = Transformer(st_model[0].auto_model).eval()
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

    path = fp32.with_name("model-int8.onnx")
    if not path.exists():
        partial = path.with_suffix(".partial")
        quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        partial.rename(path)
    return path


class OnnxEncoder:
    """encode() like SentenceTransformer.encode(normalize_embeddings=True) for a mean-pooling model."""

    def __init__(self, path: Path, tokenizer, max_seq_length: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = tokenizer
        self.max_seq_length = max_seq_length

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts])  # similar lengths together: less padding
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start:start + batch_size]]
            tokens = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_seq_length,
                                    return_tensors="np")
            feed = {k: v.astype(np.int64) for k, v in tokens.items() if k in self.inputs}
            hidden = self.session.run(["last_hidden_state"], feed)[0]
            mask = tokens["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            chunks.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        out = np.empty((len(texts), chunks[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(chunks)
        return out
