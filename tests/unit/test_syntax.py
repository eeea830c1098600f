"""search_api.syntax on strings: no Elasticsearch, no model."""
import json

import pytest

from search_api.syntax import MAX_QUERY_CHARS, QuerySyntaxError, parse

PARAGRAPH = ("The council's vote on Thursday (after a long debate) ended 7-2. \"We can't wait for the next flood,\" "
             "said the mayor; others asked: who pays? Costs rose 12% — again! ") * 16


@pytest.mark.parametrize("text", [
    "are house prices falling in Britain?", "Stop!", "What happened in Kyiv.", "Ukraine: what next?",
    "Britain's house prices", 'he said "sovereign decision" twice', "“sovereign decision”", "floods 🌊🙂",
    "is it over?!", "U.S. rates, again...", '"unbalanced quote', "1) first 2) second", "(Reuters", "a ? b",
    "titel:kirby", "OPEC WILL NOT CUT OUTPUT", PARAGRAPH[:2000],
])
def test_plain_language_always_parses(text):
    parsed = parse(text)
    assert parsed.query and parsed.semantic_text
    assert not any("?" in term or "!" in term for term in parsed.terms)


def test_a_question_keeps_its_content_words_and_loses_stopwords():
    parsed = parse("are house prices falling in Britain?")
    assert parsed.terms == ["house", "prices", "falling", "Britain"]
    assert parsed.semantic_text == "are house prices falling in Britain?"  # the encoder reads it all


def test_stopwords_inside_a_phrase_stay():
    assert parse('"the house of commons" vote').terms == ["the house of commons", "vote"]


def test_only_stopwords_search_them_as_written():
    parsed = parse("The Who")
    assert parsed.terms == ["the who"] and "exact" in json.dumps(parsed.query)


def test_adjacent_words_are_one_clause_with_exact_and_proximity_parts():
    clause = parse("house prices falling").query["bool"]
    assert clause["must"][0]["combined_fields"]["query"] == "house prices falling"
    kinds = [next(iter(part)) for part in clause["should"]]
    assert kinds == ["combined_fields", "match_phrase", "match_phrase", "bool"]
    assert clause["must"][0]["combined_fields"]["fields"][-1] == "variants"  # "Aldren's" counts for aldren
    marks = clause["should"][-1]["bool"]  # their forms as written, marked by the highlighter, scoring nothing
    assert marks["boost"] == 0 and "prices's" in marks["should"][1]["terms"]["body.exact"]
    assert parse("Aldren’s budget").query["bool"]["must"][0]["combined_fields"]["query"] == "Aldren budget"
    assert parse("U.S. sanctions").query["bool"]["must"][0]["combined_fields"]["query"] == "US_acronym sanctions"
    assert parse("e-mail hacking").query["bool"]["must"][0]["combined_fields"]["query"] == "e-mail email hacking"
    assert "u.s" in parse("US sanctions").query["bool"]["should"][-1]["bool"]["should"][1]["terms"]["body.exact"]
    title_only = parse("title:aldren").query
    assert "variants" not in json.dumps(title_only)  # a field asked for is searched alone


def test_negations_and_fields_are_not_read_by_the_encoder():
    parsed = parse('outlet:TASS kirby -russia NOT (moscow kremlin)')
    assert parsed.semantic_text == "kirby" and parsed.terms == ["kirby"]


def test_plain_text_with_unbalanced_quote_runs_with_a_note():
    parsed = parse('"sovereign decision')
    assert parsed.terms == ["sovereign", "decision"] and "plain words" in parsed.notes[0]


def test_unknown_field_is_a_word_with_a_note():
    parsed = parse("titel:kirby")
    assert parsed.terms == ["titel", "kirby"] and "not a field" in parsed.notes[0]


def test_capitals_headline_operators_are_words():
    assert "must_not" not in json.dumps(parse("OPEC WILL NOT CUT OUTPUT").query)
    assert "must_not" in json.dumps(parse("KIRBY NOT RUSSIA").query)  # short: written as syntax


@pytest.mark.parametrize("text, where", [("kirby AND", 9), ("(troops OR soldiers", 19),
                                         ("*ology", 0), ("ab*", 0), ('"a b"~99', 0)])
def test_syntax_mistakes_in_operator_text_name_the_position(text, where):
    with pytest.raises(QuerySyntaxError) as error:
        parse(text)
    if where is not None:
        assert error.value.position == where


def test_length_limit():
    with pytest.raises(QuerySyntaxError):
        parse("x" * (MAX_QUERY_CHARS + 1))


def test_punctuation_only_matches_nothing_but_runs():
    assert parse("🙂 ?!").query == {"match_none": {}}


def test_an_abbreviation_typed_in_capitals_is_not_the_word_unless_the_whole_text_is_in_capitals():
    searched = lambda text, **kw: parse(text, **kw).query["bool"]["must"][0]["combined_fields"]["query"]  # noqa: E731
    assert searched("did the US rule out troops?") == "US_acronym rule troops"  # not the pronoun us
    assert searched("WHO guidance on masks") == "WHO_acronym guidance masks"  # WHO is no stopword here
    assert parse("WHO guidance").terms[:2] == ["WHO", "W.H.O"]  # marked in capitals only
    assert searched("who told us about masks") == "told us masks"  # typed in lower case: the words
    assert searched("US TROOPS IN EUROPE") == "US TROOPS EUROPE"  # all in capitals: case says nothing
    assert parse("US TROOPS IN EUROPE").terms[:2] == ["us", "u.s"]  # so marked in any case
    assert searched("US") == "US_acronym"  # one word typed in capitals is the abbreviation
    assert searched("US sanctions", capitals=False) == "US sanctions"  # an index without acronym forms
    assert parse("title:WHO").terms == ["who"]  # a field named has no acronym forms: the word, any case
