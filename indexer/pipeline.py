"""sources → clean/enrich → passages → embed → store, composed in one visible place.

Every input ends as exactly one of: indexed, updated, unchanged, rejected (with a reason)."""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

from elasticsearch import ConnectionError as ESConnectionError, ConnectionTimeout, Elasticsearch

from indexer import names, schema, stories, store
from indexer.embed import Embedder
from indexer.embed_cache import EmbeddingCache, embed_with_cache
from indexer.enrich import Article
from indexer.process import Options, embed, prepare
from indexer.progress import Progress
from indexer.listing import display, iter_files
from indexer.raw import RawArticle, Rejected
from indexer.sources import MAX_FILE_BYTES, read_path
from indexer.prepared_cache import PreparedCache
from indexer.workers import PreparePool

BATCH_ARTICLES = 64
OUTCOMES = ("indexed", "updated", "unchanged", "rejected")


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (source, what was left out of it)
    pruned: int = 0
    renamed: int = 0  # articles whose short names were given the archive's full name (indexer.names)
    passages: int = 0
    quotes: int = 0
    encoded: int = 0
    seconds: float = 0.0
    index: str = ""
    stories: stories.StoryRun | None = None

    def reject(self, item: Rejected) -> None:
        self.counts["rejected"] += 1
        self.rejected.append(item)

    def as_json(self) -> dict:
        """`morgue index --json`: the outcome for scripts (the rejected with their reasons, the first 1,000)."""
        return {"counts": self.counts, "pruned": self.pruned, "warnings": len(self.warnings), "passages": self.passages,
                "quotes": self.quotes, "embedded": self.encoded, "seconds": round(self.seconds, 2), "index": self.index,
                "stories": asdict(self.stories) if self.stories is not None else None,
                "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected[:1000]]}

    def table(self) -> str:
        rows = [f"{name:<10} {self.counts[name]:>8}" for name in OUTCOMES]
        rows.append(f"{'pruned':<10} {self.pruned:>8}")
        if self.warnings:
            rows.append(f"{'warnings':<10} {len(self.warnings):>8}  (indexed with something left out; see --report)")
        rate = sum(self.counts.values()) / self.seconds if self.seconds else 0.0
        rows.append(f"{self.passages} passages and {self.quotes} quotes ({self.encoded} embedded, the rest from cache) "
                    f"in {self.seconds:.1f}s, "
                    f"{rate:.1f} articles/s → {self.index}")
        if self.stories is not None:
            rows.append(self.stories.line())
        return "\n".join(rows)


class Indexer:
    def __init__(self, es: Elasticsearch, embedder: Embedder, alias: str, cache_dir: Path | None = None, nlp=None,
                 layout: schema.Layout = schema.Layout()):
        """nlp: the parser (indexer.nlp.load()) for speakers and named entities; None: patterns only.
        layout: shards and replicas of an index this run creates."""
        self.nlp = nlp
        self.layout = layout
        self.es = es
        self.embedder = embedder
        self.alias = alias
        self.cache = EmbeddingCache(cache_dir, embedder.model_id) if cache_dir else None
        self.prepared = PreparedCache(cache_dir) if cache_dir else None

    def run(self, paths: list[Path], outlet: str | None = None, rebuild: bool = False, prune: bool = False,
            reference: date | None = None, quiet: bool = False, group: bool = True, follow_links: bool = False,
            max_bytes: int = MAX_FILE_BYTES, seconds: float = 60.0, workers: int = 0) -> Summary:
        """workers: processes that clean and enrich while this one embeds and writes (0: all here)."""
        started = time.monotonic()
        summary = Summary()
        target = store.prepare(self.es, self.alias, self.embedder, rebuild=rebuild, layout=self.layout)
        summary.index = target.index
        stories.open_mark(self.es, target.index)  # what this run writes is left to group (indexer/stories.py)
        listing = list(iter_files(paths, follow_links))  # listed first: the progress knows the total
        files = [item for item in listing if not isinstance(item, Rejected)]
        progress = Progress(len(files), enabled=not quiet)
        options = Options(outlet, reference, seconds, frozenset(p.resolve().name for p in paths if p.is_dir()))
        batch: list[RawArticle] = []
        seen_sources: set[str] = set()
        pool = PreparePool(workers, self.nlp is not None) if workers > 0 else None

        def flush(raws: list[RawArticle]) -> None:
            fresh, stored = self._fresh(raws, target.index, options, summary)
            fresh, known = self._known(fresh, options)
            self._store(known, target.index, summary, stored)

            def done(prepared: list[Article | Rejected]) -> None:
                self._remember(prepared)
                self._store(prepared, target.index, summary, stored)

            if pool is None:
                done(prepare(fresh, options, self.nlp))
            elif fresh:
                pool.submit(fresh, options, done)

        def report(done: int, end: bool = False) -> None:
            (progress.close if end else progress.update)(done, sum(summary.counts.values()), summary.passages)

        for listed in listing:
            if isinstance(listed, Rejected):
                summary.reject(listed)
                continue
            path, key = listed
            seen_sources.add(display(path))
            for item in read_path(path, max_bytes):
                if isinstance(item, Rejected):
                    summary.reject(item)
                    continue
                item.key = key + item.source[len(display(path)):]  # a record's "#N" carries over
                batch.append(item)
                if len(batch) >= BATCH_ARTICLES:
                    flush(batch)
                    batch = []
            report(len(seen_sources))
        try:
            flush(batch)
            if pool is not None:
                pool.drain()
        finally:
            if pool is not None:
                pool.close()
        report(len(seen_sources), end=True)
        if prune:
            summary.pruned = self._prune(target.index, paths, seen_sources)
        if summary.counts["indexed"] or summary.counts["updated"]:
            summary.renamed = names.merge(self.es, target.index)  # "Blair" → "Tony Blair" across the archive
        if group:  # new and changed articles join a story; see indexer/stories.py
            summary.stories = group_stories(self.es, target.index)
        store.finish(self.es, target)
        summary.seconds = time.monotonic() - started
        return summary

    def _fresh(self, batch: list[RawArticle], index: str, options: Options,
               summary: Summary) -> tuple[list[RawArticle], dict[str, list[tuple[str, str | None]]]]:
        """The inputs of a batch not stored as they are (same input, same enrichment: nothing to redo),
        and what is stored of the batch's sources (its ids and input hashes, for `_store`)."""
        if not batch:
            return [], {}
        stored_by_source = store.by_source(self.es, index, list({item.source for item in batch}))
        fresh: list[RawArticle] = []
        for item in batch:
            if any(stored == options.input_hash(item) for _, stored in stored_by_source.get(item.source, [])):
                summary.counts["unchanged"] += 1
            else:
                fresh.append(item)
        return fresh, stored_by_source

    def _known(self, raws: list[RawArticle], options: Options) -> tuple[list[RawArticle], list[Article]]:
        """Inputs prepared before (indexer.prepared_cache), and the rest, still to prepare. The input's
        hash covers where it sits in the archive, not where the archive is now: the source is today's."""
        if self.prepared is None or not raws:
            return raws, []
        parsed = self.nlp is not None
        keys = {raw.source: PreparedCache.key(options.input_hash(raw), parsed) for raw in raws}
        found = self.prepared.get_many(list(set(keys.values())))
        return ([raw for raw in raws if keys[raw.source] not in found],
                [replace(found[keys[raw.source]], source=raw.source) for raw in raws if keys[raw.source] in found])

    def _remember(self, prepared: list[Article | Rejected]) -> None:
        if self.prepared is not None:
            parsed = self.nlp is not None
            self.prepared.put_many({PreparedCache.key(a.input_hash, parsed): a for a in prepared
                                    if isinstance(a, Article) and a.input_hash})

    def _store(self, prepared: list[Article | Rejected], index: str, summary: Summary,
               stored_by_source: dict[str, list[tuple[str, str | None]]]) -> None:
        """Prepared inputs (indexer.process.prepare) → (skip what is unchanged) → embed → store.
        stored_by_source: `_fresh`'s look-up of the batch's sources (no other batch has them)."""
        if not prepared:
            return
        articles: list[Article] = []
        for result in prepared:
            if isinstance(result, Rejected):
                summary.reject(result)
            else:
                articles.append(result)
        stored = store.existing(self.es, index, list({a.id for a in articles}))
        todo: list[Article] = []
        outcome: dict[str, str] = {}
        for article in articles:
            previous = stored.get(article.id)
            if article.id in outcome or (previous and previous.get(schema.CONTENT_HASH) == article.content_hash
                                         and previous.get(schema.SOURCE) == article.source
                                         and previous.get(schema.INPUT_HASH) == article.input_hash):
                summary.counts["unchanged"] += 1
                continue
            outcome[article.id] = "updated" if previous else "indexed"
            todo.append(article)
        # A source whose article got another id (its URL changed): the old version is replaced.
        replaced = []
        for article in todo:
            for old_id, _ in stored_by_source.get(article.source, []):
                if old_id != article.id:
                    replaced.append(old_id)
                    outcome[article.id] = "updated"
        store.delete(self.es, index, replaced)
        encoded = 0

        def encode(texts: list[str]) -> list[list[float]]:
            nonlocal encoded
            vectors, encoded = embed_with_cache(texts, self.embedder.encode, self.cache)
            return vectors

        indexed = embed(todo, encode)
        refused = store.write(self.es, index, [item.document for item in indexed])
        for item in indexed:
            article = item.article
            if article.id in refused:
                summary.reject(Rejected(article.source, f"refused by Elasticsearch: {refused[article.id]}"))
                continue
            summary.counts[outcome[article.id]] += 1
            summary.warnings += [(article.source, warning) for warning in article.warnings]
            summary.passages += len(item.passages)
            summary.quotes += len(article.quotes)
        summary.encoded += encoded

    def _prune(self, index: str, paths: list[Path], seen: set[str]) -> int:
        """Remove articles whose source file, under the given paths, is gone."""
        roots = [display(p.absolute()) for p in paths]
        gone = [doc_id for doc_id, source in store.stored_sources(self.es, index).items()
                if any(source.startswith(r) for r in roots) and source.split("#")[0] not in seen]
        store.delete(self.es, index, gone)
        return len(gone)


def group_stories(es: Elasticsearch, index: str) -> stories.StoryRun:
    """Story grouping after a run; an unreachable cluster stops it like any other write (a re-run
    finishes: the index's mark moves only when grouping is done, indexer/stories.py)."""
    try:
        es.indices.refresh(index=index)
        return stories.assign(es, index)
    except (ESConnectionError, ConnectionTimeout) as exc:
        raise store.StoreUnavailable(f"Elasticsearch unreachable during story grouping: {type(exc).__name__}") from exc


def write_report(summary: Summary, path: Path) -> None:
    """One JSON line per rejected input ({"source", "reason"}) and per warning ({"source", "warning"})."""
    with path.open("w") as out:
        for item in summary.rejected:
            out.write(json.dumps({"source": item.source, "reason": item.reason}, ensure_ascii=False) + "\n")
        for source, warning in summary.warnings:
            out.write(json.dumps({"source": source, "warning": warning}, ensure_ascii=False) + "\n")
