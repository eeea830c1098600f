"""A watch's matches as an Atom feed (RFC 4287) for feed readers: newest first, one entry per article.
Built with ElementTree, so every value from an article is escaped."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

from search_api.watch_models import WatchMatch
from search_api.watch_store import Watch

ATOM = "http://www.w3.org/2005/Atom"
SIZE = 100


def _text(parent: ET.Element, tag: str, text: str | None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def atom(watch: Watch, matches: list[WatchMatch], base_url: str, self_url: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"urn:morgue:watch:{watch.id}")
    _text(feed, "title", f"Morgue watch: {watch.name}")
    _text(feed, "updated", watch.last_run_at or watch.created_at)
    _text(feed, "link", None, rel="self", href=self_url, type="application/atom+xml")
    author = _text(feed, "author", None)
    _text(author, "name", "Morgue")
    _text(feed, "generator", "Morgue")
    for match in sorted(matches, key=lambda m: (m.matched_at, m.id), reverse=True):
        entry = _text(feed, "entry", None)
        _text(entry, "id", f"urn:morgue:watch:{watch.id}:{match.id}")
        _text(entry, "title", match.title or "(no title)")
        _text(entry, "updated", match.matched_at)
        if match.date:
            _text(entry, "published", f"{match.date[:10]}T00:00:00Z")
        _text(entry, "link", None, rel="alternate", href=f"{base_url.rstrip('/')}/articles/{quote(match.id)}")
        if match.url:
            _text(entry, "link", None, rel="via", href=match.url)
        if summary := ", ".join(x for x in (match.outlet, (match.date or "")[:10]) if x):
            _text(entry, "summary", summary)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")
