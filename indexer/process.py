"""The indexer's chain on one batch of raw articles, with no I/O: clean and enrich (metadata, quotes),
split into passages, take the lead, embed (through the `encode` it is given: the pipeline passes one
that reads and fills the embedding cache) and build the stored document.

    process(raws, options, encode) -> [IndexedArticle | Rejected]

is the whole chain; the pipeline runs its two stages (`prepare`, then `embed`) with its look-ups in
between (an article whose text did not change is neither embedded nor written), the tests and the
benchmarks call `process`."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Callable

from indexer import analysis, schema, story_evidence
from indexer.budget import OverBudget, budget
from indexer.entities import entities
from indexer.enrich import Article, enrich
from indexer.metadata import folder_outlet, parse_dateline
from indexer.nlp import parse
from indexer.quotes import extract_quotes
from indexer.passages import Passage, lead, split_passages
from indexer.raw import RawArticle, Rejected

# Bump when cleaning or enrichment changes what an input becomes: every input is then enriched again
# (its passages' vectors still come from the embedding cache when their text is unchanged).
ENRICH_VERSION = 26  # 4: quote keys and vectors; 5, 6: story signals; 7: lead = title + opening; 8: parse-based speakers,
# entities; 9: time-stamp and byline lines out of the text, the outlet from the folder named; 10: a stamp is one
# date or time, never a row of figures (9 took 33 Reuters table lines for stamps); 11: speakers from the sentence
# after a quote and the verb a quote hangs from, the paragraph before "she said", names the model left
# unlabelled, runs of quotes; quotes nested in quotes; 12: partial quotes after another, subjectless speech verbs,
# the sentence before a quote, signatures, headline colons, "as X put it"; 13: the sentence after a quote only when
# it says nothing of its own, never a sentence that is itself quoted speech; 14: one-word "people" mostly labelled
# organisations are organisations, "a Jive spokeswoman" speaks for Jive, "X said:" introduces the next quote;
# 15: a speaker the article writes as an organisation ("Labour said") is of kind organisation; 16: an export's id
# that Elasticsearch or a link cannot carry becomes a digest, metadata that is not text is left out with a warning;
# 17: words written with diacritics have their plain form among the variants (Erdoğan → Erdogan); 18: acronym
# forms of abbreviations in capitals that are also words (US, U.S. → US_acronym); 19: a dateline's place as a name
# (NEW YORK → New York) and the entity it counts as, U.S./USA/United States one place; 20: datelines with a state
# ("STAMFORD, Conn., March 30 -"), a month in capitals or a place in title case (Reuters: 13,066 → 18,828 of 19,043);
# 21: the dateline's state or province among the places, by its name (Conn. → Connecticut)
# 22–26: a company under one name ("Gabelli and Co Inc", "Chrysler Corp" → Gabelli, Chrysler), "the Bank" as the bank the
# article names, an organisation that is a named person's surname as that person, no table labels or time zones;
# a "person" labelled an organisation more often (Chelsea) or "the" something (the Lib Dems) an organisation;
# "Moody's said" is Moody's, "Group of" Seven is the Group of Seven; a "person" labelled a place more often a place,
# and a person written with a title ("Mr Ash") stays a person
Encode = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class Options:
    """What, besides the input itself, decides what an article becomes."""

    outlet: str | None = None
    reference: date | None = None
    seconds: float = 60.0  # cleaning budget per input (MORGUE_FILE_SECONDS; indexer.budget)
    folders: frozenset[str] = frozenset()  # names of the folders named on the command line (their outlets)

    def input_hash(self, item: RawArticle) -> str:
        parts = [str(ENRICH_VERSION), item.key, self.outlet or "", folder_outlet(item.key, self.folders) or "",
                 str(self.reference or ""),
                 item.text or "", item.html or "", json.dumps(item.meta, sort_keys=True, default=str)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@dataclass
class IndexedArticle:
    article: Article
    passages: list[Passage]
    document: dict  # what is stored in Elasticsearch (indexer.schema)


def prepare(raws: list[RawArticle], options: Options, nlp=None) -> list[Article | Rejected]:
    """Clean and enrich inputs; with a parser (indexer.nlp), speakers from the parse and the named
    people, organisations and places, all articles parsed in one batch. Never raises: an input that
    breaks a stage is rejected, alone."""
    out: list[Article | Rejected] = []
    for raw in raws:
        try:
            with budget(options.seconds):
                result = enrich(raw, outlet=options.outlet, reference=options.reference, folders=options.folders)
        except OverBudget as over:
            result = Rejected(raw.source, f"cleaning {over} (MORGUE_FILE_SECONDS): rejected so that the run goes on")
        except Exception as exc:  # noqa: BLE001 - one input may fail only itself, never the run
            result = Rejected(raw.source, f"could not be processed ({type(exc).__name__}: {str(exc)[:200]})")
        if isinstance(result, Article):
            result.input_hash = options.input_hash(raw)
        out.append(result)
    articles = [a for a in out if isinstance(a, Article)]
    if nlp is not None and articles:
        for article, doc in zip(articles, parse(nlp, [a.body for a in articles])):
            article.quotes = extract_quotes(article.body, doc)
            article.entities = entities(doc, parse_dateline(article.body))
    return out


def embed(articles: list[Article], encode: Encode) -> list[IndexedArticle]:
    """Passages, quotes and leads of every article through the encoder in one call."""
    split = [split_passages(a.body) for a in articles]
    texts = [p.text for passages in split for p in passages]
    quote_texts = [q.text for a in articles for q in a.quotes]
    leads = [lead(a.title, a.body) for a in articles]
    vectors = encode(texts + quote_texts + leads) if articles else []
    passage_vectors = iter(vectors[:len(texts)])
    quote_vectors = iter(vectors[len(texts):len(texts) + len(quote_texts)])
    lead_vectors = vectors[len(texts) + len(quote_texts):]
    return [IndexedArticle(article, passages, document(article, passages, [next(passage_vectors) for _ in passages],
                                                       [next(quote_vectors) for _ in article.quotes], lead_vector))
            for article, passages, lead_vector in zip(articles, split, lead_vectors)]


def process(raws: list[RawArticle], options: Options, encode: Encode, nlp=None) -> list[IndexedArticle | Rejected]:
    prepared = prepare(raws, options, nlp)
    indexed = iter(embed([p for p in prepared if isinstance(p, Article)], encode))
    return [next(indexed) if isinstance(p, Article) else p for p in prepared]


def quote_doc(quote, body: str, vector) -> dict:
    """A quote as stored: its fields, its vector and its words' variants (UNN's Kirby says "U.S. troops",
    TASS's "US troops": a quote search for either finds both)."""
    variants = analysis.variants(quote.text)
    return {**quote.to_doc(body), "vector": vector, **({"variants": " ".join(variants)} if variants else {})}


