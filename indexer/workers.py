"""Cleaning and enrichment (indexer.process.prepare: HTML extraction, metadata, the English parse,
quotes, entities) in worker processes, while the indexing process embeds and writes the batches they
hand back: `morgue index --workers N`. The encoder stays in one place, batched as before (it is the
ceiling: bench/results/throughput-bbc.md).

A worker that dies (killed, out of memory) fails no more than it must: its batch is prepared again one
input per task in a fresh pool, and an input that kills a worker alone is rejected with that reason."""
from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from indexer.enrich import Article
from indexer.process import Options, prepare
from indexer.raw import RawArticle, Rejected

Done = Callable[[list], None]
_NLP = None  # each worker's own parser


def _start(with_nlp: bool) -> None:
    global _NLP
    if with_nlp:
        from indexer import nlp

        _NLP = nlp.load()


def _prepare(raws: list[RawArticle], options: Options) -> list[Article | Rejected]:
    return prepare(raws, options, _NLP)


class PreparePool:
    """Batches in, each prepared batch handed to its own callback in the order they went in; at most
    `workers + 1` in flight."""

    def __init__(self, workers: int, with_nlp: bool):
        self.workers, self.with_nlp = workers, with_nlp
        self.restarts = 0  # pools replaced after a worker died
        self._pool = self._new_pool()
        self._pending: deque[tuple[list[RawArticle], Options, Done, Future]] = deque()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the indexing process holds the encoder's threads, which a fork would copy mid-flight.
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(self.with_nlp,))

    def submit(self, raws: list[RawArticle], options: Options, done: Done) -> None:
        """Queue a batch (`done` receives it prepared); finish the oldest while too many are in flight."""
        self._pending.append((raws, options, done, self._pool.submit(_prepare, raws, options)))
        while len(self._pending) > self.workers:
            self._next()

    def drain(self) -> None:
        while self._pending:
            self._next()

    def _next(self) -> None:
        raws, options, done, future = self._pending.popleft()
        try:
            prepared = future.result()
        except BrokenProcessPool:
            prepared = self._one_by_one(raws, options)
        done(prepared)

    def _one_by_one(self, raws: list[RawArticle], options: Options) -> list[Article | Rejected]:
        """A worker died: everything in flight is lost with the pool, so this batch (and, when their
        turn comes, the others) is prepared again, an input per task."""
        self._restart()
        out: list[Article | Rejected] = []
        for raw in raws:
            try:
                out += self._pool.submit(_prepare, [raw], options).result()
            except BrokenProcessPool:
                out.append(Rejected(raw.source, "a worker process died while preparing it (out of memory or killed)"))
                self._restart()
        self._pending = deque((r, o, d, self._pool.submit(_prepare, r, o)) for r, o, d, _ in self._pending)
        return out

    def _restart(self) -> None:
        self.restarts += 1
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
