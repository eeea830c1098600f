"""Keyword syntax → Elasticsearch query DSL, with errors that say where and what was expected.

    kirby ukraine                words, ranked by BM25 (any of them; documents with more rank higher)
    kirby AND ukraine            both (also `+kirby +ukraine`)
    troops OR soldiers           either
    NOT russia, -russia          without
    "sovereign decision"         phrase;  "sovereign decision"~3  within 3 positions
    sovereign*                   trailing wildcard (at least 3 letters before the star)
    title:barrier  outlet:TASS  speaker:"John Kirby"
    (troops OR soldiers) AND ukraine

Curly quotes and long dashes are normalised first. No regular expressions, no leading wildcards,
and limits on length and clause count keep one query from tying up the cluster.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer import schema

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 64
MIN_PREFIX = 3
MAX_SLOP = 50
FIELDS = ("title", "outlet", "speaker", "language", "place", "author")
TEXT_FIELDS = [f"{schema.TITLE}^2", schema.BODY]

_NORMALISE = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
                            "‘": "'", "’": "'", "—": "-", "–": "-", "−": "-", "\u00a0": " "})
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>"[^"]*"?)(?:~(?P<slop>\d+))?
  | (?P<field>[A-Za-z_]+):(?=\S)
  | (?P<sign>[-+])(?=[^\s)])
  | (?P<word>[^\s()"]+)
""", re.X)


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
    slop: int | None = None


@dataclass
class Parsed:
    query: dict  # Elasticsearch query DSL
    terms: list[str]  # the words and phrases asked for (not the negated ones), for quotes and highlights


def normalise(text: str) -> str:
    return text.translate(_NORMALISE)


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup if match.lastgroup != "slop" else "phrase"
        if kind == "space":
            continue
        value = match.group(kind)
        position = match.start()
        if kind == "phrase":
            if len(value) < 2 or not value.endswith('"'):
                raise QuerySyntaxError("unbalanced quote: a phrase opened here is never closed", position, text)
            slop = match.group("slop")
            tokens.append(Token("phrase", value[1:-1], position, int(slop) if slop else None))
            continue
        if kind == "word" and value in ("AND", "OR", "NOT", "&&", "||"):
            kind = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}[value]
        tokens.append(Token(kind, value, position))
    tokens.append(Token("end", "", len(text)))
    return tokens


QUOTE_FIELDS = ("speaker",)  # inside quotations only the speaker is a field; filters narrow the articles


