"""Who said a quotation, from the dependency parse: the subject of the speech verb next to the quote
("…," Kirby said; said Kirby; Kirby told the crowd: "…"; according to Kirby), the subject of a sentence
that introduces it with a colon, or the speaker of the quote just before. Pronouns and role nouns ("he",
"the spokesman") resolve to the nearest person named before them, preferring people named as a
subject. An organisation that speaks ("the Pentagon said") is a speaker of kind organisation.

The rule-based attribution (indexer.attribution) stays where the parse finds nothing."""
from __future__ import annotations

from dataclasses import dataclass

from indexer.attribution import CUE_VERBS

SPEECH_VERBS = frozenset(CUE_VERBS) | frozenset(
    "say tell add state explain note ask reply write argue insist claim warn declare continue recall admit "
    "announce comment remark suggest emphasize stress respond acknowledge answer tweet testify conclude "
    "predict promise vow urge concede observe boast joke shout exclaim lament counter pledge charge allege "
    "contend maintain reiterate repeat complain recount post demand report reported reports yell yelled yells "
    "sing sang sings tweets found finds shows showed read wrote cautioned cautions agreed agrees believes "
    "believed thinks thought felt feels describes described called calls conceded told telling adding "
    "noting saying writing asking arguing insisting claiming warning explaining".split())
PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them", "i", "we"})
PERSON_NOUNS = frozenset(
    "spokesman spokeswoman spokesperson president minister secretary senator representative governor mayor "
    "chairman chairwoman chair director chief ambassador commander leader candidate nominee adviser advisor "
    "aide official officer premier chancellor judge attorney lawyer prosecutor professor analyst economist "
    "executive founder head manager coach captain speaker sheriff envoy deputy councillor councilor "
    "treasurer coordinator engineer owner commissioner superintendent host woman man father mother wife "
    "husband son daughter strategist pollster historian expert researcher activist organizer organiser "
    "resident voter worker veteran student teacher doctor nurse officer agent".split())
# Sources that are not people: a study, a report, a group of people ("the report found", "protesters chanted").
SOURCE_NOUNS = frozenset(
    "report document complaint poll survey study letter memo bylaws rules filing lawsuit ruling analysis "
    "voters protesters officials experts critics supporters economists analysts residents investigators "
    "prosecutors lawmakers democrats republicans aides advisers sources members leaders workers".split())
SPEAKING_ENTITIES = {"PERSON": "person", "ORG": "organization", "NORP": "organization", "GPE": "organization"}
WINDOW = 2500  # characters back to look for the person a pronoun or a role noun stands for
FEMALE = frozenset("""
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret betty sandra
ashley dorothy kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca laura sharon
cynthia kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine christine debra
rachel catherine carolyn janet ruth maria heather diane virginia julie joyce victoria olivia kelly christina
lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn
sara janice jean alice madison doris abigail julia judy grace denise amber marilyn beverly danielle theresa
sophia marie diana brittany natalie isabella charlotte rose alexis kayla hillary ivanka melania kellyanne
michele huma chelsea loretta condoleezza madeleine hope sheila elaine nikki marine theresa angela jill
claire tammy kamala kirsten amy debbie janet ruth sonia ursula christine federica valerie donna susan
jane ada maria ida femke elena
""".split())
MALE = frozenset("""
james robert john michael david william richard joseph thomas charles christopher daniel matthew anthony
mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan
jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander
frank patrick raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle
walter ethan jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse
dylan bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene
vincent russell elijah louis bobby philip johnny barack bill bernie tim mike mitch chris jeb ted marco
rand vladimir bashar recep xi shinzo francois emmanuel boris tony gordon jeremy nigel howard rudy newt
reince sean corey jared steve kellyanne rex jim tom jon harry lindsey orrin chuck dick al joe pete ben
dan ron greg herman rick mitt tommy tomas jonas kell hugo
brian josh brandon jeff luke max sam nick ian colin neil martin carlos luis antonin norman carter
mohammed muhammad ahmed ali omar hassan kim jong vladimir
""".split()) - {"kellyanne", "terry", "jean", "kelly", "jordan", "leslie", "dana", "robin"}
TITLES = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}
GENDERED_NOUNS = {**{w: "f" for w in "widow mother wife daughter sister spokeswoman chairwoman congresswoman "
                      "businesswoman actress grandmother woman girl aunt niece councilwoman".split()},
                  **{w: "m" for w in "widower father husband son brother spokesman chairman congressman "
                      "businessman actor grandfather man boy uncle nephew councilman".split()}}
PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}


@dataclass
class Speaker:
    name: str
    kind: str  # person | organization | other
    role: str | None = None
    start: int | None = None  # where the name is in the text
    end: int | None = None


def _in_quotes(token, quotes: list[tuple[int, int]]) -> bool:
    return any(s <= token.idx < e for s, e in quotes)


def _entity(token):
    """The named entity a token belongs to, if any."""
    if not token.ent_type_:
        return None
    for ent in token.doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return None


def _subject(verb):
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl", "ccomp") and verb.head is not verb:
        for child in verb.head.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
    return None


def _role_of(ent) -> str | None:
    """A role written next to a name: "White House spokesman John Kirby", "Kirby, the spokesman"."""
    head = ent.root
    words = [t for t in head.children if t.dep_ in ("compound", "amod") and t.i < ent.start and not t.ent_type_]
    appos = [t for t in head.children if t.dep_ == "appos" and not t.ent_type_]
    if appos:
        span = ent.doc[appos[0].left_edge.i:appos[0].i + 1]
        return span.text.strip(" ,") or None
    if words:
        return ent.doc[words[0].left_edge.i:ent.start].text.strip(" ,") or None
    return None


def _words(name: str) -> list[str]:
    return name.replace("’s", "").replace("'s", "").split()


def _gender_nearby(ent) -> str | None:
    """The gender the words around a name give: a title ("Mrs."), a role noun before it ("9/11 widow
    Terry Strada") or in apposition ("Terry Strada, a mother of two")."""
    doc = ent.doc
    before = doc[ent.start - 1].lower_ if ent.start else ""
    if before in TITLES:
        return TITLES[before]
    if len(ent) < 2:  # a surname alone may stand for several people ("Clinton")
        return None
    after = [t.lower_ for t in doc[ent.end + 1:ent.end + 4]] if ent.end < len(doc) and doc[ent.end].text == "," else []
    for word in [before] + after:
        if word in GENDERED_NOUNS:
            return GENDERED_NOUNS[word]
    return None


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

        outside = [ent for ent in doc.ents if not quoted(ent.start_char)]
        surnames = {_words(ent.text)[-1].lower() for ent in outside if ent.label_ == "PERSON" and _words(ent.text)}
        # The small model often labels a person's surname alone as an organisation or a place, or as
        # nothing ("Ham said" after "Gen. Carter Ham"): a short entity or a proper noun that is a known
        # surname is a mention of that person.
        mentions = [ent for ent in outside if ent.label_ == "PERSON" or _is_surname_of(ent, surnames)]
        mentions += [doc[t.i:t.i + 1] for t in doc if t.pos_ == "PROPN" and not t.ent_type_
                     and t.lower_ in surnames and not quoted(t.idx)]
        mentions.sort(key=lambda m: m.start_char)
        self.mentions = [(m.start_char, m, m.root.dep_ in ("nsubj", "nsubjpass")) for m in mentions]
        self.surnames = surnames
        self.last: Speaker | None = None  # the speaker of the previous quotation, and where it ended
        self.last_at = 0
        # surname → the full names with it, first seen first ("Donald Trump", "Ivanka Trump")
        self.full: dict[str, list[str]] = {}
        self.gender: dict[str, str] = {}  # full name → m | f
        for _, ent, _ in self.mentions:
            words = _words(ent.text)
            if len(words) < 2:
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
            first = words[0].lower()
            gender = _gender_nearby(ent) or ("f" if first in FEMALE else "m" if first in MALE else None)
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
        wanted = PRONOUN_GENDER.get(pronoun or "")
        return wanted is None or self.gender.get(self.canonical(name), wanted) == wanted

    def before(self, offset: int, pronoun: str | None = None) -> Speaker | None:
        wanted = PRONOUN_GENDER.get(pronoun or "")
        since_last = [1 for at, ent, subject in self.mentions if self.last_at <= at < offset and subject
                      and self.compatible(ent.text, pronoun)]
        if self.last is not None and self.last.kind == "person" and offset - self.last_at <= WINDOW \
                and pronoun in PRONOUN_GENDER and self.compatible(self.last.name, pronoun) and not since_last:
            return Speaker(self.last.name, "person")  # "…," she said: still the person quoted just before
        candidates = [(at, ent, subject) for at, ent, subject in self.mentions if offset - WINDOW <= at < offset
                      and (wanted is None or self.gender.get(self.canonical(ent.text), wanted) == wanted)]
        if not candidates:
            return None
        subjects = [c for c in candidates if c[2]]
        at, ent, _ = (subjects or candidates)[-1]
        return Speaker(self.canonical(ent.text), "person", None, ent.start_char, ent.end_char)


