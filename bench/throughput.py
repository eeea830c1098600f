"""Indexing throughput: the whole pipeline vs raw encoding of the same texts, same run.

    morgue es start            # or MORGUE_ES_URL=... for another cluster
    python bench/throughput.py [--corpus ../shared/data/bbc] [--limit 400] [--out bench/results/throughput.md]

Steps, all in one process so both figures share the machine's state:
1. warm the model up on a few passages;
2. the parse alone (spaCy, batched) of the same articles' cleaned texts: articles/s;
3. the pipeline (read, clean, parse, enrich, quotes, split, embed, bulk-write to Elasticsearch) into a fresh
   index with empty caches: texts (passages + quotes + leads)/s; then again with `--workers 1` and
   `--workers 2` (cleaning, parse and enrichment in worker processes), each with empty caches;
4. raw encoding (the encoder alone, `Embedder.encode`) of exactly the texts the pipeline embedded,
   same batch size: texts/s;
5. the pipeline again into another fresh index, now with the warm caches (vectors and prepared
   articles): the re-index speed-up, with and without story grouping.
The bench's indices and caches are deleted afterwards.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import commit, drop_alias, write_result  # noqa: E402
from indexer.pipeline import Indexer  # noqa: E402
from indexer.nlp import parse  # noqa: E402
from indexer.process import Options, prepare, process  # noqa: E402
from indexer.listing import iter_files  # noqa: E402
from indexer.raw import Rejected  # noqa: E402
from indexer.sources import read_path  # noqa: E402
from morgue.core import Morgue  # noqa: E402

WORKERS = (0, 1, 2)  # `morgue index --workers N`; 0 = everything in the indexing process


def pick_files(corpus: Path, limit: int) -> list[Path]:
    """BBC-style folders: `limit` article files spread over the folders. A JSONL export (Reuters, see
    bench/reuters.py): its first `limit` records, copied to a scratch file."""
    if corpus.is_file():
        lines = corpus.read_text(encoding="utf-8").splitlines()[:limit]
        scratch = Path(tempfile.mkdtemp(prefix="morgue-bench-corpus-")) / corpus.name
        scratch.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return [scratch]
    files = [item[0] for item in iter_files([corpus])
             if isinstance(item, tuple) and item[0].suffix.lower() == ".txt" and item[0].stem.isdigit()]
    step = max(len(files) // limit, 1)
    return files[::step][:limit]  # spread over the corpus's folders


def bodies_of(files: list[Path]) -> list[str]:
    """The cleaned texts the parser reads, by the pipeline's own first stage (no parse)."""
    raws = [item for path in files for item in read_path(path) if not isinstance(item, Rejected)]
    return [a.body for a in prepare(raws, Options()) if not isinstance(a, Rejected)]


def passages_of(files: list[Path]) -> list[str]:
    """What the pipeline embeds, by the pipeline's own chain: every passage, quote and lead."""
    texts: list[str] = []

    def record(batch: list[str]) -> list[list[float]]:
        texts.extend(batch)
        return [[0.0]] * len(batch)

    for path in files:
        process([item for item in read_path(path) if not isinstance(item, Rejected)], Options(), record)
    return texts


def run(corpus: Path, limit: int) -> dict:
    morgue = Morgue()
    es, embedder = morgue.es, morgue.embedder
    files = pick_files(corpus, limit)
    texts = passages_of(files)
    embedder.encode(texts[:64])  # warm-up
    nlp = morgue.nlp
    bodies = bodies_of(files)
    list(parse(nlp, bodies[:8]))  # warm-up
    started = time.perf_counter()
    list(parse(nlp, bodies))
    parse_seconds = time.perf_counter() - started
    caches = [Path(tempfile.mkdtemp(prefix="morgue-bench-cache-")) for _ in WORKERS]
    aliases = [f"bench-throughput-{os.getpid()}-{name}" for name in ("a", "b", "c", *(f"w{n}" for n in WORKERS))]
    try:
        cold = Indexer(es, embedder, aliases[0], caches[0], nlp).run(files, quiet=True)
        started = time.perf_counter()
        embedder.encode(texts, batch_size=32)
        raw_seconds = time.perf_counter() - started
        warm = Indexer(es, embedder, aliases[1], caches[0], nlp).run(files, quiet=True)
        warm_alone = Indexer(es, embedder, aliases[2], caches[0], nlp).run(files, quiet=True, group=False)
        workers = {n: Indexer(es, embedder, alias, cache, nlp).run(files, quiet=True, workers=n)
                   for n, alias, cache in zip(WORKERS[1:], aliases[4:], caches[1:])}
    finally:
        for cache in caches:
            shutil.rmtree(cache, ignore_errors=True)
        for alias in aliases:
            drop_alias(es, alias)
    return {
        "workers": {0: cold, **workers}, "warm_alone": warm_alone, "warm": warm, "cold": cold,
        "articles": sum(cold.counts.values()), "passages": cold.encoded, "bench_passages": len(texts),
        "pipeline_seconds": cold.seconds, "pipeline_rate": cold.encoded / cold.seconds,
        "raw_seconds": raw_seconds, "raw_rate": len(texts) / raw_seconds,
        "warm_seconds": warm.seconds, "warm_encoded": warm.encoded, "model": embedder.model_id,
        "parse_seconds": parse_seconds, "parsed": len(bodies),
    }


