"""The API and a managed node that comes back on another port (issue 22, item 7): the API finds it
again by itself, and a cursor taken before the restart still pages (cursors hold nothing on the node)."""
import shutil
import socket
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from indexer.connection import Cluster
from indexer.distribution import es_version
from indexer.local_es import managed_node
from indexer.pipeline import Indexer
from indexer.settings import Settings
from search_api.context import Context
from web.app import create_app

ARCHIVE = Path(__file__).resolve().parents[1] / "sample_archive" / "exports"


def test_api_follows_the_managed_node_to_a_new_port(embedder):
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
        with TestClient(create_app(Context(cluster, "moving", embedder), settings)) as api:
            page = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 1}).json()
            assert page["hits"] and page["cursor"]
            node.stop()
            assert api.get("/api/health").status_code == 503
            blocker.bind(("127.0.0.1", 0))  # as when `morgue es start` finds its old port taken
            second = node.start(port=blocker.getsockname()[1] + 1)
            assert second.url != first.url
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
