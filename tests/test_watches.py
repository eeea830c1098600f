"""Watches against the real node, encoder and parser: saved searches evaluated after index runs, a
real webhook receiver (a server this test starts), exactly-once reporting while indexing runs
concurrently, the Atom feed read by feedparser, changes since a watermark for dashboards."""
from __future__ import annotations

import json
import shutil
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from indexer.pipeline import Indexer
from search_api import watch_run, watch_store, webhook
from search_api.webhook import Policy

FAST = Policy(timeout=2.0, backoff=0.05)


class Receiver:
    """A webhook receiver: records every POST; answers 500 to the first `fail` of them."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail = 0
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.requests.append({"headers": dict(self.headers), "body": body})
                failing = received.fail > 0
                received.fail -= 1 if failing else 0
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def article(i: int, topic: str, run: int) -> dict:
    texts = {
        "lighthouse": "The lighthouse keeper on Skerry Rock reported the lamp failed for the {n}th night. "
                      "Harbour officials said repairs would take weeks.",
        "orchard": "Apple growers in the valley counted losses after a late frost hit orchard blossom, "
                   "the growers' association said on report {n}.",
    }
    return {"id": f"w-{run}-{i}-{topic}", "title": f"{topic.title()} report {run}.{i}", "outlet": "Watch Test Wire",
            "date": "2026-11-2%d" % (run % 9), "language": "en", "text": texts[topic].format(n=i + 10 * run)}


@pytest.fixture(scope="module")
def archive(es, embedder, morgue, index_prefix):
    """An alias of the module's own (its watches too), filled by index runs the tests make."""
    alias = f"{index_prefix}-archive"
    work = Path(tempfile.mkdtemp(prefix="morgue-watch-test-"))
    state = {"alias": alias, "runs": 0, "work": work}

    def index(items: list[dict]) -> None:
        state["runs"] += 1
        path = work / f"run-{state['runs']}.jsonl"
        path.write_text("".join(json.dumps(a) + "\n" for a in items))
        summary = Indexer(es, embedder, alias, work / "cache", morgue.nlp).run([path], quiet=True, group=False)
        assert summary.counts["rejected"] == 0, summary.rejected

    state["index"] = index
    index([article(0, "orchard", 0)])
    yield state
    watch_store.forget(es, alias)
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def client(es_url, archive, make_app):
    with TestClient(make_app(es_url, archive["alias"])) as c:
        yield c


@pytest.fixture(scope="module")
def ctx(morgue, archive):
    return morgue.with_alias(archive["alias"]).context


