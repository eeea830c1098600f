"""Metadata from the cleaned text and what the source gave: title, outlet, dateline, date, language.

A date is never given a year it does not have: a dateline "February 28" without a year and without
a reference date is stored as month and day with precision "month-day" and no full date.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlparse

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
# "WASHINGTON, February 28. /TASS/." · "BAHIA, Feb 26 -" · "LONDON, 3 March (Reuters) -" · "STAMFORD, Conn., March
# 30 -" · "SAULT STE MARIE, Ontario, April 3 -" · "BRASILIA, MARCH 6 -" · "Detroit, March 4 -" (a place in title case
# only before a dash: "Tuesday, March 4" opens sentences)
_REGION = r"(?:,\s+(?P<region>[A-Z][A-Za-z.]*(?:\s[A-Z][A-Za-z.]*){0,2}))"  # "Conn.", "N.J.", "British Columbia"
_WEEKDAYS = r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)"
DATELINE = re.compile(
    rf"^(?:(?P<place>[A-Z][A-Z.'\- ]{{1,40}}?)|{_WEEKDAYS}(?P<titled>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,2}})(?=,[^-\n]{{3,30}}\s[-–—]))"
    rf"(?:\s*\([^)]*\))?{_REGION}?,\s+"
    rf"(?i:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH}))"
    rf"(?:,?\s+(?P<year>\d{{4}}))?\.?\s*(?:/(?P<outlet>[A-Za-z][A-Za-z .&'-]{{1,30}}?)/\.?|\((?P<outlet2>[A-Za-z][A-Za-z .&'-]{{1,30}}?)\))?\s*[-–—]?\s*"
)
_REPORTS = re.compile(r"[,.]?\s+(?P<outlet>(?:[A-Z][A-Za-z]+ ){0,3}[A-Z][A-Za-z]{1,14}|[A-Z]{2,8}) (?:reports|reported|writes)\.")
# "14:05, 12.03.2025" under a scraped headline: day.month.year
_NUMERIC_DATE = re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:19|20)\d{2})(?![\d.])")
_TEXT_DATE = re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}),\s+(?P<year>(?:19|20)\d{{2}})\b")


@dataclass
class DateInfo:
    date: str | None  # ISO date when the year is known or inferred from a reference date
    precision: str  # day | day-year-inferred | month-day | month | year | none
    year: int | None = None
    month: int | None = None
    day: int | None = None


@dataclass
class Dateline:
    place: str
    month: int
    day: int
    year: int | None
    outlet: str | None
    end: int  # where the dateline ends in the text
    region: str | None = None  # the state, province or country after the place ("Conn.", "West Germany")


def parse_dateline(text: str) -> Dateline | None:
    match = DATELINE.match(text)
    if not match:
        return None
    month = match.group("month") or match.group("month2")
    day = int(match.group("day") or match.group("day2"))
    month_number = MONTHS.get(month.lower().rstrip("."))
    if not month_number or not 1 <= day <= 31:
        return None
    return Dateline(
        place=(match.group("place") or match.group("titled")).strip(),
        month=month_number,
        day=day,
        year=int(match.group("year")) if match.group("year") else None,
        outlet=match.group("outlet") or match.group("outlet2"),
        end=match.end(),
        region=match.group("region"),
    )


def parse_date_value(value) -> DateInfo | None:
    """A date from metadata: ISO strings, common formats, or a bare year."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        return DateInfo(value.strftime("%Y-%m-%d"), "day", value.year, value.month, value.day)
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return DateInfo(None, "year", int(text))
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                "%d-%b-%Y %H:%M:%S.%f", "%d %B %Y", "%B %d, %Y", "%d/%m/%Y", "%Y/%m/%d", "%a, %d %b %Y %H:%M:%S %Z",
                "%a, %d %b %Y %H:%M:%S %z"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return DateInfo(parsed.strftime("%Y-%m-%d"), "day", parsed.year, parsed.month, parsed.day)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return DateInfo(parsed.strftime("%Y-%m-%d"), "day", parsed.year, parsed.month, parsed.day)
    except ValueError:
        return None


