"""Pairs of articles to judge by reading, for story grouping (bench/data/story_pairs.tsv).

    python -m bench.story_pairs --alias bbc --corpus bbc --joined 80 --seed 1 > pairs.txt
    python -m bench.story_pairs --alias reuters --corpus reuters --joined 120 --same-day 100 --seed 1

Two kinds of pair, drawn at random (fixed seed) from an index that has been grouped:
- **joined**: a story's first article and another member of it (what the grouping claims);
- **same-day, not joined**: an article and its nearest lead vector among the articles of the same day
  that the grouping put in another story (the pairs most likely to be misses).
Each pair is printed with both titles and the opening of both texts, so a person can judge "same
event" or not; the TSV rows (corpus, key a, key b, kind) go to the labels file with the judgement
added. Keys are where the article sits in its corpus ("business/001.txt", Reuters "NEWID"), so the
labels do not depend on document ids; no article text is stored.
"""
from __future__ import annotations

import argparse
import random

from indexer import schema
from morgue.core import Morgue

OPENING = 320


def key(corpus: str, source: dict, doc_id: str) -> str:
    if corpus == "reuters":
        return doc_id.removeprefix("reuters-")
    return (source.get(schema.FILE) or "").removeprefix("bbc/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", required=True)
    parser.add_argument("--corpus", choices=["bbc", "reuters"], required=True)
    parser.add_argument("--joined", type=int, default=100)
    parser.add_argument("--same-day", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    es = Morgue().es
    fields = [schema.TITLE, schema.BODY, schema.DATE, schema.STORY, schema.FILE]
    rng = random.Random(args.seed)
    rows = []
    # joined: from the multi-member stories
    stories = es.search(index=args.alias, size=0, aggs={"s": {"terms": {"field": schema.STORY, "min_doc_count": 2,
                                                                        "size": 20_000}}})["aggregations"]["s"]["buckets"]
    picked = rng.sample(stories, min(args.joined, len(stories)))
    for bucket in picked:
        hits = es.search(index=args.alias, size=50, query={"term": {schema.STORY: bucket["key"]}},
                         source=fields, sort=[{schema.DATE: {"order": "asc", "missing": "_last"}}, {schema.ID: "asc"}])
        members = hits["hits"]["hits"]
        first, other = members[0], rng.choice(members[1:])
        rows.append(("joined", first, other))
    # same day, not joined: the nearest lead of the same day in another story
    if args.same_day:
        dated = es.search(index=args.alias, size=3000, query={"function_score": {
            "query": {"exists": {"field": schema.DATE}}, "random_score": {"seed": args.seed, "field": "_seq_no"}}},
            source={"includes": fields + [schema.LEAD_VECTOR], "exclude_vectors": False})["hits"]["hits"]
        for hit in dated:
            if len([r for r in rows if r[0] == "same day"]) >= args.same_day:
                break
            source = hit["_source"]
            near = es.search(index=args.alias, size=1, source=fields, knn={
                "field": schema.LEAD_VECTOR, "query_vector": source[schema.LEAD_VECTOR], "k": 5, "num_candidates": 50,
                "filter": {"bool": {"filter": [{"term": {schema.DATE: source[schema.DATE]}}],
                                    "must_not": [{"term": {schema.STORY: source[schema.STORY]}}]}}})["hits"]["hits"]
            if near:
                rows.append(("same day", hit, near[0]))
    for n, (kind, a, b) in enumerate(rows, 1):
        sa, sb = a["_source"], b["_source"]
        print(f"## {n} {kind}\t{args.corpus}\t{key(args.corpus, sa, a['_id'])}\t{key(args.corpus, sb, b['_id'])}")
        for s in (sa, sb):
            opening = " ".join((s.get(schema.BODY) or "").split())[:OPENING]
            print(f"  [{s.get(schema.DATE)}] {s.get(schema.TITLE)} — {opening}")


if __name__ == "__main__":
    main()
