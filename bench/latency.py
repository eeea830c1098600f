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
from search_api import retrieve
from search_api.query import SearchQuery
from search_api.search import make_plan

MODES = ("keyword", "semantic", "hybrid")
WARM_UP = 10  # queries sent in every mode before measuring (model, caches, HNSW graph pages)


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


STAGES = ("plan", "ranking _msearch", "fuse + group", "page _msearch", "present", "JSON")


def profile(ctx, queries: list[str]) -> dict[str, list[float]]:
    """Where an in-process hybrid search spends its time, stage by stage (the service's own functions,
    in the order `search_api.search.search` calls them; query vectors cached beforehand)."""
    from search_api import present, search as service

    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for q in queries:
        ctx.encode_query(q)
    for q in queries:
        marks = [time.perf_counter()]
        query = SearchQuery(q=q, mode="hybrid", size=10)
        plan_ = service.make_plan(ctx, query)
        marks.append(time.perf_counter())
        legs = retrieve.msearch(ctx.es, ctx.alias, plan_.legs, ctx.search_type)
        marks.append(time.perf_counter())
        ranking = service.rank(plan_, legs)
        grouped = service.group(plan_, ranking)
        shown = grouped.ranked[:query.size]
        marks.append(time.perf_counter())
        fetched = service.fetch(ctx, plan_, ranking, shown, grouped)
        marks.append(time.perf_counter())
        response = present.response(plan_.query, plan_.parsed, ranking, grouped, shown, fetched, None,
                                    plan_.position.as_of)
        marks.append(time.perf_counter())
        response.model_dump_json()
        marks.append(time.perf_counter())
        for stage, start, end in zip(STAGES, marks, marks[1:]):
            times[stage].append(1000 * (end - start))
    return times


def page_phases(ctx, queries: list[str]) -> dict[str, list[float]]:
    """Where Elasticsearch spends the page search (plan.page_body for a hybrid search's first 10), from
    its profile API: the query phase and each fetch sub-phase, in ms per page."""
    from search_api import plan as bodies, search as service

    times: dict[str, list[float]] = {}
    for q in queries:
        plan_ = service.make_plan(ctx, SearchQuery(q=q, mode="hybrid", size=10))
        ranking = service.rank(plan_, retrieve.msearch(ctx.es, ctx.alias, plan_.legs, ctx.search_type))
        ids = [f.id for f in ranking.fused[:10]]
        if not ids:
            continue
        shard = ctx.es.search(index=ctx.alias, profile=True,
                              **bodies.page_body(plan_.parsed, ids, plan_.vector))["profile"]["shards"][0]
        parts = {"query phase": sum(s["query"][0]["time_in_nanos"] for s in shard["searches"]),
                 "fetch phase, all": shard["fetch"]["time_in_nanos"]}
        for child in shard["fetch"].get("children", []):
            parts[f"fetch: {child['type']}"] = child["time_in_nanos"]
        for name, nanos in parts.items():
            times.setdefault(name, []).append(nanos / 1e6)
    return times


def phase_lines(times: dict[str, list[float]]) -> list[str]:
    rows = [f"| {name} | {statistics.median(v):.2f} |" for name, v in
            sorted(times.items(), key=lambda kv: -statistics.median(kv[1])) if statistics.median(v) >= 0.01]
    return ["", "The page search inside Elasticsearch (profile API, one client, the same queries; inner hits are the "
            "closest passage of each article, run again per article; highlight the fvh over title and body):", "",
            "| part | p50 ms |", "|---|---:|", *rows]


