"""The people an article names outside its quotations, in text order: who a pronoun ("he") or a role
noun ("the spokesman") may stand for, under one full name per person ("Kirby" is the article's "John
Kirby"; "Ivanka Trump" stays apart from "Donald Trump"), with the gender a name, title or role gives."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from indexer import gender as gender_of
from indexer.attribution import CUE_VERBS
from indexer.entities import clean_name

# Platforms and broadcasters that the small model takes for people ("took to Twitter … ¶ “…,” he tweeted").
PLATFORMS = frozenset("twitter facebook instagram youtube tiktok reddit snapchat linkedin cnn msnbc fox "
                      "nbc cbs abc".split())
ROLE_NOUNS = frozenset("president chairman chairwoman director spokesman spokeswoman spokesperson chief "
                       "executive professor senator representative governor mayor founder head leader editor "
                       "analyst economist secretary minister member author expert".split())
OPENING_MARKS = "\"“«„‘'"
WINDOW = 2500  # characters back to look for the person a pronoun or a role noun stands for


@dataclass
class Speaker:
    name: str
    kind: str  # person | organization | other
    role: str | None = None
    start: int | None = None  # where the name is in the text
    end: int | None = None
    from_context: bool = False  # found in the sentences around the quote, not by its own speech verb


def _words(name: str) -> list[str]:
    """A mention's words without titles or possessives ("Mr Blair's" → ["Blair"])."""
    return clean_name(name).split()


def _role_words(ent) -> set[str]:
    """Lower-case words of the title before a name and of its apposition after a comma."""
    doc = ent.doc
    words = set()
    i = ent.start - 1
    while i >= 0 and i >= ent.start - 4 and (doc[i].pos_ in ("PROPN", "NOUN", "ADJ") or doc[i].text == "."):
        words.add(doc[i].lower_)
        i -= 1
    if ent.end < len(doc) and doc[ent.end].text == ",":
        words.update(t.lower_ for t in doc[ent.end + 1:ent.end + 7] if t.pos_ in ("NOUN", "PROPN"))
    return words


def _in_headline(ent) -> bool:
    """A mention on a line in title case ("Black Lawmakers Rip Donald Trump For …"), where capitals do
    not tell a name's first word from the verb before it: it gives no full name."""
    text = ent.doc.text
    line = text[text.rfind("\n", 0, ent.start_char) + 1:(text.find("\n", ent.end_char) + 1 or len(text) + 1) - 1]
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.8 * len(words)


def _introduced(ent) -> bool:
    """A full name followed by its role in apposition: "Henry Crespo, president of the …"."""
    doc = ent.doc
    return len(_words(ent.text)) >= 2 and ent.end + 1 < len(doc) and doc[ent.end].text == "," \
        and any(t.lower_ in ROLE_NOUNS for t in doc[ent.end + 1:ent.end + 5])


def _is_surname_of(ent, surnames: set[str]) -> bool:
    words = _words(ent.text)
    return ent.label_ in ("ORG", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "LOC") and 0 < len(words) <= 2 \
        and words[-1].lower() in surnames and all(w[:1].isupper() for w in words)


