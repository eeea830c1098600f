"""The similarity floors of meaning, chosen by measurement: what a search counts as close in meaning
(search_api.query.MATCH_FLOOR, the best F1) and what a meaning watch reports (search_api.watches.SEMANTIC_FLOOR,
the best F0.5).

A meaning watch reports an article when its closest passage or its lead is at least `floor` close to
the watch's words (cosine). On the Reuters dev queries (bench/data/reuters_dev_queries.jsonl; a story
is relevant when its TOPICS include the query's topic) over the index the relevance bench built, each
floor from 0.60 to 0.90 is scored by precision, recall, F1 and F0.5 of "reported" against
"relevant", per query and averaged; the floor is the best F0.5 (an alert must be worth opening). Each query's 1,000 closest passages and 1,000 closest leads are read once; an
article outside both has a similarity below every floor that is reported as covered.

    python -m bench.watch_floor [--alias bench-relevance-reuters]
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from bench.relevance import DEV_QUERIES
from bench.report import write_result
from bench import reuters as reuters_sgml
from indexer import schema
from morgue.core import Morgue

K = 1000
FLOORS = [round(0.60 + 0.01 * i, 2) for i in range(31)]


def f_beta(p: float, r: float, beta: float) -> float:
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def closest(ctx, vector: list[float]) -> dict[str, float]:
    """{article id: max cosine of its passages and lead} over the K closest of each, and the lowest
    similarity read (below it, nothing is known)."""
    best: dict[str, float] = {}
    lowest = 1.0
    for field in (schema.PASSAGE_VECTOR, schema.LEAD_VECTOR):
        hits = ctx.es.search(index=ctx.alias, knn=schema.knn(field, vector, K, 2 * K),
                             size=K, source=False)["hits"]["hits"]
        for hit in hits:
            cosine = schema.cosine_from_score(hit["_score"])
            best[hit["_id"]] = max(best.get(hit["_id"], -1.0), cosine)
        if hits:
            lowest = min(lowest, schema.cosine_from_score(hits[-1]["_score"]))
    return best | {"": lowest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alias", default="bench-relevance-reuters")
    args = parser.parse_args()
    shared = Path(os.environ.get("MORGUE_SHARED", "../shared"))
    stories = [s for s in reuters_sgml.stories(shared / "data" / "reuters21578") if s is not None]
    queries = [json.loads(line) for line in DEV_QUERIES.read_text().splitlines() if line.strip()]
    root = Morgue(alias=args.alias)
    ctx = root.context
    rows, covered = {f: [] for f in FLOORS}, 1.0
    for query in queries:
        relevant = {s["id"] for s in stories if query["topic"] in s["topics"]}
        sims = closest(ctx, ctx.encode_query(query["text"]))
        covered = min(covered, sims.pop(""))
        for floor in FLOORS:
            reported = {i for i, cos in sims.items() if cos >= floor}
            hit = len(reported & relevant)
            p = hit / len(reported) if reported else 1.0
            r = hit / len(relevant) if relevant else 1.0
            rows[floor].append((p, r, f_beta(p, r, 1.0), f_beta(p, r, 0.5), len(reported)))
    table = ["| floor | precision | recall | F1 | F0.5 | articles reported per query |", "|---:|---:|---:|---:|---:|---:|"]
    means, f1 = {}, {}
    for floor in FLOORS:
        p, r, f, half, n = (sum(x[i] for x in rows[floor]) / len(queries) for i in range(5))
        means[floor], f1[floor] = half, f
        table.append(f"| {floor:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | {half:.3f} | {n:.0f} |")
    best = max(means, key=means.get)
    text = (f"# Meaning watches: the similarity floor\n\nModel {ctx.embedder.model_id}, index {args.alias}, "
            f"{len(queries)} Reuters dev queries (macro averages; a story is relevant when its TOPICS include the "
            f"query's topic). Each query's {K:,} closest passages and leads were read: the lowest similarity read "
            f"was {covered:.3f}, so floors at or above it are exact.\n\n" + "\n".join(table) +
            f"\n\nChosen by F0.5 (precision counts twice as much as recall: an alert must be worth opening): "
            f"**{best:.2f}** (F0.5 {means[best]:.3f}, F1 {f1[best]:.3f}). What a search counts as close in "
            f"meaning (its count, facets and timeline) is the best F1, precision and recall weighed alike: "
            f"**{max(f1, key=f1.get):.2f}** (F1 {max(f1.values()):.3f}).\n\n`python -m bench.watch_floor`\n")
    write_result(Path(__file__).resolve().parent / "results" / "watch-floor.md", text)
    root.close()


if __name__ == "__main__":
    main()
