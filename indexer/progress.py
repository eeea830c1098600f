"""Progress of `morgue index`. On a terminal, a tqdm bar: files done of all, articles/s, time left. In a log
(stdout not a terminal), one plain line every INTERVAL seconds and at each quarter of the files, so a long
run is seen to be alive:

    index: 1,113/2,225 files (50%), 1,102 articles at 8.4/s, 9,870 passages; about 2 min left
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

INTERVAL = 10.0


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class Progress:
    def __init__(self, total_files: int, enabled: bool = True, out: TextIO | None = None, interval: float = INTERVAL):
        self.total, self.enabled, self.interval = total_files, enabled, interval
        self.out = out or sys.stdout
        self.started = self.last = time.monotonic()
        self.quarter = 0
        self.bar = None
        if enabled and self.out.isatty() and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total_files, unit="file", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)

    def line(self, files: int, articles: int, passages: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        share = files / self.total if self.total else 1.0
        left = elapsed / share - elapsed if share else 0.0
        return (f"index: {files:,}/{self.total:,} files ({share:.0%}), {articles:,} articles at {articles / elapsed:.1f}/s, "
                f"{passages:,} passages; " + (f"about {_minutes(left)} left" if files < self.total else
                                              f"{_minutes(elapsed)} in all"))

    def update(self, files: int, articles: int, passages: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.n = files
            self.bar.set_postfix_str(f"{articles:,} articles, {articles / max(time.monotonic() - self.started, 1e-6):.1f}/s",
                                     refresh=False)
            self.bar.refresh()
            return
        quarter = min(int(4 * files / self.total), 3) if self.total else 3  # 100 %: close() says it, counts final
        now = time.monotonic()
        if now - self.last >= self.interval or quarter > self.quarter:
            self.out.write(self.line(files, articles, passages) + "\n")
            self.out.flush()
            self.last, self.quarter = now, max(quarter, self.quarter)

    def close(self, files: int, articles: int, passages: int) -> None:
        if self.bar is not None:
            self.bar.n = files
            self.bar.close()
        elif self.enabled:
            self.out.write(self.line(files, articles, passages) + "\n")
            self.out.flush()
