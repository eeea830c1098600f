"""Do two articles report the same event? The evidence a pair gives, and one rule that weighs it.

A story is one real-world event (what happened, to whom, where, when) told by one or more outlets,
plus verbatim copies. The evidence of a pair:
- **copy**: shared MinHash bands of the word 5-shingles (syndication, reprints); a copy is the same
  story whatever else holds;
- **dates**: an event's coverage spreads over days, not months: a pair more than MAX_DAYS apart is
  never the same event (copies aside), and a pair without dates is weaker evidence (the model's
  "undated" weight);
- **what it is about**: the cosine of the title+lead vectors;
- **who and where**: the overlap (Jaccard) of the names in the leads and of the people,
  organisations and places the parse found — formulaic texts about different actors ("Pall sets
  dividend" / "Walgreen sets dividend") read alike to the encoder but name different ones;
- **the same quotation** in both;
- **the title words** both titles use (outside function words), as a share of the shorter title:
  "Calfed Posts Record Third Quarter Results" and "Calfed Inc <cal> 3rd Qtr Net" name one company;
- **one outlet or two**: an outlet writes about one event once or twice (a report, a follow-up), and
  its own pieces that read alike are more often a series (the next market report, next month's
  figures) than coverage of one happening; different outlets that read alike in the same days
  mostly cover one event. So a pair from one outlet needs more evidence (a weight of its own); an
  article without an outlet counts half.
The last five are combined by a logistic model whose weights are fitted by `bench/story_model.py`
(see its result for the data and the fit); `probability` is the model, `decide` the rule.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
from datasketch import MinHash

from indexer.analysis import STOPWORDS

NUM_PERM, BANDS = 64, 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
COPY_BANDS = 8  # ≥ half the bands equal: Jaccard of shingles ≈ 0.7 or more
MAX_DAYS = 7  # the longest gap between two reports of one event (copies aside)

# Logistic weights over features() (1, lead cosine, names Jaccard, entities Jaccard, shared quote, undated,
# no entity in common, days apart, one outlet, title words shared), fitted by bench/story_model.py on
# SemEval-2022 Task 8 en-en (pairs of two outlets) and the labelled BBC/Reuters pairs (one outlet each) in
# bench/data/story_pairs.tsv (bench/results/story_model.md).
WEIGHTS = (-10.09, 13.13, 0.57, 0.76, 4.25, -0.54, -0.97, -3.24, -2.64, 2.08)
FIRST_REPORT = "first of its story"  # the story reason of an article that no earlier one matched
THRESHOLD = 0.5  # probability of the same event at which a pair joins (the undated weight makes undated pairs need more)


def fingerprint(text: str) -> list[str]:
    """BANDS LSH band keys of the MinHash of the text's word 5-shingles."""
    words = re.findall(r"\w+", text.lower())
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(len(words) - SHINGLE_WORDS + 1, 1))}
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    signature.update_batch([s.encode() for s in shingles])
    values = signature.hashvalues.astype(np.uint64)
    return [f"{band}:{hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=6).hexdigest()}"
            for band in range(BANDS)]


_NAME = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z0-9]\b|\b(?:[A-Z]\.){2,}")
NOT_NAMES = set("""a an the in on at of to for by from with as and or but if when while after before since
until this that these those there here it its he she his her him they them their we our you your i me my
mr mrs ms dr sir mln bln pct vs inc co corp corporation ltd plc llc group company companies holdings
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
reuter reuters said says also however meanwhile""".split())
LEAD_CHARS = 1500
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”«»]\s*|\n)\s*$")


def names(body: str) -> list[str]:
    """Who and where the lead is about: capitalised words inside sentences (a capital after a full stop
    or a line break says nothing), lower-cased, possessives dropped, minus common words."""
    lead = body[:LEAD_CHARS]
    found = set()
    for match in _NAME.finditer(lead):
        if _SENTENCE_START.search(lead[max(0, match.start() - 3):match.start()]):
            continue
        name = re.sub(r"['’]s$", "", match.group(0).lower().rstrip("."))
        if name not in NOT_NAMES and len(name) > 1:
            found.add(name)
    return sorted(found)


def cosine(a, b) -> float:
    return float(np.dot(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)))


