"""On-disk embedding cache keyed by (model, passage-text hash): re-indexing never re-embeds
unchanged text. One SQLite file per model under MORGUE_HOME/cache."""
from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class EmbeddingCache:
    def __init__(self, directory: Path, model_id: str):
        directory.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
        self.db = sqlite3.connect(directory / f"embeddings-{slug}.sqlite")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32).tolist()
        return found

    def put_many(self, items: dict[str, list[float]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])
        self.db.commit()


def embed_with_cache(texts: list[str], encode, cache: EmbeddingCache | None) -> tuple[list[list[float]], int]:
    """Vectors for texts (cached ones looked up, the rest encoded in one batch); returns also how many
    were encoded."""
    keys = [text_key(t) for t in texts]
    found = cache.get_many(list(set(keys))) if cache else {}
    missing = list(dict.fromkeys(k for k in keys if k not in found))
    if missing:
        by_key = dict(zip(keys, texts))
        vectors = encode([by_key[k] for k in missing])
        new = dict(zip(missing, vectors))
        if cache:
            cache.put_many(new)
        found.update(new)
    return [found[k] for k in keys], len(missing)
