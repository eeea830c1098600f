"""Who said a quotation: the people an article names (one full name per person, roles kept apart) and
the attribution of a quoted span from its own sentence, the sentence before, or the paragraph."""
from __future__ import annotations

import re
from dataclasses import dataclass

CUE_VERBS = (
    "said says say saying added adds told tells stated explained explains noted asked asks "
    "replied replies wrote writes argued argues insisted insists claimed warned warns declared "
    "declares continued continues recalled recalls admitted admits announced announces commented "
    "remarked suggested suggests emphasized emphasised stressed stresses responded responds "
    "acknowledged acknowledges answered quipped tweeted testified concluded concludes "
    "predicted predicts promised vowed urged conceded concedes observed observes boasted boasts bragged "
    "joked jokes mused shouted exclaimed lamented laments countered counters pledged charged alleged "
    "contended contends maintained maintains reiterated repeated wondered complained complains recounted "
    "reads read posted demanded demands"
).split()
_CUE = r"(?:" + "|".join(sorted(set(CUE_VERBS), key=len, reverse=True)) + r"|pointed out|points out)"

ROLE_WORDS = set(
    "spokesman spokeswoman spokesperson president minister secretary general senator sen. rep. representative "
    "governor gov. mayor chairman chairwoman chair director chief ambassador commander leader candidate "
    "nominee adviser advisor aide official officer press prime premier chancellor king queen pope judge "
    "attorney lawyer prosecutor professor dr. mr. mrs. ms. analyst economist ceo executive founder head "
    "manager coach captain speaker sheriff lieutenant colonel gen. admiral envoy deputy vice councillor "
    "councilor councilman councilwoman treasurer coordinator curator organiser organizer engineer skipper "
    "owner librarian commissioner superintendent".split()
)
PRONOUNS = {"he": "m", "she": "f", "they": "p", "i": "s", "we": "p"}
_NOMINAL = re.compile(
    r"^(?:the|a|an|another|one)\s+(?:[\w.'-]+\s+){0,4}?(spokesman|spokeswoman|spokesperson|official|source|"
    r"sources|president|minister|secretary|senator|aide|adviser|advisor|candidate|nominee|leader|statement|"
    r"report|officials|campaign|governor|mayor|director|chief|ambassador|analyst|lawyer|attorney)$",
    re.I,
)

OPEN_CLOSE = {"“": "”", "«": "»", "„": "“", '"': '"', "‘": "’", "‹": "›"}
_NAME_TOKEN = r"(?:[A-Z][\w'’.\-]*[\w.]|[A-Z]\.)"
_PARENS = r"(?:\s*[(\[][A-Z][\w.\- ]*[)\]])?"
# A run of capitalised words, possibly with "(Jens)"-style insertions and lowercase role words.
_MENTION = (rf"(?:{_NAME_TOKEN}{_PARENS}(?:\s+(?:of|for|de|van|von|al|bin|the)\s+|\s+){{0,1}}){{0,7}}"
            rf"{_NAME_TOKEN}{_PARENS}")
_DETERMINER = r"(?:[Tt]he|[Aa]n?|[Aa]nother|[Oo]ne)"
_SPEAKER = (rf"(?P<speaker>(?:{_DETERMINER}\s+)?(?:[\w.'’-]+\s+){{0,5}}?{_MENTION}"
            rf"|[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e|{_DETERMINER}\s+(?:[\w.'’-]+\s+){{0,8}}?[a-z]+)")
@dataclass
class _Mention:
    name: str
    role: str | None
    start: int
    end: int


