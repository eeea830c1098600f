"""A time budget for cleaning one input: a page that sends the HTML extractor (or a pathological regex)
into minutes of work is rejected with that reason instead of holding up the run. It uses SIGALRM, so
it holds in the main thread, where `morgue index` cleans; in another thread it is not enforced."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class OverBudget(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"took over {seconds:g} s")
        self.seconds = seconds


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
