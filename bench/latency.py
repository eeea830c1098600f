"""Query latency of the running API next to its floors, measured in the same run.

    morgue es start && MORGUE_INDEX=reuters morgue index <reuters.jsonl>   # see bench/reuters.py
    python -m bench.latency --alias reuters [--clients 1,4,16] [--queries 80]

For each concurrency level: the API (`morgue serve` in a child process, HTTP, JSON) in keyword,
semantic and hybrid mode; then the floors under the same concurrency: query encoding alone
(`encode_query`, in this process) and the raw `_msearch` with exactly the bodies the API sends (built
by the same functions, no point-in-time). The hybrid floor is encode p50 + raw `_msearch` p50.
Queries are titles of articles drawn from the index with a fixed seed. Also: the API's resident memory.
"""
from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.api_process import rss_mb, start_api
from bench.report import commit, write_result
from morgue.core import Morgue
from search_api import plan, retrieve
from search_api.query import SearchQuery
from search_api.syntax import parse

MODES = ("keyword", "semantic", "hybrid")


def sample_queries(es, alias: str, count: int, seed: int = 7) -> list[str]:
    response = es.search(index=alias, size=count, source=["title"], query={"function_score": {
        "query": {"exists": {"field": "title"}}, "random_score": {"seed": seed, "field": "_seq_no"}}})
    titles = [h["_source"]["title"] for h in response["hits"]["hits"] if h["_source"].get("title")]
    # Keyword syntax characters in a title are not what the bench measures: plain words only.
    return [" ".join(w for w in t.replace('"', " ").replace("(", " ").replace(")", " ").split()
                     if w.upper() not in ("AND", "OR", "NOT") and not w.startswith(("-", "+"))
                     and ":" not in w and "*" not in w) or "market" for t in titles]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(p / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def run_clients(clients: int, queries: list[str], call) -> list[float]:
    """Every query once, spread over `clients` threads; returns latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        for query in queries[offset::clients]:
            started = time.perf_counter()
            call(query)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", default="reuters")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--queries", type=int, default=80)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, help="default bench/results/latency-<alias>.md")
    args = parser.parse_args()
    args.out = args.out or Path(__file__).parent / "results" / f"latency-{args.alias}.md"
    levels = [int(c) for c in args.clients.split(",")]
    morgue = Morgue()
    es = morgue.es
    documents = es.count(index=args.alias)["count"]
    queries = sample_queries(es, args.alias, args.queries)
    embedder = morgue.embedder
    embedder.encode_query("warm up")
    api = start_api(args.alias, args.port)
    results: dict[int, dict[str, list[float]]] = {}
    try:
        local = threading.local()

        def client() -> httpx.Client:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
            return local.client

        def api_call(mode: str):
            def call(q: str) -> None:
                response = client().get("/api/search", params={"q": q, "mode": mode, "size": 10})
                response.raise_for_status()
            return call

        def raw_msearch(q: str) -> None:
            parsed = parse(q)
            query = SearchQuery(q=q)
            bodies = {"keyword": plan.keyword_body(parsed, query, query.depth),
                      "semantic": plan.semantic_body(query, vectors[q], query.depth)}
            retrieve.msearch(es, args.alias, bodies)

        vectors = {q: embedder.encode_query(q) for q in queries}
        for mode in MODES:  # warm-up: model, caches, HNSW graph pages
            run_clients(2, queries[:10], api_call(mode))
        run_clients(2, queries[:10], raw_msearch)
        for clients in levels:
            row = {mode: run_clients(clients, queries, api_call(mode)) for mode in MODES}
            row["encode"] = run_clients(clients, queries, embedder.encode_query)
            row["msearch"] = run_clients(clients, queries, raw_msearch)
            results[clients] = row
        memory = rss_mb(api.pid)
    finally:
        api.terminate()
        api.wait(timeout=30)
    lines = ["# Query latency: API vs floors\n",
             f"Commit `{commit()}`, `python -m bench.latency --alias {args.alias} --clients {args.clients} "
             f"--queries {args.queries}`: {documents} articles, {len(queries)} queries (article titles drawn with "
             f"a fixed seed), each sent once per mode and level, {os.cpu_count()} CPUs, encoder {embedder.model_id}. "
             f"One run; API and floors share it.\n",
             "| clients | keyword p50 / p95 | semantic p50 / p95 | hybrid p50 / p95 | encode p50 / p95 | raw _msearch p50 / p95 "
             "| hybrid floor p50 (encode + _msearch) | API hybrid / floor |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for clients, row in results.items():
        cells = {name: f"{percentile(v, 50):.1f} / {percentile(v, 95):.1f}" for name, v in row.items()}
        floor = percentile(row["encode"], 50) + percentile(row["msearch"], 50)
        ratio = percentile(row["hybrid"], 50) / floor
        lines.append(f"| {clients} | {cells['keyword']} | {cells['semantic']} | {cells['hybrid']} | {cells['encode']} "
                     f"| {cells['msearch']} | {floor:.1f} | **{ratio:.2f}** |")
    lines += ["", "Milliseconds. Target (issue 4): API hybrid p50 ≤ 1.25 × floor at 4 clients.",
              f"API resident memory after the run: {memory:.0f} MB (one uvicorn process with the model loaded).",
              "Mean over all hybrid calls at each level: " + ", ".join(
                  f"{c} clients {statistics.mean(r['hybrid']):.1f} ms" for c, r in results.items()) + "."]
    write_result(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
