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
US, WHO or IT typed in capitals (in a text not all in capitals) are the abbreviations, not us, who, it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer import analysis, schema
from search_api import clauses
from search_api.clauses import QUOTE_TEXT_FIELDS, TEXT_FIELDS
from search_api.tokens import (FIELDS, QuerySyntaxError, Token, case_matters, normalise, tokenize,  # noqa: F401
                               uses_operators)

MAX_QUERY_CHARS = 4000  # a pasted paragraph or two
MAX_CLAUSES = 64  # operators, phrases, fields: what a person writes by hand
MAX_WORDS = 512  # plain words in all
MIN_PREFIX = 3
MAX_NESTING = 16  # parentheses inside parentheses
MAX_SLOP = 50
QUOTE_FIELDS = ("speaker",)  # inside quotations only the speaker is a field; filters narrow the articles

_EDGE = re.compile(r"^[^\w*]+|[^\w*]+$")  # punctuation around a word (a trailing * is a wildcard)


@dataclass
class Parsed:
    query: dict  # Elasticsearch query DSL
    terms: list[str]  # the words and phrases asked for (not negated, no stopwords), for quotes and highlights
    semantic_text: str = ""  # what the encoder reads: the text without operators, fields and negated parts
    notes: list[str] = field(default_factory=list)  # how the text was read, when not as written


@dataclass
class _Words:
    """Adjacent plain words, before they become one clause."""
    words: list[str]


class _Parser:
    def __init__(self, text: str, scope: str = "article", plain: bool = False, every_word: bool = False,
                 capitals: bool = True):
        self.text, self.every_word = text, every_word
        self.capitals = capitals and case_matters(text)  # US typed is the abbreviation, not the word us
        self.scope = scope
        self.text_fields = TEXT_FIELDS if scope == "article" else QUOTE_TEXT_FIELDS
        self.tokens = tokenize(text, plain)
        self.i = 0
        self.clauses = self.words = self.depth = 0
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
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise QuerySyntaxError(f"parentheses nested too deeply: at most {MAX_NESTING}", token.position, self.text)
            inner = self.or_expr()
            self.depth -= 1
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
        return clauses.phrase(text, slop, fields or self.text_fields)

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
            return clauses.prefix(stem, fields or self.text_fields)
        words = [w for w in re.split(r"[^\w'.&/-]+", text) if re.search(r"\w", w)]
        if not words:
            return None
        self.words += len(words)
        if self.words > MAX_WORDS:
            raise QuerySyntaxError(f"too many words: at most {MAX_WORDS}", token.position, self.text)
        return self.words_clause(words, fields) if fields else _Words(words)

    def words_clause(self, words: list[str], fields: list[str] | None = None) -> dict:
        """Plain words as one clause (see the module's docstring)."""
        capitals = self.capitals and fields is None  # a named field (title:) has no acronym forms
        fields = fields or self.text_fields
        content = [w for w in words if not analysis.is_stopword(w, capitals)]  # WHO is not who
        if not content:
            self.terms += [" ".join(words).lower()]  # "The Who", title:WHO: the words in any case
            return clauses.stopwords_only(" ".join(words), fields)
        forms = dict.fromkeys(f for w in content for f in analysis.written_forms(w, capitals))  # US: U.S. too
        self.terms += [f for f in forms if f not in self.terms]
        self.count(Token("word", " ".join(content), 0))
        return clauses.words(content, fields, self.every_word, capitals)

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
        return clauses.field(name, value.value, self.scope)

    def semantic_text(self) -> str:
        """The text as written, less what the encoder should not read."""
        keep = list(self.text)
        for start, end in self.hidden:
            keep[start:end] = [" "] * (end - start)
        return " ".join("".join(keep).split())


def parse(text: str, scope: str = "article", every_word: bool = False, capitals: bool = True) -> Parsed:
    """Parse a keyword query; raises QuerySyntaxError with the position of the problem. scope "quote"
    makes the query about the text of quotations (the nested `quotes` documents); every_word makes
    plain words all required (an alert's match set) instead of any of them; capitals: the index has
    acronym forms (schema 7), so US typed in capitals finds the abbreviation and not the pronoun."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is {len(text)} characters long; at most {MAX_QUERY_CHARS}", MAX_QUERY_CHARS,
                               text[:80])
    text = normalise(text).strip()
    if text in ("", "*"):
        return Parsed({"match_all": {}}, [], "")
    try:
        parser = _Parser(text, scope, every_word=every_word, capitals=capitals)
        query = parser.parse()
    except QuerySyntaxError as error:
        if re.search(r'"~\d', text) or uses_operators(tokenize(text.replace('"', " "))):
            raise
        parser = _Parser(text, scope, plain=True, every_word=every_word, capitals=capitals)  # never an error
        query = parser.parse()
        parser.notes.insert(0, f"Read as plain words, since the text uses no operators: {error.message}.")
    return Parsed(query, parser.terms, parser.semantic_text(), parser.notes)

