"""The index contract: field names, mapping, the alias and its versions, the model in _meta.

search_api imports these names instead of repeating them. The analyzers (indexer/analysis.py) use
only what every Elasticsearch distribution has, plus the project's hunspell dictionary, so the same
mapping works on the integ-test node and on Elastic's full image.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer import analysis
from indexer.embed import ModelInfo

SCHEMA_VERSION = 7  # 5: English analysis (hunspell, stopwords, exact subfields), BM25 k1/b, lead = title + lead;
# 6: the forms of words the analysis cannot bring together (VARIANTS); 7: acronym forms among them (US_acronym)
ACRONYMS_SINCE = 7  # a query's US in capitals searches US_acronym (search_api.context.Context.acronyms)

# Article fields
ID = "id"
TITLE = "title"
BODY = "body"
OUTLET = "outlet"
DATE = "date"
DATE_PRECISION = "date_precision"
YEAR = "year"
MONTH = "month"
DAY = "day"
LANGUAGE = "language"
URL = "url"
AUTHOR = "author"
PLACE = "place"
CONTENT_HASH = "content_hash"
SOURCE = "source"
INPUT_HASH = "input_hash"  # the raw input and the enrichment version it went through
STORY = "story"
STORY_REASON = "story_reason"  # why the article joined its story ("same event as <story> (0.87)", "copy of <id>")
FINGERPRINT = "fingerprint"  # LSH band keys of the text's MinHash: syndicated copies share them
NAMES = "names"  # capitalised words of the lead: who and where (story grouping)
LEAD_VECTOR = "lead_vector"  # title and lead embedded together: what the article is about (search, stories)
QUOTES = "quotes"
PASSAGES = "passages"
PASSAGE_TEXT = "passages.text"
PASSAGE_VECTOR = "passages.vector"
QUOTE_KEY = "quotes.key"
QUOTE_VECTOR = "quotes.vector"
QUOTE_VARIANTS = "quotes.variants"  # a quote's word variants, as VARIANTS for the article
INDEXED_AT = "indexed_at"
VARIANTS = "variants"  # "Abramovich's" as Abramovich, "U.S." as US: searched with title and body (indexer.analysis)

_KEYWORD = {"type": "keyword"}
_VARIANTS = {"type": "text", "analyzer": analysis.TEXT}  # searched with the text beside it, never shown

FILE = "file"  # where the article sits in the archive that was indexed ("bbc/business/001.txt")
PEOPLE = "people"  # canonical names of the people, organisations and places an article names
ORGANIZATIONS = "organizations"
PLACES = "places"
ENTITY_COUNTS = "entity_counts"  # {kind: {name: mentions}}

# What a list of articles shows of each one (quote search, related coverage).
SUMMARY = [TITLE, OUTLET, DATE, DATE_PRECISION, URL, LANGUAGE, STORY]
# Kept for indexing and grouping, never shown: SOURCE is a path on the indexing machine.
INTERNAL = [SOURCE, CONTENT_HASH, INPUT_HASH, FINGERPRINT, NAMES, LEAD_VECTOR, VARIANTS, QUOTE_VARIANTS]


def cosine_from_score(score: float) -> float:
    """Vectors use cosine similarity, which Elasticsearch scores as (1 + cos) / 2."""
    return 2 * score - 1


def _vector(model: ModelInfo) -> dict:
    """Vectors use int8 HNSW explicitly: ES 9.1+ would otherwise pick BBQ at 384 dimensions, which
    loses too much recall for a model this small."""
    return {"type": "dense_vector", "dims": model.dims, "index": True, "similarity": "cosine",
            "index_options": {"type": "int8_hnsw"}}


# kNN walks the graph on the int8 copies of the vectors, whose quantisation depends on how the index
# happened to be cut into segments: scores moved in the fourth decimal between two builds of the same
# data, and the semantic leg's nDCG@10 by up to 0.002. The best k × OVERSAMPLE per shard are scored
# again on the float vectors, so a hit's score is its exact cosine: a rebuild ranks the same
# (bench/results/repeat-time.md) and groups the same stories. Every kNN clause is built here.
OVERSAMPLE = 2.0


def knn(field: str, vector: list[float], k: int, num_candidates: int | None = None, **options) -> dict:
    """One kNN clause on a vector field, rescored on the float vectors (options: filter, similarity, …).
    num_candidates: HNSW candidates per shard, by default twice k, at least 100, at most 10,000."""
    candidates = num_candidates if num_candidates is not None else min(max(2 * k, 100), 10_000)
    return {"field": field, "query_vector": vector, "k": k, "num_candidates": max(candidates, k),
            "rescore_vector": {"oversample": OVERSAMPLE}, **options}


def mapping(model: ModelInfo) -> dict:
    """Mapping for one index version (fields may be added to it later, never changed)."""
    text_with_raw = {"type": "text", "analyzer": "standard", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}}
    return {
        "_meta": {
            "schema_version": SCHEMA_VERSION,
            "model": model.model_id,
            "dims": model.dims,
            "normalized": model.normalized,
            "backend": model.backend,
        },
        "dynamic": "strict",
        "properties": {
            ID: _KEYWORD,
            TITLE: analysis.text_field(highlighted=True),
            BODY: analysis.text_field(highlighted=True),
            VARIANTS: _VARIANTS,
            OUTLET: _KEYWORD,
            DATE: {"type": "date"},
            DATE_PRECISION: _KEYWORD,
            YEAR: {"type": "short"},
            MONTH: {"type": "byte"},
            DAY: {"type": "byte"},
            LANGUAGE: _KEYWORD,
            URL: _KEYWORD,
            AUTHOR: _KEYWORD,
            PLACE: _KEYWORD,
            CONTENT_HASH: _KEYWORD,
            SOURCE: _KEYWORD,
            FILE: _KEYWORD,
            PEOPLE: _KEYWORD,
            ORGANIZATIONS: _KEYWORD,
            PLACES: _KEYWORD,
            ENTITY_COUNTS: {"type": "object", "enabled": False},
            INPUT_HASH: _KEYWORD,
            STORY: _KEYWORD,
            STORY_REASON: {"type": "keyword", "index": False},
            FINGERPRINT: _KEYWORD,
            NAMES: _KEYWORD,
            LEAD_VECTOR: _vector(model),
            INDEXED_AT: {"type": "date"},
            QUOTES: {
                "type": "nested",
                "properties": {
                    "text": analysis.text_field(),
                    "speaker": text_with_raw,
                    "speaker_role": _KEYWORD,
                    "speaker_kind": _KEYWORD,  # person | organization | other
                    "speaker_surface": {"type": "keyword", "index": False},  # the name as the text writes it
                    "cue": _KEYWORD,
                    "block": {"type": "boolean"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                    # The same words quoted anywhere: normalised text → one key (syndication, reprints).
                    "key": _KEYWORD,
                    "variants": _VARIANTS,  # "U.S." as US (indexer.analysis)
                    # The quote's meaning: links paraphrases and translations of one statement.
                    "vector": _vector(model),
                },
            },
            PASSAGES: {
                "type": "nested",
                "properties": {
                    "text": {"type": "text", "analyzer": "standard"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                    "vector": _vector(model),
                },
            },
        },
    }


@dataclass(frozen=True)
class Layout:
    """Shards and replicas of a new index (MORGUE_SHARDS, MORGUE_REPLICAS): fixed when it is built."""
    shards: int = 1
    replicas: int = 0


def index_settings(layout: Layout = Layout()) -> dict:
    return {"number_of_shards": layout.shards, "number_of_replicas": layout.replicas, "refresh_interval": "1s",
            **analysis.settings()}


def version_name(alias: str, version: int) -> str:
    """Concrete index behind the alias: morgue -> morgue-v3."""
    return f"{alias}-v{version}"