class People:
    """The people (PERSON entities) of one article outside quotations, in text order, with the
    subjects marked: what a pronoun or a role noun may stand for. A surname alone ("Clinton") stands
    for the full name the article gives ("Hillary Clinton"); a person's gender, when a first name or a
    title tells it, keeps "she" from resolving to a man."""

    def __init__(self, doc, quotes: list[tuple[int, int]]):
        def quoted(at: int) -> bool:
            return any(s <= at < e for s, e in quotes)

        outside = [ent for ent in doc.ents if not quoted(ent.start_char) and ent.text.lower() not in PLATFORMS]
        last = {ent: _words(ent.text)[-1].lower() for ent in outside if ent.label_ == "PERSON" and _words(ent.text)}
        # A one-word "person" that never follows a first name and that the model labels an organisation
        # more often ("Labour" in a British election story) is the organisation.
        full = {last[ent] for ent in last if len(_words(ent.text)) >= 2}
        as_org = Counter(ent.text.lower() for ent in outside if ent.label_ in ("ORG", "GPE", "NORP"))
        votes = Counter(last.values())
        # also what a speaker written as an organisation is ("Labour said" is the party's, not a person's)
        self.organisations = {name for name in as_org if name not in full and as_org[name] > votes[name]}
        outside = [ent for ent in outside if last.get(ent) not in self.organisations]
        surnames = set(votes) - self.organisations
        # The small model often labels a person's surname alone as an organisation or a place, or as
        # nothing ("Ham said" after "Gen. Carter Ham"): a short entity or a proper noun that is a known
        # surname is a mention of that person.
        mentions = [ent for ent in outside if ent.label_ == "PERSON" or _is_surname_of(ent, surnames)]
        mentions += [doc[t.i:t.i + 1] for t in doc if t.pos_ == "PROPN" and not t.ent_type_
                     and t.lower_ in surnames and not quoted(t.idx)]
        mentions.sort(key=lambda m: m.start_char)
        self.mentions = [(m.start_char, m, m.root.dep_ in ("nsubj", "nsubjpass")) for m in mentions]
        self.surnames = surnames
        self.text = doc.text
        self.last: Speaker | None = None  # the speaker of the previous quotation, and where it ended
        self.last_at = 0
        # surname → the full names with it, first seen first ("Donald Trump", "Ivanka Trump")
        self.full: dict[str, list[str]] = {}
        self.gender: dict[str, str] = {}  # full name → m | f
        for _, ent, _ in self.mentions:
            words = _words(ent.text)
            if len(words) < 2 or _in_headline(ent):
                continue
            names = self.full.setdefault(words[-1].lower(), [])
            same = [k for k, n in enumerate(names) if n.split()[0] == words[0]]
            if not same:
                names.append(" ".join(words))
            elif len(words) > len(names[same[0]].split()):
                names[same[0]] = " ".join(words)  # "Donald J. Trump" completes "Donald Trump"
        for _, ent, _ in self.mentions:
            words = _words(ent.text)
            if not words:
                continue
            gender = gender_of.nearby(ent) or gender_of.of_name(words)
            if gender:
                self.gender.setdefault(self.canonical(ent.text), gender)

    def is_person(self, ent) -> bool:
        return ent.label_ == "PERSON" or _is_surname_of(ent, self.surnames)

    def canonical(self, name: str) -> str:
        """The full name a mention stands for: a surname alone is the first full name with it; a full
        name stays itself unless a longer form of it is known ("Donald Trump" → "Donald J. Trump")."""
        words = _words(name)
        if not words:
            return name
        names = self.full.get(words[-1].lower(), [])
        if len(words) == 1:
            return names[0] if names else words[0]
        same = [n for n in names if n.split()[0] == words[0]]
        return same[0] if same else " ".join(words)

    def named_in(self, start: int, end: int) -> Speaker | None:
        """The person named within [start, end) of the text, if exactly one is."""
        inside = [ent for at, ent, _ in self.mentions if start <= at < end]
        if len(inside) != 1:
            return None
        return Speaker(self.canonical(inside[0].text), "person", None, inside[0].start_char, inside[0].end_char)

    def compatible(self, name: str, pronoun: str | None) -> bool:
        wanted = gender_of.PRONOUN_GENDER.get(pronoun or "")
        return wanted is None or self.gender.get(self.canonical(name), wanted) == wanted

    def with_role(self, offset: int, noun: str) -> Speaker | None:
        """The last person named before offset with that role next to the name ("the president" →
        "President Barack Obama"; "the governor" → "Mike Pence, the Indiana governor")."""
        for at, ent, _ in reversed(self.mentions):
            if offset - WINDOW <= at < offset and noun in _role_words(ent):
                return Speaker(self.canonical(ent.text), "person", None, ent.start_char, ent.end_char)
        return None

    def _paragraph_topic(self, offset: int, subjects: list, candidates: list):
        """When the quotation opens its paragraph ("“…,” she said"), the person the paragraph before
        is about: the one it ends by introducing with a role ("…, which concerns Henry Crespo,
        president of the …"), else the last one it names as the subject of a speech verb ("McLenney
        said Clinton doesn't …", "Scott responded with logic."), else the first one named there as a
        subject."""
        text = self.text
        start = text.rfind("\n", 0, offset) + 1
        if not start or not text[start:offset].lstrip()[:1] in OPENING_MARKS:
            return None
        previous = text.rfind("\n", 0, len(text[:start].rstrip())) + 1
        last = [c for c in candidates if previous <= c[0] < start][-1:]
        if last and _introduced(last[0][1]):
            return last[0]
        inside = [c for c in subjects if previous <= c[0] < start]
        speaking = [c for c in inside if c[1].root.head.lower_ in CUE_VERBS]  # "Scott responded with logic."
        return (speaking or inside)[-1 if speaking else 0] if inside else None

    def before(self, offset: int, pronoun: str | None = None, since: int | None = None) -> Speaker | None:
        wanted = gender_of.PRONOUN_GENDER.get(pronoun or "")
        since_last = [1 for at, ent, subject in self.mentions if self.last_at <= at < offset
                      and (subject or (since is not None and at >= since)) and self.compatible(ent.text, pronoun)]
        if self.last is not None and self.last.kind == "person" and offset - self.last_at <= WINDOW \
                and pronoun in gender_of.PRONOUN_GENDER and self.compatible(self.last.name, pronoun) and not since_last:
            return Speaker(self.last.name, "person")  # "…," she said: still the person quoted just before
        candidates = [(at, ent, subject) for at, ent, subject in self.mentions if offset - WINDOW <= at < offset
                      and (wanted is None or self.gender.get(self.canonical(ent.text), wanted) == wanted)]
        if not candidates:
            return None
        subjects = [c for c in candidates if c[2]]
        topic = self._paragraph_topic(offset, subjects, candidates)
        at, ent, _ = topic or (subjects or candidates)[-1]
        if since is not None and topic is None:  # one person named in the sentence just before ("… concerns Henry Crespo.")
            near = {self.canonical(e.text): e for a, e, _ in candidates if a >= since}
            if len(near) == 1:
                ent = next(iter(near.values()))
        return Speaker(self.canonical(ent.text), "person", None, ent.start_char, ent.end_char)
