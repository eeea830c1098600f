"""Direct quotations and their speakers, found with patterns over the cleaned text (no model).

Two shapes are recognised:
- quoted spans (curly, straight, guillemet, low-high marks), including quotes that run over several
  paragraphs (opening mark repeated, closing mark only on the last) and quotes left unclosed at the
  end of a paragraph;
- block quotes: paragraphs without marks followed by an attribution line ("- Kirby said.").

Each quote is attributed from its own sentence (``"…," Kirby said``, ``said Kirby``, ``he said: "…"``);
pronouns and role nouns ("the spokesman") are resolved to the nearest named speaker when that is
unambiguous, and every mention of a person ("Kirby", "John Kirby", "US National Security Council
spokesman John Kirby") is folded into one full name, with the role kept apart.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

from indexer import mentions, speakers
from indexer.entities import clean_name
from indexer.attribution import (BLOCK_ATTRIBUTION, OPEN_CLOSE, People, attribute, collect_people,
                                 continue_speakers, is_name, resolve, trim_end)

# Cosine of two quote vectors at or above which they are one statement (translations, paraphrases).
# Measured on the seeds with bge-small-en-v1.5: the two translations of Kirby's "sovereign decision"
# answer 0.946, of his "embassy personnel" answer 0.948; his other quotes against each other ≤ 0.742.
SAME_STATEMENT = 0.85

MIN_QUOTE_WORDS = 4


@dataclass
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None  # the canonical name: "John Kirby" for "Kirby", "Mr Kirby", "John Kirby's"
    speaker_role: str | None
    cue: str | None
    block: bool = False
    speaker_start: int | None = None  # where the speaker is named in the text (its surface form)
    speaker_end: int | None = None
    speaker_kind: str | None = None  # person | organization | other

    def to_doc(self, text: str = "") -> dict:
        doc = asdict(self)
        start, end = doc.pop("speaker_start"), doc.pop("speaker_end")
        doc["speaker_surface"] = text[start:end] if text and start is not None and end is not None else None
        doc["key"] = quote_key(self.text)
        return doc


def quote_key(text: str) -> str:
    """The same words in any typography: case, punctuation, quote marks and spacing ignored."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:20]


