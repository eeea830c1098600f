"""Sources: files and folders in, raw articles or rejections (with a reason) out. Never raises for
bad input: a broken file or record becomes a Rejected and the rest of the file is still read."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".jsonl", ".ndjson", ".json", ".csv", ".warc", ".warc.gz"}
TEXT_FIELDS = ("text", "body", "content", "article")


@dataclass
class RawArticle:
    source: str  # path, with "#N" for the Nth record of a multi-record file
    text: str | None = None
    html: str | None = None
    meta: dict = field(default_factory=dict)  # title, url, date, outlet, language, author, id
    # Where the item sits inside the archive that was indexed ("bbc/business/001.txt#3"): stable when
    # the archive moves, so it can name a document that has no URL.
    key: str = ""


@dataclass
class Rejected:
    source: str
    reason: str


_NOT_ARTICLES = re.compile(r"^(?:readme|license|licence|copying|changelog)(?:\.\w+)?$", re.I)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def iter_files(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """(file, its key) for every file under the given paths, in a stable order; hidden files are
    skipped. The key is the path from the folder that was named ("bbc/business/001.txt")."""
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child, str(child.relative_to(path.parent))
        else:
            yield path, path.name


def decode(data: bytes) -> str | None:
    """UTF-8 when it is, else the encoding charset-normalizer finds; None when nothing fits."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else None


def read_path(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[RawArticle | Rejected]:
    source = str(path)
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
    size = path.stat().st_size
    if size == 0:
        yield Rejected(source, "empty file")
        return
    if size > max_bytes:
        yield Rejected(source, f"file is {size} bytes, over the limit of {max_bytes} (MORGUE_MAX_FILE_BYTES)")
        return
    data = path.read_bytes()
    if suffix in (".warc", ".warc.gz"):
        yield from _read_warc(source, data)
        return
    if b"\0" in data[:8192]:
        yield Rejected(source, "binary file (NUL bytes), not text")
        return
    text = decode(data)
    if text is None:
        yield Rejected(source, "undecodable text: no encoding fits")
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


def _record(source: str, record: dict) -> RawArticle | Rejected:
    if not isinstance(record, dict):
        return Rejected(source, "record is not a JSON object")
    lowered = {str(k).lower(): v for k, v in record.items()}
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
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"malformed JSON on line {number}: {exc.msg} at column {exc.colno}")
            continue
        yield _record(where, record)


def _read_json(source: str, text: str) -> Iterator[RawArticle | Rejected]:
    try:
        data = json.loads(text)
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


def _read_warc(source: str, data: bytes) -> Iterator[RawArticle | Rejected]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        number = 0
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type != "response":
                continue
            number += 1
            where = f"{source}#{number}"
            content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
            if "html" not in content_type.lower():
                continue
            body = record.content_stream().read()
            html = decode(body)
            if html is None:
                yield Rejected(where, "undecodable HTML in WARC record")
                continue
            meta = {"url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date")}
            yield RawArticle(where, html=html, meta={k: v for k, v in meta.items() if v})
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        yield Rejected(source, f"not a readable WARC file: {exc}")
