"""What the people, organisation and place facets of an index offer a journalist: how many distinct
values each has, the most frequent ones (what a facet shows first), and the values that cannot be a
name of their kind.

    python -m bench.entity_facets --alias bbc [--top 30]

"Cannot be a name": a company designator or a wire's table label alone ("Co", "Co Inc", "Shr", "Avg"),
a time zone ("GMT"), a body named by its kind alone ("Bank", "Commission"), a name ending in "and" or
"of" (a name the parse cut), or a "person" in capitals of currency ("U.S. Dlrs"). Counted in articles.
Written to bench/results/facets-<alias>.md.
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from bench.report import commit, write_result
from indexer import schema
from indexer.entities import DESIGNATORS, GENERIC_BODIES, NOT_NAME_WORDS
from morgue.core import Morgue

FIELDS = {"people": schema.PEOPLE, "organizations": schema.ORGANIZATIONS, "places": schema.PLACES}


def not_a_name(value: str) -> bool:
    words = value.lower().replace(".", "").split()
    return (not words or all(w in DESIGNATORS for w in words) or any(w in NOT_NAME_WORDS for w in words)
            or value in GENERIC_BODIES or bool(re.search(r"\s(?:and|of|&)$", value)))


def listed(buckets: list[dict]) -> str:
    return ", ".join(f"{b['key']} {b['doc_count']}" for b in buckets)


def main() -> None:
    here = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", required=True)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    es = Morgue().es.options(request_timeout=300)
    aggs = {}
    for kind, field in FIELDS.items():
        aggs[kind] = {"terms": {"field": field, "size": 30000}}
        aggs[f"{kind}_distinct"] = {"cardinality": {"field": field}}
    body = es.search(index=args.alias, size=0, track_total_hits=True,
                     query={"exists": {"field": schema.TITLE}}, aggs=aggs)
    articles = body["hits"]["total"]["value"]
    rows, tops = [], []
    for kind in FIELDS:
        buckets = body["aggregations"][kind]["buckets"]
        bad = [b for b in buckets if not_a_name(b["key"])]
        distinct = body["aggregations"][f"{kind}_distinct"]["value"]
        rows.append(f"| {kind} | {distinct:,} | {len(bad)} | {sum(b['doc_count'] for b in bad):,} | "
                    f"{listed(bad[:8]) or '—'} |")
        tops.append(f"- **{kind}**: {listed(buckets[:args.top])}")
    text = f"""# Entity facets of `{args.alias}`

Commit `{commit()}`, `python -m bench.entity_facets --alias {args.alias}`: {articles:,} articles. "Not a
name" is defined in the script's docstring (a designator or table label alone, a time zone, a body
named by its kind alone, a cut name); article counts.

| facet | distinct values | values not a name | their articles | the most frequent of them |
|---|---:|---:|---:|---|
""" + "\n".join(rows) + f"""

The first {args.top} values of each facet (articles):

""" + "\n".join(tops) + "\n"
    write_result(args.out or here / "bench" / "results" / f"facets-{args.alias}.md", text)


if __name__ == "__main__":
    main()
