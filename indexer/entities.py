"""People, organisations and places an article names, from the parse's named entities, each under one
canonical form: a person as the fullest name the article gives ("Kirby", "Mr Kirby" and "John Kirby's"
are "John Kirby"), without titles or possessives; the same organisation or place once."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.metadata import Dateline

TITLES = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|prof|sir|dame|lord|lady|rev|fr|gen|lt|col|sgt|capt|adm|gov|sen|"
                    r"rep|pres|president|prime minister|senator|governor|mayor|judge|justice|pope|king|queen)\.?\s+)+",
                    re.I)
KINDS = {"PERSON": "people", "ORG": "organizations", "GPE": "places", "LOC": "places", "FAC": "places"}
NOT_NAMES = frozenset({"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "hers", "its"})


# One name for a place or body written several ways (keyed without dots: "U.S." is US). Only forms
# that mean one thing wherever they occur; "EC" (Community or Commission) and "Britain" stay as written.
ALIASES = {"US": "United States", "USA": "United States", "United States of America": "United States",
           "UK": "United Kingdom", "EU": "European Union", "UN": "United Nations", "USSR": "Soviet Union",
           "UAE": "United Arab Emirates"}
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


def spellings(values: list[str]) -> list[str]:
    """What a filter on these places or bodies looks for: each as given and under its canonical name
    (place=U.S. finds "United States"; an index built before the canonical names still has "U.S")."""
    return list(dict.fromkeys(v for value in values for v in (value, canonical(value.strip()))))


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


def entities(doc, dateline: Dateline | None = None) -> Entities:
    """Named people, organisations and places of a parsed article, canonical and counted. dateline: the
    parse reads a place in capitals as anything (FRANKFURT an organisation, BUENOS AIRES a person, "Calif"
    a place of its own), so the dateline's span counts as its place and region."""
    found = Entities()
    full: dict[str, str] = {}  # surname → the fullest name with it
    people = []
    if dateline:
        found.places[place_name(dateline.place)] += 1
        if dateline.region:
            found.places[region_name(dateline.region)] += 1
    for ent in doc.ents:
        if dateline and ent.start_char < dateline.end:
            continue
        kind = KINDS.get(ent.label_)
        name = clean_name(ent.text)
        if not kind or len(name) < 2 or name.lower() in NOT_NAMES or not any(c.isupper() for c in name):
            continue
        if kind == "people":
            people.append(name)
            surname = name.split()[-1].lower()
            if len(name.split()) > len(full.get(surname, "").split()):
                full[surname] = name
        else:
            getattr(found, kind)[canonical(re.sub(r"^the\s+", "", name, flags=re.I))] += 1
    for name in people:
        found.people[full.get(name.split()[-1].lower(), name)] += 1
    return found
