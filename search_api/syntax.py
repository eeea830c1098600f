"""Keyword syntax → Elasticsearch query DSL, with errors that say where and what was expected.

    kirby ukraine                words, ranked by BM25 (any of them; documents with more rank higher)
    kirby AND ukraine            both (also `+kirby +ukraine`)
    troops OR soldiers           either
    NOT russia, -russia          without
    "sovereign decision"         exact phrase;  "sovereign decision"~3  within 3 positions
    sovereign*                   trailing wildcard (at least 3 letters before the star)
    title:barrier  outlet:TASS  speaker:"John Kirby"
    (troops OR soldiers) AND ukraine

Plain language always runs: a question, a sentence, a pasted headline or paragraph. Punctuation
around a word (`?`, `!`, `.`, `,`, `:`) is not syntax, a `name:` that is not a field is two words, and
text written without any operator whose quotes or parentheses do not balance is read as plain words
(with a note saying so). Text that uses operators gets exact errors instead. An all-capitals text of
four words or more is a pasted headline: its AND, OR and NOT are words.

Adjacent plain words form one clause: BM25 over title and body as one field (combined_fields, on the
stemmed text), plus the same words on the unstemmed `exact` subfields (an exact match ranks above a
match by stem only) and each adjacent pair of words as a sloppy phrase (words close together rank
higher). Stopwords are left out of the clause and of the highlights, except inside a quoted phrase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer import analysis, schema

MAX_QUERY_CHARS = 4000  # a pasted paragraph or two
MAX_CLAUSES = 64  # operators, phrases, fields: what a person writes by hand
MAX_WORDS = 512  # plain words in all
MAX_PAIRS = 16  # proximity pairs per group of words
MIN_PREFIX = 3
MAX_SLOP = 50
TITLE_WEIGHT = 2
EXACT_BOOST = 0.5  # weight of the unstemmed match next to the stemmed one (Reuters dev)
PROXIMITY_BOOST = 0.2  # each adjacent pair of query words found within PROXIMITY_SLOP positions
PROXIMITY_SLOP = 3
FIELDS = ("title", "outlet", "speaker", "language", "place", "author")
TEXT_FIELDS = [f"{schema.TITLE}^{TITLE_WEIGHT}", schema.BODY]
QUOTE_TEXT_FIELDS = ["quotes.text"]
QUOTE_FIELDS = ("speaker",)  # inside quotations only the speaker is a field; filters narrow the articles
CAPS_HEADLINE_WORDS = 4

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
_EDGE = re.compile(r"^[^\w*]+|[^\w*]+$")  # punctuation around a word (a trailing * is a wildcard)
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


@dataclass
class Parsed:
    query: dict  # Elasticsearch query DSL
    terms: list[str]  # the words and phrases asked for (not negated, no stopwords), for quotes and highlights
    semantic_text: str = ""  # what the encoder reads: the text without operators, fields and negated parts
    notes: list[str] = field(default_factory=list)  # how the text was read, when not as written


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


def _uses_operators(tokens: list[Token]) -> bool:
    """Whether the text is written in the syntax (and so deserves exact errors) or is plain language."""
    return any(t.kind in ("and", "or", "not", "sign", "field") or (t.kind == "phrase" and t.slop is not None)
               or (t.kind == "word" and "*" in t.value) for t in tokens)


@dataclass
class _Words:
    """Adjacent plain words, before they become one clause."""
    words: list[str]


class _Parser:
    def __init__(self, text: str, scope: str = "article", plain: bool = False):
        self.text = text
        self.scope = scope
        self.text_fields = TEXT_FIELDS if scope == "article" else QUOTE_TEXT_FIELDS
        self.tokens = tokenize(text, plain)
        self.i = 0
        self.clauses = 0
        self.words = 0
        self.terms: list[str] = []
        self.hidden: list[tuple[int, int]] = []  # spans the encoder does not read (operators, fields, negations)
        self.notes: list[str] = []

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
        return self.clause(query)

    def clause(self, item) -> dict:
        return self.words_clause(item.words) if isinstance(item, _Words) else item

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek().kind == "or":
            self.hide(self.take())
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return {"bool": {"should": [self.clause(p) for p in parts], "minimum_should_match": 1}}

    def and_expr(self):
        """Adjacent terms rank (any may match); AND, +term and -term/NOT bind."""
        items: list[list] = []  # [kind, clause or _Words] with kind must | should | not
        bind_next = False
        while True:
            token = self.peek()
            if token.kind in ("end", "rparen", "or"):
                break
            if token.kind == "and":
                self.hide(self.take())
                if not items:
                    raise self.fail(token, "a word, a phrase or '(' before AND")
                if self.peek().kind in ("end", "rparen", "or", "and"):
                    raise self.fail(self.peek(), "a word, a phrase or '(' after AND")
                if items[-1][0] == "should":
                    items[-1][0] = "must"
                bind_next = True
                continue
            kind, clause = self.unary()
            if clause is None:  # punctuation only
                continue
            kind = "must" if bind_next and kind == "should" else kind
            if kind == "should" and isinstance(clause, _Words) and items and items[-1][0] == "should" \
                    and isinstance(items[-1][1], _Words):
                items[-1][1].words += clause.words  # adjacent plain words: one clause
            else:
                items.append([kind, clause])
            bind_next = False
        if not items:
            if self.peek().kind in ("end", "rparen", "or") and self.tokens[max(self.i - 1, 0)].kind == "word":
                return {"match_none": {}}  # only punctuation or symbols: nothing a word index can find
            raise self.fail(self.peek(), "a word, a phrase or '('")
        if len(items) == 1 and items[0][0] != "not":
            return items[0][1]
        must = [self.clause(c) for k, c in items if k == "must"]
        should = [self.clause(c) for k, c in items if k == "should"]
        must_not = [self.clause(c) for k, c in items if k == "not"]
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

    def hide(self, token: Token, end: int | None = None) -> None:
        self.hidden.append((token.position, token.end if end is None else end))

    def unary(self) -> tuple[str, object]:
        token = self.peek()
        if token.kind == "not" or (token.kind == "sign" and token.value == "-"):
            self.take()
            if self.peek().kind in ("end", "rparen", "and", "or", "not"):
                raise self.fail(self.peek(), f"a word, a phrase or '(' after {token.value}")
            saved = list(self.terms)
            clause = self.primary()
            clause = self.clause(clause) if clause is not None else {"match_none": {}}
            self.terms = saved  # what is excluded is neither highlighted nor read by the encoder
            self.hide(token, self.tokens[self.i - 1].end)
            return "not", clause
        if token.kind == "sign":  # "+"
            self.hide(self.take())
            clause = self.primary()
            return "must", (self.clause(clause) if clause is not None else None)
        return "should", self.primary()

    def count(self, token: Token) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"too many terms: at most {MAX_CLAUSES}", token.position, self.text)

    def primary(self):
        token = self.take()
        if token.kind == "lparen":
            inner = self.or_expr()
            close = self.take()
            if close.kind != "rparen":
                raise self.fail(close, f"')' to close the '(' at position {token.position}")
            return self.clause(inner)
        if token.kind == "field":
            return self.field(token)
        if token.kind == "phrase":
            self.count(token)
            return self.phrase(token)
        if token.kind == "word":
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
        targets = [analysis.exact(f) for f in fields or self.text_fields]
        return {"multi_match": {"query": text, "type": "phrase", "slop": slop, "fields": targets}}

    def word(self, token: Token, fields: list[str] | None = None):
        raw = token.value
        if raw.endswith(":") and token.end < len(self.text) and not self.text[token.end].isspace():
            self.notes.append(f"'{raw}' is not a field ({', '.join(FIELDS)}), so it was searched as a word.")
        text = _EDGE.sub("", raw).replace("?", "")
        if "*" in text:
            stem = text.rstrip("*")
            if "*" in stem or not stem:
                raise QuerySyntaxError("wildcards are allowed only at the end of a word (polic*)", token.position,
                                       self.text)
            if len(stem) < MIN_PREFIX:
                raise QuerySyntaxError(f"a wildcard needs at least {MIN_PREFIX} letters before it", token.position,
                                       self.text)
            self.count(token)
            self.terms.append(stem)
            targets = [analysis.exact(f).split("^")[0] for f in fields or self.text_fields]
            return {"bool": {"should": [{"prefix": {f: {"value": stem.lower()}}} for f in targets],
                             "minimum_should_match": 1}}
        words = [w for w in re.split(r"[^\w'.&/-]+", text) if re.search(r"\w", w)]
        if not words:
            return None
        self.words += len(words)
        if self.words > MAX_WORDS:
            raise QuerySyntaxError(f"too many words: at most {MAX_WORDS}", token.position, self.text)
        return self.words_clause(words, fields) if fields else _Words(words)

    def words_clause(self, words: list[str], fields: list[str] | None = None) -> dict:
        """Plain words as one clause (see the module's docstring)."""
        fields = fields or self.text_fields
        content = [w for w in words if not analysis.is_stopword(w)]
        exact = [analysis.exact(f) for f in fields]
        if not content:  # only stopwords ("The Who"): they are what was asked for, as written
            self.terms += [" ".join(words)]
            return {"combined_fields": {"query": " ".join(words), "fields": exact, "operator": "and"}}
        self.terms += [w for w in content if w not in self.terms]
        text = " ".join(content)
        self.count(Token("word", text, 0))
        should: list[dict] = [{"combined_fields": {"query": text, "fields": exact, "boost": EXACT_BOOST}}]
        body = fields[-1].split("^")[0]
        for first, second in list(zip(content, content[1:]))[:MAX_PAIRS]:
            should.append({"match_phrase": {body: {"query": f"{first} {second}", "slop": PROXIMITY_SLOP,
                                                   "boost": PROXIMITY_BOOST}}})
        return {"bool": {"must": [{"combined_fields": {"query": text, "fields": fields}}], "should": should}}

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
            if value.kind == "phrase":
                return self.phrase(value, [schema.TITLE])
            return self.word(value, [schema.TITLE]) or {"match_none": {}}
        self.hide(token, value.end)
        if name == "speaker" and self.scope == "quote":
            return {"match_phrase": {"quotes.speaker": value.value}}
        if name == "speaker":
            return {"nested": {"path": schema.QUOTES, "query": {"match_phrase": {"quotes.speaker": value.value}}}}
        target = {"outlet": schema.OUTLET, "language": schema.LANGUAGE, "place": schema.PLACE,
                  "author": schema.AUTHOR}[name]
        return {"term": {target: {"value": value.value, "case_insensitive": True}}}

    def semantic_text(self) -> str:
        """The text as written, less what the encoder should not read."""
        keep = list(self.text)
        for start, end in self.hidden:
            keep[start:end] = [" "] * (end - start)
        return " ".join("".join(keep).split())


def parse(text: str, scope: str = "article") -> Parsed:
    """Parse a keyword query; raises QuerySyntaxError with the position of the problem. scope "quote"
    makes the query about the text of quotations (the nested `quotes` documents)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(text)} characters long; at most {MAX_QUERY_CHARS}", MAX_QUERY_CHARS,
                               text[:80])
    text = normalise(text).strip()
    if text in ("", "*"):
        return Parsed({"match_all": {}}, [], "")
    try:
        parser = _Parser(text, scope)
        query = parser.parse()
    except QuerySyntaxError as error:
        if re.search(r'"~\d', text) or _uses_operators(tokenize(text.replace('"', " "))):
            raise
        parser = _Parser(text, scope, plain=True)  # plain language: never an error
        query = parser.parse()
        parser.notes.insert(0, f"Read as plain words, since the text uses no operators: {error.message}.")
    return Parsed(query, parser.terms, parser.semantic_text(), parser.notes)