def jaccard(a, b) -> float:
    a, b = set(a or ()), set(b or ())
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class Evidence:
    bands: int  # MinHash bands shared
    lead: float | None  # cosine of the title+lead vectors
    names: float  # Jaccard of the lead names
    entities: float  # Jaccard of the people, organisations and places
    quote: bool  # a quotation in both
    days: int | None  # days apart; None when either has no date
    outlet: float = 0.5  # 1 one outlet, 0 two, 0.5 when either names none
    titles: float = 0.0  # title words in both, as a share of the shorter title's


@dataclass
class Match:
    candidate: str
    reason: str  # copy | same event
    strength: float


def day(value: str | None) -> date | None:
    """The day of a stored date ("2025-03-12T…" → 2025-03-12)."""
    return date.fromisoformat(value[:10]) if value else None


def evidence(a: dict, b: dict, same_statement: bool = False) -> Evidence:
    """The evidence of two articles, each a dict of the stored grouping fields (see stories.FEATURES).
    same_statement: a quote of one is, by meaning, a quote of the other (translations, paraphrase)."""
    bands = len(set(a.get("fingerprint") or ()) & set(b.get("fingerprint") or ()))
    lead = cosine(a["lead_vector"], b["lead_vector"]) if a.get("lead_vector") and b.get("lead_vector") else None
    da, db = day(a.get("date")), day(b.get("date"))
    keys_a = {q.get("key") for q in a.get("quotes") or () if q.get("key")}
    keys_b = {q.get("key") for q in b.get("quotes") or () if q.get("key")}
    return Evidence(bands, lead, jaccard(a.get("names"), b.get("names")),
                    jaccard(entity_set(a), entity_set(b)), same_statement or bool(keys_a & keys_b),
                    abs((da - db).days) if da and db else None,
                    one_outlet(a.get("outlet"), b.get("outlet")), title_overlap(a.get("title"), b.get("title")))


def _outlet_key(outlet: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (outlet or "").lower())


def one_outlet(a: str | None, b: str | None) -> float:
    """1 when both articles name the same outlet ("BBC News" = "bbc news"), 0 when they name two, 0.5
    when either names none."""
    a, b = _outlet_key(a), _outlet_key(b)
    return 0.5 if not a or not b else float(a == b)


_TITLE_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
TITLE_COMMON = STOPWORDS | NOT_NAMES | set("""says say new inc net qtr 1st 2nd 3rd 4th first second third fourth
quarter year sets""".split())


def title_words(title: str | None) -> set[str]:
    return {w for w in _TITLE_WORD.findall((title or "").lower()) if len(w) > 1 and w not in TITLE_COMMON}


def title_overlap(a: str | None, b: str | None) -> float:
    """The words both titles use, as a share of the shorter title's (function words and formula words
    such as "qtr", "net" left out); 0 when either has none."""
    a, b = title_words(a), title_words(b)
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def entity_set(doc: dict) -> set[str]:
    return {n.lower() for field in ("people", "organizations", "places") for n in doc.get(field) or ()}


def features(e: Evidence) -> tuple[float, ...]:
    """(1, lead cosine, names Jaccard, entities Jaccard, shared quote, undated, no entity in common, days apart
    as a share of MAX_DAYS, one outlet, title words shared): coverage of one event comes out within a day
    or two, a recurring report (the next day's market close, next week's figures) days later."""
    spread = min(e.days, MAX_DAYS) / MAX_DAYS if e.days is not None else 0.0
    return (1.0, e.lead or 0.0, e.names, e.entities, float(e.quote), float(e.days is None), float(e.entities == 0),
            spread, e.outlet, e.titles)


def probability(e: Evidence, weights=WEIGHTS) -> float:
    z = sum(w * x for w, x in zip(weights, features(e)))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def decide(e: Evidence, weights=WEIGHTS, threshold: float = THRESHOLD, p: float | None = None) -> Match | None:
    """Copy, same event, or nothing: the one rule (the grouping and the benches call it). p: the
    model's probability when it comes from elsewhere (the bench's cross-validated fits)."""
    if e.bands >= COPY_BANDS:
        return Match("", "copy", 1.0 + e.bands / BANDS)
    if e.lead is None or (e.days is not None and e.days > MAX_DAYS):
        return None
    p = probability(e, weights) if p is None else p
    return Match("", "same event", p) if p >= threshold else None