def document(article: Article, passages: list[Passage], vectors, quote_vectors, lead_vector) -> dict:
    d = article.date
    variants = analysis.variants(f"{article.title or ''}\n{article.body}")
    return {
        schema.ID: article.id, schema.TITLE: article.title, schema.BODY: article.body, schema.OUTLET: article.outlet,
        schema.DATE: d.date, schema.DATE_PRECISION: d.precision, schema.YEAR: d.year, schema.MONTH: d.month,
        schema.DAY: d.day, schema.LANGUAGE: article.language, schema.URL: article.url, schema.AUTHOR: article.author,
        schema.PLACE: article.place, schema.CONTENT_HASH: article.content_hash, schema.SOURCE: article.source,
        schema.FILE: article.file, schema.INPUT_HASH: article.input_hash,
        schema.QUOTES: [quote_doc(q, article.body, v) for q, v in zip(article.quotes, quote_vectors)],
        **(article.entities.document() if article.entities is not None else {}),
        # its own story until grouping (indexer.stories) finds an earlier one it reports: most articles
        # stay there, and need no second write
        schema.STORY: article.id, schema.STORY_REASON: story_evidence.FIRST_REPORT,
        schema.FINGERPRINT: story_evidence.fingerprint(article.body),
        schema.NAMES: story_evidence.names(article.body),
        **({schema.VARIANTS: " ".join(variants)} if variants else {}),
        schema.LEAD_VECTOR: lead_vector,
        schema.PASSAGES: [{"text": p.text, "start": p.start, "end": p.end, "vector": v} for p, v in zip(passages, vectors)],
    }
