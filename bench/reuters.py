"""Reuters-21578 (SGML) → one JSONL export that `morgue index` reads like any newsroom export.

Each record: title, date (ISO, from <DATE>), outlet "Reuters", text = dateline + body (the indexer's
dateline parser reads "SALVADOR, Feb 26 - "), topics and places (kept for readers of the file; the
index has no field for them). Stories without a <BODY> (headline-only briefs) are counted and left out.

    python -m bench.reuters ../shared/data/reuters21578 /var/lib/morgue/corpora/reuters.jsonl
"""
from __future__ import annotations

import argparse
import html
import json
import re
import string
import sys
from datetime import datetime
from pathlib import Path
from typing import Iterator

_STORY = re.compile(r"<REUTERS\b(?P<attrs>[^>]*)>(?P<inner>.*?)</REUTERS>", re.S)
_NEWID = re.compile(r'NEWID="(\d+)"')
_CONTROL = re.compile(r"&#\d+;")


def _tag(inner: str, name: str) -> str | None:
    match = re.search(rf"<{name}>(.*?)</{name}>", inner, re.S)
    return match.group(1) if match else None


def _items(inner: str, name: str) -> list[str]:
    block = _tag(inner, name) or ""
    return re.findall(r"<D>(.*?)</D>", block)


def _unescape(text: str) -> str:
    return html.unescape(_CONTROL.sub("", text))


def _paragraphs(body: str) -> str:
    """The wire's fixed-width lines joined into paragraphs; an indented line starts a new one."""
    paragraphs: list[list[str]] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        if line.startswith((" ", "\t")) or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    text = "\n\n".join(" ".join(p) for p in paragraphs)
    return re.sub(r"\s*\bReuter\s*$", "", text).strip()


def _date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:  # " 3-APR-1987 12:41:43.18": day without a leading zero, hundredths of a second
        return datetime.strptime(raw.strip().split(".")[0], "%d-%b-%Y %H:%M:%S").isoformat()
    except ValueError:
        return None


def stories(folder: Path) -> Iterator[dict | None]:
    """One dict per story with a body; None for a story without one."""
    for path in sorted(folder.glob("reut2-*.sgm")):
        data = path.read_bytes().decode("latin-1")
        for match in _STORY.finditer(data):
            inner = match.group("inner")
            body = _tag(inner, "BODY")
            if body is None or not body.strip():
                yield None
                continue
            dateline = _unescape(_tag(inner, "DATELINE") or "").strip()
            text = _paragraphs(_unescape(body))
            yield {
                "id": f"reuters-{_NEWID.search(match.group('attrs')).group(1)}",
                "title": string.capwords(_unescape(_tag(inner, "TITLE") or "")) or None,
                "date": _date(_tag(inner, "DATE")),
                "outlet": "Reuters",
                "text": f"{dateline} {text}" if dateline else text,
                "topics": _items(inner, "TOPICS"),
                "places": _items(inner, "PLACES"),
            }


def convert(folder: Path, out: Path) -> tuple[int, int]:
    out.parent.mkdir(parents=True, exist_ok=True)
    written = skipped = 0
    with out.open("w", encoding="utf-8") as handle:
        for story in stories(folder):
            if story is None:
                skipped += 1
                continue
            handle.write(json.dumps(story, ensure_ascii=False) + "\n")
            written += 1
    return written, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="data/reuters21578 (the reut2-*.sgm files)")
    parser.add_argument("out", type=Path, help="JSONL file to write (outside the repository: research-use data)")
    args = parser.parse_args(argv)
    if not list(args.folder.glob("reut2-*.sgm")):
        print(f"no reut2-*.sgm files in {args.folder}", file=sys.stderr)
        return 2
    written, skipped = convert(args.folder, args.out)
    print(f"{written} stories with a body written to {args.out}; {skipped} without a body left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
