"""Relevance harness: the real code path (indexer into a fresh index, then the search service) in
keyword, semantic, hybrid-RRF and hybrid-convex (alpha 0.1 … 0.9) modes; nDCG@10, Recall@100, MRR@10.

    python -m bench.relevance                        # the TIME collection from MORGUE_SHARED
    python -m bench.relevance --corpus docs.jsonl --queries queries.jsonl --qrels qrels.txt

Adapters: the classic SMART files of ../shared/data/time (TIME.ALL, TIME.QUE, TIME.REL), or any JSONL
corpus ({"id", "title"?, "text", "date"?}), JSONL queries ({"id", "text"}) and TREC qrels
("qid 0 docid grade"). Queries are sent as plain words (lower-cased, keyword-syntax characters removed),
as a journalist's typed question would be. Written to bench/results/relevance.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

from bench.report import commit, drop_alias, write_result
from indexer.connection import connect
from indexer.embed import get_embedder
from indexer.pipeline import Indexer
from indexer.settings import get_settings
from search_api import service
from search_api.query import SearchQuery

K_NDCG, K_RECALL, K_MRR = 10, 100, 10
ALPHAS = [0.1, 0.3, 0.5, 0.7, 0.9]  # every second step: the curve is flat between (measured with all nine)


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


def evaluate(ctx: service.Context, queries: dict[str, str], qrels: dict[str, dict[str, int]],
             **params) -> dict[str, float]:
    """Mean metrics over the judged queries (a record's own "id" is the stored article id)."""
    scores = {"ndcg": 0.0, "recall": 0.0, "mrr": 0.0}
    judged = [q for q in queries if qrels.get(q)]
    per_query: dict[str, float] = {}
    for qid in judged:
        result = service.search(ctx, SearchQuery(q=plain(queries[qid]), size=100, **params))
        ranked = [h["id"] for h in result["hits"]]
        per_query[qid] = ndcg(ranked, qrels[qid])
        scores["ndcg"] += per_query[qid]
        scores["recall"] += recall(ranked, qrels[qid])
        scores["mrr"] += mrr(ranked, qrels[qid])
    return {k: v / len(judged) for k, v in scores.items()} | {"queries": len(judged), "per_query": per_query}


def better_leg(keyword: dict, semantic: dict) -> float:
    """Mean nDCG@10 if every query were answered by whichever single leg served it better: the
    ceiling of any fusion that only chooses between the two lists."""
    scores = keyword["per_query"]
    return sum(max(scores[q], semantic["per_query"][q]) for q in scores) / len(scores)


def run(docs: list[dict], queries: dict[str, str], qrels: dict[str, dict[str, int]], name: str,
        backend: str | None = None, sweep: bool = True) -> tuple[list, dict]:
    """Index the corpus into a fresh index, evaluate each mode, drop the index. sweep=False: only
    keyword, semantic and the default hybrid."""
    settings = get_settings()
    es = connect(settings)
    embedder = get_embedder(settings.model, backend)
    alias = f"bench-relevance-{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="morgue-relevance-"))
    corpus = folder / f"{name}.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in docs))
    try:
        summary = Indexer(es, embedder, alias, settings.home / "cache").run([corpus], quiet=True, group=False)
        ctx = service.Context(es, alias, embedder)
        rows = [("keyword (BM25)", evaluate(ctx, queries, qrels, mode="keyword")),
                ("semantic (kNN)", evaluate(ctx, queries, qrels, mode="semantic")),
                ("hybrid, RRF k=60 (default)", evaluate(ctx, queries, qrels, mode="hybrid"))]
        rows += [(f"hybrid, convex alpha={a}", evaluate(ctx, queries, qrels, mode="hybrid", fusion="convex",
                                                       alpha=a)) for a in (ALPHAS if sweep else [])]
    finally:
        drop_alias(es, alias)
    return rows, {"articles": sum(summary.counts[k] for k in ("indexed", "updated", "unchanged")),
                  "rejected": summary.counts["rejected"], "passages": summary.passages}


def report(rows: list, facts: dict, name: str, command: str) -> str:
    keyword = rows[0][1]["ndcg"]
    table = "\n".join(f"| {label} | {r['ndcg']:.3f} | {r['recall']:.3f} | {r['mrr']:.3f} | "
                      f"{100 * (r['ndcg'] / keyword - 1):+.1f}% |" for label, r in rows)
    hybrid, semantic = rows[2][1]["ndcg"], rows[1][1]["ndcg"]
    ceiling = better_leg(rows[0][1], rows[1][1])
    verdict = ("meets" if hybrid >= 1.15 * keyword and hybrid > semantic else "misses")
    return f"""# Relevance on {name}

Commit `{commit()}`, `{command}`: {facts['articles']} articles indexed ({facts['rejected']} rejected,
{facts['passages']} passages), {rows[0][1]['queries']} judged queries sent as plain lower-case words.
Real code path: `morgue`'s indexer into a fresh index, then `search_api.service.search` (size 100,
depth 200 per leg). Binary relevance from the collection's judgments.

| mode | nDCG@10 | Recall@100 | MRR@10 | nDCG@10 vs keyword |
|---|---:|---:|---:|---:|
{table}

Target (issue 7): hybrid with default settings ≥ 15% over keyword and above semantic-only. This run
**{verdict}** it: hybrid {hybrid:.3f} vs keyword {keyword:.3f} ({100 * (hybrid / keyword - 1):+.1f}%) and semantic {semantic:.3f}.
Per query, the better of the two legs alone averages {ceiling:.3f} ({100 * (ceiling / keyword - 1):+.1f}% over keyword):
a fusion that only chose the right list for each query would reach that; the rest must come from
combining both lists within a query.
Anchors (BEIR TREC-NEWS, BM25 + bge-base, another corpus and model): BM25 .395 → RRF .486 (+23%) → convex .501.
"""


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("MORGUE_SHARED", root.parent / "shared")))
    parser.add_argument("--corpus", type=Path, help="JSONL corpus (with --queries and --qrels)")
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--qrels", type=Path)
    parser.add_argument("--out", type=Path, default=root / "bench" / "results" / "relevance.md")
    args = parser.parse_args()
    if args.corpus:
        docs, queries, qrels = load_jsonl(args.corpus, args.queries, args.qrels)
        name, command = args.corpus.name, f"python -m bench.relevance --corpus {args.corpus.name} ..."
    else:
        docs, queries, qrels = load_time(args.shared / "data" / "time")
        name, command = "the TIME collection (423 articles, 83 queries)", "python -m bench.relevance"
    rows, facts = run(docs, queries, qrels, "corpus")
    write_result(args.out, report(rows, facts, name, command))


if __name__ == "__main__":
    main()
