"""The operating-system side of a managed Elasticsearch node: is a pid the node we started, is its
process group alive, stop it, wait until its cluster answers, ask it what it is."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

STOP_TIMEOUT_S = 60


class LocalESError(RuntimeError):
    """A one-line, actionable reason why the local node cannot be started or reached."""


def is_our_process(pid: int, node_dir: Path) -> bool:
    """True when pid is alive and is the launcher started for this node directory (not a reused pid)."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"ES_PATH_CONF={node_dir / 'config'}".encode() in environ


def group_alive(pgid: int) -> bool:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def stop_group(pgid: int, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM (Elasticsearch shuts down cleanly), then SIGKILL if it is still there after timeout."""
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and group_alive(pgid):
        time.sleep(0.2)
    if group_alive(pgid):
        _signal_group(pgid, signal.SIGKILL)
        while group_alive(pgid):
            time.sleep(0.1)


def wait_ready(url: str, pid: int, log_tail, timeout: float, proc: subprocess.Popen | None = None,
               nodes: int = 1) -> None:
    """Until the cluster behind url is at least yellow with `nodes` nodes (a node of a cluster answers
    only once a master is elected, i.e. once enough of its peers are up)."""
    deadline = time.monotonic() + timeout
    query = "wait_for_status=yellow&timeout=5s" + (f"&wait_for_nodes=%3E%3D{nodes}" if nodes > 1 else "")
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise LocalESError(f"Elasticsearch exited early (code {proc.returncode}): {log_tail()}")
        if proc is None and not group_alive(pid):
            raise LocalESError(f"Elasticsearch exited: {log_tail()}")
        try:
            with urllib.request.urlopen(f"{url}/_cluster/health?{query}", timeout=10) as r:
                health = json.load(r)
                if health.get("status") in ("green", "yellow") and health.get("number_of_nodes", 1) >= nodes:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    raise LocalESError(f"Elasticsearch did not answer at {url} within {timeout:.0f}s: {log_tail()}")


def node_info(url: str) -> dict:
    """Version, health, node count and document count of a running cluster, for `morgue es status`."""
    def get(path: str) -> dict:
        with urllib.request.urlopen(url + path, timeout=10) as r:
            return json.load(r)

    # Not GET /: the integ-test distribution has no root endpoint (its rest-root module is left out).
    nodes = get("/_nodes/_local?filter_path=nodes.*.version")["nodes"]
    health = get("/_cluster/health")
    count = get("/_count").get("count", 0)
    version = next(iter(nodes.values()))["version"]
    return {"url": url, "version": version, "health": health["status"], "nodes": health.get("number_of_nodes", 1),
            "docs": count}