def date_from_parts(month: int, day: int, year: int | None, reference: date | None) -> DateInfo:
    """A month and day, with the year given, inferred from a reference date (the latest such date on or
    before it), or left unknown."""
    if year:
        try:
            return DateInfo(date(year, month, day).isoformat(), "day", year, month, day)
        except ValueError:
            return DateInfo(None, "none")
    if reference:
        for candidate in (reference.year, reference.year - 1):
            try:
                found = date(candidate, month, day)
            except ValueError:
                continue
            if found <= reference:
                return DateInfo(found.isoformat(), "day-year-inferred", candidate, month, day)
    return DateInfo(None, "month-day", None, month, day)


def find_date(text: str, meta_date, dateline: Dateline | None, reference: date | None) -> DateInfo:
    """Metadata first, then the dateline, then the first full date in the text."""
    from_meta = parse_date_value(meta_date)
    if from_meta:
        return from_meta
    if dateline:
        return date_from_parts(dateline.month, dateline.day, dateline.year, reference)
    match = _TEXT_DATE.search(text[:3000])
    if match:
        month = MONTHS.get(match.group("month").lower().rstrip("."))
        if month:
            return date_from_parts(month, int(match.group("day")), int(match.group("year")), reference)
    match = _NUMERIC_DATE.search(text[:600])
    if match and 1 <= int(match.group("month")) <= 12 and 1 <= int(match.group("day")) <= 31:
        return date_from_parts(int(match.group("month")), int(match.group("day")), int(match.group("year")), reference)
    return DateInfo(None, "none")


def find_outlet(text: str, given: str | None, dateline: Dateline | None, url: str | None) -> str | None:
    if given:
        return given
    if dateline and dateline.outlet:
        return dateline.outlet
    match = _REPORTS.search(text[:2000])
    if match:
        return match.group("outlet")
    if url:
        host = urlparse(url).hostname or ""
        host = re.sub(r"^(www|m|amp|edition|news)\.", "", host)
        return host or None
    return None


# Folder names that say what a folder holds, not whose articles: never taken for an outlet.
GENERIC_FOLDERS = {"archive", "archives", "articles", "corpus", "data", "download", "downloads", "export", "exports",
                   "files", "html", "input", "inputs", "json", "jsonl", "csv", "morgue", "news", "pages", "raw",
                   "sample", "sample_archive", "samples", "scrapes", "stories", "text", "texts", "tmp", "txt", "warc"}


def folder_outlet(key: str | None, folders: frozenset[str]) -> str | None:
    """The outlet a folder named on the command line stands for: `morgue index ~/archive/bbc` indexes
    bbc/business/001.txt under "bbc" when the file names no outlet. Files named one by one (their
    key starts with their own folder, which was not named), and folders with a generic name
    (GENERIC_FOLDERS), give none."""
    parts = (key or "").split("/")
    if len(parts) < 2 or parts[0] not in folders or parts[0].lower() in GENERIC_FOLDERS or parts[0].startswith("."):
        return None
    return parts[0]


def split_title(text: str, given: str | None) -> tuple[str, str]:
    """(title, body). The first line is the title when it looks like one; a dateline paragraph or a long
    first paragraph stays body text, and the title is then derived from its first sentence."""
    if given:
        return given.strip(), text
    first, _, rest = text.partition("\n")
    first = first.strip()
    if first and len(first) <= 200 and not parse_dateline(first) and not re.search(r"[.!?]\s+\S", first):
        return first, rest.strip()
    return derive_title(text), text


def derive_title(text: str) -> str:
    dateline = parse_dateline(text)
    lead = text[dateline.end:] if dateline else text
    sentence = re.split(r"(?<=[.!?])\s", lead.strip(), maxsplit=1)[0]
    if len(sentence) <= 150:
        return sentence.strip()
    cut = sentence[:120].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def content_hash(text: str) -> str:
    normalized = re.sub(r"\s+", " ", text).strip().lower()
    return hashlib.sha256(normalized.encode()).hexdigest()
