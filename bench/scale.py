"""Cost growth: one index grown to 20k, 100k and 200k articles, measured at each size. The articles
are SYNTHETIC: perturbed copies of a real indexed alias (default `bbc`): about one word in seven
replaced by another word of the corpus, dates moved, and every vector (passages, quotes, lead) the
source's plus small Gaussian noise, re-normalised (no encoder: the cost measured is Elasticsearch's
and the API's, not the model's). Copies carry a story of their own, so grouping only handles the probe.

    morgue es start && MORGUE_INDEX=bbc morgue index ../shared/data/bbc
    python -m bench.scale [--source bbc] [--sizes 20000,100000,200000] [--queries 60]

At each size: query p50/p95 per mode (in-process search service, one client; query vectors encoded
and cached before timing, so the figures are retrieval, not the encoder), index size per article
(primaries), JVM heap used, the node's resident memory, and story grouping of 200 real articles
added without a story (ms/article). Written to bench/results/scale.md (--out).
"""
from __future__ import annotations

import argparse
import copy
import random
import re
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from elasticsearch import helpers

from bench.latency import percentile, sample_queries
from bench.report import commit, write_result
from indexer import schema, stories, story_evidence
from morgue.core import Morgue
from search_api.query import SearchQuery
from search_api.search import search

MODES = ("keyword", "semantic", "hybrid")
PROBE = 200
NOISE = 0.02


def source_docs(es, alias: str) -> list[dict]:
    docs = []
    body = {"query": {"match_all": {}}, "_source": {"excludes": [], "exclude_vectors": False}}
    for hit in helpers.scan(es, index=alias, query=body, size=200):
        docs.append({"id": hit["_id"], **hit["_source"]})
    return docs


def _noisy(vector: list[float], rng: np.random.Generator) -> list[float]:
    v = np.asarray(vector, dtype=np.float32) + rng.normal(0, NOISE, len(vector)).astype(np.float32)
    return (v / np.linalg.norm(v)).round(6).tolist()


def perturbed(doc: dict, k: int, vocabulary: list[str], rng: np.random.Generator, prng: random.Random) -> dict:
    def words(text: str) -> str:
        return re.sub(r"[A-Za-z]{4,}", lambda m: prng.choice(vocabulary) if prng.random() < 0.15 else m.group(0), text)

    out = copy.deepcopy(doc)
    out.pop("id")
    out[schema.ID] = f"synthetic-{k}-{doc['id']}"
    out[schema.TITLE] = words(doc.get(schema.TITLE) or "")
    out[schema.BODY] = words(doc.get(schema.BODY) or "")
    out[schema.SOURCE] = out[schema.FILE] = f"synthetic/{k}/{doc.get(schema.FILE) or doc['id']}"
    if doc.get(schema.DATE):
        when = date.fromisoformat(doc[schema.DATE][:10]) + timedelta(days=(k * 37) % 3650)
        out.update({schema.DATE: when.isoformat(), schema.YEAR: when.year, schema.MONTH: when.month, schema.DAY: when.day})
    out[schema.STORY] = f"synthetic-{k}-{doc.get(schema.STORY) or doc['id']}"
    out[schema.FINGERPRINT] = story_evidence.fingerprint(out[schema.BODY])
    out[schema.LEAD_VECTOR] = _noisy(doc[schema.LEAD_VECTOR], rng)
    for passage in out.get(schema.PASSAGES) or []:
        passage["vector"] = _noisy(passage["vector"], rng)
    for quote in out.get(schema.QUOTES) or []:
        if quote.get("vector"):
            quote["vector"] = _noisy(quote["vector"], rng)
    return out


