"""Test inputs written by the tests that need them (no committed blobs)."""
from __future__ import annotations

import uuid


def warc_record(url: str, html: bytes) -> bytes:
    """One WARC response record carrying an HTML page."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(html) + html
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2025-03-04T10:00:00Z\r\n"
            f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


PLACES = ["Port Aldren", "Kessel", "Marrow Bay", "Tillfield", "Oskar Heights", "Brannock", "Lowe Ferry", "Calder"]
SUBJECTS = ["harbour dredging", "school meals", "bus fares", "the flood barrier", "hospital parking", "library hours",
            "a wind farm", "council tax", "the night market", "bridge repairs", "water meters", "cycle lanes"]
VERBS = ["approved", "delayed", "rejected", "questioned", "funded", "cut", "extended", "reviewed"]


def synthetic_articles(n: int) -> list[dict]:
    """n distinct, dated JSONL articles of two paragraphs with a quote each (made up, deterministic)."""
    out = []
    for i in range(n):
        place, subject = PLACES[i % len(PLACES)], SUBJECTS[(i // len(PLACES)) % len(SUBJECTS)]
        verb = VERBS[(i * 7) % len(VERBS)]
        text = (f"{place} councillors {verb} plans for {subject} on Tuesday, item {i} of the session, after "
                f"a debate that ran for {2 + i % 5} hours. Residents had sent {40 + i} letters about the scheme.\n\n"
                f"\"We listened to every one of them,\" said Mayor Ada Quill, who chairs committee {i % 13}. "
                f"The next vote on {subject} in {place} is due in {1 + i % 11} weeks.")
        out.append({"id": f"synthetic-{i}", "title": f"{place} {verb} {subject} (item {i})", "text": text,
                    "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "outlet": "synthetic"})
    return out