# ------------------------------------------------------------------ spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for match in re.finditer(r"\n\s*\n|\Z", text):
        if text[pos:match.start()].strip():
            start = pos + len(text[pos:match.start()]) - len(text[pos:match.start()].lstrip())
            end = match.start() - (len(text[pos:match.start()]) - len(text[pos:match.start()].rstrip()))
            spans.append((start, end))
        pos = match.end()
    return spans


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside quote marks, paragraph-spanning quotes joined."""
    spans: list[tuple[int, int]] = []
    paragraphs = _paragraphs(text)
    carry: int | None = None  # start of a quote still open from the previous paragraph
    for index, (p_start, p_end) in enumerate(paragraphs):
        i = p_start
        if carry is not None and text[p_start] not in OPEN_CLOSE:
            spans.append((carry, trim_end(text, paragraphs[index - 1][1])))
            carry = None
        while i < p_end:
            ch = text[i]
            if ch in OPEN_CLOSE and _is_opening(text, i):
                close = OPEN_CLOSE[ch]
                j = _nested_close(text, i, p_end) if ch == "“" else text.find(close, i + 1, p_end)
                while j != -1 and close == "’" and j + 1 < p_end and text[j + 1].isalpha():
                    j = text.find(close, j + 1, p_end)  # an apostrophe, not the closing mark
                if j == -1:
                    # Unclosed: continues in the next paragraph if that one reopens, else ends here.
                    if carry is None:
                        carry = i + 1
                    break
                if carry is not None:
                    spans.append((carry, j))
                    carry = None
                else:
                    spans.append((i + 1, j))
                i = j + 1
                continue
            i += 1
    if carry is not None and paragraphs:
        spans.append((carry, trim_end(text, paragraphs[-1][1])))
    result = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        end = trim_end(text, end)
        if len(text[start:end].split()) >= MIN_QUOTE_WORDS:
            result.append((start, end))
    return result


def _nested_close(text: str, i: int, end: int) -> int:
    """The ” that closes the “ at i, past quotes nested inside it (“… what he calls “hell” than …”);
    the first ” when the marks inside do not balance."""
    depth, k = 0, i
    while True:
        k = min((x for x in (text.find("“", k + 1, end), text.find("”", k + 1, end)) if x != -1), default=-1)
        if k == -1:
            return text.find("”", i + 1, end)
        depth += 1 if text[k] == "“" else -1
        if depth < 0:
            return k


def _is_opening(text: str, i: int) -> bool:
    ch = text[i]
    if ch in "“«„‹":
        return True
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch == "‘":
        return not before.isalnum() and after.isalnum()
    # straight quote: opening when preceded by space/punctuation and followed by a word character
    return (before.isspace() or before in "([—–-:") and (after.isalnum() or after in "‘'(.[")


def _block_quotes(text: str, quoted: list[tuple[int, int]], people: People) -> list[Quote]:
    """Paragraphs without marks closed by an attribution line: "<paragraph>\n\n- Kirby said."."""
    quotes = []
    paragraphs = _paragraphs(text)
    for index, (p_start, p_end) in enumerate(paragraphs):
        match = BLOCK_ATTRIBUTION.match(text[p_start:p_end])
        if not match or index == 0:
            continue
        q_start, q_end = paragraphs[index - 1]
        if any(s < q_end and e > q_start for s, e in quoted) or len(text[q_start:q_end].split()) < MIN_QUOTE_WORDS:
            continue
        group = "speaker" if match.group("speaker") else "speaker2"
        name, role = resolve(match.group(group), p_start, people)
        quotes.append(Quote(text[q_start:q_end], q_start, q_end, name, role, match.group("cue") or match.group("cue2"),
                            block=True, speaker_start=p_start + match.start(group), speaker_end=p_start + match.end(group)))
    return quotes


def _shouting(text: str) -> bool:
    """Mostly capital letters (old wire copy, SMART collections): capitals no longer mark names, and
    the name patterns would backtrack over every word."""
    letters = [c for c in text[:5000] if c.isalpha()]
    return len(letters) > 200 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def extract_quotes(text: str, doc=None) -> list[Quote]:
    """All direct quotations in a cleaned article, in text order, with offsets into ``text``. With the
    article's parse (`doc`, spaCy) the speaker comes from it first (indexer.speakers), the patterns
    where it finds none; a quote still without a speaker continues the previous one's. In an
    all-capitals text quotes are found but not attributed (see _shouting)."""
    if _shouting(text):
        return [Quote(text[s:e], s, e, None, None, None) for s, e in _quoted_spans(text)]
    quotes = _by_patterns(text)
    if doc is not None:
        people = mentions.People(doc, [(q.start, q.end) for q in quotes])
        previous = None
        for quote, found in zip(quotes, speakers.attribute_all(doc, [(q.start, q.end) for q in quotes])):
            if previous is not None and previous.speaker and (
                    (found is None and _runs_on(text, previous, quote))
                    or (found is not None and found.from_context and _attributed_between(text, previous, quote))):
                found = mentions.Speaker(previous.speaker, previous.speaker_kind or "person", previous.speaker_role)
            previous = quote
            if (found is None or found.from_context or found.kind != "person") and _named_right_after(text, quote):
                found = None  # "“…” ― Adriana Rodarte", "“…,” Chaffetz said": the patterns read that best
            if found is None and quote.speaker and quote.speaker_start is not None:
                found = people.named_in(quote.speaker_start, quote.speaker_end)  # the name inside "During … Mr Blair"
            if found is not None:
                quote.speaker, quote.speaker_kind = found.name, found.kind
                quote.speaker_role = found.role or (quote.speaker_role if quote.speaker == found.name else None)
                quote.speaker_start, quote.speaker_end = found.start, found.end
        for quote in quotes:
            if quote.speaker:
                quote.speaker = speaker_name(quote.speaker, quote.speaker_kind)
            if quote.speaker and quote.speaker.lower() in people.organisations:
                quote.speaker_kind = "organization"
        for previous, quote in zip(quotes, quotes[1:]):
            if not quote.speaker and previous.speaker:
                quote.speaker, quote.speaker_kind = previous.speaker, previous.speaker_kind
                quote.speaker_role = previous.speaker_role
    for quote in quotes:
        quote.speaker = clean_name(quote.speaker) if quote.speaker else None
        if quote.speaker and quote.speaker_kind is None:
            quote.speaker_kind = "person" if is_name(quote.speaker) else "other"
    return quotes


def _named_right_after(text: str, quote: Quote) -> bool:
    """The patterns found a name right after the quote's closing mark, in the same paragraph, and the
    quote did not end its sentence with a full stop (“….” The agency said … attributes what follows)."""
    if not quote.speaker or quote.speaker_start is None or not is_name(quote.speaker) or quote.text.endswith("."):
        return False
    gap = text[quote.end:quote.speaker_start]
    return 0 <= len(gap) <= 40 and "\n" not in gap


def _attributed_between(text: str, previous: Quote, quote: Quote) -> bool:
    """“A,” X said in an interview. “B” — in one paragraph, the previous quote's speaker is named
    between the two: B goes on with X's words, whatever the sentence before B says of others."""
    start = previous.speaker_start
    return start is not None and previous.end <= start < quote.start and "\n" not in text[previous.end:quote.start]


