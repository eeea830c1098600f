"""Watches and batch search at size, one run each on this machine.

    python -m bench.watches run     # 1,000 watches, then 100 new BBC articles, then `morgue watch run`
    python -m bench.watches batch   # 2,000 names over Reuters through the running API, its memory sampled

run: BBC News minus its last 100 files is indexed into `bench-watches` (embeddings from the cache when
they are there); 1,000 watches are saved (600 keyword watches on the names the archive mentions most,
300 hybrid and 100 meaning watches on article titles); the last 100 files are indexed; then the
`morgue watch run` command is timed as cron would start it (a new process), with the run's own
report (searches, matches, time per watch).

batch: `morgue serve` in a child process over the Reuters index (`--alias`, default the relevance
bench's); the 2,000 names Reuters mentions most are posted to /api/batch and the JSONL rows read as
they stream; the API's resident memory is sampled every 100 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.api_process import RssSampler, rss_mb, start_api
from bench.report import commit, write_result
from indexer import schema, store
from indexer.listing import iter_files
from morgue.core import Morgue
from search_api import watch_store, watches
from search_api.watch_models import WatchCreate

RESULTS = Path(__file__).resolve().parent / "results"


def top_names(es, alias: str, n: int) -> list[str]:
    response = es.search(index=alias, size=0, aggs={"p": {"terms": {"field": schema.PEOPLE, "size": n}}})
    return [b["key"] for b in response["aggregations"]["p"]["buckets"]]


def bench_run(args) -> None:
    shared = Path(os.environ.get("MORGUE_SHARED", "../shared"))
    files = sorted(item[0] for item in iter_files([shared / "data" / "bbc"])
                   if isinstance(item, tuple) and item[0].stem.isdigit())
    base, new = files[:-100], files[-100:]
    root = Morgue(alias=args.alias)
    es = root.es
    watch_store.forget(es, args.alias)
    if not args.keep and es.indices.exists_alias(name=args.alias):
        es.indices.delete(index=",".join(es.indices.get_alias(name=args.alias)))
    started = time.monotonic()
    root.indexer().run(base, quiet=True, group=False)  # with --keep: nothing changed, nothing written
    built = time.monotonic() - started
    index = store.alias_index(es, args.alias)
    again = [i for ids in store.by_source(es, index, [str(p) for p in new]).values() for i, _ in ids]
    store.delete(es, index, again)  # --keep: the new articles of the last run are new again
    es.indices.refresh(index=index)

    rng = random.Random(7)
    names = top_names(es, args.alias, 600)
    titles = [h["_source"][schema.TITLE] for h in es.search(index=args.alias, size=1000, source=[schema.TITLE],
                                                             query={"match_all": {}})["hits"]["hits"]]
    rng.shuffle(titles)
    bodies = ([WatchCreate(name=n, query={"q": f'"{n}"', "mode": "keyword"}) for n in names] +
              [WatchCreate(name=t, query={"q": t, "mode": "hybrid"}) for t in titles[:300]] +
              [WatchCreate(name=t, query={"q": t, "mode": "semantic"}) for t in titles[300:400]])
    watch_store.ensure(es, args.alias)
    made = [watches.build(root.context, body, "") for body in bodies]
    watch_store.put(es, args.alias, *made)
    root.indexer().run(new, quiet=True, group=False)

    env = {**os.environ, "MORGUE_INDEX": args.alias}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "morgue", "watch", "run", "--json"], env=env, capture_output=True,
                          text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"morgue watch run failed ({done.returncode}): {done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    modes = {m: sum(1 for w in made if w.mode == m) for m in ("keyword", "hybrid", "semantic")}
    text = (f"# Watches: 1,000 watches after 100 new articles\n\nBBC News: {len(base):,} articles indexed first "
            f"({built:.0f} s), then {len(made):,} watches saved ({modes['keyword']} keyword on the names the "
            f"archive mentions most, {modes['hybrid']} hybrid and {modes['semantic']} meaning watches on article "
            f"titles, floor {watches.SEMANTIC_FLOOR}), then the last {len(new)} files indexed.\n\n"
            "| | value |\n|---|---:|\n"
            f"| `morgue watch run`, wall time (new process, imports included) | **{wall:.2f} s** |\n"
            f"| the evaluation itself | {report['seconds']:.2f} s |\n"
            f"| per watch (evaluation / watches) | {1000 * report['seconds'] / report['watches']:.2f} ms |\n"
            f"| watches evaluated | {report['watches']:,} |\n"
            f"| searches sent (in `_msearch` requests of 100) | {report['searches']:,} |\n"
            f"| new matches recorded | {report['new_matches']:,} |\n"
            f"| watches that could not run | {len(report['failed_watches'])} |\n\n"
            f"Target: under 5 s in all. Commit {commit()}.\n\n`python -m bench.watches run`\n")
    write_result(RESULTS / "watches-run.md", text)
    root.close()


def bench_batch(args) -> None:
    root = Morgue(alias=args.alias)
    names = top_names(root.es, args.alias, args.names)
    api = start_api(args.alias, args.port)
    try:
        before = rss_mb(api.pid)
        rows, first_row = 0, None
        started = time.monotonic()
        with RssSampler(api.pid) as sampler, httpx.stream(
                "POST", f"http://127.0.0.1:{args.port}/api/batch", json={"terms": names}, timeout=600) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line:
                    rows += 1
                    first_row = first_row or time.monotonic() - started
                    json.loads(line)
        elapsed = time.monotonic() - started
        after = rss_mb(api.pid)
    finally:
        api.terminate()
        api.wait(timeout=30)
    text = (f"# Batch search: {len(names):,} names over {args.alias}\n\nThe {len(names):,} people the index names most "
            f"(its `people` field), posted to /api/batch of `morgue serve` in a child process; JSONL rows read as "
            f"they stream.\n\n| | value |\n|---|---:|\n"
            f"| rows | {rows:,} |\n| time | {elapsed:.2f} s |\n| **rows/s** | **{rows / elapsed:,.0f}** |\n"
            f"| first row after | {first_row:.2f} s |\n"
            f"| API RSS before / peak while streaming / after | {before:.0f} / {sampler.peak:.0f} / {after:.0f} MB |\n\n"
            f"Commit {commit()}.\n\n`python -m bench.watches batch --alias {args.alias}`\n")
    write_result(RESULTS / "watches-batch.md", text)
    root.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    run = sub.add_parser("run")
    run.add_argument("--alias", default="bench-watches")
    run.add_argument("--keep", action="store_true", help="keep the index of an earlier run (its last 100 articles "
                                                         "are taken out and indexed again)")
    run.set_defaults(func=bench_run)
    many = sub.add_parser("batch")
    many.add_argument("--alias", default="bench-relevance-reuters")
    many.add_argument("--names", type=int, default=2000)
    many.add_argument("--port", type=int, default=8767)
    many.set_defaults(func=bench_batch)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
