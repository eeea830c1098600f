"""The managed node's life cycle on a real Elasticsearch: start, start again, status, stop."""
import json
import shutil
import tempfile
import urllib.request
from pathlib import Path

import pytest

from indexer.distribution import es_version
from indexer.java import find_java
from indexer.es_process import group_alive
from indexer.local_es import LocalESError, LocalNode, node_info
from indexer.settings import Settings


def test_version_is_pinned_once_and_compose_reads_it(es_url):
    root = Path(__file__).resolve().parents[1]
    assert (root / ".env").resolve() == (root / "indexer" / "elasticsearch.env").resolve()
    pinned = (root / ".env").read_text().split("MORGUE_ES_VERSION=")[1].split()[0]
    assert es_version() == pinned and pinned.startswith("9.")
    assert "elasticsearch:${MORGUE_ES_VERSION}" in (root / "docker-compose.yml").read_text()
    if not Settings().es_url:  # the managed node runs exactly the pinned version
        assert node_info(es_url)["version"] == pinned


def test_java_found_is_21_or_newer():
    java_home = find_java()
    assert (java_home / "bin" / "java").exists()


def test_status_of_the_session_node(es_url):
    info = node_info(es_url)
    assert info["version"] == es_version()
    assert info["health"] in ("green", "yellow")


def test_start_twice_is_one_node_and_stop_leaves_no_process():
    settings = Settings()
    node_dir = Path(tempfile.mkdtemp(prefix="morgue-test-lifecycle-"))
    node = LocalNode(node_dir, settings.home, heap="256m", dist=settings.es_dist)
    try:
        first = node.start(port=None)
        second = node.start(port=None)
        assert second.pid == first.pid and second.url == first.url
        with urllib.request.urlopen(first.url + "/_nodes/_local") as r:
            assert len(json.load(r)["nodes"]) == 1
        assert node.stop() is True
        assert not group_alive(first.pid)
        assert node.state() is None
        assert node.stop() is False
    finally:
        node.stop()
        shutil.rmtree(node_dir, ignore_errors=True)


def test_busy_port_moves_to_the_next_free_one(es_url):
    busy = int(es_url.rsplit(":", 1)[1])
    settings = Settings()
    node_dir = Path(tempfile.mkdtemp(prefix="morgue-test-port-"))
    node = LocalNode(node_dir, settings.home, heap="256m", dist=settings.es_dist)
    try:
        state = node.start(port=busy)
        assert state.url != es_url and int(state.url.rsplit(":", 1)[1]) > busy
    finally:
        node.stop()
        shutil.rmtree(node_dir, ignore_errors=True)


def test_missing_distribution_is_a_clear_error(tmp_path):
    node = LocalNode(tmp_path / "node", tmp_path, dist=tmp_path / "nope.zip")
    with pytest.raises(LocalESError, match="does not exist"):
        node.start(port=None)
