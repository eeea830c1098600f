"""Sources: files and folders in, raw articles or rejections (with a reason) out. Never raises for
bad input: a broken file or record becomes a Rejected and the rest of the file is still read."""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

MAX_FILE_BYTES = 50 * 1024 * 1024  # MORGUE_MAX_FILE_BYTES
MAX_RECORD_BYTES = 10 * 1024 * 1024  # one page or record, decompressed: more is not an article
MAX_DECOMPRESSED_FACTOR = 20  # a compressed file may expand to 20 × its size limit, no more (gzip bombs)
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


def display(path: Path | str) -> str:
    """A path as text that can be stored and shown: bytes that are not UTF-8 in a file name (0xFF)
    become \\xff escapes instead of surrogates that Elasticsearch refuses."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iter_files(paths: list[Path], follow_links: bool = False) -> Iterator[tuple[Path, str] | Rejected]:
    """(file, its key) for every file under the given paths, in a stable order; hidden files are
    skipped. The key is the path from the folder that was named ("bbc/business/001.txt").

    Symbolic links are read only when they point inside the folders named (follow_links: anywhere);
    a link that leads outside, a broken one, a loop and a linked folder are Rejected with that reason,
    so nothing outside the archive becomes searchable by accident."""
    roots = [p.resolve() for p in paths]
    seen_dirs: set[Path] = set()

    def allowed(target: Path) -> bool:
        return follow_links or any(target == root or root in target.parents for root in roots)

    def link_problem(path: Path) -> str | None:
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop"
        except OSError:
            return "broken symbolic link (its target does not exist)"
        if not allowed(target):
            return f"symbolic link to {display(target)}, outside the folders being indexed (not followed)"
        return None

    def walk(folder: Path, top: Path) -> Iterator[tuple[Path, str] | Rejected]:
        real = folder.resolve()
        if real in seen_dirs:
            yield Rejected(display(folder), "symbolic link loop: this folder was already read")
            return
        seen_dirs.add(real)
        try:
            children = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            yield Rejected(display(folder), f"unreadable folder: {exc.strerror or exc}")
            return
        for child in children:
            if child.name.startswith("."):
                continue
            if child.is_symlink():
                problem = link_problem(child)
                if problem:
                    yield Rejected(display(child), problem)
                    continue
            if child.is_dir():
                if child.is_symlink() and not follow_links:
                    yield Rejected(display(child), "symbolic link to a folder (not followed; --follow-links reads it)")
                    continue
                yield from walk(child, top)
            elif child.is_file():
                yield child, display(child.relative_to(top.parent))
            elif child.exists():
                yield Rejected(display(child), "not a regular file (device, pipe or socket)")

    for path in paths:
        if path.is_symlink() and (problem := link_problem(path)) and "outside" not in problem:
            yield Rejected(display(path), problem)  # named on the command line: followed unless broken
            continue
        if path.is_dir():
            yield from walk(path.absolute(), path.absolute())
        else:
            yield path.absolute(), display(path.name)


_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _utf16_without_bom(data: bytes) -> str | None:
    """Text in UTF-16 without a byte-order mark: every other byte of ASCII-range text is NUL."""
    sample = data[:4096]
    for encoding, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if len(zeros) > 8 and zeros.count(0) > 0.9 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes) -> str | None:
    """The byte-order mark's encoding, else UTF-8 when it is, else UTF-16 without a mark, else the
    encoding charset-normalizer finds; None when nothing fits (binary data)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\0" in data[:8192]:
        return _utf16_without_bom(data)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else None


def read_path(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[RawArticle | Rejected]:
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
        yield from _read_warc(source, data, max_bytes)
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


class _Inflated(io.RawIOBase):
    """The decompressed bytes of gzip data (one member or many, as WARC files have), capped at
    `limit` (more raises _TooLarge: a gzip bomb is never inflated) and reporting a cut instead of
    raising, so the records read before it are kept: `truncated` is set when the data ends inside a
    member, `damaged` when it is not gzip where it should be."""

    def __init__(self, data: bytes, limit: int):
        self.data, self.position, self.limit, self.total = memoryview(data), 0, limit, 0
        self.inflater, self.feed, self.in_member = zlib.decompressobj(31), b"", False
        self.truncated = self.damaged = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self.inflater.eof:  # one member done: the next begins with what it left over
                self.feed, self.in_member = self.inflater.unused_data + self.feed, False
                self.inflater = zlib.decompressobj(31)
            if not self.feed:
                if self.position >= len(self.data):
                    self.truncated = self.in_member
                    return 0
                self.feed = bytes(self.data[self.position:self.position + (1 << 16)])
                self.position += len(self.feed)
            if not self.in_member and not self.feed.strip(b"\0"):
                self.feed = b""  # padding between or after members
                continue
            try:
                out = self.inflater.decompress(self.feed, len(buffer))
            except zlib.error:
                self.damaged = True
                return 0
            self.in_member, self.feed = True, self.inflater.unconsumed_tail
            if out:
                self.total += len(out)
                if self.total > self.limit:
                    raise _TooLarge(self.limit)
                buffer[:len(out)] = out
                return len(out)


class _TooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"expands to more than {limit:,} bytes")


def _read_warc(source: str, data: bytes, max_bytes: int = MAX_FILE_BYTES) -> Iterator[RawArticle | Rejected]:
    """Response records with HTML. Decompression is ours: capped (a gzip bomb is rejected, not
    inflated), and a file cut short keeps the records before the cut and reports the rest."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    inflated = _Inflated(data, max_bytes * MAX_DECOMPRESSED_FACTOR) if data[:2] == b"\x1f\x8b" else None
    stream = io.BufferedReader(inflated, 1 << 16) if inflated else io.BytesIO(data)
    number, held, complete = 0, None, True  # each record is let go when the next one starts: the last may be cut
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            number += 1
            where = f"{source}#{number}"
            if held is not None:
                yield held
                held = None
            content_type = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
            if "html" not in content_type.lower():
                continue
            body = record.content_stream().read(MAX_RECORD_BYTES + 1)
            declared = record.http_headers.get_header("Content-Length") or ""
            complete = not declared.isdigit() or len(body) >= min(int(declared), MAX_RECORD_BYTES + 1)
            if len(body) > MAX_RECORD_BYTES:
                held = Rejected(where, f"WARC record over {MAX_RECORD_BYTES:,} bytes of HTML: not an article page")
                continue
            html = decode(body)
            meta = {"url": record.rec_headers.get_header("WARC-Target-URI"),
                    "date": record.rec_headers.get_header("WARC-Date")}
            held = RawArticle(where, html=html, meta={k: v for k, v in meta.items() if v}) if html is not None \
                else Rejected(where, "undecodable HTML in WARC record")
    except _TooLarge as exc:
        if held is not None:
            yield held
        yield Rejected(source, f"compressed file {exc} (a decompression bomb?): rejected after {number} records")
        return
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        if held is not None and number > 1:
            yield held
        what = "cut short or damaged" if number else "not a readable WARC file"
        yield Rejected(source, f"{what} after {max(number - 1, 0)} records: {exc or type(exc).__name__}")
        return
    if inflated is not None and (inflated.truncated or inflated.damaged):
        if held is not None and complete:
            yield held
        last = f"; record {held.source.rsplit('#', 1)[1]} is incomplete and left out" if held and not complete else ""
        yield Rejected(source, f"cut short or damaged after {number} records{last}")
        return
    if held is not None:
        yield held
