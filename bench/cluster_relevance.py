"""BM25 over several shards: each shard scores with its own term statistics unless the search asks for
the whole index's first (`dfs_query_then_fetch`, what Morgue does for an index of several shards:
search_api.context.Context.search_type). TIME (held out) is indexed with 1, 2, 3 and 5 shards, and each
mode is measured both ways, with the mean time of a keyword search.

    python -m bench.cluster_relevance            # the running node or cluster; MORGUE_SHARED for TIME
    python -m bench.cluster_relevance --collection reuters

Written to bench/results/cluster-relevance.md (or cluster-relevance-reuters.md).
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import replace
from pathlib import Path

from bench.relevance import build, evaluate, load_reuters, load_time, plain
from bench.report import commit, drop_alias, write_result
from indexer.settings import Settings
from morgue.core import Morgue
from search_api.query import SearchQuery
from search_api.search import search

MODES = ("keyword", "semantic", "hybrid")


def keyword_ms(ctx, queries: dict[str, str]) -> float:
    """Mean wall time of a keyword search over the queries (after one warm-up pass)."""
    for text in queries.values():
        search(ctx, SearchQuery(q=text, mode="keyword", size=10))
    started = time.perf_counter()
    for text in queries.values():
        search(ctx, SearchQuery(q=text, mode="keyword", size=10))
    return 1000 * (time.perf_counter() - started) / len(queries)


def measure(docs, queries, qrels, shards: int, name: str) -> list[tuple]:
    morgue = Morgue(Settings(shards=shards)).with_alias(f"bench-shards-{shards}-{os.getpid()}")
    try:
        build(morgue, docs, name)
        rows = []
        for dfs in (False, True):
            ctx = replace(morgue.context, dfs=dfs)
            scores = {mode: evaluate(ctx, queries, qrels, mode=mode)["ndcg"] for mode in MODES}
            rows.append((shards, "dfs_query_then_fetch" if dfs else "query_then_fetch", scores,
                         keyword_ms(ctx, queries)))
        return rows
    finally:
        drop_alias(morgue.es, morgue.alias)


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("MORGUE_SHARED", root.parent / "shared")))
    parser.add_argument("--collection", choices=["time", "reuters"], default="time")
    parser.add_argument("--shards", default="1,2,3,5", help="comma-separated shard counts")
    args = parser.parse_args()
    if args.collection == "time":
        docs, queries, qrels = load_time(args.shared / "data" / "time")
        queries = {q: plain(text) for q, text in queries.items()}
    else:
        docs, queries, qrels = load_reuters(args.shared / "data" / "reuters21578")
    rows = [row for shards in map(int, args.shards.split(",")) for row in measure(docs, queries, qrels, shards,
                                                                                  args.collection)]
    nodes = Morgue().es.cluster.health()["number_of_nodes"]
    table = "\n".join(f"| {shards} | {kind} | " + " | ".join(f"{s[m]:.3f}" for m in MODES) + f" | {ms:.1f} |"
                      for shards, kind, s, ms in rows)
    suffix = "" if args.collection == "time" else f"-{args.collection}"
    write_result(root / "bench" / "results" / f"cluster-relevance{suffix}.md", f"""# BM25 statistics across shards ({args.collection})

Commit `{commit()}`, `python -m bench.cluster_relevance --collection {args.collection}`, on a cluster of
{nodes} node(s): {len(docs)} articles, {len(queries)} queries; nDCG@10 by mode, and the mean time of a
keyword search (size 10, one client, after a warm-up pass). One run.

| shards | search type | keyword | semantic | hybrid | keyword ms |
|---:|---|---:|---:|---:|---:|
{table}

With one shard both search types are the same search (statistics are the index's). With several,
per-shard statistics give the same article a different score by the shard it happened to land on, so
the figures move with the shard count, up or down; `dfs_query_then_fetch` (Morgue's choice for any
index of several shards) asks each shard for its term statistics first and gives the one-shard
ranking whatever the layout. The kNN leg does not move: each shard searches its own HNSW graph, but
its best hits are scored again on the float vectors (indexer.schema.knn), so a score is the exact cosine.
Keyword times on this 2-core machine differ by less than their run-to-run noise.
""")


if __name__ == "__main__":
    main()
