"""People, organisations and places an article names, from the parse's named entities, each under one
canonical form: a person as the fullest name the article gives ("Kirby", "Mr Kirby" and "John Kirby's"
are "John Kirby"), without titles or possessives; the same organisation or place once."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

TITLES = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|prof|sir|dame|lord|lady|rev|fr|gen|lt|col|sgt|capt|adm|gov|sen|"
                    r"rep|pres|president|prime minister|senator|governor|mayor|judge|justice|pope|king|queen)\.?\s+)+",
                    re.I)
KINDS = {"PERSON": "people", "ORG": "organizations", "GPE": "places", "LOC": "places", "FAC": "places"}
NOT_NAMES = frozenset({"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "hers", "its"})


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


def entities(doc) -> Entities:
    """Named people, organisations and places of a parsed article, canonical and counted."""
    found = Entities()
    full: dict[str, str] = {}  # surname → the fullest name with it
    people = []
    for ent in doc.ents:
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
            getattr(found, kind)[re.sub(r"^the\s+", "", name, flags=re.I)] += 1
    for name in people:
        found.people[full.get(name.split()[-1].lower(), name)] += 1
    return found
