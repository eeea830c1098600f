"""Who said a quotation, from the dependency parse: the subject of the speech verb next to the quote
("…," Kirby said; said Kirby; Kirby told the crowd: "…"; according to Kirby), the subject of a sentence
that introduces it with a colon, or the speaker of the quote just before. Pronouns and role nouns ("he",
"the spokesman") resolve to the nearest person named before them, preferring people named as a
subject. An organisation that speaks ("the Pentagon said") is a speaker of kind organisation.

The rule-based attribution (indexer.attribution) stays where the parse finds nothing."""
from __future__ import annotations

from indexer.attribution import CUE_VERBS
from indexer.mentions import People, Speaker

SPEECH_VERBS = frozenset(CUE_VERBS) | frozenset(
    "say tell add state explain note ask reply write argue insist claim warn declare continue recall admit "
    "announce comment remark suggest emphasize stress respond acknowledge answer tweet testify conclude "
    "predict promise vow urge concede observe boast joke shout exclaim lament counter pledge charge allege "
    "contend maintain reiterate repeat complain recount post demand report reported reports yell yelled yells "
    "sing sang sings tweets found finds shows showed read wrote cautioned cautions agreed agrees believes "
    "believed thinks thought felt feels describes described called calls conceded told telling adding "
    "noting saying writing asking arguing insisting claiming warning explaining bark snap chant retort scoff "
    "barked snapped chanted chanting retorted scoffed sneered gushed pleaded interjected whispered screamed "
    "shouting yelling tweeting posting declaring stating announcing responding replying urging calling branded "
    "dubbed".split())
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
    "prosecutors lawmakers democrats republicans aides advisers sources members leaders workers family families "
    "relatives group groups".split())
SPEAKING_ENTITIES = {"PERSON": "person", "ORG": "organization", "NORP": "organization", "GPE": "organization"}


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


def _is_subject(token, quotes) -> bool:
    """A subject that can speak: not punctuation the parser took for one ("― Trump boasted") and
    not a word inside a quotation ("…, it will," said James Acton)."""
    return token.dep_ in ("nsubj", "nsubjpass") and not token.is_punct and not _in_quotes(token, quotes)


def _subject(verb, quotes: list[tuple[int, int]] = ()):
    before = verb.doc[verb.i - 1] if verb.i else None
    if verb.tag_ == "VBG" and before is not None and before.ent_type_ == "PERSON" and not _in_quotes(before, quotes):
        return before  # "footage of Hillary Clinton asking, “…”"
    subjects = [child for child in verb.children if _is_subject(child, quotes)]
    if subjects:  # two are an apposition parsed apart ("Scott's niece, Del. Marcia Price, shouted"): the named one
        return next((child for child in subjects if child.ent_type_ == "PERSON"), subjects[0])
    # A verb without a subject of its own takes its clause's: "…, he said, adding that …", "After
    # saying …, she was …", "wanted to tell the crowd …".
    node = verb
    for _ in range(3):
        if node.dep_ not in ("conj", "xcomp", "advcl", "ccomp", "pcomp", "prep", "acl") or node.head is node:
            return None
        node = node.head
        for child in node.children:
            if _is_subject(child, quotes):
                return child
    return None


def _named_before(verb, quotes):
    """A speech verb the parser gave no subject ("In Washington, Marc H. Morial, the chief executive of
    …, told a young woman that “…”": the name hangs off "Washington"): the person named last before it
    in its sentence, with no other verb in between."""
    names = [e for e in verb.sent.ents if e.label_ == "PERSON" and e.end <= verb.i and not _in_quotes(e.root, quotes)]
    if not names or any(t.pos_ in ("VERB", "AUX") for t in verb.doc[names[-1].end:verb.i]):
        return None
    return names[-1].root


def _unnamed(noun) -> bool:
    """'an Ajax spokesman', 'a spokesman for Dell': someone the text brings in without a name."""
    return any(t.dep_ == "det" and t.lower_ in ("a", "an") for t in noun.children)


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


