"""Export at scale: stream every article (`q=*`) through the running API and watch its memory.

    python -m bench.export_memory --alias reuters [--format jsonl]

Starts `morgue serve` in a child process, streams `/api/export`, counts the records and compares with
the index's article count, and samples the API's resident memory every 100 ms while the stream runs
(flat memory = the peak stays near the level before the export, whatever the number of rows).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import httpx

from bench.api_process import RssSampler, rss_mb, start_api
from bench.report import commit, write_result
from morgue.core import Morgue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", default="reuters")
    parser.add_argument("--format", default="jsonl", choices=("jsonl", "csv"))
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "export_memory.md")
    args = parser.parse_args()
    es = Morgue().es
    articles = es.count(index=args.alias)["count"]
    api = start_api(args.alias, args.port)
    try:
        httpx.get(f"http://127.0.0.1:{args.port}/api/export", params={"q": "*", "format": args.format, "size": 1},
                  timeout=120)  # warm-up: imports and first connection, not the stream under test
        before = rss_mb(api.pid)
        with RssSampler(api.pid) as sampler:
            rows = size = 0
            quarter_marks: list[tuple[int, float]] = []
            started = time.perf_counter()
            with httpx.stream("GET", f"http://127.0.0.1:{args.port}/api/export",
                              params={"q": "*", "format": args.format}, timeout=300) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    size += len(line) + 1
                    if not line or (args.format == "csv" and rows == 0 and line.startswith("id,")):
                        continue
                    if args.format == "jsonl" and "error" in json.loads(line):
                        raise SystemExit(f"export ended with an error: {line}")
                    rows += 1
                    if rows % 5000 == 0:
                        quarter_marks.append((rows, rss_mb(api.pid)))
            seconds = time.perf_counter() - started
        after = rss_mb(api.pid)
    finally:
        api.terminate()
        api.wait(timeout=30)
    peak = sampler.peak
    progress = ", ".join(f"{r:,} rows: {m:.0f} MB" for r, m in quarter_marks)
    text = f"""# Export of every article through the API, with the API's memory

Commit `{commit()}`, `python -m bench.export_memory --alias {args.alias} --format {args.format}`. One run.

| articles in the index | rows exported | MB streamed | seconds | rows/s | API RSS before | peak during | after |
|---:|---:|---:|---:|---:|---:|---:|---:|
| {articles:,} | {rows:,} | {size / 1e6:.1f} | {seconds:.1f} | {rows / seconds:,.0f} | {before:.0f} MB | {peak:.0f} MB | {after:.0f} MB |

Resident memory of the API as the rows went out: {progress}.
Rows exported = articles in the index: **{rows == articles}**. Pages of 1,000 through a point-in-time
with `search_after`; the API holds one page at a time.
"""
    write_result(args.out, text)


if __name__ == "__main__":
    main()
