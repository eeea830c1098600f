"""What sources produce: a raw article (text or HTML plus what its container says of it) or a
rejection with its reason; and the one rule for turning bytes into text."""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field


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


def well_formed(text: str) -> str:
    """The text with any lone surrogate (half of a pair, from a JSON escape such as \\ud800) as U+FFFD:
    such a string cannot be written as UTF-8, so hashing, indexing or answering with it fails."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
