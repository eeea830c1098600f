"""A time budget for cleaning one input: a page that sends the HTML extractor (or a pathological regex)
into minutes of work is rejected with that reason instead of holding up the run. It uses SIGALRM, so
it holds in the main thread, where `morgue index` cleans; in another thread it is not enforced."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class OverBudget(BaseException):
    """Not an Exception: the libraries that clean an input (trafilatura around its justext and
    recall fallbacks) catch Exception around their steps, and would take the alarm for a failed
    step and go on."""

    def __init__(self, seconds: float):
        super().__init__(f"took over {seconds:g} s")
        self.seconds = seconds


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = False

    def expire(signum, frame):
        nonlocal fired
        fired = True
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, max(seconds / 4, 0.01))  # again and again until the work stops
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # An alarm went off but did not stop the work: it landed where Python ignores what is raised (a
    # weakref callback during garbage collection, as in one CI run, which then cleaned the page past
    # its budget; the alarm now repeats, so the next one stops it), or every one was caught by a bare
    # `except:`. Over budget all the same.
    if fired:
        raise OverBudget(seconds)
