"""What each kind of term becomes in Elasticsearch (the parser in search_api.syntax decides which):
plain words, an exact phrase, a trailing wildcard, a field's value."""
from __future__ import annotations

from indexer import analysis, schema
from indexer.entities import spellings
from search_api import speakers

TITLE_WEIGHT = 2
TEXT_FIELDS = [f"{schema.TITLE}^{TITLE_WEIGHT}", schema.BODY]
QUOTE_TEXT_FIELDS = ["quotes.text"]
VARIANT_FIELDS = {tuple(TEXT_FIELDS): schema.VARIANTS, tuple(QUOTE_TEXT_FIELDS): schema.QUOTE_VARIANTS}
EXACT_BOOST = 0.5  # weight of the unstemmed match next to the stemmed one (Reuters dev)
PROXIMITY_BOOST = 0.2  # each adjacent pair of query words found within PROXIMITY_SLOP positions
PROXIMITY_SLOP = 3
MAX_PAIRS = 16  # proximity pairs per group of words
KEYWORD_FIELDS = {"outlet": schema.OUTLET, "language": schema.LANGUAGE, "author": schema.AUTHOR,
                  "person": schema.PEOPLE}
NAMED_FIELDS = {"place": (schema.PLACES, schema.PLACE), "org": (schema.ORGANIZATIONS,)}  # indexer.entities.canonical


def words(content: list[str], fields: list[str], every: bool = False, capitals: bool = False) -> dict:
    """Plain words (stopwords already left out) as one clause: BM25 over the fields as one field on
    the stemmed text, the same words on the exact subfields, adjacent pairs as sloppy phrases. Any
    word may match, or with `every` (watches) each one must. On title and body, and on quotes, words
    are read as the index reads their variants ("Abramovich's" → Abramovich, "U.S." → US, "e-mail" →
    e-mail or email; with `capitals`, "US" → US_acronym; indexer.analysis.variants)."""
    variants = VARIANT_FIELDS.get(tuple(fields))  # none when a field was named (title:)
    if variants:
        content = list(dict.fromkeys(form for w in content for form in analysis.query_forms(w, capitals)))
    text = " ".join(content)
    should: list[dict] = [{"combined_fields": {"query": text, "fields": [analysis.exact(f) for f in fields],
                                               "boost": EXACT_BOOST}}]
    body = fields[-1].split("^")[0]
    for first, second in list(zip(content, content[1:]))[:MAX_PAIRS]:
        should.append({"match_phrase": {body: {"query": f"{first} {second}", "slop": PROXIMITY_SLOP,
                                               "boost": PROXIMITY_BOOST}}})
    if variants:
        fields = fields + [variants]
    if variants == schema.VARIANTS:  # for the page's highlighter (quotes are marked in search_api.highlight)
        should.append(variant_marks(content, [analysis.exact(f).split("^")[0] for f in TEXT_FIELDS]))
    main = {"query": text, "fields": fields, **({"operator": "and"} if every else {})}
    return {"bool": {"must": [{"combined_fields": main}], "should": should}}


def variant_marks(content: list[str], exact_fields: list[str]) -> dict:
    """The words' variants as the text writes them (Abramovich's, U.S.), on the exact subfields,
    scoring nothing: the search found them through the variants field, and the highlighter (which
    marks the terms of this query) marks them in the text."""
    # An acronym form (US_acronym) is marked where the text writes US, U.S. or "us": search_api.highlight
    # takes the pronoun's marks back.
    acronyms = [p.removesuffix(analysis.ACRONYM_SUFFIX) for w in content for p in w.split("-")
                if p.endswith(analysis.ACRONYM_SUFFIX)]
    words = [w for w in content if analysis.ACRONYM_SUFFIX not in w] + acronyms
    forms = [f"{w.lower()}{mark}s" for w in words for mark in "'’"] + [w.lower() for w in acronyms]
    forms += [".".join(w.lower()) for w in words if 2 <= len(w) <= 4 and w.isalpha()]
    return {"bool": {"should": [{"terms": {f: forms}} for f in exact_fields], "boost": 0.0}}


def stopwords_only(text: str, fields: list[str]) -> dict:
    """Only stopwords ("The Who"): they are what was asked for, as written."""
    return {"combined_fields": {"query": text, "fields": [analysis.exact(f) for f in fields], "operator": "and"}}


def phrase(text: str, slop: int, fields: list[str]) -> dict:
    return {"multi_match": {"query": text, "type": "phrase", "slop": slop,
                            "fields": [analysis.exact(f) for f in fields]}}


def prefix(stem: str, fields: list[str]) -> dict:
    targets = [analysis.exact(f).split("^")[0] for f in fields]
    return {"bool": {"should": [{"prefix": {f: {"value": stem.lower()}}} for f in targets], "minimum_should_match": 1}}


def field(name: str, value: str, scope: str) -> dict:
    """speaker:, outlet:, language:, place:, author: (title: is words or a phrase on the title)."""
    if name == "speaker":
        clause = speakers.clause(value)
        return clause if scope == "quote" else {"nested": {"path": schema.QUOTES, "query": clause}}
    if name in NAMED_FIELDS:  # a place named in the article or its dateline, an organisation: either spelling
        return {"bool": {"should": [{"term": {f: {"value": v, "case_insensitive": True}}} for v in spellings([value])
                                    for f in NAMED_FIELDS[name]], "minimum_should_match": 1}}
    return {"term": {KEYWORD_FIELDS[name]: {"value": value, "case_insensitive": True}}}
