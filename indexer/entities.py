"""People, organisations and places an article names, from the parse's named entities, each under one
canonical form: a person as the fullest name the article gives ("Kirby", "Mr Kirby" and "John Kirby's"
are "John Kirby"), without titles or possessives; the same organisation or place once."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.analysis import lowercase_words
from indexer.metadata import Dateline

TITLES = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|prof|sir|dame|lord|lady|rev|fr|gen|lt|col|sgt|capt|adm|gov|sen|"
                    r"rep|pres|president|prime minister|senator|governor|mayor|judge|justice|pope|king|queen)\.?\s+)+",
                    re.I)
KINDS = {"PERSON": "people", "ORG": "organizations", "GPE": "places", "LOC": "places", "FAC": "places"}
NOT_NAMES = frozenset({"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "hers", "its"})
# Words no name has: time zones and the labels of wire results tables ("Shr loss 13 cts vs profit 10 cts").
NOT_NAME_WORDS = frozenset({"gmt", "utc", "est", "edt", "cst", "cdt", "pst", "pdt", "bst", "cet", "cest",
                            "shr", "shrs", "cts", "qtr", "revs", "mths", "mln", "bln", "dlrs", "pct", "avg"})
# What ends a company's name without being its name: "Chrysler Corp" is Chrysler, "Gabelli and Co Inc" Gabelli.
DESIGNATORS = frozenset({"inc", "corp", "co", "cos", "ltd", "llc", "lp", "plc", "ag", "sa", "nv", "bv", "gmbh",
                         "spa", "kk", "bhd"})
# A body named by its kind alone ("the Bank", "the Commission") is the fuller name the article gives it, or
# nothing: "Bank" as a facet value names no bank.
GENERIC_BODIES = frozenset({"Bank", "Commission", "Community", "Exchange", "Department", "Ministry", "Agency",
                            "Committee", "Board", "Council", "Court", "Party", "Group", "Administration", "Authority",
                            "Organisation", "Organization", "Union", "Association", "Corporation", "Company", "Fund",
                            "Institute", "Service", "Office"})
# What a minister or secretary is in charge of ("Finance Minister Kiichi Miyazawa"): a title, not a body.
PORTFOLIOS = frozenset({"Finance", "Defence", "Defense", "Trade", "Foreign", "Health", "Energy", "Agriculture",
                        "Economy", "Interior", "Justice", "Education", "Transport", "Environment", "Industry",
                        "Commerce", "Oil", "Petroleum", "Culture", "Labor", "Employment", "Planning"})
CURRENCIES = frozenset({"dollar", "dollars", "yen", "mark", "marks", "sterling", "franc", "francs", "lira", "pound",
                        "pounds", "peso", "pesos", "euro", "euros", "rupee", "rupees"})


# One name for a place or body written several ways (keyed without dots: "U.S." is US). Only forms
# that mean one thing wherever they occur; "EC" (Community or Commission) and "Britain" stay as written.
ALIASES = {"US": "United States", "USA": "United States", "United States of America": "United States",
           "UK": "United Kingdom", "EU": "European Union", "UN": "United Nations", "USSR": "Soviet Union",
           "UAE": "United Arab Emirates", "Reuter": "Reuters"}
# The states and provinces wire datelines abbreviate ("STAMFORD, Conn., March 30 -"), by their names.
REGIONS = {"Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California", "Colo": "Colorado",
           "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida", "Ga": "Georgia", "Ill": "Illinois",
           "Ind": "Indiana", "Kan": "Kansas", "Kans": "Kansas", "Ky": "Kentucky", "La": "Louisiana", "Md": "Maryland",
           "Mass": "Massachusetts", "Mich": "Michigan", "Minn": "Minnesota", "Miss": "Mississippi", "Mo": "Missouri",
           "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
           "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "Okla": "Oklahoma",
           "Ore": "Oregon", "Pa": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
           "Tenn": "Tennessee", "Tex": "Texas", "Va": "Virginia", "Vt": "Vermont", "Wash": "Washington",
           "Wis": "Wisconsin", "Wisc": "Wisconsin", "WVa": "West Virginia", "Wyo": "Wyoming", "DC": "Washington",
           "Alta": "Alberta", "BC": "British Columbia", "Man": "Manitoba", "Ont": "Ontario", "Que": "Quebec",
           "Sask": "Saskatchewan", "NS": "Nova Scotia", "NB": "New Brunswick"}
_LOWER_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "les", "of",
                              "on", "upon", "am", "an", "der", "den", "van", "von", "y", "el", "al"})


def canonical(name: str) -> str:
    """A named place or body under one name: "U.S.", "USA" and "United States" are "United States"."""
    return ALIASES.get(name.replace(".", "") if len(name) <= 8 else name, name)


def organization_name(name: str) -> str:
    """A company without what ends its name: "Chrysler Corp" → Chrysler, "Goldman, Sachs and Co." →
    "Goldman, Sachs", "Co Inc" → "" (no name at all); other bodies as they are, under their canonical name."""
    def cut(words: list[str], what) -> list[str]:
        while words and what(words[-1]):
            words = words[:-1]
        return words

    words = cut(name.split(), lambda w: w.lower() in ("and", "&", "of", "the") or not any(c.isalnum() for c in w))
    bare = cut(words, lambda w: w.replace(".", "").strip(",").lower() in DESIGNATORS or w.lower() in ("and", "&"))
    if len(bare) == 1 and len(words) > 1 and bare[0].lower() in lowercase_words():
        bare = words  # "Southern Co", "Credit Corp": the word alone names nothing
    return canonical(" ".join(bare).strip(" ,"))


def spellings(values: list[str]) -> list[str]:
    """What a filter on these places or bodies looks for: each as given and under its canonical name
    (place=U.S. finds "United States", org="Chrysler Corp." finds Chrysler; an index built before the
    canonical names still has "U.S" and "Chrysler Corp")."""
    return list(dict.fromkeys(v for value in values for v in (value, canonical(value.strip()),
                                                               organization_name(value.strip())) if v))


def place_name(written: str) -> str:
    """A dateline's place as a name: "NEW YORK" → "New York", "RIO DE JANEIRO" → "Rio de Janeiro",
    "ST. LOUIS" → "St. Louis"; a place not written in capitals, or an abbreviation ("U.S.", "UK"), as
    it is (then under its canonical name)."""
    name = written.strip()
    if any(c.islower() for c in name) or re.fullmatch(r"(?:[A-Z]\.)+[A-Z]?\.?|[A-Z]{1,3}", name):
        return canonical(name.rstrip("."))
    words = [w.lower() if i and w.lower() in _LOWER_PARTICLES else "-".join(p.capitalize() for p in w.split("-"))
             for i, w in enumerate(name.split())]
    return canonical(" ".join(words))


def clean_name(name: str) -> str:
    """Titles, possessives, brackets and edge punctuation off a name: "Mr. Kirby's" → "Kirby"."""
    name = re.sub(r"\s*\([^)]*\)", "", name).replace("[", "").replace("]", "")  # "(R-Ga.)"; "[Jens] Stoltenberg"
    name = re.sub(r"['’]s?$", "", name.strip(" ,.;:\"“”'’"))
    name = TITLES.sub("", name.strip())
    return re.sub(r"\s+", " ", name).strip(" ,.;:")


@dataclass
class Entities:
    people: Counter = field(default_factory=Counter)
    organizations: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)

    def document(self) -> dict:
        """The stored fields: names (keyword arrays, for facets and filters) and their counts."""
        return {"people": sorted(self.people), "organizations": sorted(self.organizations),
                "places": sorted(self.places),
                "entity_counts": {kind: dict(getattr(self, kind).most_common()) for kind in
                                  ("people", "organizations", "places")}}


def region_name(written: str) -> str:
    """A dateline's state or province as a place: "Conn." → Connecticut, "N.J." → New Jersey, "WIS." →
    Wisconsin; a name ("British Columbia", "West Germany") as a place name."""
    key = written.replace(".", "").replace(" ", "")
    return REGIONS.get(key) or REGIONS.get(key.capitalize()) or REGIONS.get(key.upper()) or place_name(written)


def _designator(token) -> bool:
    return token.text.strip(".,").lower() in DESIGNATORS


def _organizations(doc) -> tuple[list, set[int]]:
    """The organisations the parse found, each as written in full: the parse splits a name at its "and"
    ("Gabelli and | Co Inc", "Standard and | Poor's Corp", "Savings and | Loan Association"), so a part
    that cannot stand alone (a designator, or a word of the language before one) is joined to the
    capitalised words before it; a designator with no name before it is no name. A portfolio in a title
    ("Finance Minister", "Secretary of State") is no body."""
    names, ents = [], list(doc.ents)
    skipped: set[int] = set()
    for i, ent in enumerate(ents):
        if ent.label_ != "ORG" or i in skipped:
            continue
        after = doc[ent.end].lower_ if ent.end < len(doc) else ""
        before = doc[max(ent.start - 2, 0):ent.start].text.lower()
        if (ent.text in PORTFOLIOS and after in ("minister", "ministers", "secretary")) \
                or before in ("secretary of", "minister of", "minister for"):
            continue
        start = ent.start
        conj = doc[ent.start - 1] if ent.start else None
        if conj is not None and conj.text in ("and", "&"):
            if conj.ent_type_ == "ORG" and i and ents[i - 1].end == ent.start:  # "Financial Security Savings and"
                start = ents[i - 1].start
            else:
                j = ent.start - 1  # back over up to three capitalised words
                while j > 0 and ent.start - 1 - j < 3 and doc[j - 1].is_alpha and not doc[j - 1].is_lower:
                    j -= 1
                kind = doc[j].ent_type_ if j < ent.start - 1 else None
                if kind is not None and (_designator(ent[0]) or (kind in ("", "DATE") and _designator(ent[-1])
                                                                   and ent[0].lower_ in lowercase_words())):
                    start = j
        if start < ent.start:  # the names swallowed ("Gabelli", read as a person) are not names of their own
            skipped.update(k for k, other in enumerate(ents) if start <= other.start and other.end <= ent.start)
            names = [n for n in names if not (start <= n.start and n.end <= ent.start)]
        elif _designator(ent[0]):
            continue
        end = ent.end + (ent[-1].lower_ == "of" and ent.end < len(doc) and doc[ent.end].like_num)  # "Group of" Seven
        names.append(doc[start:end])
    return names, skipped


def _named_by_possessive(span) -> bool:
    """Whether a name ending in "'s" is written so ("Moody's said", "by Moody's and"): the parse leaves a
    genitive's "'s" out of the name ("Chrysler" 's shares), and a genitive it keeps is followed by what
    it owns ("Loral Corp's subordinated debt")."""
    doc = span.doc
    return span[-1].tag_ == "POS" and (span.end >= len(doc) or doc[span.end].pos_ not in ("NOUN", "PROPN", "ADJ",
                                                                                          "NUM"))


def _named_body(name: str, counts: Counter) -> str | None:
    """A body the article names by its kind alone or by its possessive ("Bank", "Moody's") as the fuller
    name the article gives it ("World Bank", "Moody's Investors Service"), the most frequent if several;
    a kind alone with no fuller name is None."""
    if name in GENERIC_BODIES:
        fuller = [m for m in counts if m != name and (m.endswith(" " + name) or m.startswith(name + " of "))]
    else:
        fuller = [m for m in counts if m.startswith((name + "'s ", name + "’s "))
                  or (name.endswith(("'s", "’s")) and m.startswith(name + " "))]
    if fuller:
        return max(fuller, key=lambda m: (counts[m], m))
    return None if name in GENERIC_BODIES else name


def _settle(found: Entities, bodies: Counter, titled: set[str]) -> None:
    """A "person" the parse labels an organisation or a place more often in the article is that: "Chelsea"
    a person twice and a club three times; unless a title names a person ("Mr Ash")."""
    for name in [p for p in found.people if p not in titled and bodies[p] > found.people[p]]:
        bodies[name] += found.people.pop(name)
    for name in [p for p in found.people if p not in titled and found.places[p] > found.people[p]]:
        found.places[name] += found.people.pop(name)


def entities(doc, dateline: Dateline | None = None) -> Entities:
    """Named people, organisations and places of a parsed article, canonical and counted. dateline: the
    parse reads a place in capitals as anything (FRANKFURT an organisation, BUENOS AIRES a person, "Calif"
    a place of its own), so the dateline's span counts as its place and region. An organisation that is
    the surname of a person the article names in full ("Nakasone") is that person; a "person" the parse
    labels an organisation more often ("Chelsea", "Manchester United") or that is "the" something ("the Lib
    Dems") is an organisation, and one it labels a place more often ("Glasgow") a place."""
    found = Entities()
    full: dict[str, str] = {}  # surname → the fullest name with it
    people, bodies, titled = [], Counter(), set()
    if dateline:
        found.places[place_name(dateline.place)] += 1
        if dateline.region:
            found.places[region_name(dateline.region)] += 1
    organizations, skipped = _organizations(doc)
    spans = [(e, KINDS.get(e.label_)) for k, e in enumerate(doc.ents) if k not in skipped and e.label_ != "ORG"]
    for span, kind in spans + [(span, "organizations") for span in organizations]:
        if dateline and span.start_char < dateline.end:
            continue
        if re.fullmatch(r"<[A-Z.]{1,6}>?|[A-Z.]{1,6}>", span.text):  # a wire's ticker ("<CHL>")
            continue
        name = clean_name(span.text.replace("<", "").replace(">", ""))  # "<Fortune Savings Bank>"
        words = name.lower().replace(".", "").split()
        if not kind or len(name) < 2 or name.lower() in NOT_NAMES or not any(c.isupper() for c in name) \
                or any(w in NOT_NAME_WORDS for w in words) or all(w in DESIGNATORS for w in words):
            continue
        if kind == "people" and re.match(r"the\s", name, re.I):  # "the Lib Dems": a body, not a person
            kind = "organizations"
        if kind != "people":
            name = re.sub(r"^the\s+", "", name, flags=re.I)
        if kind == "people":
            people.append(name)
            if TITLES.match(span.text.strip()):
                titled.add(name)
            surname = name.split()[-1].lower()
            if len(name.split()) > len(full.get(surname, "").split()):
                full[surname] = name
        elif kind == "organizations":
            name = organization_name(name)
            if name and _named_by_possessive(span):
                name += span[-1].text  # "Moody's said": the firm, not a genitive
            if len(name) >= 2 and name.split()[-1].lower() not in CURRENCIES:
                bodies[name] += 1
        else:
            found.places[canonical(name)] += 1

    def fullest(name: str) -> str:
        return full.get(name.split()[-1].lower(), name)

    for name in people:
        found.people[fullest(name)] += 1
    _settle(found, bodies, {fullest(name) for name in titled})
    for name, n in bodies.items():
        if " " not in name and " " in full.get(name.lower(), ""):
            found.people[full[name.lower()]] += n
        elif (body := _named_body(name, bodies)) is not None:
            found.organizations[body] += n
    return found
