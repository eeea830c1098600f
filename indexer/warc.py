"""WARC crawls (.warc, .warc.gz): their HTML responses as raw articles. Decompression is ours, so a
gzip bomb is rejected instead of inflated and a file cut short keeps the records before the cut."""
from __future__ import annotations

import io
import zlib
from typing import Iterator

from indexer.raw import RawArticle, Rejected, decode

MAX_RECORD_BYTES = 10 * 1024 * 1024  # one page, decompressed: more is not an article
MAX_DECOMPRESSED_FACTOR = 20  # a compressed file may expand to 20 × the file size limit, no more


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


def read_warc(source: str, data: bytes, max_bytes: int) -> Iterator[RawArticle | Rejected]:
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
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError, TypeError, KeyError) as exc:
        # warcio raises AttributeError/TypeError on records missing headers it expects (no target URI)
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
