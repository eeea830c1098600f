"""ONNX int8 vs torch on this CPU, and where the int8 model's time goes.

    python -m bench.int8 [--corpus ../shared/data/bbc] [--passages 400]

all-MiniLM-L6-v2 (the bundled sentence-transformers model) as torch, ONNX fp32 and ONNX int8
(dynamic quantisation, indexer.onnx_backend), at 1 and 2 threads, on the same BBC passages, batch 32
sorted by length; then onnxruntime's own profile of fp32 and int8 (time per operator type), which
says how much of the run the quantised matrix products are at all, and node by node how much faster
they run than the same products in float32 (what int8 can gain on this CPU). Written to
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


def profile(path: Path, tokenize, texts: list[str], threads: int) -> tuple[dict[str, float], float, dict[str, float]]:
    """Share of operator time by type (onnxruntime's profiler), the total operator time in s, and the
    seconds of each node by name."""
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
    by_node: collections.Counter = collections.Counter()
    for event in json.loads(trace.read_text()):
        if event.get("cat") == "Node" and event.get("name", "").endswith("_kernel_time"):
            by_op[event["args"].get("op_name", "?")] += event["dur"]
            by_node[event["name"].removesuffix("_kernel_time")] += event["dur"] / 1e6
    trace.unlink(missing_ok=True)
    total = sum(by_op.values())
    return {op: dur / total for op, dur in by_op.most_common()}, total / 1e6, dict(by_node)


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
                    + ", ".join(f"{op} {100 * share:.0f} %" for op, share in list(share_by_op.items())[:6])
                    for name, (share_by_op, seconds, _) in shares.items())
    write_result(root / "bench" / "results" / "int8.md", f"""# ONNX int8 vs torch on this CPU

Commit `{commit()}`, `python -m bench.int8 --passages {args.passages}`: all-MiniLM-L6-v2, {len(texts)} BBC
passages (up to 800 characters), batch 32 sorted by length, passages/s. One run, {os.cpu_count()} CPUs
(flags: {cpu_flags()}), onnxruntime {__import__('onnxruntime').__version__}, torch {torch.__version__}.

| threads | torch | ONNX fp32 | ONNX int8 | int8 ÷ torch | int8 ÷ fp32 |
|---:|---:|---:|---:|---:|---:|
{table}

Operator time by type (onnxruntime profiler, 2 threads):
{ops}

{ceiling(shares, dict(rows)[2])}
""")


def ceiling(shares: dict, at_two: dict) -> str:
    """Why int8 is not faster, node by node: the quantised products (int8 nodes named `…_quant`) against
    the same products in float32, and everything else, which quantisation leaves in float32 (the
    attention's own products, softmax, additions, layer norms)."""
    (_, fp32_s, fp32_nodes), (_, int8_s, int8_nodes) = shares["fp32"], shares["int8"]
    quantised = {name: s for name, s in int8_nodes.items() if name.endswith("_quant")}
    products_int8 = sum(quantised.values())
    products_fp32 = sum(fp32_nodes.get(name.removesuffix("_quant"), 0.0) for name in quantised)
    rest_int8, rest_fp32 = int8_s - products_int8, fp32_s - products_fp32
    measured = at_two["onnx int8"] / at_two["torch"]
    flags = cpu_flags()
    needed = int8_s * measured / 2 - rest_int8  # the products' time at which int8 would be 2 × torch
    need = (f"{products_fp32 / needed:.1f} × their float32 selves" if needed > 0 else
            "less than no time at all, which no kernel can")
    return (f"Node by node (same profile): the {len(quantised)} quantised products take {products_int8:.2f} s in int8 against "
            f"{products_fp32:.2f} s for the same products in float32, **{products_fp32 / products_int8:.2f} ×** faster; "
            f"everything else stays float32 and takes {rest_int8:.2f} s in int8 against {rest_fp32:.2f} s. "
            f"For int8 to run at 2 × torch, the products would have to run at {need}. "
            + ("This CPU's flags have no VNNI or AMX (int8 dot-product instructions): onnxruntime's int8 kernels multiply "
               "with AVX2 alone. " if "vnni" not in flags and "amx" not in flags else "")
            + f"Measured: {measured:.2f} × torch at 2 threads.")


if __name__ == "__main__":
    main()