def _split_role(mention: str) -> tuple[str, str | None]:
    """("US National Security Council spokesman John Kirby") -> ("John Kirby", "US National ... spokesman")."""
    mention = re.sub(r"\s*[(\[][^)\]]*[)\]]\s*$", "", mention)  # "(R-Ga.)" after a name
    mention = re.sub(r"\s*[(\[]([^)\]]*)[)\]]", r" \1", mention).strip()
    mention = re.sub(r"['’]s?$", "", mention)
    mention = re.sub(r"^(?:the|a|an)\s+", "", mention, flags=re.I)
    tokens = mention.split()
    last_role = -1
    for k, token in enumerate(tokens):
        if token.lower().strip(",") in ROLE_WORDS:
            last_role = k
    name_tokens = tokens[last_role + 1:]
    role_tokens = tokens[: last_role + 1]
    # The role is the run of capitalised or role words right before the name ("US National Security
    # Council spokesman"), not the clause before it ("was stated by").
    keep = len(role_tokens)
    while keep > 0 and (role_tokens[keep - 1][:1].isupper() or role_tokens[keep - 1].lower() in ROLE_WORDS
                        or role_tokens[keep - 1].lower() in _ROLE_KEEP):
        keep -= 1
    role = " ".join(role_tokens[keep:]) or None
    if not name_tokens:
        return "", role
    # Leading lowercase words belong to the role ("former", "campaign manager").
    while name_tokens and not name_tokens[0][:1].isupper():
        role = f"{role} {name_tokens.pop(0)}".strip() if role else name_tokens.pop(0)
    name = " ".join(name_tokens).strip(" ,")
    if name.endswith(".") and len(name_tokens[-1]) > 2 and name_tokens[-1].lower().rstrip(".") not in _ABBREVIATIONS:
        name = name[:-1]  # the full stop after "― Carla Sanchez."
    return name, role


_NOT_NAMES = set(
    "i we he she they it you this that these those when while after before but and or if as so then there here "
    "what who why how where asked speaking commenting meanwhile later earlier however also still yet "
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december today yesterday"
    .split()
)


_ORGANISATION_WORDS = set(
    "commission committee debates party house news post times press campaign department ministry council "
    "agency office university institute association union court congress senate board bank group foundation "
    "journal network company corporation inc fund center centre service police army administration".split()
)


def is_name(name: str) -> bool:
    tokens = name.split()
    return (bool(tokens) and all(t[:1].isupper() for t in tokens) and tokens[0].lower() not in _NOT_NAMES
            and len(name) > 2)


class People:
    """Every named person mentioned so far in one article, to fold short mentions into full names."""

    def __init__(self) -> None:
        self.full: dict[str, str] = {}  # surname -> full name
        self.roles: dict[str, str] = {}  # full name -> role
        self.order: list[tuple[int, str]] = []  # (offset, full name): who "he" may be

    def add(self, name: str, role: str | None, offset: int, candidate: bool = True) -> str:
        name = self.canonical(name)
        if role and name not in self.roles:
            self.roles[name] = role
        if candidate:
            self.order.append((offset, name))
            self.order.sort()
        return name

    def canonical(self, name: str) -> str:
        tokens = name.split()
        surname = tokens[-1]
        known = self.full.get(surname)
        if len(tokens) >= 2:
            if known is None or len(name) > len(known):
                self.full[surname] = name
            return self.full[surname] if known and known.endswith(name) else name
        return known or name

    def nearest_before(self, offset: int, head: str | None = None, person: bool = False) -> str | None:
        candidates = [name for pos, name in self.order if pos < offset
                      and not (person and _ORGANISATION_WORDS & set(name.lower().split()))]
        if head:
            matching = [name for name in candidates if head.lower() in (self.roles.get(name) or "").lower()]
            candidates = matching or candidates
        return self.canonical(candidates[-1]) if candidates else None


_INDIRECT = re.compile(rf"(?P<mention>{_MENTION})\s*,?\s+(?:has\s+|had\s+|also\s+)?(?P<cue>{_CUE})\b")
_ROLE_WORD = "(?i:" + "|".join(re.escape(w) for w in sorted(ROLE_WORDS, key=len, reverse=True)) + ")"
_INDIRECT_ROLE = re.compile(rf"(?P<role>(?:[\w.'’-]+\s+){{0,5}}?{_ROLE_WORD})\s+(?P<mention>{_MENTION})")
_ROLE_KEEP = {"of", "for", "and", "the", "former", "deputy", "press", "national", "security", "campaign", "foreign",
              "defense", "defence", "state", "white", "house"}


