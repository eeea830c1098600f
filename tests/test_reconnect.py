"""The API and a managed node that goes away under load and comes back on another port (issues 18, 22):
while it is gone every answer is a JSON 503 with Retry-After (never a 500, never a hang), the API finds
the node again by itself, and a cursor taken before the restart still pages (cursors hold nothing)."""
import shutil
import socket
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from fastapi.testclient import TestClient

from indexer.connection import Cluster
from indexer.distribution import es_version
from indexer.local_es import managed_node
from indexer.pipeline import Indexer
from indexer.settings import Settings
from search_api.context import Context
from web.app import create_app

ARCHIVE = Path(__file__).resolve().parents[1] / "sample_archive" / "exports"


def test_api_answers_503_while_the_node_is_gone_and_follows_it_to_a_new_port(embedder, serve_app):
    shared = Settings()
    version = es_version()
    dist = (shared.es_dist or shared.home / "cache" / "m2" / "org" / "elasticsearch" / "distribution" /
            "integ-test-zip" / "elasticsearch" / version / f"elasticsearch-{version}.zip")
    home = Path(tempfile.mkdtemp(prefix="morgue-test-home-"))
    home.chmod(0o755)  # the node may run as its own user (as root: morgue-es)
    settings = Settings(es_url=None, home=home, es_dist=dist, es_heap="256m", index="moving")
    node = managed_node(settings)
    blocker = socket.socket()  # holds a port number the second start will not use
    try:
        first = node.start(port=None)
        cluster = Cluster(settings)
        Indexer(cluster.client, embedder, "moving", home / "cache").run([ARCHIVE], quiet=True, group=False)
        app = create_app(Context(cluster, "moving", embedder), settings)
        with TestClient(app) as api, serve_app(app) as url:
            page = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 1}).json()
            assert page["hits"] and page["cursor"]
            seen, bad, stop, after_restart = Counter(), [], threading.Event(), []

            def load():  # searches in every mode, all through the outage
                with httpx.Client(base_url=url, timeout=30) as http:
                    while not stop.is_set():
                        for mode in ("keyword", "hybrid", "semantic"):
                            response = http.get("/api/search", params={"q": "flood barrier", "mode": mode})
                            seen[response.status_code] += 1
                            if restarted.is_set():
                                after_restart.append(response.status_code)
                            if response.status_code == 503:
                                body = response.json()["error"]
                                if body["code"] != "search_unavailable" or not response.headers.get("retry-after"):
                                    bad.append(response.text)
                            elif response.status_code != 200:
                                bad.append(f"{response.status_code}: {response.text[:200]}")

            restarted = threading.Event()
            clients = [threading.Thread(target=load) for _ in range(4)]
            for client in clients:
                client.start()
            time.sleep(1)
            node.stop()
            time.sleep(2)
            assert api.get("/api/health").status_code == 503
            blocker.bind(("127.0.0.1", 0))  # as when `morgue es start` finds its old port taken
            second = node.start(port=blocker.getsockname()[1] + 1)
            restarted.set()
            assert second.url != first.url
            time.sleep(3)
            stop.set()
            for client in clients:
                client.join(timeout=60)
            assert not bad, bad[:3]
            assert seen[503] > 0 and 200 in after_restart, seen  # it went away, and the load found it again
            codes = [api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 1}).status_code
                     for _ in range(2)]
            assert codes[-1] == 200, codes
            after = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 1,
                                                   "cursor": page["cursor"]})
            assert after.status_code == 200 and after.json()["hits"][0]["id"] != page["hits"][0]["id"]
    finally:
        blocker.close()
        node.stop()
        shutil.rmtree(home, ignore_errors=True)