def _from_subject(subject, people: People, quotes, since: int | None = None) -> Speaker | None:
    """since: where the sentence before the quote begins (a pronoun prefers the one person named there)."""
    if subject is None or _in_quotes(subject, quotes):
        return None
    ent = _entity(subject)
    if ent is None:  # a name inside a longer subject ("Trump campaign spokesman Jason Miller")
        inner = [e for e in subject.doc.ents if people.is_person(e) and subject.left_edge.i <= e.start
                 and e.end <= subject.right_edge.i + 1 and e.root.dep_ != "poss"]  # not "Obama's strategist"
        ent = inner[0] if inner else None
        appos = [t for t in subject.children if t.dep_ == "appos" and _entity(t) is not None]
        if ent is None and appos:
            ent = _entity(appos[0])
    if ent is not None and (ent.label_ in SPEAKING_ENTITIES or people.is_person(ent)):
        person = people.is_person(ent)
        return Speaker(people.canonical(ent.text) if person else ent.text,
                       "person" if person else SPEAKING_ENTITIES[ent.label_],
                       _role_of(ent) if person else None, ent.start_char, ent.end_char)
    if subject.pos_ == "PROPN" and subject.dep_ != "poss" and not _in_quotes(subject, quotes):
        # A name the small model did not label ("Chaffetz said") or labelled as a work ("Zero Hedge
        # said"): the proper nouns it heads are the speaker, a person when the article names one so.
        first = min([subject] + [t for t in subject.children if t.dep_ == "compound" and t.pos_ == "PROPN"],
                    key=lambda t: t.i)
        name = subject.doc[first.i:subject.i + 1]
        person = subject.lower_ in people.surnames or subject.ent_type_ in ("", "PERSON")
        return Speaker(people.canonical(name.text) if person else name.text, "person" if person else "organization",
                       None, name.start_char, name.end_char)
    word = subject.lower_
    if word in PRONOUNS:
        return people.before(subject.idx, word, since)
    if subject.pos_ == "NOUN" and any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in subject.children):
        phrase = subject.doc[subject.left_edge.i:subject.i + 1]  # "my father often said": the writer's own
        return Speaker(phrase.text, "other", None, phrase.start_char, phrase.end_char)
    if subject.pos_ == "NOUN" and word in PERSON_NOUNS and _unnamed(subject):  # "an Ajax spokesman told BBC Sport"
        org = [t for t in subject.children if t.dep_ == "compound" and t.pos_ == "PROPN" and t.ent_type_ != "PERSON"]
        if org:  # the whole name before the noun: "a Scottish Labour Party spokesman"
            name = subject.doc[min(t.left_edge.i for t in org):subject.i]
            return Speaker(name.text, "organization", subject.doc[subject.left_edge.i:subject.i + 1].text,
                           name.start_char, name.end_char)
    if subject.pos_ in ("NOUN", "PROPN") and word in PERSON_NOUNS:
        found = people.with_role(subject.idx, word) or people.before(subject.idx)
        if found is not None:
            found.role = subject.doc[subject.left_edge.i:subject.i + 1].text
        return found
    if subject.pos_ == "NOUN" and word in SOURCE_NOUNS:  # "the IMF report found", "officials said"
        phrase = subject.doc[subject.left_edge.i:subject.right_edge.i + 1]
        text = phrase.text if len(phrase) <= 12 else subject.doc[subject.left_edge.i:subject.i + 1].text
        return Speaker(text.strip(" ,"), "other", None, phrase.start_char, phrase.end_char)
    return None


def _speaks(token) -> bool:
    """A speech verb, or "put it" ("…,” as a Homeland Security memo put it)."""
    if token.lower_ in ("put", "puts") and token.i + 1 < len(token.doc):
        return token.doc[token.i + 1].lower_ == "it"
    return token.lower_ in SPEECH_VERBS


def _speech_verbs(sentence, quotes):
    return [t for t in sentence if _speaks(t) and t.pos_ in ("VERB", "AUX") and not _in_quotes(t, quotes)]


