"""A local cluster of several nodes from the same distribution, for tests and demos: each node a
LocalNode with its own directory (`<dir>/node-<i>`), HTTP port and transport port, all of them
master-eligible data nodes that find each other through `discovery.seed_hosts`.

    cluster = LocalCluster(home / "cluster", home, nodes=3)
    cluster.start()          # the client's hosts: cluster.urls
    cluster.stop_node(1)     # a node going away (SIGTERM, as an operator or an orchestrator does)
    cluster.start_node(1)    # and coming back with its data
    cluster.stop()

The layout (ports, names) is written to `<dir>/cluster.json` on first start, so a node restarts on
its own ports and a later `morgue es status` or `stop` finds every node."""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from indexer.es_process import LocalESError
from indexer.local_es import LocalNode, NodeState, Peers
from indexer.ports import PortsBusy, pick_port

CLUSTER_NAME = "morgue-local-cluster"


@dataclass
class Layout:
    http_ports: list[int]
    transport_ports: list[int]

    @property
    def names(self) -> list[str]:
        return [f"morgue-{i}" for i in range(len(self.http_ports))]


class LocalCluster:
    def __init__(self, cluster_dir: Path, home: Path, nodes: int | None = None, heap: str = "512m",
                 dist: Path | None = None, first_port: int | None = None, extra: tuple[str, ...] = ()):
        """nodes: how many (None: as many as the cluster recorded in cluster_dir has, else 3); extra:
        more `elasticsearch.yml` lines for every node."""
        self.extra = extra
        self.dir = Path(cluster_dir).resolve()
        self.layout_file = self.dir / "cluster.json"
        recorded = self.layout()
        self.size = nodes or (len(recorded.http_ports) if recorded else 3)
        if self.size < 2:
            raise LocalESError("a local cluster has two or more nodes (one node: `morgue es start`)")
        self.home, self.heap, self.dist, self.first_port = Path(home), heap, dist, first_port

    # --- layout ----------------------------------------------------------------------------------
    def layout(self) -> Layout | None:
        try:
            return Layout(**json.loads(self.layout_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _new_layout(self) -> Layout:
        ports: list[int] = []
        try:
            for _ in range(2 * self.size):
                preferred = None if self.first_port is None or len(ports) >= self.size else self.first_port + len(ports)
                port = pick_port(preferred)
                while port in ports:
                    port = pick_port(None)
                ports.append(port)
        except PortsBusy as exc:
            raise LocalESError(str(exc)) from exc
        layout = Layout(http_ports=ports[:self.size], transport_ports=ports[self.size:])
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(self.dir.stat().st_mode | 0o111)  # the nodes' own user passes through to its node-<i>
        self.layout_file.write_text(json.dumps(asdict(layout)))
        return layout

    def node(self, i: int, layout: Layout | None = None) -> LocalNode:
        layout = layout or self.layout()
        seeds = [f"127.0.0.1:{port}" for port in layout.transport_ports]
        peers = Peers(CLUSTER_NAME, layout.names[i], layout.transport_ports[i], seeds, layout.names)
        return LocalNode(self.dir / f"node-{i}", self.home, heap=self.heap, dist=self.dist, peers=peers,
                         extra=self.extra)

    def nodes(self) -> list[LocalNode]:
        layout = self.layout()
        return [self.node(i, layout) for i in range(len(layout.http_ports))] if layout else []

    @property
    def urls(self) -> list[str]:
        layout = self.layout()
        return [f"http://127.0.0.1:{port}" for port in layout.http_ports] if layout else []

    def running(self) -> list[NodeState]:
        return [state for node in self.nodes() if (state := node.state()) is not None]

    # --- start and stop --------------------------------------------------------------------------
    def start(self) -> list[NodeState]:
        """Every node that is not running is launched, then all are waited for together (a node answers
        only once enough peers are up to elect a master)."""
        layout = self.layout() or self._new_layout()
        if len(layout.http_ports) != self.size:
            raise LocalESError(f"the cluster in {self.dir} has {len(layout.http_ports)} nodes, not {self.size}: "
                               f"stop it first (`morgue es stop`)")
        launched = []
        for i, port in enumerate(layout.http_ports):
            node = self.node(i, layout)
            if node.state() is None:
                launched.append((node, *node.spawn(port)))
        try:
            for node, state, proc in launched:
                node.wait(state, proc, nodes=self.size)
        except LocalESError:
            self.stop()
            raise
        return self.running()

    def stop_node(self, i: int) -> bool:
        return self.node(i).stop()

    def start_node(self, i: int) -> NodeState:
        node, layout = self.node(i), self.layout()
        state, proc = node.spawn(layout.http_ports[i])
        node.wait(state, proc, nodes=self.size)
        return state

    def stop(self) -> bool:
        """Stop every node (their data stays, for the next start)."""
        return any([node.stop() for node in self.nodes()])

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def managed_cluster(settings, nodes: int | None = None) -> LocalCluster:
    """The cluster that `morgue es start --nodes N` manages for these settings' MORGUE_HOME (its HTTP
    ports from 9201 on, beside the single node's 9200)."""
    return LocalCluster(settings.home / "cluster", settings.home, nodes=nodes, heap=settings.es_heap,
                        dist=settings.es_dist, first_port=9201)