def create(client, **body) -> dict:
    response = client.post("/api/watches", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def all_matches(client, watch_id: str, since: str | None = None) -> tuple[list[str], str | None]:
    ids, cursor, mark = [], None, None
    while True:
        params = {"size": 7, **({"cursor": cursor} if cursor else {}), **({"since": since} if since else {})}
        page = client.get(f"/api/watches/{watch_id}/matches", params=params).json()
        ids += [m["id"] for m in page["matches"]]
        cursor, mark = page["cursor"], page["watermark"]
        if not cursor:
            return ids, mark


def test_signed_delivery_retried_after_two_failures(client, archive, ctx, receiver):
    made = create(client, name="lighthouses", query={"q": "lighthouse keeper", "mode": "keyword"}, webhook=receiver.url)
    assert made["secret"] and "secret" not in client.get(f"/api/watches/{made['id']}").json()
    receiver.fail = 2
    archive["index"]([article(i, "lighthouse", 1) for i in range(3)] + [article(9, "orchard", 1)])
    report = watch_run.run(ctx, FAST)
    assert report.ran and report.new_matches >= 3

    assert len(receiver.requests) == 3  # two 500s, then the 200
    delivery_ids = {r["headers"][webhook.DELIVERY_HEADER] for r in receiver.requests}
    assert len(delivery_ids) == 1  # the same delivery, retried
    for request in receiver.requests:
        assert webhook.verify(made["secret"], request["body"], request["headers"][webhook.SIGNATURE_HEADER])
        assert not webhook.verify("another secret", request["body"], request["headers"][webhook.SIGNATURE_HEADER])
    ids = {m["id"] for m in receiver.payloads()[-1]["matches"]}
    assert ids == {f"w-1-{i}-lighthouse" for i in range(3)}
    log = client.get(f"/api/watches/{made['id']}/deliveries").json()["deliveries"]
    assert [(d["status"], d["attempts"], d["articles"]) for d in log] == [("delivered", 3, 3)]
    assert all_matches(client, made["id"])[0] == sorted(ids)  # the articles indexed before it are not reported


def test_exactly_once_across_five_index_runs_with_concurrent_evaluation(client, archive, ctx, receiver):
    made = create(client, name="orchards", query={"q": "orchard frost", "mode": "keyword"}, webhook=receiver.url)
    expected: set[str] = set()
    stop = threading.Event()
    runs: list[watch_run.RunReport] = []

    def evaluate_all_the_time():
        while not stop.is_set():
            runs.append(watch_run.run(ctx, FAST))

    evaluator = threading.Thread(target=evaluate_all_the_time)
    evaluator.start()
    try:
        for run in range(2, 7):
            items = [article(i, "orchard", run) for i in range(6)] + [article(i, "lighthouse", run) for i in range(4)]
            expected |= {a["id"] for a in items if a["id"].endswith("orchard")}
            archive["index"](items)
    finally:
        stop.set()
        evaluator.join(timeout=120)
    runs.append(watch_run.run(ctx, FAST))  # indexing has ended: one more run sees everything settled
    assert sum(r.ran for r in runs) >= 3, "evaluations did not run while indexing"

    reported, _ = all_matches(client, made["id"])
    assert len(reported) == len(set(reported)), "an article was reported twice"
    assert set(reported) == expected
    delivered = [m["id"] for p in receiver.payloads() if p["watch"]["id"] == made["id"] for m in p["matches"]]
    assert sorted(delivered) == sorted(expected)  # every match delivered, none twice


def test_since_watermark_gives_only_later_matches(client, archive, ctx):
    made = create(client, name="keepers", query={"q": "lighthouse", "mode": "keyword"})
    archive["index"]([article(i, "lighthouse", 7) for i in range(2)])
    watch_run.run(ctx, FAST)
    first, mark = all_matches(client, made["id"])
    assert first == sorted(f"w-7-{i}-lighthouse" for i in range(2)) and mark
    archive["index"]([article(i, "lighthouse", 8) for i in range(2)])
    watch_run.run(ctx, FAST)
    later, _ = all_matches(client, made["id"], since=mark)
    assert later == sorted(f"w-8-{i}-lighthouse" for i in range(2))


def test_backfill_and_meaning_watch(client, archive, ctx):
    back = create(client, name="all orchards", query={"q": "orchard", "mode": "keyword"}, backfill=True)
    meaning = create(client, name="frost damage to fruit", query={"q": "frost damaged the fruit harvest", "mode": "semantic"})
    assert meaning["mode"] == "semantic" and 0 < meaning["floor"] < 1
    archive["index"]([{"id": "w-9-cherries", "title": "Cold snap ruins cherry crop", "outlet": "Watch Test Wire",
                       "date": "2026-11-30", "language": "en",
                       "text": "Freezing nights destroyed most of the cherry blossom, and farmers expect a poor fruit "
                               "harvest this summer."},
                      {"id": "w-9-rates", "title": "Central bank holds rates", "outlet": "Watch Test Wire",
                       "date": "2026-11-30", "language": "en",
                       "text": "The central bank kept its main interest rate unchanged, citing steady inflation."}])
    watch_run.run(ctx, FAST)
    backfilled, _ = all_matches(client, back["id"])
    assert "w-0-0-orchard" in backfilled  # indexed before the watch was made
    by_meaning, _ = all_matches(client, meaning["id"])
    assert "w-9-cherries" in by_meaning and "w-9-rates" not in by_meaning


def test_atom_feed_read_by_feedparser(client, archive, ctx, es_url, make_app):
    made = create(client, name="feed <lighthouse> & co", query={"q": "lighthouse", "mode": "keyword"})
    archive["index"]([article(5, "lighthouse", 10)])
    watch_run.run(ctx, FAST)
    response = client.get(made["feed"])
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Morgue watch: feed <lighthouse> & co"
    assert [e.title for e in parsed.entries] == ["Lighthouse report 10.5"]
    assert parsed.entries[0].link.endswith("/articles/w-10-5-lighthouse")

    with TestClient(make_app(es_url, archive["alias"], api_keys="key-a,key-b")) as keyed:
        mine = keyed.post("/api/watches", json={"name": "mine", "query": {"q": "lighthouse"}},
                          headers={"X-API-Key": "key-a"}).json()
        assert "?token=" in mine["feed"]
        assert keyed.get(mine["feed"].split("?")[0]).status_code == 401  # a feed without its token
        assert keyed.get(mine["feed"]).status_code == 200
        assert keyed.get(f"/api/watches/{mine['id']}", headers={"X-API-Key": "key-b"}).status_code == 404
        listed = keyed.get("/api/watches", headers={"X-API-Key": "key-b"}).json()["watches"]
        assert mine["id"] not in {w["id"] for w in listed}
        assert keyed.delete(f"/api/watches/{mine['id']}", headers={"X-API-Key": "key-a"}).status_code == 200


def test_bad_watches_are_400_and_a_dead_webhook_blocks_nothing(client, archive, ctx):
    for body, code in (({"name": "x", "query": {"q": "lighthouse AND"}}, "query_syntax"),
                       ({"name": "x", "query": {"q": "a", "colour": "red"}}, "bad_request"),
                       ({"name": "x", "query": {"q": "a"}, "webhook": "ftp://example.org/"}, "bad_request"),
                       ({"name": "", "query": {"q": "a"}}, "bad_request"),
                       ({"name": "x", "query": "lighthouse"}, "bad_request")):
        response = client.post("/api/watches", json=body)
        assert response.status_code == 400 and response.json()["error"]["code"] == code, (body, response.text)
    assert client.get("/api/watches/nope").status_code == 404
    assert client.get("/api/watches/nope/matches").status_code == 404

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    made = create(client, name="dead hook", query={"q": "lighthouse"}, webhook=dead)
    started = time.monotonic()
    archive["index"]([article(6, "lighthouse", 11)])
    report = watch_run.run(ctx, FAST)
    assert report.ran and time.monotonic() - started < 120
    log = client.get(f"/api/watches/{made['id']}/deliveries").json()["deliveries"]
    assert log and log[0]["status"] == "pending" and log[0]["attempts"] == FAST.attempts_now
    assert log[0]["last_error"] and log[0]["next_attempt_at"]
    assert "w-11-6-lighthouse" in all_matches(client, made["id"])[0]  # recorded even though undelivered
    assert client.delete(f"/api/watches/{made['id']}").status_code == 200
    assert client.get(f"/api/watches/{made['id']}").status_code == 404


def test_indexed_since_for_dashboards(client, archive):
    time.sleep(watch_run.watermark.SETTLE_SECONDS + 0.5)  # what earlier tests indexed has settled
    first = client.get("/api/search", params={"q": "lighthouse", "mode": "keyword", "size": 100,
                                              "indexed_since": "1970-01-01T00:00:00Z"}).json()
    mark = first["watermark"]
    time.sleep(0.05)
    archive["index"]([article(7, "lighthouse", 12)])
    time.sleep(watch_run.watermark.SETTLE_SECONDS + 0.5)
    later = client.get("/api/search", params={"q": "lighthouse", "mode": "keyword", "size": 100,
                                              "indexed_since": mark}).json()
    assert [h["id"] for h in later["hits"]] == ["w-12-7-lighthouse"]
    assert not {h["id"] for h in later["hits"]} & {h["id"] for h in first["hits"]}
    counted = client.get("/api/count-over-time", params={"q": "lighthouse", "indexed_since": mark, "interval": "year"})
    assert sum(b["count"] for b in counted.json()) == 1 and counted.headers["x-morgue-watermark"]
    exported = client.get("/api/export", params={"q": "lighthouse", "indexed_since": mark})
    assert [json.loads(line)["id"] for line in exported.text.splitlines()] == ["w-12-7-lighthouse"]
    assert client.get("/api/search", params={"q": "a", "indexed_since": "yesterday"}).status_code == 400


def test_the_command_line_evaluates_after_indexing_and_exits_as_documented(client, archive, es, es_url):
    import os
    import subprocess
    import sys

    alias = archive["alias"]
    env = {**os.environ, "MORGUE_ES_URL": es_url, "MORGUE_INDEX": alias}
    with socket.socket() as probe:  # a receiver that is not there: indexing must not care
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    made = create(client, name="cli keepers", query={"q": "lighthouse", "mode": "keyword"}, webhook=dead)
    path = archive["work"] / "cli.jsonl"
    path.write_text(json.dumps(article(8, "lighthouse", 13)) + "\n")

    def morgue(*args):
        return subprocess.run([sys.executable, "-m", "morgue", *args], env=env, capture_output=True, text=True,
                              timeout=600)

    indexed = morgue("index", str(path), "--quiet", "--no-stories")
    assert indexed.returncode == 0, indexed.stderr
    assert "watches: " in indexed.stdout and "evaluated" in indexed.stdout
    assert "w-13-8-lighthouse" in all_matches(client, made["id"])[0]
    assert client.get(f"/api/watches/{made['id']}/deliveries").json()["deliveries"][0]["status"] == "pending"

    ran = morgue("watch", "run", "--json")
    assert ran.returncode == 0 and json.loads(ran.stdout)["ran"] is True, ran.stderr

    now = watch_run.watermark.now()
    assert watch_store.take_lease(es, alias, "held-by-test", watch_run.watermark.iso(now),
                                  watch_run.watermark.iso(now + watch_run.timedelta(hours=1)))
    try:
        assert morgue("watch", "run").returncode == 75  # another evaluation holds the lease
    finally:
        watch_store.release(es, alias, "held-by-test", {"id": "held-by-test"})

    broken = watch_store.Watch(id="broken", name="broken", query={"q": "lighthouse AND", "mode": "keyword"},
                               mode="keyword", created_at="2026-01-01T00:00:00.000Z", watermark="2026-01-01T00:00:00.000Z")
    watch_store.put(es, alias, broken)  # a stored query this version cannot run (say, from an older one)
    failed = morgue("watch", "run")
    assert failed.returncode == 1 and "broken could not run" in failed.stderr
    assert client.delete("/api/watches/broken").status_code == 200


def test_watch_indices_are_created_and_migrated(es, index_prefix):
    """An index made by an older version (a field missing) gains the field; a new archive gets all four."""
    alias = f"{index_prefix}-migrated"
    old = {k: v for k, v in watch_store.MAPPINGS["watches"].items() if k != "last_new"}
    es.indices.create(index=f"{alias}-watches-v1", aliases={f"{alias}-watches": {}},
                      mappings={"dynamic": "strict", "properties": old})
    watch_store.ensure(es, alias)
    mapping = es.indices.get_mapping(index=f"{alias}-watches")
    assert "last_new" in next(iter(mapping.values()))["mappings"]["properties"]
    for kind in watch_store.MAPPINGS:
        assert es.indices.exists_alias(name=watch_store.name(alias, kind))
    watch_store.forget(es, alias)
    assert not es.indices.exists_alias(name=watch_store.name(alias, "watches"))
