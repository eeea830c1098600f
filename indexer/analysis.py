"""English text analysis in Elasticsearch, defined once for the mapping and the query parser.

The integ-test node has no analysis-common module (no `english` analyzer, no stemmers), but it has
the standard tokenizer and the `lowercase`, `stop` and `hunspell` filters. So text is stemmed with the
hunspell en_US dictionary that ships with the project (indexer/hunspell/en_US: SCOWL via Debian's
hunspell-en-us, licence beside it, prefix rules removed so that "disagree" is not "agree"), which
`morgue es start` copies into the node's config folder and docker-compose mounts into the official
image. The dictionary's settings.yml makes its look-ups case-insensitive: "buddhists" typed in lower
case stems as "Buddhists" and "BUDDHISTS" do (without it a lower-case query missed every proper noun
the text capitalises, and an all-capitals archive such as TIME stemmed differently from its queries).

Every text field also has an `exact` subfield (lower-cased, unstemmed, no stopwords removed): quoted
phrases and wildcards search it, and plain words score on it too, so an exact match ranks above a
match by stem only.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

TEXT = "morgue_text"  # stemmed, stopwords removed
EXACT = "morgue_exact"  # lower-cased words as written
EXACT_SUBFIELD = "exact"

# Function words: a query's stopwords neither require a match nor get highlighted. Deliberately left
# out: "us" (the US), "may" (the month), "new", "first", numbers.
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor
not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours yourself
yourselves
""".split())

# BM25 for every field (combined_fields scores title and body as one field, which needs one shared
# similarity). Swept on the Reuters dev queries (k1 0.9–1.2, b 0.4–0.75: nDCG@10 0.681–0.691): Lucene's
# defaults are as good as any, and set here explicitly.
BM25 = {"type": "BM25", "k1": 1.2, "b": 0.75}


def settings() -> dict:
    return {
        "similarity": {"default": BM25},
        "analysis": {
            "filter": {
                "morgue_hunspell": {"type": "hunspell", "locale": "en_US", "dedup": True, "longest_only": True},
                "morgue_stop": {"type": "stop", "stopwords": sorted(STOPWORDS)},
            },
            "analyzer": {
                TEXT: {"type": "custom", "tokenizer": "standard",
                       "filter": ["morgue_hunspell", "lowercase", "morgue_stop"]},
                EXACT: {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
            },
        },
    }


def text_field(highlighted: bool = False) -> dict:
    """A searchable text field with its exact subfield. highlighted: both keep term vectors with
    offsets, so the highlighter marks matches of either (fvh `matched_fields`): a quoted phrase found
    on the exact subfield is marked as one span, stopwords between query words are not."""
    vectors = {"term_vector": "with_positions_offsets"} if highlighted else {}
    return {"type": "text", "analyzer": TEXT, **vectors,
            "fields": {EXACT_SUBFIELD: {"type": "text", "analyzer": EXACT, **vectors}}}


def exact(field: str) -> str:
    """title^2 → title.exact^2"""
    name, _, boost = field.partition("^")
    return f"{name}.{EXACT_SUBFIELD}" + (f"^{boost}" if boost else "")


def is_stopword(word: str, capitals: bool = False) -> bool:
    """capitals: the query's case means something, so WHO or IT typed in capitals are abbreviations."""
    return word.lower().strip("'’") in STOPWORDS and not (capitals and ambiguous_capitals(query_form(word)))


# Forms of a word the analysis cannot bring together. The integ-test node has only the standard
# tokenizer and no possessive, pattern or word-delimiter filter (those are in analysis-common), so:
# - hunspell strips "'s" only from the words it lists with the possessive flag ("Blair's" → blair,
#   "company's" → company): "Abramovich's" or "contractor's" stayed one term that a search for
#   abramovich or contractor never matched (most foreign names, companies and places);
# - "U.S." is the term u.s and "US" the term us: one outlet's "US sanctions" never met another's
#   "U.S. sanctions" (BBC writes US, Reuters U.S.);
# - "e-mail" is the terms e and mail: a search for email missed the 74 BBC articles that write
#   e-mail (10 write email); "co-operation" and "cooperation", "anti-war" and "antiwar" likewise.
# - "Erdoğan" is the term erdoğan and "Erdogan" the term erdogan (the ASCII-folding filter is in
#   analysis-common too): a reporter typing Erdogan, Sanchez or Muller missed every text that writes
#   the name with its accents, and one typing the accents missed the texts that drop them.
# - "US" (the country) and "us" (the pronoun) are the one term us, as are "WHO" and "who", "IT" and
#   "it", "AIDS" and "aids": a search for US sanctions found every article where someone told us
#   something (203 of BBC's 844 articles with either spelling write only the pronoun), and WHO was
#   dropped as a stopword.
# The indexer writes these words' other form (Abramovich, US, email, Erdogan) into a field of its own
# (indexer.schema.VARIANTS, never shown), which the keyword leg searches together with title and body
# as one field; a query reads its words the same way (query_forms). An abbreviation written in
# capitals whose lower-case form is an English word gets a form of its own there ("US" and "U.S." →
# US_acronym), which a query that types it in capitals searches instead of the word.
_TOKEN = re.compile(r"\w+(?:['’.-]\w+)*")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]\.?$")  # U.S., U.K, e.u.
POSSESSIVE_FLAG = "M"  # en_US.aff: SFX M 0 's
PLURAL_FLAG = "S"
ACRONYM_SUFFIX = "_acronym"  # one token for the standard tokenizer ("_" joins letters); no text writes it
ACRONYM_LETTERS = (2, 5)
TITLE_CASE_ACRONYM = 4  # "Aids" within a sentence is AIDS (BBC's style); "It", "Us" and "Who" there are titles


