"""On-disk cache of prepared articles (cleaned, enriched, parsed: indexer.process.prepare's output)
keyed by the input's hash, which already names the enrichment version and every option that shapes
the result (indexer.process.Options.input_hash), plus whether the parser ran. Building a fresh index
from inputs seen before (a rebuild for new shards or a new mapping, a second alias) then skips
cleaning and the parse as the embedding cache skips the encoder. One SQLite file under
MORGUE_HOME/cache; entries are this program's own pickles, never read from anywhere else."""
from __future__ import annotations

import hashlib
import pickle
import sqlite3
from dataclasses import fields
from pathlib import Path

from indexer.enrich import Article
from indexer.entities import Entities
from indexer.metadata import DateInfo
from indexer.quotes import Quote

FILE = "prepared.sqlite"
# The classes' fields are part of the key: a field added without a new ENRICH_VERSION misses the cache
# rather than coming back as an object without it.
SHAPE = hashlib.sha1(repr([[f.name for f in fields(c)] for c in (Article, Quote, Entities, DateInfo)]).encode()
                     ).hexdigest()[:8]


class PreparedCache:
    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(directory / FILE)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, article BLOB NOT NULL)")

    @staticmethod
    def key(input_hash: str, parsed: bool) -> str:
        return f"{input_hash}:{'parse' if parsed else 'patterns'}:{SHAPE}"

    def get_many(self, keys: list[str]) -> dict[str, Article]:
        found: dict[str, Article] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.db.execute(f"SELECT key, article FROM articles WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, blob in rows:
                try:
                    found[key] = pickle.loads(blob)
                except Exception:  # noqa: BLE001 - an entry this version cannot read is prepared again
                    continue
        return found

    def put_many(self, items: dict[str, Article]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?)",
                            [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()])
        self.db.commit()