def _runs_on(text: str, previous: Quote, quote: Quote) -> bool:
    """The quote goes on from the previous one in the same paragraph ("…," she said. "…"): a short
    gap with no line break and no other quotation mark."""
    gap = text[previous.end + 1:quote.start - 1]
    return len(gap) <= 60 and "\n" not in gap and not any(c in gap for c in '"“”')


_FRAGMENT_END = {"who", "which", "that", "and", "or", "but", "repeatedly", "also", "then", "to", "of", "in"}


def speaker_name(name: str, kind: str | None) -> str | None:
    """A speaker as a reader would write it, or None for what is no speaker at all: a mention cut at
    a sentence break ("Vladimir Putin. He" → "Vladimir Putin"), a person without the organisation
    after "for" ("Cameron Easley for Morning Consult"), and no fragments ("After", "the car and
    repeatedly", "a young woman who")."""
    name = re.split(r"(?<=[a-z]{2})\.\s+", name.strip())[0]
    if kind == "person" or is_name(name.split(" for ")[0].split(" of ")[0]):
        name = re.split(r"\s+(?:for|of|from|at)\s+(?=[A-Z])", name)[0]
    words = name.split()
    if not words or words[-1].lower() in _FRAGMENT_END or (len(words) == 1 and not is_name(name)):
        return None
    return name


def _by_patterns(text: str) -> list[Quote]:
    people = People()
    quoted = _quoted_spans(text)
    collect_people(text, people, quoted)
    quotes = _block_quotes(text, quoted, people)
    for start, end in quoted:
        speaker, role, cue, mention = attribute(text, start, end, people)
        quotes.append(Quote(text[start:end], start, end, speaker, role, cue,
                            speaker_start=mention[0] if mention else None, speaker_end=mention[1] if mention else None))
    quotes.sort(key=lambda q: q.start)
    continue_speakers(text, quotes)
    # A later full mention ("John Kirby added") may complete an earlier short one ("Kirby said").
    for quote in quotes:
        if quote.speaker and is_name(quote.speaker):
            quote.speaker = people.canonical(quote.speaker)
            quote.speaker_role = quote.speaker_role or people.roles.get(quote.speaker)
    return quotes
