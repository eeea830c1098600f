"""What the story grouping made of an index: how many articles share a story, the largest stories,
copies, the time per article, and random groups to read.

    python -m bench.story_groups --alias morgue [--rebuild] [--groups 10] [--seed 1]

--rebuild forgets every story and groups the whole index again (`morgue stories --rebuild`, timed;
nothing is re-embedded). Written to bench/results/stories-<alias>.md.
"""
from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from elasticsearch import helpers

from bench.report import commit, write_result
from indexer import schema, stories
from morgue.core import Morgue


def main() -> None:
    here = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alias", required=True)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    es = Morgue().es.options(request_timeout=600)
    index = next(iter(es.indices.get_alias(name=args.alias)))
    timing = ""
    if args.rebuild:
        before = stories.current(es, index)
        stories.forget(es, index)
        run = stories.assign(es, index)
        stories.keep_ids(es, index, before)
        timing = (f"- `--rebuild`: {run.articles} articles grouped in {run.seconds:.1f} s, "
                  f"**{1000 * run.seconds / max(run.articles, 1):.1f} ms per article** ({run.joined} joined a story: "
                  f"{', '.join(f'{k} {v}' for k, v in sorted(run.reasons.items())) or 'none'}).\n")
    es.indices.refresh(index=index)
    fields = [schema.STORY, schema.STORY_REASON, schema.TITLE, schema.DATE, schema.OUTLET]
    docs = []
    for hit in helpers.scan(es, index=index, query={"query": {"match_all": {}}, "_source": fields}):
        docs.append({"id": hit["_id"], **hit["_source"]})
    size = Counter(d.get(schema.STORY) for d in docs)
    shared = [d for d in docs if size[d.get(schema.STORY)] > 1]
    copies = sum(1 for d in docs if (d.get(schema.STORY_REASON) or "").startswith("copy of"))
    largest = size.most_common(5)
    by_story: dict[str, list[dict]] = {}
    for d in shared:
        by_story.setdefault(d[schema.STORY], []).append(d)
    rng = random.Random(args.seed)
    sample = rng.sample(sorted(by_story), min(args.groups, len(by_story)))
    lines = []
    for story in sample:
        members = sorted(by_story[story], key=lambda d: (d.get(schema.DATE) or "9999", d["id"]))
        lines.append(f"- {len(members)} articles:")
        for m in members:
            how = " (copy)" if (m.get(schema.STORY_REASON) or "").startswith("copy of") else ""
            lines.append(f"  - {m.get(schema.DATE) or 'undated'} · {m.get(schema.OUTLET) or '?'} · {m.get(schema.TITLE)}{how}")
    titles = {d["id"]: d.get(schema.TITLE) for d in docs}
    top = "\n".join(f"| {n} | {titles.get(s, s)} |" for s, n in largest if n > 1)
    text = f"""# Stories in `{args.alias}`

Commit `{commit()}`, `python -m bench.story_groups --alias {args.alias}{' --rebuild' if args.rebuild else ''}`.

{timing}- Articles: {len(docs)}; in a story with others: **{len(shared)} ({len(shared) / max(len(docs), 1):.1%})**, in
  {len(by_story)} multi-article stories; copies: {copies}; largest story: **{largest[0][1] if largest else 0}** articles.

| articles | story (its first article) |
|---:|---|
{top}

{args.groups} stories with several articles, drawn at random (seed {args.seed}), members oldest first:

{chr(10).join(lines)}
"""
    write_result(args.out or here / "bench" / "results" / f"stories-{args.alias}.md", text)


if __name__ == "__main__":
    main()
