"""Do two builds of the same collection rank the same? TIME indexed twice into two fresh indexes by
the real indexer, every judged query sent to both in each mode; counts the queries whose ranked ids,
scores (to 7 decimals) or totals differ between the builds, beside each build's nDCG@10.

    python -m bench.repeat            # TIME, from MORGUE_SHARED

Written to bench/results/repeat-time.md. Why builds could differ at all: how the bulk was cut into
segments changes each segment's int8 quantisation and Lucene's internal doc ids (indexer/schema.py's
`knn`, search_api/plan.py's `RELEVANCE`).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.relevance import build, load_time, ndcg, plain
from bench.report import commit, drop_alias, write_result
from morgue.core import Morgue
from search_api.query import SearchQuery
from search_api.search import search

MODES = {"keyword": {"mode": "keyword"}, "semantic": {"mode": "semantic"}, "hybrid (default)": {"mode": "hybrid"},
         "hybrid, convex alpha=0.5": {"mode": "hybrid", "fusion": "convex", "alpha": 0.5}}


def answers(morgue: Morgue, queries: dict[str, str]) -> dict[str, dict[str, tuple]]:
    """mode → query → (ranked ids, their scores rounded to 7 decimals, total)."""
    ctx = morgue.context
    out: dict[str, dict[str, tuple]] = {}
    for label, params in MODES.items():
        out[label] = {}
        for qid, text in queries.items():
            result = search(ctx, SearchQuery(q=text, size=100, **params))
            out[label][qid] = (tuple(h.id for h in result.hits), tuple(round(h.score, 7) for h in result.hits),
                               result.total)
    return out


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("MORGUE_SHARED", root.parent / "shared")))
    args = parser.parse_args()
    docs, queries, qrels = load_time(args.shared / "data" / "time")
    queries = {q: plain(text) for q, text in queries.items() if qrels.get(q)}
    runs = []
    for build_no in (1, 2):
        morgue = Morgue().with_alias(f"bench-repeat-{os.getpid()}-{build_no}")
        try:
            build(morgue, docs, "time")
            runs.append(answers(morgue, queries))
        finally:
            drop_alias(morgue.es, morgue.alias)
    first, second = runs
    rows = []
    for label in MODES:
        a, b = first[label], second[label]
        scores = [sum(ndcg(list(run[q][0]), qrels[q]) for q in queries) / len(queries) for run in (a, b)]
        rows.append(f"| {label} | {scores[0]:.4f} | {scores[1]:.4f} | {sum(a[q][0] != b[q][0] for q in queries)} | "
                    f"{sum(a[q][1] != b[q][1] for q in queries)} | {sum(a[q][2] != b[q][2] for q in queries)} |")
    table = "\n".join(rows)
    write_result(root / "bench" / "results" / "repeat-time.md", f"""# Two builds of TIME, the same answers?

Commit `{commit()}`, `python -m bench.repeat`: {len(docs)} articles indexed twice into fresh indexes (each
merged to one segment, as bench.relevance does), {len(queries)} judged queries, size 100, in each mode.

| mode | nDCG@10, build 1 | nDCG@10, build 2 | queries whose ranked ids differ | scores differ | totals differ |
|---|---:|---:|---:|---:|---:|
{table}
""")


if __name__ == "__main__":
    main()