def _attribution_after(span):
    """The sentence after a quotation that ends its own sentence, when it starts as an attribution
    does ("…?” Trump said, looking out …": the parser put the close of the quote in a sentence of its
    own): its speech verbs among its first words."""
    last = span[-1].sent
    if span[-1].i + 1 < last.end - 1 or last.end >= len(span.doc):
        return []
    following = span.doc[last.end].sent
    verbs = [t for t in following[:6] if t.pos_ in ("VERB", "AUX")]
    root = following.root  # "…!” Scott's niece, state Del. Marcia “Cia” Price (D-Newport News), shouted …"
    if root.pos_ == "VERB" and any(c.dep_ == "nsubj" and c.left_edge.i == following.start for c in root.children) \
            and not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in root.children) \
            and not any(t.pos_ in ("VERB", "AUX") for t in span.doc[following.start:root.i]):  # says nothing of its own
        verbs.append(root)
    # Not a verb that introduces the next quote ("A BBC spokesman said: …").
    return [t for t in verbs if "\n" not in span.doc.text[span.end_char:t.idx]
            and not (t.i + 1 < len(t.doc) and t.doc[t.i + 1].text == ":")]


def _named_subject(sentence, people: People, quotes, before: int | None = None) -> Speaker | None:
    """The named person a sentence is about (its root's subject), as a speaker guessed from context;
    before: only a subject that comes before that offset, on the same line."""
    subject = _subject(sentence.root, quotes)
    if subject is None or _entity(subject) is None or (
            before is not None and (subject.idx >= before or "\n" in subject.doc.text[subject.idx:before])):
        return None
    found = _from_subject(subject, people, quotes)
    if found is None or found.kind != "person":
        return None
    found.from_context = True
    return found


def attribute(doc, start: int, end: int, quotes: list[tuple[int, int]], people: People) -> Speaker | None:
    """The speaker of the quote at [start, end) of the parsed text, or None."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    sentences = list({s.start: s for s in (span[0].sent, span[-1].sent)}.values())
    verbs = [v for s in sentences for v in _speech_verbs(s, quotes)]
    verbs += [v for v in _attribution_after(span) if _speaks(v)]
    # The verb the quotation hangs from first ("Reid told reporters that Trump “may have violated the
    # law” by calling …" is Reid's), then the nearest.
    governs = {v.i for v in verbs if any(v in t.ancestors for t in span)}
    verbs.sort(key=lambda v: (v.i not in governs, min(abs(v.idx - start), abs(v.idx - end))))
    since = doc[span[0].sent.start - 1].sent.start_char if span[0].sent.start > 0 else None
    for verb in verbs:
        found = _from_subject(_subject(verb, quotes) or _named_before(verb, quotes), people, quotes, since)
        between = people.named_in(end, verb.idx) if verb.idx > end else None
        if between is not None and found is not None and found.kind != "person":
            return between  # '…," Flynn, a top Trump surrogate, said … on Fox News' (a mangled parse)
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
        opens = all(t.is_punct or t.is_space for t in doc[first.start:span[0].i])  # the quote opens the sentence
        if previous.text.rstrip().endswith(":") or opens:
            for verb in [t for t in previous if t.pos_ in ("VERB", "AUX") and not _in_quotes(t, quotes)][::-1]:
                found = _from_subject(_subject(verb, quotes), people, quotes)
                if found is not None and (previous.text.rstrip().endswith(":") or verb.lower_ in SPEECH_VERBS):
                    found.from_context = True
                    return found
        # "Sanders … identified young voters' exhaustion … as one of the reasons. “The younger people …”":
        # a quote opening a sentence of the same paragraph as one about a named person is theirs.
        said = previous.text.lstrip()  # not a sentence that is itself someone's words ('"Denis has been playing well.')
        if opens and "\n" not in doc.text[previous.end_char:start] and not (said[:1] in "\"“‘'" and said[1:2].isalpha()) \
                and (found := _named_subject(previous, people, quotes)) is not None:
            return found
    # A partial quote inside a sentence about someone: Ryan, despite …, the victims "do need …"; the
    # person is the sentence's subject, before the quote.
    if span[0].i > first.start and (found := _named_subject(first, people, quotes, before=start)) is not None:
        return found
    # "Elizabeth Warren Hammers Wells Fargo CEO: ‘You Should Be …’" (a headline), "Kirby: “…”": a line
    # that opens with the one person it names, then a colon and the quote.
    line_start = doc.text.rfind("\n", 0, start) + 1
    head = doc.text[line_start:start].rstrip(" ‘“\"'«")
    if head.endswith(":") and (found := people.named_in(line_start, line_start + len(head))) is not None \
            and found.start == line_start:
        found.from_context = True
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

