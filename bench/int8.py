"""ONNX int8 vs torch on this CPU, and where the int8 model's time goes.

    python -m bench.int8 [--corpus ../shared/data/bbc] [--passages 400]

all-MiniLM-L6-v2 (the bundled sentence-transformers model) as torch, ONNX fp32 and ONNX int8
(dynamic quantisation, indexer.onnx_backend), at 1 and 2 threads, on the same BBC passages, batch 32
sorted by length; then onnxruntime's own profile of fp32 and int8 (time per operator type), which
says how much of the run the quantised matrix products are at all. Written to
bench/results/int8.md. One run.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import time
from pathlib import Path

from bench.report import commit, write_result
from bench.throughput import pick_files
from indexer import onnx_backend
from indexer.embed import Embedder
from indexer.passages import split_passages
from indexer.process import Options, prepare
from indexer.raw import Rejected
from indexer.settings import Settings
from indexer.sources import read_path

THREADS = (1, 2)


def passages(corpus: Path, count: int) -> list[str]:
    raws = [r for path in pick_files(corpus, count) for r in read_path(path) if not isinstance(r, Rejected)]
    texts = [p.text for a in prepare(raws, Options()) if not isinstance(a, Rejected) for p in split_passages(a.body)]
    return texts[:count]


def rate(encode, texts: list[str]) -> float:
    encode(texts[:32])  # warm-up
    started = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - started)


def profile(path: Path, tokenize, texts: list[str], threads: int) -> tuple[dict[str, float], float]:
    """Share of operator time by type (onnxruntime's profiler), and the total operator time in s."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.enable_profiling = True
    options.profile_file_prefix = str(Path("/tmp") / f"morgue-ort-{os.getpid()}")
    encoder = onnx_backend.OnnxEncoder.__new__(onnx_backend.OnnxEncoder)
    encoder.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    encoder.inputs = {i.name for i in encoder.session.get_inputs()}
    encoder.output = encoder.session.get_outputs()[0].name
    encoder.tokenize, encoder.pooling = tokenize, "mean"
    encoder.encode(texts)
    trace = Path(encoder.session.end_profiling())
    by_op: collections.Counter = collections.Counter()
    for event in json.loads(trace.read_text()):
        if event.get("cat") == "Node" and event.get("name", "").endswith("_kernel_time"):
            by_op[event["args"].get("op_name", "?")] += event["dur"]
    trace.unlink(missing_ok=True)
    total = sum(by_op.values())
    return {op: dur / total for op, dur in by_op.most_common(6)}, total / 1e6


def cpu_flags() -> str:
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags |= set(line.split(":", 1)[1].split())
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", "amx_tile"]
    return ", ".join(f for f in wanted if f in flags)


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("MORGUE_SHARED", root.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=shared / "data" / "bbc")
    parser.add_argument("--passages", type=int, default=400)
    args = parser.parse_args()
    import torch

    texts = passages(args.corpus, args.passages)
    home = Settings().home
    torch_model = Embedder("all-MiniLM-L6-v2", "torch", home)
    st = torch_model.model
    tokenize = onnx_backend.hf_tokenizer(st.tokenizer, st.max_seq_length)
    fp32 = onnx_backend.export(st, onnx_backend.model_folder(home, torch_model.model_id))
    int8 = onnx_backend.quantize(fp32)
    rows = []
    for threads in THREADS:
        torch.set_num_threads(threads)
        row = {"torch": rate(lambda t: st.encode(t, batch_size=32, normalize_embeddings=True), texts)}
        for name, path in (("onnx fp32", fp32), ("onnx int8", int8)):
            encoder = onnx_backend.OnnxEncoder(path, tokenize, "mean", threads=threads)
            row[name] = rate(encoder.encode, texts)
        rows.append((threads, row))
    shares = {name: profile(path, tokenize, texts[:160], 2) for name, path in (("fp32", fp32), ("int8", int8))}
    table = "\n".join(f"| {t} | {r['torch']:.1f} | {r['onnx fp32']:.1f} | {r['onnx int8']:.1f} | "
                      f"{r['onnx int8'] / r['torch']:.2f} | {r['onnx int8'] / r['onnx fp32']:.2f} |" for t, r in rows)
    ops = "\n".join(f"- {name}: {seconds:.1f} s of operator time on 160 passages; "
                    + ", ".join(f"{op} {100 * share:.0f} %" for op, share in share_by_op.items())
                    for name, (share_by_op, seconds) in shares.items())
    write_result(root / "bench" / "results" / "int8.md", f"""# ONNX int8 vs torch on this CPU

Commit `{commit()}`, `python -m bench.int8 --passages {args.passages}`: all-MiniLM-L6-v2, {len(texts)} BBC
passages (up to 800 characters), batch 32 sorted by length, passages/s. One run, {os.cpu_count()} CPUs
(flags: {cpu_flags()}), onnxruntime {__import__('onnxruntime').__version__}, torch {torch.__version__}.

| threads | torch | ONNX fp32 | ONNX int8 | int8 ÷ torch | int8 ÷ fp32 |
|---:|---:|---:|---:|---:|---:|
{table}

Operator time by type (onnxruntime profiler, 2 threads):
{ops}
""")


if __name__ == "__main__":
    main()