class _Parser:
    def __init__(self, text: str, scope: str = "article"):
        self.text = text
        self.scope = scope
        self.text_fields = TEXT_FIELDS if scope == "article" else ["quotes.text"]
        self.tokens = tokenize(text)
        self.i = 0
        self.clauses = 0
        self.terms: list[str] = []

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, token: Token, expected: str) -> QuerySyntaxError:
        found = "the end of the query" if token.kind == "end" else f"'{token.value}'"
        return QuerySyntaxError(f"expected {expected} at position {token.position}, found {found}",
                                token.position, self.text)

    def parse(self) -> dict:
        query = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            raise self.fail(token, "AND, OR, a word or the end of the query (this ')' closes nothing)")
        return query

    def or_expr(self) -> dict:
        parts = [self.and_expr()]
        while self.peek().kind == "or":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}

    def and_expr(self) -> dict:
        """Adjacent terms rank (any may match); AND, +term and -term/NOT bind."""
        items: list[list] = []  # [kind, clause] with kind must | should | not
        bind_next = False
        while True:
            token = self.peek()
            if token.kind in ("end", "rparen", "or"):
                break
            if token.kind == "and":
                self.take()
                if not items:
                    raise self.fail(token, "a word, a phrase or '(' before AND")
                if self.peek().kind in ("end", "rparen", "or", "and"):
                    raise self.fail(self.peek(), "a word, a phrase or '(' after AND")
                if items[-1][0] == "should":
                    items[-1][0] = "must"
                bind_next = True
                continue
            kind, clause = self.unary()
            items.append(["must" if bind_next and kind == "should" else kind, clause])
            bind_next = False
        if not items:
            raise self.fail(self.peek(), "a word, a phrase or '('")
        must = [c for k, c in items if k == "must"]
        should = [c for k, c in items if k == "should"]
        must_not = [c for k, c in items if k == "not"]
        if len(items) == 1 and not must_not:
            return items[0][1]
        query: dict = {"bool": {}}
        if must:
            query["bool"]["must"] = must
        if should:
            query["bool"]["should"] = should
            if not must:
                query["bool"]["minimum_should_match"] = 1
        if must_not:
            query["bool"]["must_not"] = must_not
            if not must and not should:
                query["bool"]["must"] = [{"match_all": {}}]
        return query

    def unary(self) -> tuple[str, dict]:
        token = self.peek()
        if token.kind == "not" or (token.kind == "sign" and token.value == "-"):
            self.take()
            if self.peek().kind in ("end", "rparen", "and", "or", "not"):
                raise self.fail(self.peek(), f"a word, a phrase or '(' after {token.value}")
            _, clause = self.unary_operand(negated=True)
            return "not", clause
        if token.kind == "sign":  # "+"
            self.take()
            _, clause = self.unary_operand()
            return "must", clause
        return self.unary_operand()

    def unary_operand(self, negated: bool = False) -> tuple[str, dict]:
        saved = list(self.terms)
        kind, clause = "should", self.primary()
        if negated:
            self.terms = saved
        return kind, clause

    def count(self, token: Token) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"too many terms: at most {MAX_CLAUSES}", token.position, self.text)

    def primary(self) -> dict:
        token = self.take()
        if token.kind == "lparen":
            inner = self.or_expr()
            close = self.take()
            if close.kind != "rparen":
                raise self.fail(close, f"')' to close the '(' at position {token.position}")
            return inner
        if token.kind == "field":
            return self.field(token)
        if token.kind == "phrase":
            self.count(token)
            return self.phrase(token)
        if token.kind == "word":
            self.count(token)
            return self.word(token)
        if token.kind == "rparen":
            raise self.fail(token, "a word, a phrase or '(' (this ')' closes nothing)")
        raise self.fail(token, "a word, a phrase or '('")

    def phrase(self, token: Token, fields: list[str] | None = None) -> dict:
        text = token.value.strip()
        if not text:
            raise QuerySyntaxError("empty phrase", token.position, self.text)
        slop = token.slop or 0
        if slop > MAX_SLOP:
            raise QuerySyntaxError(f"proximity ~{slop} is too wide: at most ~{MAX_SLOP}", token.position, self.text)
        self.terms.append(text)
        return {"multi_match": {"query": text, "type": "phrase", "slop": slop, "fields": fields or self.text_fields}}

    def word(self, token: Token, fields: list[str] | None = None) -> dict:
        text = token.value
        if "*" in text or "?" in text:
            stem = text.rstrip("*")
            if "*" in stem or "?" in text:
                raise QuerySyntaxError("wildcards are allowed only at the end of a word (polic*)", token.position,
                                       self.text)
            if len(stem) < MIN_PREFIX:
                raise QuerySyntaxError(f"a wildcard needs at least {MIN_PREFIX} letters before it", token.position,
                                       self.text)
            self.terms.append(stem)
            targets = fields or self.text_fields
            return {"bool": {"should": [{"prefix": {f.split("^")[0]: {"value": stem.lower()}}} for f in targets],
                             "minimum_should_match": 1}}
        self.terms.append(text)
        return {"multi_match": {"query": text, "fields": fields or self.text_fields}}

    def field(self, token: Token) -> dict:
        name = token.value.lower()
        allowed = FIELDS if self.scope == "article" else QUOTE_FIELDS
        if name not in allowed:
            hint = "" if self.scope == "article" or name not in FIELDS else \
                f" in a quote search; filter the articles with the '{name}' parameter instead"
            raise QuerySyntaxError(f"unknown field '{token.value}'{hint}: use one of {', '.join(allowed)}",
                                   token.position, self.text)
        value = self.take()
        if value.kind not in ("word", "phrase"):
            raise self.fail(value, f"a word or a phrase after {token.value}:")
        self.count(value)
        if name == "title":
            return self.phrase(value, [schema.TITLE]) if value.kind == "phrase" else self.word(value, [schema.TITLE])
        if name == "speaker" and self.scope == "quote":
            return {"match_phrase": {"quotes.speaker": value.value}}
        if name == "speaker":
            return {"nested": {"path": schema.QUOTES, "query": {"match_phrase": {"quotes.speaker": value.value}}}}
        target = {"outlet": schema.OUTLET, "language": schema.LANGUAGE, "place": schema.PLACE,
                  "author": schema.AUTHOR}[name]
        return {"term": {target: {"value": value.value, "case_insensitive": True}}}


def parse(text: str, scope: str = "article") -> Parsed:
    """Parse a keyword query; raises QuerySyntaxError with the position of the problem. scope "quote"
    makes the query about the text of quotations (the nested `quotes` documents)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(text)} characters long; at most {MAX_QUERY_CHARS}", MAX_QUERY_CHARS,
                               text[:80])
    text = normalise(text).strip()
    if text in ("", "*"):
        return Parsed({"match_all": {}}, [])
    parser = _Parser(text, scope)
    query = parser.parse()
    return Parsed(query, parser.terms)
