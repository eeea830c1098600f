"""Sources: files and folders in, raw articles or rejections (with a reason) out. Never raises for
bad input: a broken file or record becomes a Rejected and the rest of the file is still read."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Iterator

from indexer.listing import display
from indexer.raw import RawArticle, Rejected, decode, well_formed
from indexer.warc import read_warc

MAX_FILE_BYTES = 50 * 1024 * 1024  # MORGUE_MAX_FILE_BYTES
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".jsonl", ".ndjson", ".json", ".csv", ".warc", ".warc.gz"}
TEXT_FIELDS = ("text", "body", "content", "article")
_NOT_ARTICLES = re.compile(r"^(?:readme|license|licence|copying|changelog)(?:\.\w+)?$", re.I)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def read_path(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[RawArticle | Rejected]:
    """The articles of one input, or its rejections with reasons. A reader that fails on an input
    nobody foresaw rejects that input, saying so, and never stops the run."""
    try:
        yield from _read(path, max_bytes)
    except Exception as exc:  # noqa: BLE001 - one bad input fails only itself
        yield Rejected(display(path), f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); "
                                      "a reader's bug: please report it with the file")


def _read(path: Path, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    source = display(path)
    suffix = _suffix(path)
    if not path.exists():
        yield Rejected(source, "file not found")
        return
    if _NOT_ARTICLES.match(path.name):
        yield Rejected(source, "a dataset's README, licence or changelog, not an article")
        return
    if suffix not in SUFFIXES:
        yield Rejected(source, f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(sorted(SUFFIXES))}")
        return
    try:
        size = path.stat().st_size
        if size == 0:
            yield Rejected(source, "empty file")
            return
        if size > max_bytes:
            yield Rejected(source, f"file is {size:,} bytes, over the limit of {max_bytes:,} (MORGUE_MAX_FILE_BYTES)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Rejected(source, f"unreadable file: {exc.strerror or exc}")
        return
    if suffix in (".warc", ".warc.gz"):
        yield from read_warc(source, data, max_bytes)
        return
    text = decode(data)
    if text is None:
        yield Rejected(source, "binary or undecodable file: no text encoding fits")
        return
    if not text.strip():
        yield Rejected(source, "empty file (whitespace only)")
    elif suffix in TEXT_SUFFIXES:
        yield RawArticle(source, text=text)
    elif suffix in HTML_SUFFIXES:
        yield RawArticle(source, html=text)
    elif suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(source, text)
    elif suffix == ".json":
        yield from _read_json(source, text)
    elif suffix == ".csv":
        yield from _read_csv(source, text)


def _json(text: str):
    """json.loads, with nesting too deep for the parser reported like any other malformed JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text[:20], 0) from None


def _record(source: str, record: dict) -> RawArticle | Rejected:
    if not isinstance(record, dict):
        return Rejected(source, "record is not a JSON object")
    # a JSON escape of half a surrogate pair used to stop the whole run when the text was hashed
    lowered = {str(k).lower(): well_formed(v) if isinstance(v, str) else v for k, v in record.items()}
    text = next((lowered[k] for k in TEXT_FIELDS if isinstance(lowered.get(k), str) and lowered[k].strip()), None)
    html = lowered.get("html") if isinstance(lowered.get("html"), str) else None
    if text is None and not html:
        return Rejected(source, f"record has no text: expected one of {', '.join(TEXT_FIELDS)} or html")
    meta = {k: lowered[k] for k in ("id", "title", "url", "date", "outlet", "language", "author") if lowered.get(k)}
    if "published" in lowered and "date" not in meta:
        meta["date"] = lowered["published"]
    return RawArticle(source, text=text, html=None if text else html, meta=meta)


def _read_jsonl(source: str, text: str) -> Iterator[RawArticle | Rejected]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}#{number}"
        try:
            record = _json(line)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"malformed JSON on line {number}: {exc.msg} at column {exc.colno}")
            continue
        yield _record(where, record)


def _read_json(source: str, text: str) -> Iterator[RawArticle | Rejected]:
    try:
        data = _json(text)
    except json.JSONDecodeError as exc:
        yield Rejected(source, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return
    records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records, 1):
        yield _record(f"{source}#{number}", record)


def _read_csv(source: str, text: str) -> Iterator[RawArticle | Rejected]:
    csv.field_size_limit(MAX_FILE_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(text))
        for number, row in enumerate(reader, 2):
            yield _record(f"{source}#{number}", {k: v for k, v in row.items() if k})
    except csv.Error as exc:
        yield Rejected(source, f"malformed CSV: {exc}")
