"""Cleaning: Unicode and whitespace normalisation, and removal of what a scrape adds to an article.

What is removed is returned with a reason, so the pipeline can report (and tests can measure) how
much text cleaning drops: a rule that silently eats sentences is a bug we want to see.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u3000\t"), " ")

# "• 32227 переглядiв", "12,345 views", "1.2K reads"
_COUNTER = re.compile(
    r"^\s*[•·|]?\s*\d[\d\s,.]*[KkMm]?\s*(?:перегляд\w*|просмотр\w*|views?|reads?|comments?|shares?)\s*$", re.I
)
# Headings that open a block of links to other stories; everything in the block goes.
_RELATED_HEADING = re.compile(
    r"^\s*(?:news by theme|related (?:news|stories|articles|coverage)|read (?:also|more)|more (?:news|stories)"
    r"|most (?:read|popular)|you may (?:also )?like|recommended|latest news|top stories|see also"
    r"|новини за темою|читайте також|читайте также|новости по теме|по теме)\s*:?\s*$",
    re.I,
)
# A cross-link to another story: a short line ending with its own timestamp ("… 27.02.24, 12:39").
_TIMESTAMPED_LINK = re.compile(r"^.{5,200}?\s\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s+\d{1,2}:\d{2}\s*$")
_BOILERPLATE = re.compile(
    r"^\s*(?:share(?: this| on)?\b|tweet\b|subscribe\b|follow us\b|sign up\b|newsletter\b|we use cookies"
    r"|accept (?:all )?cookies|this (?:site|website) uses cookies|advertisement\s*$|print\s*$|email\s*$"
    r"|read the rest here\b|click here\b|photo:|getty images\s*$|copyright ©|© \d{4})",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?…\"”»)]\s*$")


@dataclass
class Cleaned:
    text: str
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (reason, removed line)

    @property
    def dropped_chars(self) -> int:
        return sum(len(line) for _, line in self.dropped)


def normalize(text: str) -> str:
    """NFC, invisible characters out, odd spaces to spaces, end-of-line hyphenation joined, blank
    runs folded. Quote marks are kept as they are (the quote extractor reads them)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE).translate(_SPACES)
    text = re.sub(r"(?<=[a-zа-яіїєґ])-\n(?=[a-zа-яіїєґ])", "", text)  # "exam-\nple" -> "example"
    text = re.sub(r"[ ]{2,}", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _script(text: str) -> str | None:
    """Main script of a string: 'latin', 'cyrillic', or None when it has few letters."""
    latin = sum(1 for c in text if c.isalpha() and c < "\u0250")
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    if latin + cyrillic < 5:
        return None
    return "latin" if latin >= cyrillic else "cyrillic"


def _is_headline(line: str) -> bool:
    return len(line) <= 160 and not _SENTENCE_END.search(line)


def clean_scrape(text: str) -> Cleaned:
    """Remove view counters, related-story blocks, timestamped cross-links and share/cookie lines."""
    text = normalize(text)
    lines = text.split("\n")
    main_script = _script(text)
    kept: list[str] = []
    dropped: list[tuple[str, str]] = []
    in_related_block = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if _RELATED_HEADING.match(stripped):
            in_related_block = True
            dropped.append(("related-block", stripped))
            continue
        if in_related_block:
            if _COUNTER.match(stripped) or _is_headline(stripped):
                dropped.append(("related-block", stripped))
                continue
            in_related_block = False  # real prose again: the block has ended
        if _COUNTER.match(stripped):
            dropped.append(("view-counter", stripped))
        elif _TIMESTAMPED_LINK.match(stripped) and _is_headline(re.sub(r"[\d.,:\s]+$", "", stripped)):
            dropped.append(("cross-link", stripped))
        elif _is_headline(stripped) and main_script and _script(stripped) not in (None, main_script) and len(stripped) < 120:
            dropped.append(("other-script-link", stripped))
        elif len(stripped) < 120 and _BOILERPLATE.match(stripped):
            dropped.append(("boilerplate", stripped))
        else:
            kept.append(stripped)
    return Cleaned(normalize("\n".join(kept)), dropped)


# The first lines of a scrape often carry a time stamp or a byline on their own ("14:05, 12.03.2025",
# "Updated: March 12, 2025 2:05 pm", "By Jane Doe, Reuters"): metadata, not the article's first words.
LEAD_LINES = 4  # how many of the first lines are looked at
_STAMP_WORDS = {
    "published", "updated", "posted", "last", "modified", "on", "at", "am", "pm", "a", "m", "p", "utc", "gmt", "cet",
    "cest", "eet", "eest", "est", "edt", "pst", "pdt", "bst", "msk", "kyiv", "time", "jan", "january", "feb",
    "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july", "aug", "august", "sep", "sept",
    "september", "oct", "october", "nov", "november", "dec", "december", "mon", "monday", "tue", "tuesday", "wed",
    "wednesday", "thu", "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
}
_BYLINE = re.compile(r"^(?:[Bb]y|BY|[Вв]ід|[Аа]втор:?)\s+(?P<name>[A-ZА-ЯІЇЄҐ][\w.'’-]*(?:\s+(?:[A-ZА-ЯІЇЄҐ][\w.'’-]*|and|&|de|der|den|van|von|da|di|la|le))"
                     r"{0,6})\s*(?:[,|–—-]\s*[^\n]{0,50})?$")


@dataclass
class Lead:
    text: str  # the article with those lines removed
    stamps: list[str] = field(default_factory=list)  # the time-stamp lines (for the date)
    byline: str | None = None  # the author's name from a "By …" line
    dropped: list[tuple[str, str]] = field(default_factory=list)


_MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_FULL_DATE = re.compile(rf"\b\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                        rf"|\b\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b", re.I)


def is_time_stamp(line: str) -> bool:
    """A line of only one date and/or one time of day ("14:05, 12.03.2025", "Updated: March 12, 2025
    2:05 pm"): a full date or a clock time, no other number, no word but date words. A table row of
    figures or of several dates ("Feb 87  Jan 87", "02/28/87  01/31/87") is text."""
    if len(line) > 60:
        return False
    clocks, dates = _CLOCK.findall(line), _FULL_DATE.findall(line)
    if len(clocks) > 1 or len(dates) > 1 or not (clocks or dates):
        return False
    rest = _FULL_DATE.sub(" ", _CLOCK.sub(" ", line))
    words = re.findall(r"[^\W\d_]+", rest.lower())
    return not re.search(r"\d", rest) and all(w in _STAMP_WORDS for w in words)


def strip_lead(text: str) -> Lead:
    """Time-stamp and byline lines among the first LEAD_LINES lines out of the text, kept aside."""
    lines = text.split("\n")
    lead = Lead(text)
    seen, kept = 0, []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if seen >= LEAD_LINES:
            kept.extend(lines[i:])
            break
        if stripped:
            seen += 1
        if stripped and is_time_stamp(stripped):
            lead.stamps.append(stripped)
            lead.dropped.append(("time-stamp", stripped))
        elif stripped and lead.byline is None and (match := _BYLINE.match(stripped)):
            lead.byline = match.group("name").strip()
            lead.dropped.append(("byline", stripped))
        else:
            kept.append(line)
    if lead.dropped:
        lead.text = normalize("\n".join(kept))
    return lead