def grow(es, index: str, docs: list[dict], start: int, stop: int, vocabulary: list[str]) -> float:
    """Copies number start…stop-1 written; seconds taken."""
    rng, prng = np.random.default_rng(start), random.Random(start)
    began = time.perf_counter()

    def actions():
        for n in range(start, stop):
            doc = perturbed(docs[n % len(docs)], n // len(docs), vocabulary, rng, prng)
            yield {"_index": index, "_id": doc[schema.ID], "_source": doc}

    for ok, item in helpers.streaming_bulk(es, actions(), chunk_size=200, max_retries=5, raise_on_error=True):
        pass
    es.indices.refresh(index=index)
    return time.perf_counter() - began


def grouping_ms(es, index: str, docs: list[dict], size: int) -> float:
    """PROBE real articles written again without a story (new ids), then grouped: ms per article."""
    probe = []
    for doc in docs[:PROBE]:
        d = copy.deepcopy(doc)
        original = d.pop("id")
        d.pop(schema.STORY, None)
        d.pop(schema.STORY_REASON, None)
        d[schema.ID] = f"probe-{size}-{original}"
        probe.append({"_index": index, "_id": d[schema.ID], "_source": d})
    helpers.bulk(es, probe, chunk_size=100)
    es.indices.refresh(index=index)
    run = stories.assign(es, index)
    helpers.bulk(es, ({"_op_type": "delete", "_index": index, "_id": a["_id"]} for a in probe))  # no _delete_by_query
    es.indices.refresh(index=index)
    return 1000 * run.seconds / max(run.articles, 1)


def memory(es) -> tuple[float, float]:
    node = next(iter(es.nodes.stats(metric="jvm")["nodes"].values()))
    heap = node["jvm"]["mem"]["heap_used_in_bytes"] / 2**20
    pid = next(iter(es.nodes.info(metric="process")["nodes"].values()))["process"]["id"]  # a local node only
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    except (OSError, AttributeError, TypeError):
        rss = float("nan")
    return heap, rss


def measure(ctx, queries: list[str]) -> dict[str, tuple[float, float]]:
    for q in queries:
        ctx.encode_query(q)  # cached: the timings below are retrieval, fusion and presentation
    out = {}
    for mode in MODES:
        for q in queries[:5]:
            search(ctx, SearchQuery(q=q, mode=mode))
        times = []
        for q in queries:
            began = time.perf_counter()
            search(ctx, SearchQuery(q=q, mode=mode))
            times.append(1000 * (time.perf_counter() - began))
        out[mode] = (percentile(times, 50), percentile(times, 95))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="bbc")
    parser.add_argument("--sizes", default="20000,100000,200000")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--alias", default="bench-scale")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "scale.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    root = Morgue()
    es = root.es
    docs = source_docs(es, args.source)
    vocabulary = sorted({w for d in docs[:300] for w in re.findall(r"[a-z]{4,}", d.get(schema.BODY) or "")})
    index = schema.version_name(args.alias, 1)
    es.options(ignore_status=404).indices.delete(index=index)
    mapping = es.indices.get_mapping(index=args.source)
    es.indices.create(index=index, mappings=next(iter(mapping.values()))["mappings"],
                      settings=schema.index_settings(root.layout))
    es.indices.put_alias(index=index, name=args.alias)
    morgue = root.with_alias(args.alias)
    queries = sample_queries(es, args.source, args.queries)
    rows, written = [], 0
    for size in sizes:
        seconds = grow(es, index, docs, written, size, vocabulary)
        rate = (size - written) / seconds
        written = size
        # No force-merge: a live archive is searched as Elasticsearch's merge policy leaves it (and merging
        # 200k articles' HNSW graphs into one segment would take longer than this whole bench).
        store = es.indices.stats(index=index, metric="store,docs,segments")["_all"]["primaries"]
        timings = measure(morgue.context, queries)
        heap, rss = memory(es)
        rows.append((size, rate, store["store"]["size_in_bytes"] / size, timings, heap, rss,
                     grouping_ms(es, index, docs, size), store["segments"]["count"]))
        print(rows[-1], flush=True)
    table = "\n".join(
        f"| {size:,} | " + " | ".join(f"{t[m][0]:.0f} / {t[m][1]:.0f}" for m in MODES)
        + f" | {per / 1024:.1f} | {heap:.0f} | {rss:.0f} | {group:.0f} | {rate:.0f} | {segments} |"
        for size, rate, per, t, heap, rss, group, segments in rows)
    write_result(args.out, f"""# Cost growth with the archive's size (synthetic)

Commit `{commit()}`, `python -m bench.scale --source {args.source} --sizes {args.sizes}`: one index
grown to each size from {len(docs):,} real `{args.source}` articles, copied with perturbed text, moved dates
and noisy vectors (**synthetic**: see the module's docstring), {root.layout.shards} shard(s), as the merge
policy leaves it (no force-merge); {len(queries)} queries (titles of real articles), one client,
in-process search service, query vectors encoded beforehand. Node heap {root.settings.es_heap}, 2 CPUs. One run.

| articles | keyword p50 / p95 ms | semantic p50 / p95 ms | hybrid p50 / p95 ms | index KB/article | JVM heap used MB | node RSS MB | story grouping ms/article | bulk articles/s | segments |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{table}

Index size per article is the primaries' store (text, passages, vectors as floats and as int8 HNSW)
divided by the articles. Story grouping: {PROBE} real articles added without a story, grouped against
the whole index (candidate look-ups are capped, so the cost follows the look-ups, not the size).
""")
    es.indices.delete(index=index)


if __name__ == "__main__":
    main()