def _from_subject(subject, people: People, quotes) -> Speaker | None:
    if subject is None or _in_quotes(subject, quotes):
        return None
    ent = _entity(subject)
    if ent is None:  # a name inside a longer subject ("Trump campaign spokesman Jason Miller")
        inner = [e for e in subject.doc.ents if people.is_person(e) and subject.left_edge.i <= e.start
                 and e.end <= subject.right_edge.i + 1]
        ent = inner[0] if inner else None
        appos = [t for t in subject.children if t.dep_ == "appos" and _entity(t) is not None]
        if ent is None and appos:
            ent = _entity(appos[0])
    if ent is not None and (ent.label_ in SPEAKING_ENTITIES or people.is_person(ent)):
        person = people.is_person(ent)
        return Speaker(people.canonical(ent.text) if person else ent.text,
                       "person" if person else SPEAKING_ENTITIES[ent.label_],
                       _role_of(ent) if person else None, ent.start_char, ent.end_char)
    word = subject.lower_
    if word in PRONOUNS:
        return people.before(subject.idx, word)
    if subject.pos_ in ("NOUN", "PROPN") and word in PERSON_NOUNS:
        found = people.before(subject.idx)
        if found is not None:
            found.role = subject.doc[subject.left_edge.i:subject.i + 1].text
        return found
    if subject.pos_ == "NOUN" and word in SOURCE_NOUNS:  # "the IMF report found", "officials said"
        phrase = subject.doc[subject.left_edge.i:subject.right_edge.i + 1]
        text = phrase.text if len(phrase) <= 12 else subject.doc[subject.left_edge.i:subject.i + 1].text
        return Speaker(text.strip(" ,"), "other", None, phrase.start_char, phrase.end_char)
    return None


def _speech_verbs(sentence, quotes):
    return [t for t in sentence if t.lower_ in SPEECH_VERBS and t.pos_ in ("VERB", "AUX") and not _in_quotes(t, quotes)]


def attribute(doc, start: int, end: int, quotes: list[tuple[int, int]], people: People) -> Speaker | None:
    """The speaker of the quote at [start, end) of the parsed text, or None."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    sentences = list({s.start: s for s in (span[0].sent, span[-1].sent)}.values())
    verbs = [v for s in sentences for v in _speech_verbs(s, quotes)]
    verbs.sort(key=lambda v: min(abs(v.idx - start), abs(v.idx - end)))
    for verb in verbs:
        found = _from_subject(_subject(verb), people, quotes)
        if found is not None:
            return found
    for sentence in sentences:  # according to X
        for token in sentence:
            if token.lower_ == "according" and not _in_quotes(token, quotes):
                objects = [g for c in token.children if c.lower_ == "to" for g in c.children if g.dep_ == "pobj"]
                if objects and (found := _from_subject(objects[0], people, quotes)) is not None:
                    return found
    first = span[0].sent
    if first.start > 0:  # "Clinton told the crowd:" / "Trump tweeted:" then the quote
        previous = doc[first.start - 1].sent
        if previous.text.rstrip().endswith(":") or span[0].i == first.start:
            for verb in [t for t in previous if t.pos_ in ("VERB", "AUX") and not _in_quotes(t, quotes)][::-1]:
                found = _from_subject(_subject(verb), people, quotes)
                if found is not None and (previous.text.rstrip().endswith(":") or verb.lower_ in SPEECH_VERBS):
                    return found
    return None


def attribute_all(doc, spans: list[tuple[int, int]]) -> list[Speaker | None]:
    """The speaker of every quotation (spans in text order) of one parsed article."""
    people = People(doc, spans)
    found: list[Speaker | None] = []
    for start, end in spans:
        speaker = attribute(doc, start, end, spans, people)
        if speaker is not None:
            people.last, people.last_at = speaker, end
        found.append(speaker)
    return found

