"""Three nodes of one cluster from the same distribution, an index of three shards with one replica:
a node going away loses no query and no document, and bulk writes that Elasticsearch refuses with 429
(each node's write queue is kept tiny here) are retried until stored (issue 21). The cluster is this
module's own, on free ports, whatever MORGUE_ES_URL says; made-up articles (tests/records.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from indexer import schema, store
from indexer.local_cluster import LocalCluster
from indexer.settings import Settings
from records import synthetic_articles
from conftest import app_for, serving

ARTICLES = 400
# One write thread and a queue of one per node: a bulk request's shard-level writes overflow it and are
# refused with es_rejected_execution_exception (429), as an overloaded production node does.
SMALL_WRITE_QUEUE = ("thread_pool.write.size: 1", "thread_pool.write.queue_size: 1")
ALIAS = "cluster-test"
QUERIES = [("keyword", "bus fares"), ("semantic", "how much does the bus cost"), ("hybrid", "flood barrier vote"),
           ("keyword", "\"Ada Quill\""), ("hybrid", "councillors rejected the wind farm")]


@pytest.fixture(scope="module")
def cluster():
    settings = Settings()
    folder = Path(tempfile.mkdtemp(prefix="morgue-test-cluster-"))
    nodes = LocalCluster(folder, settings.home, nodes=3, heap=os.environ.get("MORGUE_TEST_ES_HEAP", "512m"),
                         dist=settings.es_dist, extra=SMALL_WRITE_QUEUE)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.remove()


def _index(cluster: LocalCluster, corpus: Path, home: Path) -> subprocess.Popen:
    """`morgue index` in its own process, as a user runs it, against every node of the cluster."""
    env = {**os.environ, "MORGUE_ES_URL": ",".join(cluster.urls), "MORGUE_INDEX": ALIAS, "MORGUE_HOME": str(home),
           "MORGUE_SHARDS": "3", "MORGUE_REPLICAS": "1"}
    return subprocess.Popen([sys.executable, "-m", "morgue", "index", str(corpus), "--quiet", "--json",
                             "--no-watches", "--no-stories"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _count(es: Elasticsearch) -> int:
    return es.options(ignore_status=404).count(index=ALIAS).body.get("count", 0)


def _master(cluster: LocalCluster, es: Elasticsearch) -> int:
    """The node to stop: the elected master (its going away also means an election)."""
    name = es.cat.master(format="json")[0]["node"]
    return cluster.layout().names.index(name)


def _green(es: Elasticsearch) -> None:
    health = es.cluster.health(wait_for_status="green", wait_for_nodes="3", timeout="120s")
    assert health["status"] == "green", health


@pytest.fixture(scope="module")
def ingested(cluster, tmp_path_factory):
    """A node stopped while `morgue index` writes: the run goes on (or fails resumably), and a second
    run ends with every article stored exactly once."""
    folder = tmp_path_factory.mktemp("cluster-ingest")
    corpus = folder / "articles.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in synthetic_articles(ARTICLES)))
    es = Elasticsearch(cluster.urls, request_timeout=30, retry_on_timeout=True, max_retries=3)
    first = _index(cluster, corpus, folder / "home")
    deadline = time.monotonic() + 600
    while (written := _count(es)) < 64 and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    stopped = _master(cluster, es)
    cluster.stop_node(stopped)
    out, err = first.communicate(timeout=900)
    second = _index(cluster, corpus, folder / "home")
    out2, err2 = second.communicate(timeout=900)
    rejected = _rejected(es)
    cluster.start_node(stopped)
    _green(es)
    es.indices.refresh(index=ALIAS)
    yield {"written_before_stop": written, "rejected_writes": rejected, "first": (first.returncode, out, err), "second": (second.returncode, out2, err2),
           "count": _count(es), "es": es}
    es.close()


def _counts(out: str) -> dict | None:
    try:
        return json.loads(out.strip().splitlines()[-1])["counts"]
    except (IndexError, ValueError, KeyError):
        return None


def test_a_node_stopped_during_ingest_loses_nothing(ingested, artifacts):
    (artifacts / "cluster-ingest.json").write_text(json.dumps({
        "articles": ARTICLES, "stored_when_the_master_was_stopped": ingested["written_before_stop"],
        "first_run": {"exit": ingested["first"][0], "counts": _counts(ingested["first"][1]),
                      "stderr": ingested["first"][2][-500:]},
        "second_run": {"exit": ingested["second"][0], "counts": _counts(ingested["second"][1])},
        "write_requests_refused_with_429_by_the_nodes_still_up": ingested["rejected_writes"],
        "stored_after": ingested["count"]}, indent=1))
    assert 0 < ingested["written_before_stop"] < ARTICLES, "the node must go away in the middle of the run"
    code, out, err = ingested["second"]
    assert code == 0, err[-2000:]
    counts = _counts(out)
    assert counts["rejected"] == 0 and counts["indexed"] + counts["updated"] + counts["unchanged"] == ARTICLES, counts
    assert ingested["count"] == ARTICLES
    replicas = ingested["es"].indices.get_settings(index=ALIAS, name="index.number_of_*")
    assert {(s["settings"]["index"]["number_of_shards"], s["settings"]["index"]["number_of_replicas"])
            for s in replicas.values()} == {("3", "1")}


def _rejected(es: Elasticsearch) -> int:
    return sum(node["thread_pool"]["write"]["rejected"] for node in es.nodes.stats(metric="thread_pool")["nodes"].values())


def test_bulk_writes_refused_with_429_are_retried_until_stored(ingested, artifacts):
    """Six bulk writes at once against write queues of one: Elasticsearch refuses shard writes with 429,
    `store.write` backs off and sends them again, and every document is stored."""
    es = ingested["es"]
    index = next(iter(es.indices.get_alias(name=ALIAS)))
    hits = es.search(index=ALIAS, size=40, sort=[{schema.ID: "asc"}], source={"excludes": [], "exclude_vectors": False})
    originals = [h["_source"] for h in hits["hits"]["hits"]]
    batches = [[{**doc, schema.ID: f"again-{k}-{doc[schema.ID]}"} for doc in originals] for k in range(6)]
    before = _rejected(es)
    with ThreadPoolExecutor(len(batches)) as pool:
        refused = list(pool.map(lambda docs: store.write(es, index, docs), batches))
    rejected = _rejected(es) - before
    es.indices.refresh(index=ALIAS)
    stored = es.count(index=ALIAS, query={"prefix": {schema.ID: "again-"}})["count"]
    (artifacts / "cluster-429.json").write_text(json.dumps({"bulk_writes_at_once": len(batches), "documents": 240,
                                                           "shard_writes_refused_with_429": rejected,
                                                           "stored": stored}, indent=1))
    assert refused == [{}] * len(batches)
    assert rejected > 0, "the write queues should have refused some shard writes"
    assert stored == sum(map(len, batches))
    store.delete(es, index, [d[schema.ID] for docs in batches for d in docs])  # the searches below count the 400
    es.indices.refresh(index=ALIAS)


def test_a_node_stopped_during_searches_fails_no_query(cluster, ingested, artifacts):
    es = ingested["es"]
    failures: list[str] = []
    answered: list[tuple[str, str, int]] = []
    done = threading.Event()
    with serving(app_for(",".join(cluster.urls), ALIAS)) as base:
        expected = {q: _total(base, q) for q in QUERIES}
        assert all(total > 0 for total in expected.values()), expected

        def client(offset: int) -> None:
            i = offset
            while not done.is_set():
                query = QUERIES[i % len(QUERIES)]
                i += 1
                try:
                    total = _total(base, query)
                except (urllib.error.URLError, OSError) as exc:
                    failures.append(f"{query}: {exc}")
                    continue
                answered.append((*query, total))
                # A keyword count is exact on any copy of a shard; a count by meaning is a similarity floor
                # over int8 vectors quantised per segment, which a replica cuts differently: it must not vanish.
                if total != expected[query] if query[0] == "keyword" else total <= 0:
                    failures.append(f"{query}: {total} matches, {expected[query]} before")

        threads = [threading.Thread(target=client, args=(k,)) for k in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        before = len(answered)
        stopped = _master(cluster, es)
        cluster.stop_node(stopped)
        time.sleep(5)
        done.set()
        for thread in threads:
            thread.join(timeout=60)
    (artifacts / "cluster-searches.json").write_text(json.dumps({
        "clients": len(threads), "answered_before_the_stop": before, "answered": len(answered), "failed": len(failures),
        "failures": failures[:10]}, indent=1))
    assert before > 0 and len(answered) > before + 10, (before, len(answered))
    assert failures == [], failures[:5]
    cluster.start_node(stopped)
    _green(es)


def _total(base: str, query: tuple[str, str]) -> int:
    mode, q = query
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode})
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)["total"]
