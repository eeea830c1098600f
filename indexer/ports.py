"""Free ports on the loopback interface, for the managed node."""
from __future__ import annotations

import socket


class PortsBusy(RuntimeError):
    pass


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(preferred: int | None) -> int:
    """The preferred port if free, else the next free one after it; None = any free port."""
    if preferred is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for port in range(preferred, preferred + 100):
        if port_free(port):
            return port
    raise PortsBusy(f"ports {preferred}-{preferred + 99} are all busy: stop what uses them or set MORGUE_ES_URL")