def _dictionary() -> list[tuple[str, str]]:
    """The entries of the project's hunspell dictionary (indexer/hunspell/en_US): (word, flags)."""
    text = resources.files("indexer").joinpath("hunspell", "en_US", "en_US.dic").read_text(encoding="utf-8")
    return [(word, flags) for word, _, flags in (line.partition("/") for line in text.splitlines()[1:])]


@lru_cache(maxsize=1)
def possessive_words() -> frozenset[str]:
    """The lower-cased words the dictionary lists with the possessive flag: hunspell stems their "'s"
    forms itself."""
    return frozenset(word.lower() for word, flags in _dictionary() if POSSESSIVE_FLAG in flags)


@lru_cache(maxsize=1)
def lowercase_words() -> frozenset[str]:
    """The words the dictionary lists in lower case, with their plurals ("aid", "aids"), and the
    stopwords; plus "us", which this dictionary lists only as "US"."""
    listed = [(word, flags) for word, flags in _dictionary() if word[:1].islower()]
    return frozenset(STOPWORDS | {"us"} | {w for w, _ in listed} | {w + "s" for w, f in listed if PLURAL_FLAG in f})


def ambiguous_capitals(word: str) -> bool:
    """A short word in capitals whose lower-case form is an English word: US, WHO, IT, AIDS (not
    NATO, which nothing else writes as "nato")."""
    low, high = ACRONYM_LETTERS
    return low <= len(word) <= high and word.isascii() and word.isalpha() and word.isupper() \
        and word.lower() in lowercase_words()


def capitals_only(term: str) -> bool:
    """Whether a query's term matches only where the text writes it in capitals ("US", "U.S"): the
    search found it through its acronym form, so "us" is not a match."""
    return not any(c.islower() for c in term) and ambiguous_capitals(query_form(term))


def acronym(word: str) -> str:
    """The form the variants give an abbreviation in capitals ("US" → "US_acronym")."""
    return word + ACRONYM_SUFFIX


def acronym_spellings(word: str) -> list[str]:
    """How a text writes an abbreviation typed in capitals: as typed and, from four letters, in title
    case ("AIDS" → [AIDS, Aids], BBC's style; "It", "Us" and "Who" in title case are titles)."""
    return [word] + ([word.title()] if len(word) >= TITLE_CASE_ACRONYM and word.isalpha() else [])


_UNDECOMPOSED = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                                "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d"})


