"""`morgue index --workers N`: cleaning, parsing and enrichment in worker processes give the same stored
articles as one process, and a worker that dies loses no input."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from indexer import schema
from indexer.pipeline import Indexer
from indexer.process import Options
from indexer.raw import RawArticle
from indexer.workers import PreparePool

SAMPLE = Path(__file__).resolve().parents[1] / "sample_archive"
COMPARED = [schema.TITLE, schema.OUTLET, schema.DATE, schema.BODY, schema.QUOTES, schema.SOURCE, "people",
            "organizations", "places"]


def _stored(es, alias: str) -> dict[str, dict]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=1000, query={"match_all": {}}, source_excludes=["*.vector", "passages"])
    docs = {}
    for hit in hits["hits"]["hits"]:
        source = hit["_source"]
        for quote in source.get(schema.QUOTES, []):
            quote.pop("vector", None)
        docs[hit["_id"]] = {field: source.get(field) for field in COMPARED}
    return docs


def test_workers_store_what_one_process_stores(es, morgue, index_prefix, tmp_path):
    """Each run with its own caches, so that the second one prepares everything again."""
    runs = {}
    for workers in (0, 2):
        alias = f"{index_prefix}-workers-{workers}"
        summary = Indexer(es, morgue.embedder, alias, tmp_path / f"cache-{workers}", morgue.nlp).run(
            [SAMPLE], quiet=True, group=False, workers=workers)
        runs[workers] = (summary.counts, sorted((r.source, r.reason) for r in summary.rejected), _stored(es, alias))
    assert runs[0][0] == runs[2][0] and runs[0][0]["indexed"] >= 25
    assert runs[0][1] == runs[2][1]
    one, two = runs[0][2], runs[2][2]
    assert one.keys() == two.keys()
    assert [doc_id for doc_id in one if one[doc_id] != two[doc_id]] == []
    assert any(doc[schema.QUOTES] for doc in two.values())  # the workers parsed: quotes with speakers came back


def test_a_killed_worker_loses_no_input():
    raws = [RawArticle(f"memory/{i}.txt", text=f"Item {i} of the council's agenda\n\nThe council met on Monday "
                                                f"to discuss item {i}, and voted to go on. " * 3, key=f"{i}.txt")
            for i in range(40)]
    pool = PreparePool(4, with_nlp=False)
    out: list = []
    try:
        for start in range(0, len(raws), 10):  # four batches in flight, none back yet (workers start in seconds)
            pool.submit(raws[start:start + 10], Options(), out.extend)
        assert out == []
        processes = dict(pool._pool._processes or {})  # the worker processes, to kill one as an OOM killer would
        deadline = time.monotonic() + 30
        while not processes and time.monotonic() < deadline:
            time.sleep(0.05)
            processes = dict(pool._pool._processes or {})
        os.kill(next(iter(processes)), signal.SIGKILL)
        pool.drain()
    finally:
        pool.close()
    assert pool.restarts >= 1
    assert sorted(item.source for item in out) == sorted(raw.source for raw in raws)
    assert all(hasattr(item, "body") for item in out), [getattr(item, "reason", None) for item in out]


def test_a_fresh_index_from_the_caches_stores_the_same_articles(es, morgue, index_prefix, tmp_path):
    """The second alias comes from the caches (prepared articles and vectors): same documents, nothing
    encoded, every article found in the prepared cache."""
    cache = tmp_path / "cache"
    first = Indexer(es, morgue.embedder, f"{index_prefix}-cache-a", cache, morgue.nlp)
    first.run([SAMPLE], quiet=True, group=False)
    second = Indexer(es, morgue.embedder, f"{index_prefix}-cache-b", cache, morgue.nlp)
    summary = second.run([SAMPLE], quiet=True, group=False)
    assert summary.encoded == 0
    stored_a, stored_b = _stored(es, f"{index_prefix}-cache-a"), _stored(es, f"{index_prefix}-cache-b")
    assert stored_a == stored_b and len(stored_b) == summary.counts["indexed"] >= 25
    (entries,) = second.prepared.db.execute("SELECT count(*) FROM articles").fetchone()
    assert entries >= len(stored_b)
