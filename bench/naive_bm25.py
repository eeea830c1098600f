"""The naive baseline our keyword leg must beat: BM25 (k1 0.9, b 0.4) over lower-cased `\\w+` tokens
of title + body, no stemming, no stopwords, in plain Python. About as simple as BM25 gets."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class NaiveBM25:
    def __init__(self, docs: list[dict], k1: float = 0.9, b: float = 0.4):
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.length: dict[str, int] = {}
        for doc in docs:
            words = tokens(f"{doc.get('title') or ''} {doc['text']}")
            self.length[doc["id"]] = len(words)
            for word, count in Counter(words).items():
                self.postings[word].append((doc["id"], count))
        self.average = sum(self.length.values()) / max(len(self.length), 1)
        n = len(self.length)
        self.idf = {w: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for w, p in self.postings.items()}

    def search(self, query: str, k: int = 100) -> list[str]:
        scores: Counter = Counter()
        for word in tokens(query):
            for doc_id, count in self.postings.get(word, ()):
                norm = self.k1 * (1 - self.b + self.b * self.length[doc_id] / self.average)
                scores[doc_id] += self.idf[word] * count * (self.k1 + 1) / (count + norm)
        return [doc_id for doc_id, _ in scores.most_common(k)]
