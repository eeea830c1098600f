"""Query text → tokens: words, "phrases"~N, fields, signs, parentheses and the operators AND, OR, NOT.
In plain mode everything is a word (quotes, parentheses and operators are punctuation)."""
from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = ("title", "outlet", "speaker", "person", "org", "language", "place", "author")
CAPS_HEADLINE_WORDS = 4  # an all-capitals text this long is a pasted headline: its AND/OR/NOT are words

_NORMALISE = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
                            "‘": "'", "’": "'", "—": "-", "–": "-", "−": "-", "\u00a0": " "})
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"[^"]*"?)(?:~(?P<slop>\d+))?
  | (?P<field>[A-Za-z_]+):(?=[^\s:])
  | (?P<sign>[-+])(?=[^\s)\-+])
  | (?P<word>[^\s()"]+)
""", re.X)
_OPERATORS = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}



class QuerySyntaxError(ValueError):
    def __init__(self, message: str, position: int, query: str):
        super().__init__(message)
        self.message = message
        self.position = position
        self.query = query

    def detail(self) -> dict:
        return {"position": self.position, "query": self.query,
                "example": 'kirby AND "sovereign decision" -russia, or (troops OR soldiers) AND ukraine'}


@dataclass
class Token:
    kind: str  # word, phrase, field, sign, lparen, rparen, and, or, not, end
    value: str
    position: int
    end: int = 0
    slop: int | None = None


def normalise(text: str) -> str:
    return text.translate(_NORMALISE)


def tokenize(text: str, plain: bool = False) -> list[Token]:
    """plain: every token is a word (quotes, parentheses, operators and signs are punctuation)."""
    tokens = []
    headline = not re.search(r"[a-z]", text) and len(text.split()) >= CAPS_HEADLINE_WORDS
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup if match.lastgroup != "slop" else "phrase"
        if kind == "space" or (plain and kind in ("lparen", "rparen", "sign")):
            continue
        value, position = match.group(kind), match.start()
        if kind == "phrase":
            if plain or len(value) < 2 or not value.endswith('"'):
                if not plain:
                    raise QuerySyntaxError("unbalanced quote: a phrase opened here is never closed", position, text)
                tokens += [Token("word", w.group(), position + 1 + w.start(), position + 1 + w.end())
                           for w in re.finditer(r"\S+", value.strip('"'))]
                continue
            slop = match.group("slop")
            tokens.append(Token("phrase", value[1:-1], position, match.end(), int(slop) if slop else None))
            continue
        if kind == "field" and (plain or value.lower() not in FIELDS):
            kind, value = "word", match.group(0)  # "nosuchfield:" is a word, not a field
        if kind == "word" and value in _OPERATORS and not plain and not headline:
            kind = _OPERATORS[value]
        tokens.append(Token(kind, value, position, match.end()))
    tokens.append(Token("end", "", len(text), len(text)))
    return tokens


def case_matters(text: str) -> bool:
    """Whether a word typed in capitals says it is an abbreviation (US, WHO rather than us, who): not
    when the whole text is in capitals (a pasted headline, TIME's queries), unless it is one word."""
    return any(c.islower() for c in text) or len(text.split()) == 1


def uses_operators(tokens: list[Token]) -> bool:
    """Whether the text is written in the syntax (and so deserves exact errors) or is plain language."""
    return any(t.kind in ("and", "or", "not", "sign", "field") or (t.kind == "phrase" and t.slop is not None)
               or (t.kind == "word" and "*" in t.value) for t in tokens)
