"""The API as the benches meet it: `morgue serve` in a child process, reached over HTTP."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx


def start_api(alias: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "MORGUE_INDEX": alias}
    process = subprocess.Popen([sys.executable, "-m", "morgue", "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("the API did not come up within 120 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