def collect_people(text: str, people: People, quoted: list[tuple[int, int]]) -> None:
    """People named next to a role word (for full names and roles) and people who speak outside
    quotations (the candidates that a later "he said" may refer to), in text order."""
    def inside_quote(offset: int) -> bool:
        return any(s <= offset < e for s, e in quoted)

    found = []
    for match in _INDIRECT_ROLE.finditer(text):
        name, role = _split_role(match.group("role") + " " + match.group("mention"))
        if is_name(name) and not inside_quote(match.start("mention")):
            # "President Emmanuel Macron's remarks": a possessive is not who a later "he" is.
            possessive = re.match(r"['’]s?\b", text[match.end("mention"):]) or match.group("mention")[-2:] in ("'s", "’s")
            found.append((match.start("mention"), name, role, not possessive))
    for match in _INDIRECT.finditer(text):
        mention = match.group("mention")
        cut = _after_sentence_break(mention)
        name, role = _split_role(mention[cut:])
        if is_name(name) and not inside_quote(match.start("mention")):
            found.append((match.start("mention") + cut, name, role, True))
    for offset, name, role, candidate in sorted(found, key=lambda item: (item[0], item[3])):
        people.add(name, role, offset, candidate)


# ------------------------------------------------------------------ attribution

_APPOSITION = r"(?:\s*,[^,“”\"\n]{1,120},)?"  # "Scott Pruitt, the attorney general of Oklahoma, said"
_AFTER = re.compile(
    rf"^[\s,.!?:;—–-]*(?:[”\"’»]\s*)?[,.!?—–-]*\s*(?:(?P<cue1>{_CUE})\s+{_SPEAKER}|{_SPEAKER.replace('speaker', 'speaker2')}"
    rf"{_APPOSITION}\s*,?\s+(?:has\s+|had\s+|also\s+|then\s+)?(?P<cue2>{_CUE}))\b"
)
# "“…” ― Pamela Padilla": a name after a dash, the way collections of reader quotes are signed.
_SIGNED = re.compile(rf"^[\s,.!?]*[”\"’»]?\s*[―—–-]\s*(?P<speaker>{_MENTION}|{_NAME_TOKEN}\s+[A-Z]\s+{_MENTION})"
                     r"\s*(?:[.,]|\n|$)")  # "― Christina N Luis Olidem": an initial without its full stop
_BEFORE = re.compile(
    rf"{_SPEAKER}\s*,?\s+(?:has\s+|had\s+|also\s+|then\s+|later\s+)?(?P<cue>{_CUE})\b[^.!?\"“”]{{0,160}}?[:,]?\s*[“\"«„]?$"
)
BLOCK_ATTRIBUTION = re.compile(
    rf"^[-–—]\s*(?:{_SPEAKER}\s+(?:has\s+|also\s+)?(?P<cue>{_CUE})|(?P<cue2>{_CUE})\s+{_SPEAKER.replace('speaker', 'speaker2')})\s*[.!]?\s*$"
)


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "st", "jr", "sr", "u.s", "u.n", "no"}
_SENTENCE_BREAK = re.compile(r"([\w.]+)\.\s+(?=\S)")


def _after_sentence_break(mention: str) -> int:
    """Where the last sentence inside a mention starts ("former Miss Universe. She" -> at "She"):
    the name pattern allows dots for initials and abbreviations, so it can run over a full stop."""
    cut = 0
    for match in _SENTENCE_BREAK.finditer(mention):
        word = match.group(1).lower()
        if len(word) > 1 and word not in _ABBREVIATIONS:
            cut = match.end()
    return cut


def resolve(raw: str, offset: int, people: People) -> tuple[str | None, str | None]:
    """A speaker mention -> (full name or the nominal phrase, role)."""
    raw = raw.strip(" ,")
    raw = raw[_after_sentence_break(raw):]
    low = raw.lower()
    if low in PRONOUNS:
        if low in ("i", "we"):
            return None, None
        name = people.nearest_before(offset, person=low in ("he", "she"))
        return name, people.roles.get(name) if name else None
    nominal = _NOMINAL.match(raw)
    if nominal and not _split_role(raw)[0]:
        name = people.nearest_before(offset, head=nominal.group(1))
        if name and nominal.group(1).lower() not in ("source", "sources", "statement", "report", "officials"):
            return name, people.roles.get(name)
        return raw, None
    name, role = _split_role(raw)
    if not is_name(name):
        return (raw or None), role
    name = people.add(name, role, offset)
    return name, people.roles.get(name) or role