def folded(word: str) -> str | None:
    """A word of Latin letters with diacritics as plain ASCII ("Erdoğan" → "Erdogan", "Søren" → "Soren"),
    None when it has none or is not Latin (a Cyrillic "й" is a letter of its own, not an accented и)."""
    if word.isascii():
        return None
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.translate(_UNDECOMPOSED))
                    if not unicodedata.combining(c))
    return plain if plain.isascii() and plain != word else None


def query_form(word: str) -> str:
    """"Abramovich's" → "Abramovich", "U.S." → "US"; any other word as it is."""
    if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
        word = word[:-2]
    return word.replace(".", "") if _DOTTED.match(word) else word


def _parts(token: str) -> tuple[list[str], str | None]:
    """A token's hyphen-separated parts in their query form, and the two parts written as one word
    when the token is two words of letters joined by a hyphen ("e-mail" → "email")."""
    parts = [query_form(p) for p in token.split("-")]
    joined = "".join(parts) if len(parts) == 2 and all(p.isalpha() for p in parts) else None
    return parts, joined


def query_forms(word: str, capitals: bool = False) -> list[str]:
    """What a typed word searches: "Abramovich's" → [Abramovich], "U.S." → [US], "e-mail" → [e-mail,
    email], "Sánchez" → [Sánchez, Sanchez] (either spelling in the text; a plain "Sanchez" finds the
    accented one through the variants). capitals: the query's case means something (it is not all in
    capitals), so "US" or "U.S." typed is the abbreviation only: [US_acronym]."""
    parts, joined = _parts(word)
    if capitals and any(map(ambiguous_capitals, parts)):
        parts, joined = [acronym(p) if ambiguous_capitals(p) else p for p in parts], None
    forms = ["-".join(parts)] + ([joined] if joined else [])
    return forms + [f for f in map(folded, forms) if f]


def written_forms(word: str, capitals: bool = True) -> list[str]:
    """How a text may write a typed word, for marking it: its query forms and, for a short word typed
    in capitals, the dotted abbreviation ("US" → [US, U.S]). Without `capitals` (the query's case says
    nothing) an abbreviation that is also a word is marked in any case: [us, u.s]."""
    forms = query_forms(word)
    forms += [".".join(f) for f in forms if 2 <= len(f) <= 4 and f.isalpha() and f.isupper()]
    return forms if capitals else [f.lower() if capitals_only(f) else f for f in forms]


def variants(text: str) -> list[str]:
    """The other form of every possessive that hunspell leaves whole ("Abramovich's", "Yukos’s"), of
    every dotted abbreviation ("U.S."), of every pair of words joined by a hyphen ("e-mail") and of
    every word written with diacritics ("Erdoğan"), and the acronym form of every abbreviation written
    in capitals that is also a word ("US", "U.S." → US_acronym; not on a line all in capitals, where
    case says nothing), once per occurrence (the search scores how often a word occurs)."""
    known = possessive_words()
    found = []
    for line in text.splitlines():
        cased = any(c.islower() for c in line)
        for match in _TOKEN.finditer(line):
            before = line[:match.start()].rstrip()
            found += _token_variants(match.group(), known, cased, bool(before) and before[-1] not in _SENTENCE_START)
    return found


_SENTENCE_START = ".!?:;\"“‘'(-–—•*"


def _token_variants(token: str, known: frozenset[str], cased: bool, within: bool) -> list[str]:
    """within: the token does not start a sentence (a word in title case there is a name, not a capital)."""
    found = []
    parts, joined = _parts(token)
    for written, form in zip(token.split("-"), parts):
        if form != written and (form.lower() not in known or "." in written):
            found.append(form)
        if plain := folded(form):
            found.append(plain)
        if cased and ambiguous_capitals(form):  # "U.S." is US; "a.m." is not AM
            found.append(acronym(form))
        elif within and form.istitle() and ambiguous_capitals(form.upper()) and form in acronym_spellings(form.upper()):
            found.append(acronym(form.upper()))
    if joined:
        found.append(joined)
        if plain := folded(joined):
            found.append(plain)
    return found