def profile_lines(times: dict[str, list[float]], api_p50: float) -> list[str]:
    total = sum(statistics.median(v) for v in times.values())
    rows = [f"| {stage} | {statistics.median(v):.1f} | {percentile(v, 95):.1f} |" for stage, v in times.items()]
    return ["", "Where a hybrid search's time goes (in-process, one client, the same queries, query vectors cached, "
            "Elasticsearch's request cache emptied first):", "",
            "| stage | p50 ms | p95 ms |", "|---|---:|---:|", *rows,
            f"| sum of the stages' p50 | {total:.1f} | |",
            f"| API over HTTP, 1 client (includes the query encode, HTTP and FastAPI's request handling) | {api_p50:.1f} | |"]


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
    # Each level its own queries (and the warm-up others again): a level that repeated the last one's
    # would find its match-set counts (size 0 searches) in Elasticsearch's request cache
    pool = sample_queries(es, args.alias, WARM_UP + args.queries * len(levels))
    warm = pool[:WARM_UP]
    by_level = {c: pool[WARM_UP + i * args.queries:WARM_UP + (i + 1) * args.queries] for i, c in enumerate(levels)}
    queries = by_level[levels[0]]
    embedder = morgue.embedder
    embedder.encode_query("warm up")
    # No vector kept between calls: each API search embeds its words, as the floor's encode does (the
    # warm-up and the semantic pass would otherwise hand hybrid its vectors ready-made)
    api = start_api(args.alias, args.port, {"MORGUE_QUERY_VECTORS": "0"})
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
            """The two ranking legs exactly as a hybrid search sends them."""
            legs = make_plan(ctx, SearchQuery(q=q, mode="hybrid", size=10)).legs
            retrieve.msearch(es, args.alias, {name: legs[name] for name in ("keyword", "semantic")}, ctx.search_type)

        def all_legs(q: str) -> None:
            """Every body a hybrid search sends in its first round trip, the match-set count too (not
            from the request cache, where the API's hybrid call of the same query has just put it)."""
            legs = make_plan(ctx, SearchQuery(q=q, mode="hybrid", size=10)).legs
            header = {"index": args.alias, "request_cache": False,
                      **({"search_type": ctx.search_type} if ctx.search_type else {})}
            es.msearch(searches=[part for body in legs.values() for part in (header, body)])

        ctx = morgue.with_alias(args.alias).context
        for q in pool:
            ctx.encode_query(q)  # cached: all_legs times Elasticsearch, not the encoder
        for mode in MODES:  # warm-up: model, caches, HNSW graph pages
            run_clients(2, warm, api_call(mode))
        run_clients(2, warm, raw_msearch)
        for clients in levels:
            asked = by_level[clients]
            row = {mode: run_clients(clients, asked, api_call(mode)) for mode in MODES}
            row["encode"] = run_clients(clients, asked, embedder.encode_query)
            row["msearch"] = run_clients(clients, asked, raw_msearch)
            row["all_legs"] = run_clients(clients, asked, all_legs)
            results[clients] = row
        memory = rss_mb(api.pid)
        es.indices.clear_cache(index=args.alias, request=True)  # the profile's counts as cold as the API's were
        stages = profile(ctx, queries)
        phases = page_phases(ctx, queries)
    finally:
        api.terminate()
        api.wait(timeout=30)
    lines = ["# Query latency: API vs floors\n",
             f"Commit `{commit()}`, `python -m bench.latency --alias {args.alias} --clients {args.clients} "
             f"--queries {args.queries}`: {documents} articles, {args.queries} queries a level (article titles drawn "
             f"with a fixed seed, other ones at each level and for the warm-up), each sent once per mode, {os.cpu_count()} CPUs, encoder {embedder.model_id}. "
             f"One run; API and floors share it.\n",
             "| clients | keyword p50 / p95 | semantic p50 / p95 | hybrid p50 / p95 | encode p50 / p95 | raw _msearch p50 / p95 "
             "| hybrid floor p50 (encode + _msearch) | API hybrid / floor | _msearch of every leg sent p50 / p95 "
             "| API hybrid / (encode + every leg) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for clients, row in results.items():
        cells = {name: f"{percentile(v, 50):.1f} / {percentile(v, 95):.1f}" for name, v in row.items()}
        floor = percentile(row["encode"], 50) + percentile(row["msearch"], 50)
        ratio = percentile(row["hybrid"], 50) / floor
        every = percentile(row["encode"], 50) + percentile(row["all_legs"], 50)
        lines.append(f"| {clients} | {cells['keyword']} | {cells['semantic']} | {cells['hybrid']} | {cells['encode']} "
                     f"| {cells['msearch']} | {floor:.1f} | **{ratio:.2f}** | {cells['all_legs']} "
                     f"| {percentile(row['hybrid'], 50) / every:.2f} |")
    lines += ["", "Milliseconds. Target (issue 4): API hybrid p50 ≤ 1.25 × floor at 4 clients. The floor is the"
              " keyword and semantic legs; a hybrid search also sends the match-set count (`counted`, issue 19's"
              " honest totals) in the same round trip, so the second ratio divides by encode + all of it."
              " The API keeps no query vectors in this run (MORGUE_QUERY_VECTORS=0): every call embeds its"
              " words, as the floor does (runs before 2026-12-07 let the semantic pass hand hybrid its vectors).",
              f"API resident memory after the run: {memory:.0f} MB (one uvicorn process with the model loaded).",
              "Mean over all hybrid calls at each level: " + ", ".join(
                  f"{c} clients {statistics.mean(r['hybrid']):.1f} ms" for c, r in results.items()) + "."]
    lines += profile_lines(stages, percentile(results[levels[0]]["hybrid"], 50))
    lines += phase_lines(phases)
    write_result(args.out, "\n".join(lines))


if __name__ == "__main__":
    main()
