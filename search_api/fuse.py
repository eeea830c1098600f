"""Fusion of the keyword and semantic legs, in our code: reciprocal rank fusion or a min-max
normalised convex combination. Never a sum of raw scores (BM25 and cosine live on different scales).
Each fused hit keeps, per leg, its rank and raw score, so it can explain itself."""
from __future__ import annotations

from dataclasses import dataclass, field

LEGS = ("keyword", "semantic")


@dataclass
class Fused:
    id: str
    score: float
    legs: dict[str, dict] = field(default_factory=dict)  # leg -> {"rank": 1-based, "score": raw}


def _by_id(ranked: dict[str, list[tuple[str, float]]]) -> dict[str, Fused]:
    fused: dict[str, Fused] = {}
    for leg, hits in ranked.items():
        for rank, (doc_id, score) in enumerate(hits, 1):
            entry = fused.setdefault(doc_id, Fused(doc_id, 0.0))
            entry.legs[leg] = {"rank": rank, "score": score}
    return fused


def _ordered(fused: dict[str, Fused]) -> list[Fused]:
    # Ties broken by the best rank in any leg, then by id, so paging is deterministic.
    return sorted(fused.values(), key=lambda f: (-f.score, min(l["rank"] for l in f.legs.values()), f.id))


def rrf(ranked: dict[str, list[tuple[str, float]]], k: int = 60,
        weights: dict[str, float] | None = None) -> list[Fused]:
    """score = Σ over legs of weight / (k + rank); a leg's weight is 1 unless given."""
    fused = _by_id(ranked)
    weights = weights or {}
    for entry in fused.values():
        entry.score = sum(weights.get(name, 1.0) / (k + leg["rank"]) for name, leg in entry.legs.items())
    return _ordered(fused)


def convex(ranked: dict[str, list[tuple[str, float]]], alpha: float = 0.5) -> list[Fused]:
    """score = alpha · semantic + (1 − alpha) · keyword, each min-max normalised over its own
    candidates; a document missing from a leg gets 0 from it."""
    fused = _by_id(ranked)
    weights = {"semantic": alpha, "keyword": 1.0 - alpha}
    for leg, hits in ranked.items():
        if not hits:
            continue
        scores = [score for _, score in hits]
        low, high = min(scores), max(scores)
        for doc_id, score in hits:
            normalised = (score - low) / (high - low) if high > low else 1.0
            fused[doc_id].legs[leg]["normalised"] = normalised
            fused[doc_id].score += weights[leg] * normalised
    return _ordered(fused)


def single(ranked: list[tuple[str, float]], leg: str) -> list[Fused]:
    """One leg alone (keyword or semantic mode): its own order and raw score."""
    return [Fused(doc_id, score, {leg: {"rank": rank, "score": score}})
            for rank, (doc_id, score) in enumerate(ranked, 1)]
