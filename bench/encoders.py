"""Encoders compared, to choose the default by measurement: quality of the semantic leg and speed.

    python -m bench.encoders [--passages 1000] [--reuters-every 4]

Candidates: all-MiniLM-L6-v2 (torch, and its local ONNX int8 export), bge-small-en-v1.5 and
e5-small-v2 (ONNX from the Maven Central jars, int8 and fp32). For each:
- passages/s on the same BBC passages (batch 32, after a warm-up) and query encode p50 (single texts);
- nDCG@10 of the semantic leg as the product ranks it (an article's closest passage plus its lead,
  cosines added), computed in memory over every passage, on TIME (all 423 articles) and on the
  Reuters dev queries over every 4th story (4,739 articles, to keep the run short; the full-corpus
  figures of the default model are in relevance-reuters.md).
Not part of `make bench` (about 40 minutes); written to bench/results/encoders.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from bench import relevance
from bench.report import commit, write_result
from indexer.embed import Embedder
from indexer.enrich import enrich
from indexer.passages import lead, split_passages
from indexer.settings import Settings
from indexer.listing import iter_files
from indexer.raw import Rejected
from indexer.sources import read_path

CANDIDATES = [("all-MiniLM-L6-v2", "torch"), ("all-MiniLM-L6-v2", "onnx-int8"), ("bge-small-en-v1.5", "onnx-int8"),
              ("bge-small-en-v1.5", "onnx"), ("e5-small-v2", "onnx-int8")]


def bbc_passages(corpus: Path, count: int) -> list[str]:
    texts: list[str] = []
    for path, _ in (item for item in iter_files([corpus]) if isinstance(item, tuple)):
        if path.stem.isdigit():
            for item in read_path(path):
                article = item if isinstance(item, Rejected) else enrich(item)
                if not isinstance(article, Rejected):
                    texts += [p.text for p in split_passages(article.body)]
        if len(texts) >= count:
            break
    return texts[:count]


def speed(embedder: Embedder, texts: list[str], queries: list[str]) -> dict:
    embedder.encode(texts[:64])  # warm-up (and the first time: fetch, export, quantise)
    started = time.perf_counter()
    embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    single = []
    for query in queries:
        started = time.perf_counter()
        embedder.encode_query(query)
        single.append((time.perf_counter() - started) * 1000)
    return {"rate": rate, "query_p50": statistics.median(single)}


def semantic_ndcg(embedder: Embedder, docs: list[dict], queries: dict[str, str], qrels: dict) -> float:
    """The product's semantic ranking in memory: max passage cosine + lead cosine per article."""
    texts, owner = [], []
    for number, doc in enumerate(docs):
        for passage in split_passages(doc["text"]):
            texts.append(passage.text)
            owner.append(number)
    passages = np.array(embedder.encode(texts))
    leads = np.array(embedder.encode([lead(doc.get("title"), doc["text"]) for doc in docs]))
    owner_index = np.array(owner)
    judged = [q for q in queries if qrels.get(q)]
    total = 0.0
    for qid in judged:
        vector = np.array(embedder.encode_query(queries[qid]))
        best = np.full(len(docs), -1.0)
        np.maximum.at(best, owner_index, passages @ vector)
        scores = best + leads @ vector
        ranked = [docs[i]["id"] for i in np.argsort(-scores)[:relevance.K_RECALL]]
        total += relevance.ndcg(ranked, qrels[qid])
    return total / len(judged)


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("MORGUE_SHARED", root.parent / "shared")))
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--reuters-every", type=int, default=4)
    parser.add_argument("--out", type=Path, default=root / "bench" / "results" / "encoders.md")
    args = parser.parse_args()
    texts = bbc_passages(args.shared / "data" / "bbc", args.passages)
    time_docs, time_queries, time_qrels = relevance.load_time(args.shared / "data" / "time")
    time_queries = {q: relevance.plain(t) for q, t in time_queries.items()}
    reuters_docs, reuters_queries, reuters_qrels = relevance.load_reuters(args.shared / "data" / "reuters21578")
    reuters_docs = reuters_docs[::args.reuters_every]
    kept = {d["id"] for d in reuters_docs}
    reuters_qrels = {q: {d: g for d, g in judged.items() if d in kept} for q, judged in reuters_qrels.items()}
    rows, home = [], Settings().home
    for model, backend in CANDIDATES:
        embedder = Embedder(model, backend, home)
        fast = speed(embedder, texts, list(time_queries.values()))
        quality = [semantic_ndcg(embedder, time_docs, time_queries, time_qrels),
                   semantic_ndcg(embedder, reuters_docs, reuters_queries, reuters_qrels)]
        rows.append(f"| {embedder.model_id} | {fast['rate']:.1f} | {fast['query_p50']:.1f} | "
                    f"{quality[0]:.3f} | {quality[1]:.3f} |")
        print(rows[-1], flush=True)
    text = f"""# Encoders: semantic-leg quality and speed

Commit `{commit()}`, `python -m bench.encoders`: {len(texts)} BBC passages for speed (batch 32),
{os.cpu_count()} CPUs, one run; quality is nDCG@10 of the semantic leg ranked in memory the way the index
ranks it (closest passage + lead), on TIME (held out) and the Reuters dev queries over every
{args.reuters_every}th story ({len(reuters_docs)} articles).

| encoder | passages/s | query encode p50 (ms) | TIME nDCG@10 | Reuters dev nDCG@10 |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}

The default is the one with the best Reuters dev figure among the fast ones (the dev set is the only
data the defaults are chosen on; TIME is reported, not tuned on).
"""
    write_result(args.out, text)


if __name__ == "__main__":
    main()
