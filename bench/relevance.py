"""Relevance harness: the real code path (indexer into a fresh index, then the search service) in
keyword, semantic and hybrid modes, with the fusion swept (RRF k, convex alpha), next to a naive BM25
baseline (bench/naive_bm25.py); nDCG@10, Recall@100, MRR@10.

    python -m bench.relevance                        # TIME and the Reuters dev queries, from MORGUE_SHARED
    python -m bench.relevance --collection reuters   # one of them
    python -m bench.relevance --corpus docs.jsonl --queries queries.jsonl --qrels qrels.txt

Collections:
- Reuters dev (the only data the defaults were tuned on): 36 questions and phrases a reporter might
  type (bench/data/reuters_dev_queries.jsonl, written for this project, often without the topic's own
  word), over all 19,043 Reuters-21578 stories with a body; a story is relevant when its TOPICS
  include the query's topic. Queries are sent as written.
- TIME (held out): 423 articles, 83 queries (TIME.ALL/QUE/REL), sent as plain lower-case words.
- Any JSONL corpus ({"id", "title"?, "text", "date"?}), JSONL queries ({"id", "text"}), TREC qrels.
Written to bench/results/relevance-<collection>.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench import reuters as reuters_sgml
from bench.naive_bm25 import NaiveBM25
from bench.report import commit, drop_alias, write_result
from morgue.core import Morgue
from search_api.context import Context
from search_api.query import SearchQuery
from search_api.search import search

K_NDCG, K_RECALL, K_MRR = 10, 100, 10
ALPHAS = [0.1, 0.3, 0.5, 0.7, 0.9]  # every second step: the curve is flat between (measured with all nine)
RRF_KS = [10, 20, 40, 60, 100]
SEMANTIC_WEIGHTS = [1.0, 1.5, 2.5, 4.0]
DEV_QUERIES = Path(__file__).resolve().parent / "data" / "reuters_dev_queries.jsonl"


# ------------------------------------------------------------------ adapters


def _blocks(text: str, marker: str) -> list[tuple[str, str]]:
    """SMART files: '*MARKER header' lines, each followed by its text."""
    out = []
    for part in re.split(rf"^\*{marker}\b", text, flags=re.M)[1:]:
        header, _, body = part.partition("\n")
        out.append((header.strip(), " ".join(body.split()).rstrip("*").strip()))
    return out


def load_time(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    docs = []
    # TIME.REL numbers documents by their position in TIME.ALL (1…423), not by the *TEXT number.
    for position, (header, body) in enumerate(_blocks((folder / "TIME.ALL").read_text(encoding="latin-1"), "TEXT"), 1):
        match = re.match(r"(\d+)\s+(\d\d/\d\d)/?\s*(\d\d)\s+PAGE\s+(\d+)", header)  # one header says "08/30 63"
        number, day, year, page = match.groups()
        published = datetime.strptime(f"{day}/19{year}", "%m/%d/%Y").date()
        docs.append({"id": f"time-{position}", "title": f"TIME, {published:%d %B %Y}, page {int(page)}",
                     "date": published.isoformat(), "outlet": "TIME", "text": body})
    queries = {str(int(h.split()[0])): body for h, body in _blocks((folder / "TIME.QUE").read_text(encoding="latin-1"),
                                                                   "FIND")}
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "TIME.REL").read_text().splitlines():
        numbers = line.split()
        if len(numbers) > 1:
            qrels[str(int(numbers[0]))] = {f"time-{int(d)}": 1 for d in numbers[1:]}
    return docs, queries, qrels


def load_reuters(folder: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    docs = [story for story in reuters_sgml.stories(folder) if story is not None]
    asked = [json.loads(line) for line in DEV_QUERIES.read_text().splitlines() if line.strip()]
    qrels = {q["id"]: {d["id"]: 1 for d in docs if q["topic"] in d["topics"]} for q in asked}
    return docs, {q["id"]: q["text"] for q in asked}, qrels


def load_jsonl(corpus: Path, queries: Path, qrels: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    docs = [json.loads(line) for line in corpus.read_text().splitlines() if line.strip()]
    asked = {str(q["id"]): q["text"] for q in map(json.loads, filter(str.strip, queries.read_text().splitlines()))}
    judged: dict[str, dict[str, int]] = {}
    for line in qrels.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and int(parts[3]) > 0:
            judged.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return docs, asked, judged


# ------------------------------------------------------------------ metrics


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = K_NDCG) -> float:
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int = K_RECALL) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr(ranked: list[str], relevant: dict[str, int], k: int = K_MRR) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:k]) if d in relevant), 0.0)


def plain(text: str) -> str:
    """A query as typed words: no operators or syntax characters."""
    words = re.findall(r"[\w'’.-]+", text.lower())
    return " ".join(w.strip(".-'’") for w in words if w.strip(".-'’") not in ("and", "or", "not"))


# ------------------------------------------------------------------ run


def evaluate(ctx: Context, queries: dict[str, str], qrels: dict[str, dict[str, int]],
             **params) -> dict[str, float]:
    """Mean metrics over the judged queries (a record's own "id" is the stored article id)."""
    scores = {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}
    judged = [q for q in queries if qrels.get(q)]
    per_query: dict[str, float] = {}
    for qid in judged:
        result = search(ctx, SearchQuery(q=queries[qid], size=100, **params))
        ranked = [h.id for h in result.hits]
        per_query[qid] = ndcg(ranked, qrels[qid])
        scores["ndcg"] += per_query[qid]
        scores["recall"] += recall(ranked, qrels[qid])
        scores["mrr"] += mrr(ranked, qrels[qid])
    return {k: v / len(judged) for k, v in scores.items()} | {"queries": len(judged), "per_query": per_query}


def evaluate_naive(docs: list[dict], queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> dict:
    baseline = NaiveBM25(docs)
    judged = [q for q in queries if qrels.get(q)]
    runs = {q: baseline.search(queries[q], K_RECALL) for q in judged}
    return {"ndcg": sum(ndcg(runs[q], qrels[q]) for q in judged) / len(judged),
            "recall": sum(recall(runs[q], qrels[q]) for q in judged) / len(judged),
            "mrr": sum(mrr(runs[q], qrels[q]) for q in judged) / len(judged), "queries": len(judged),
            "per_query": {q: ndcg(runs[q], qrels[q]) for q in judged}}


def better_leg(keyword: dict, semantic: dict) -> float:
    """Mean nDCG@10 if every query were answered by whichever single leg served it better: the
    ceiling of any fusion that only chooses between the two lists."""
    scores = keyword["per_query"]
    return sum(max(scores[q], semantic["per_query"][q]) for q in scores) / len(scores)


def settle(es, alias: str) -> None:
    """One segment before measuring, so a re-run gives the same figures: the vectors are int8-quantized
    per segment and kNN visits each segment's graph, so how the bulk happened to be cut into segments
    moved the semantic leg's nDCG@10 by up to 0.004 between runs of the same code (TIME: 0.630, 0.634);
    and deleted documents (an article rewritten while indexing leaves its old copy and nested passages
    behind until a merge drops them) still count in BM25's statistics, which moved keyword by 0.002."""
    deadline = time.monotonic() + 180
    while True:  # the shard's retention lease keeps fresh deletions through a merge for up to a minute: wait
        es.indices.refresh(index=alias)
        es.indices.forcemerge(index=alias, max_num_segments=1)
        es.indices.refresh(index=alias)
        docs = es.indices.stats(index=alias, metric="docs")["_all"]["primaries"]["docs"]
        if not docs.get("deleted"):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{alias} still holds {docs['deleted']} deleted documents after merging for 3 minutes: "
                               "its figures would not repeat")
        time.sleep(5)


def build(morgue: Morgue, docs: list[dict], name: str):
    """The corpus through `morgue`'s indexer into its alias (no stories), settled; the run's summary."""
    corpus = Path(tempfile.mkdtemp(prefix="morgue-relevance-")) / f"{name}.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in docs))
    summary = morgue.indexer().run([corpus], quiet=True, group=False)
    settle(morgue.es, morgue.alias)
    return summary


def run(docs: list[dict], queries: dict[str, str], qrels: dict[str, dict[str, int]], name: str,
        sweep: bool = True, keep: str | None = None) -> tuple[list, dict]:
    """Index the corpus into a fresh index, evaluate each mode, drop the index. sweep=False: only
    keyword, semantic and the default hybrid. keep: index into (or reuse) this alias and keep it."""
    morgue = Morgue().with_alias(keep or f"bench-relevance-{os.getpid()}")
    es, embedder, alias = morgue.es, morgue.embedder, morgue.alias
    try:
        summary = build(morgue, docs, name)
        ctx = morgue.context
        rows = [("naive BM25 (k1 0.9, b 0.4, \\w+ tokens)", evaluate_naive(docs, queries, qrels)),
                ("keyword", evaluate(ctx, queries, qrels, mode="keyword")),
                ("semantic", evaluate(ctx, queries, qrels, mode="semantic")),
                ("hybrid (default)", evaluate(ctx, queries, qrels, mode="hybrid"))]
        if sweep:
            rows += [(f"hybrid, RRF k={k}", evaluate(ctx, queries, qrels, mode="hybrid", rrf_k=k)) for k in RRF_KS]
            rows += [(f"hybrid, RRF semantic weight={w}", evaluate(ctx, queries, qrels, mode="hybrid",
                                                                   semantic_weight=w)) for w in SEMANTIC_WEIGHTS]
            rows += [(f"hybrid, convex alpha={a}", evaluate(ctx, queries, qrels, mode="hybrid", fusion="convex",
                                                           alpha=a)) for a in ALPHAS]
    finally:
        if not keep:
            drop_alias(es, alias)
    return rows, {"articles": sum(summary.counts[k] for k in ("indexed", "updated", "unchanged")),
                  "rejected": summary.counts["rejected"], "passages": summary.passages, "model": embedder.model_id}


def report(rows: list, facts: dict, name: str, command: str) -> str:
    by_label = dict(rows)
    naive, keyword = by_label[rows[0][0]]["ndcg"], by_label["keyword"]["ndcg"]
    semantic, hybrid = by_label["semantic"]["ndcg"], by_label["hybrid (default)"]["ndcg"]
    table = "\n".join(f"| {label} | {r['ndcg']:.3f} | {r['recall']:.3f} | {r['mrr']:.3f} | "
                      f"{100 * (r['ndcg'] / keyword - 1):+.1f}% |" for label, r in rows)
    ceiling = better_leg(by_label["keyword"], by_label["semantic"])
    return f"""# Relevance on {name}

Commit `{commit()}`, `{command}`: {facts['articles']} articles indexed ({facts['rejected']} rejected,
{facts['passages']} passages), {rows[1][1]['queries']} judged queries, encoder `{facts['model']}`.
Real code path: `morgue`'s indexer into a fresh index, then `search_api.service.search` (size 100,
depth 200 per leg). Binary relevance from the collection's judgments.

| mode | nDCG@10 | Recall@100 | MRR@10 | nDCG@10 vs keyword |
|---|---:|---:|---:|---:|
{table}

- Keyword {keyword:.3f} vs the naive BM25 baseline {naive:.3f} ({100 * (keyword / naive - 1):+.1f}%).
- Hybrid (default) {hybrid:.3f}: {hybrid / keyword:.3f} × keyword, {hybrid / semantic:.3f} × semantic.
- Per query, the better of the two legs alone averages {ceiling:.3f} ({ceiling / keyword:.3f} × keyword): a fusion
  that only chose the right list for each query would reach that.
"""


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("MORGUE_SHARED", root.parent / "shared")))
    parser.add_argument("--collection", choices=["time", "reuters", "both"], default="both")
    parser.add_argument("--corpus", type=Path, help="JSONL corpus (with --queries and --qrels)")
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--qrels", type=Path)
    parser.add_argument("--no-sweep", action="store_true", help="keyword, semantic and default hybrid only")
    parser.add_argument("--keep", action="store_true", help="keep the index (alias bench-relevance-<collection>) "
                                                            "and reuse it next time")
    args = parser.parse_args()
    results = root / "bench" / "results"
    if args.corpus:
        docs, queries, qrels = load_jsonl(args.corpus, args.queries, args.qrels)
        rows, facts = run(docs, queries, qrels, "corpus", sweep=not args.no_sweep)
        write_result(results / f"relevance-{args.corpus.stem}.md",
                     report(rows, facts, args.corpus.name, f"python -m bench.relevance --corpus {args.corpus.name} ..."))
        return
    if args.collection in ("reuters", "both"):
        docs, queries, qrels = load_reuters(args.shared / "data" / "reuters21578")
        rows, facts = run(docs, queries, qrels, "reuters", sweep=not args.no_sweep,
                          keep="bench-relevance-reuters" if args.keep else None)
        write_result(results / "relevance-reuters.md", report(
            rows, facts, "the Reuters dev queries (tuning data)", "python -m bench.relevance --collection reuters"))
    if args.collection in ("time", "both"):
        docs, queries, qrels = load_time(args.shared / "data" / "time")
        rows, facts = run(docs, {q: plain(text) for q, text in queries.items()}, qrels, "time",
                          sweep=not args.no_sweep, keep="bench-relevance-time" if args.keep else None)
        write_result(results / "relevance-time.md", report(
            rows, facts, "the TIME collection (held out)", "python -m bench.relevance --collection time"))


if __name__ == "__main__":
    main()
