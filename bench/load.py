"""Load: N clients for S seconds of mixed keyword, meaning and hybrid searches against the running API.

    python -m bench.load --alias bbc [--clients 16] [--seconds 60]

`morgue serve` in a child process; each client (a thread with its own connection) sends searches in
a loop, the mode taking turns, the words from article titles drawn with a fixed seed, a tenth of them
with a filter, a tenth asking for the second page. Counted: requests, errors (any 5xx, a transport
error or a timeout; 4xx are counted apart), requests/s, latency p50/p95/p99, and the API's resident
memory before and after (growth beyond noise would be a leak).
"""
from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.api_process import rss_mb, start_api
from bench.latency import MODES, percentile, sample_queries
from bench.report import commit, write_result
from morgue.core import Morgue


def client_loop(base: str, queries: list[str], until: float, seed: int, out: dict) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as http:
        i = 0
        while time.monotonic() < until:
            mode = MODES[i % len(MODES)]
            params = {"q": rng.choice(queries), "mode": mode, "size": 10}
            if rng.random() < 0.1:
                params["from"] = "2004-06-01"
            started = time.monotonic()
            try:
                response = http.get("/api/search", params=params)
                if response.status_code == 200 and rng.random() < 0.1 and response.json().get("cursor"):
                    response = http.get("/api/search", params={**params, "cursor": response.json()["cursor"]})
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            out["latencies"].append((time.monotonic() - started) * 1000)
            out["statuses"][status] += 1
            i += 1


WARM_UP = 15.0  # seconds of the same load first, not counted: memory "before" is after the caches fill


def run(base: str, queries: list[str], clients: int, seconds: float, out: dict) -> float:
    until = time.monotonic() + seconds
    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, args=(base, queries, until, seed, out)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", default="bbc")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8768)
    args = parser.parse_args()
    root = Morgue(alias=args.alias)
    queries = sample_queries(root.es, args.alias, 400)
    api = start_api(args.alias, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        httpx.get(f"{base}/api/search", params={"q": "warm up", "mode": "hybrid"}, timeout=120)  # model loaded
        run(base, queries, args.clients, WARM_UP, {"latencies": [], "statuses": Counter()})  # caches filled
        before = rss_mb(api.pid)
        out = {"latencies": [], "statuses": Counter()}
        elapsed = run(base, queries, args.clients, args.seconds, out)
        after = rss_mb(api.pid)
    finally:
        api.terminate()
        api.wait(timeout=30)
    statuses, latencies = out["statuses"], out["latencies"]
    errors = sum(n for s, n in statuses.items() if not isinstance(s, int) or s >= 500)
    client_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and 400 <= s < 500)
    total = sum(statuses.values())
    text = (f"# Load: {args.clients} clients × {args.seconds:.0f} s of mixed searches on {args.alias}\n\n"
            f"`morgue serve` in a child process (2 cores shared with the clients and Elasticsearch); modes in turn "
            f"(keyword, meaning, hybrid), article titles as queries, a tenth with a date filter, a tenth going on "
            f"to page 2. Commit {commit()}.\n\n| | value |\n|---|---:|\n"
            f"| requests | {total:,} |\n| **errors (5xx, transport, timeout)** | **{errors}** |\n"
            f"| 4xx | {client_errors} |\n| **requests/s** | **{total / elapsed:.1f}** |\n"
            f"| p50 / p95 / p99 | {percentile(latencies, 50):.0f} / {percentile(latencies, 95):.0f} / "
            f"{percentile(latencies, 99):.0f} ms |\n"
            f"| API RSS before / after (after {WARM_UP:.0f} s of the same load, not counted) | {before:.0f} / {after:.0f} MB |\n"
            f"| statuses | {', '.join(f'{k}: {v:,}' for k, v in sorted(statuses.items(), key=str))} |\n\n"
            f"`python -m bench.load --alias {args.alias} --clients {args.clients} --seconds {args.seconds:.0f}`\n")
    write_result(Path(__file__).resolve().parent / "results" / f"load-{args.alias}.md", text)
    root.close()


if __name__ == "__main__":
    main()
