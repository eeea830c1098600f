"""Language of an article, by py3langid (its model ships inside the package; nothing is downloaded)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import _load_identifier

    return _load_identifier(norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code, or None when the text is too short or the guess too unsure."""
    sample = text[:5000]
    if len(sample.strip()) < 20:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else None