def _sentence_end(text: str) -> int:
    """Length of the sentence that ``text`` starts with; "Rep." or "J." do not end it."""
    for match in re.finditer(r"[.!?](?:\s|$)|\n", text):
        word = re.search(r"([\w.]*)[.!?]?$", text[:match.start() + 1]).group(1).rstrip(".").lower()
        if match.group().startswith(".") and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        return match.end()
    return len(text)


def _attribution_before(text: str, start: int) -> tuple[int, re.Match | None]:
    """The "Kirby said:" before a quote starting at ``start``, searched in its own sentence."""
    line_start = max(text.rfind("\n", 0, start - 1), text.rfind(". ", 0, start - 1) + 1, 0)
    before = text[line_start:start]
    # The attribution nearest the quote wins ("commenting on Macron's remarks, he said: ..." -> he).
    for word in reversed([m.start() for m in re.finditer(r"(?<!\S)\S", before)]):
        match = _BEFORE.match(before, word)
        if match:
            return line_start, match
    return line_start, None


def attribute(text: str, start: int, end: int, people: People) -> tuple[str | None, str | None, str | None, tuple[int, int] | None]:
    """Speaker, role, cue and mention span for the quote text[start:end]."""
    after = text[end:end + 1 + _sentence_end(text[end + 1:end + 200])]
    match = _AFTER.match(after)
    if match:
        group = "speaker" if match.group("speaker") else "speaker2"
        raw = match.group(group)
        cue = match.group("cue1") or match.group("cue2")
        name, role = resolve(raw, end, people)
        return name, role, cue, (end + match.start(group), end + match.end(group))
    signed = _SIGNED.match(after)
    if signed and is_name(signed.group("speaker")):
        name, role = resolve(signed.group("speaker"), end, people)
        return name, role, None, (end + signed.start("speaker"), end + signed.end("speaker"))
    line_start, match = _attribution_before(text, start)
    if match is None and not text[line_start:start].strip(" \n\t\"“«„'‘"):
        # A quote opening its paragraph after "Caddell continued:" at the end of the one before.
        colon = trim_end(text, line_start)
        if colon > 0 and text[colon - 1] == ":":
            line_start, match = _attribution_before(text, colon)
    if match:
        name, role = resolve(match.group("speaker"), line_start + match.start("speaker"), people)
        return name, role, match.group("cue"), (line_start + match.start("speaker"), line_start + match.end("speaker"))
    return None, None, None, None


CONTINUATION_GAP = 250


def continue_speakers(text: str, quotes: list) -> None:
    """A quote with no attribution of its own that follows an attributed one in the same paragraph
    ("…," said Caddell. "…"), or opens the next paragraph right after it, continues that speaker."""
    for quote, signed in zip(quotes, quotes[1:]):  # "“A” … “B” ― Christina Lastra": the signature is for both
        if not quote.speaker and not quote.block and signed.speaker and signed.cue is None and not signed.block \
                and not re.search(r"\n\s*\n|[―]", text[quote.end:signed.start]):
            quote.speaker, quote.speaker_role = signed.speaker, signed.speaker_role
    for previous, quote in zip(quotes, quotes[1:]):
        if quote.speaker or quote.block or not previous.speaker:
            continue
        gap = text[previous.end:quote.start]
        same_paragraph = len(gap) <= CONTINUATION_GAP and not re.search(r"\n\s*\n", gap)
        if same_paragraph or not gap.strip(" \n\t\"“”«»„'‘’"):
            quote.speaker, quote.speaker_role = previous.speaker, previous.speaker_role


def trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \n\t":
        end -= 1
    return end