def _grouping(summary) -> float:
    return summary.stories.seconds if summary.stories else 0.0


def workers_table(r: dict) -> str:
    rows = "\n".join(f"| {n} | {s.seconds:.1f} | {_grouping(s):.1f} | {r['articles'] / s.seconds:.2f} | "
                      f"{r['articles'] / (s.seconds - _grouping(s)):.2f} | {s.encoded} | {s.encoded / s.seconds / r['raw_rate']:.2f} |"
                      for n, s in r["workers"].items())
    return f"""
`--workers N`, each run into a fresh index with empty caches (same articles):

| workers | seconds | of which story grouping | articles/s | articles/s before grouping | texts encoded | texts/s ÷ raw encode |
|---:|---:|---:|---:|---:|---:|---:|
{rows}
"""


def reindex_lines(r: dict) -> str:
    cold, warm, alone = r["cold"], r["warm"], r["warm_alone"]
    cold_alone = cold.seconds - _grouping(cold)
    return (f"- Re-index into a fresh index from the warm caches (vectors and prepared articles; {warm.encoded} texts "
            f"encoded): **{cold.seconds / warm.seconds:.1f}×** faster than the first run with story grouping in both "
            f"({cold.seconds:.1f} s → {warm.seconds:.1f} s, of which grouping {_grouping(warm):.1f} s); without "
            f"grouping **{cold_alone / alone.seconds:.1f}×** ({cold_alone:.1f} s → {alone.seconds:.1f} s).")


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("MORGUE_SHARED", root.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=shared / "data" / "bbc")
    parser.add_argument("--limit", type=int, default=400)
    parser.add_argument("--out", type=Path, help="default bench/results/throughput-<corpus>.md")
    args = parser.parse_args()
    args.out = args.out or root / "bench" / "results" / f"throughput-{args.corpus.stem}.md"
    r = run(args.corpus, args.limit)
    ratio = r["pipeline_rate"] / r["raw_rate"]
    from indexer.nlp import PIPELINE as nlp_name
    text = f"""# Indexing throughput: pipeline vs raw encoding

Commit `{commit()}`, `python bench/throughput.py --limit {args.limit}` on `{args.corpus.name}`, {os.cpu_count()} CPUs,
encoder `{r['model']}`, batch size 32. One run; the two rates share it.

Texts = passages, quotes and leads (title + opening): all are embedded; the pipeline's count is the
texts it encoded (texts repeated within the run are encoded once).

| step | articles | texts | seconds | texts/s |
|---|---:|---:|---:|---:|
| raw encoding (same texts) | | {r['bench_passages']} | {r['raw_seconds']:.1f} | {r['raw_rate']:.1f} |
| whole pipeline, empty cache | {r['articles']} | {r['passages']} | {r['pipeline_seconds']:.1f} | {r['pipeline_rate']:.1f} |
| whole pipeline, warm cache (fresh index) | {r['articles']} | {r['passages']} | {r['warm_seconds']:.1f} | {r['passages'] / r['warm_seconds']:.1f} |

- Pipeline (with the parse) / raw encode: **{ratio:.2f}** (target ≥ 0.80).
- The parse alone (spaCy `{nlp_name}`, `nlp.pipe`, batch 32): {r['parsed']} articles in {r['parse_seconds']:.1f} s,
  **{r['parsed'] / r['parse_seconds']:.1f} articles/s**; the encoder alone: {r['articles'] / r['raw_seconds']:.1f} articles/s
  ({r['bench_passages'] / max(r['articles'], 1):.1f} texts an article).
{workers_table(r)}
{reindex_lines(r)}
"""
    write_result(args.out, text)


if __name__ == "__main__":
    main()
