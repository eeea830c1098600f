"""The cluster's parts that need no node: the layout of a local cluster, index layouts, which answers
of an `_msearch` are worth asking again, the client's JSON."""
import json

import pytest

from indexer import schema
from indexer.es_process import LocalESError
from indexer.local_cluster import LocalCluster
from search_api.retrieve import _transient


def test_every_node_knows_every_peer_and_has_its_own_ports(tmp_path):
    cluster = LocalCluster(tmp_path / "cluster", tmp_path, nodes=3)
    layout = cluster._new_layout()
    ports = layout.http_ports + layout.transport_ports
    assert len(set(ports)) == 6
    peers = [cluster.node(i).peers for i in range(3)]
    assert [p.node_name for p in peers] == ["morgue-0", "morgue-1", "morgue-2"]
    settings = peers[1].settings()
    assert f"transport.port: {layout.transport_ports[1]}" in settings
    assert all(str(port) in next(s for s in settings if s.startswith("discovery.seed_hosts"))
               for port in layout.transport_ports)
    assert "cluster.initial_master_nodes: [morgue-0, morgue-1, morgue-2]" in settings
    # A second handle on the same directory finds the recorded layout and its size.
    again = LocalCluster(tmp_path / "cluster", tmp_path)
    assert again.size == 3 and again.urls == [f"http://127.0.0.1:{p}" for p in layout.http_ports]


def test_a_cluster_has_two_nodes_or_more(tmp_path):
    with pytest.raises(LocalESError, match="two or more"):
        LocalCluster(tmp_path / "one", tmp_path, nodes=1)


def test_index_layout_sets_shards_and_replicas():
    settings = schema.index_settings(schema.Layout(shards=3, replicas=1))
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == (3, 1)
    assert schema.index_settings()["number_of_replicas"] == 0


@pytest.mark.parametrize("item, again", [
    ({"error": {"type": "search_phase_execution_exception"}, "status": 503}, True),
    ({"error": {"type": "es_rejected_execution_exception"}, "status": 429}, True),
    ({"error": {"type": "parsing_exception"}, "status": 400}, False),
    ({"_shards": {"total": 3, "failed": 1}, "hits": {"hits": []}}, True),
    ({"_shards": {"total": 3, "failed": 0}, "hits": {"hits": []}}, False),
])
def test_only_the_servers_trouble_is_asked_again(item, again):
    assert _transient(item) is again


def test_the_clients_json_is_orjsons_and_falls_back_to_the_standard_librarys_where_orjson_refuses():
    from elasticsearch.serializer import JsonSerializer, NdjsonSerializer

    from indexer.connection import SERIALIZERS

    fast, lines = SERIALIZERS["application/json"], SERIALIZERS["application/x-ndjson"]
    usual = {"query": {"knn": {"query_vector": [0.25, -0.125], "k": 10}}, "title": "Kirby: “no US troops”"}
    assert json.loads(fast.dumps(usual)) == usual and fast.loads(fast.dumps(usual)) == usual
    assert lines.dumps([{"index": {}}, usual]).count(b"\n") == 2
    refused = {"outlet": 2 ** 70, "text": "torn \ud800"}  # orjson: integer past 64 bits, lone surrogate
    assert fast.dumps(refused) == JsonSerializer().dumps(refused)
    assert lines.dumps([refused]) == NdjsonSerializer().dumps([refused])
