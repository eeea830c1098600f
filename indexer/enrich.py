"""From a raw article to the document we store: cleaned body, metadata, quotes (passages and vectors
are added later by the pipeline)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

from indexer.clean import Cleaned, clean_scrape, normalize, strip_lead
from indexer.language import detect_language
from indexer.entities import Entities, place_name
from indexer.metadata import (DateInfo, content_hash, find_date, find_outlet, folder_outlet, parse_date_value,
                              parse_dateline, split_title)
from indexer.quotes import Quote, extract_quotes
from indexer.raw import RawArticle, Rejected

MIN_BODY_CHARS = 80
MAX_BODY_CHARS = 500_000  # longer is a book, a data dump or a scraping accident, not an article


@dataclass
class Article:
    id: str
    source: str
    title: str
    body: str
    outlet: str | None
    url: str | None
    author: str | None
    language: str | None
    place: str | None
    date: DateInfo
    quotes: list[Quote]
    content_hash: str
    dropped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was left out and why (a date not understood)
    input_hash: str | None = None  # set by the pipeline: the raw input and the options it was read with
    file: str | None = None  # where it sits in the archive that was indexed (RawArticle.key)
    entities: Entities | None = None  # named people, organisations, places (with a parse only)


def article_id(outlet: str | None, url: str | None, key: str) -> str:
    """Stable: (outlet, URL) when there is a URL, else where the item sits in the archive
    ("bbc/business/001.txt", "exports/feed.jsonl#12"). Re-ingesting finds the same document, an edited
    file updates it, and two files with the same text stay two documents (a wire story filed twice
    is two articles; story grouping, not the id, says they are one story)."""
    name = f"url\0{(outlet or '').lower()}\0{url.strip()}" if url else f"item\0{key}"
    return hashlib.sha256(name.encode()).hexdigest()[:24]


MAX_ID_BYTES = 512  # Elasticsearch refuses a longer _id, and with it every document of the bulk request


def given_id(value: str) -> str:
    """An export's own id, kept as it is when it can be one: an id longer than Elasticsearch takes, with
    a slash or a control character (no route reaches /articles/a/b), only dots (a browser reads
    /articles/.. as the folder above) or only spaces becomes a stable digest of it."""
    if (len(value.encode()) > MAX_ID_BYTES or "/" in value or not value.strip(". ")
            or any(ord(c) < 32 or ord(c) == 127 for c in value)):
        return hashlib.sha256(f"given\0{value}".encode()).hexdigest()[:24]
    return value


def _from_html(raw: RawArticle) -> tuple[Cleaned, dict] | Rejected:
    import trafilatura

    def extract(precise: bool):
        doc = trafilatura.bare_extraction(raw.html, url=raw.meta.get("url"), with_metadata=True,
                                          include_comments=False, include_tables=False, favor_precision=precise)
        return doc, (getattr(doc, "text", None) if doc is not None else None) or ""

    # Precision first (less site junk); when it keeps nothing of the page, trafilatura's default
    # extraction (one benchmark page in 181 was an article precision mode dropped whole: bench/extraction.py).
    doc, text = extract(True)
    if len(text.strip()) < MIN_BODY_CHARS:
        doc, text = extract(False)
    if len(text.strip()) < MIN_BODY_CHARS:
        return Rejected(raw.source, "HTML page with no article text")
    found = {"title": doc.title, "date": doc.date, "author": doc.author, "url": doc.url, "outlet": doc.sitename}
    meta = {k: v for k, v in found.items() if v}
    meta.update(raw.meta)  # what the source said beats what the page says
    cleaned = clean_scrape(text)
    return cleaned, meta


def enrich(raw: RawArticle, outlet: str | None = None, reference: date | None = None,
           folders: frozenset[str] = frozenset()) -> Article | Rejected:
    """outlet: for an article that names none; else the folder it was found in, when that folder was
    named on the command line (folders) and is called after an outlet (indexer.metadata.folder_outlet)."""
    raw_meta, left_out = _textual(raw.meta)
    raw = replace(raw, meta=raw_meta)
    if raw.html is not None and raw.text is None:
        result = _from_html(raw)
        if isinstance(result, Rejected):
            return result
        cleaned, meta = result
        title, body = (meta.get("title") or "").strip(), cleaned.text
        if not title:
            title, body = split_title(body, None)
    else:
        meta = raw.meta
        cleaned = clean_scrape(raw.text or "")
        title, body = split_title(cleaned.text, meta.get("title"))
    lead = strip_lead(normalize(body))  # a time stamp or byline on its own line is metadata, not text
    body = lead.text
    if len(body) < MIN_BODY_CHARS:
        return Rejected(raw.source, f"no article text after cleaning ({len(body)} characters left)")
    if len(body) > MAX_BODY_CHARS:
        return Rejected(raw.source, f"article text is {len(body):,} characters, over the limit of {MAX_BODY_CHARS:,}")
    dateline = parse_dateline(body)
    url = meta.get("url")
    outlet_name = find_outlet(body, meta.get("outlet"), dateline, url) or outlet or folder_outlet(raw.key, folders)
    return Article(
        id=given_id(meta["id"]) if meta.get("id") and not url else article_id(outlet_name, url, raw.key or raw.source),
        source=raw.source,
        title=title,
        body=body,
        outlet=outlet_name,
        url=url,
        author=meta.get("author") or lead.byline,
        language=meta.get("language") or detect_language(body),
        place=place_name(dateline.place) if dateline else None,
        date=find_date("\n".join([*lead.stamps, body]), meta.get("date"), dateline, reference),
        quotes=extract_quotes(body),
        content_hash=content_hash(title + "\n" + body),
        dropped=cleaned.dropped + lead.dropped,
        warnings=left_out + _date_warnings(meta.get("date")),
        file=raw.key or None,
    )


def _textual(meta: dict) -> tuple[dict, list[str]]:
    """The source's metadata as text: a number is its text ("outlet": 42, an id of 30 digits); a list,
    an object or a true/false ("title": ["a", "b"]) is left out with a warning instead of failing the
    article."""
    kept, left_out = {}, []
    for name, value in meta.items():
        if isinstance(value, str):
            kept[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            kept[name] = str(value)
        else:
            kind = {list: "a list", dict: "an object", bool: "true or false", type(None): "null"}.get(type(value))
            left_out.append(f"{name} is {kind or type(value).__name__}, not text: left out")
    return kept, left_out


def _date_warnings(given) -> list[str]:
    if given not in (None, "") and parse_date_value(given) is None:
        return [f"date {str(given)[:40]!r} not understood: the date comes from the text, if it has one"]
    return []
