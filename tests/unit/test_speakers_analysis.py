"""One rule for matching speakers; the analysis settings and stopwords the parser shares with the index."""
from indexer import analysis
from search_api import speakers


def test_speaker_matching_by_whole_words():
    assert speakers.matches("John Kirby", ["Kirby"]) and speakers.matches("John Kirby", ["john kirby"])
    assert not speakers.matches("John Kirbyson", ["Kirby"]) and not speakers.matches(None, ["Kirby"])
    assert speakers.matches("Maria Ostrand", ["Kirby", "Ostrand"]) and not speakers.matches("Maria Ostrand", [])
    clause = speakers.clause("Kirby")["bool"]["should"]
    assert {next(iter(c)) for c in clause} == {"term", "match_phrase"}


def test_analysis_settings_name_the_dictionary_and_share_the_stopwords():
    settings = analysis.settings()
    filters = settings["analysis"]["filter"]
    assert filters["morgue_hunspell"]["locale"] == "en_US"
    assert set(filters["morgue_stop"]["stopwords"]) == analysis.STOPWORDS
    chain = settings["analysis"]["analyzer"][analysis.TEXT]["filter"]
    assert chain.index("morgue_hunspell") < chain.index("lowercase") < chain.index("morgue_stop")
    assert analysis.is_stopword("The") and not analysis.is_stopword("US") and not analysis.is_stopword("May")
    assert analysis.exact("title^2") == "title.exact^2" and analysis.exact("body") == "body.exact"


def test_variants_are_the_forms_the_analysis_cannot_bring_together():
    text = ("Labour's plan, Blair's reply, the company's view, Abramovich’s club, U.S. trade, the U.S.-led talks, "
            "an e-mail on Wi-Fi, state-of-the-art kit, the 2004-05 season, it's late")
    # Blair and company carry hunspell's possessive flag (it stems them); "Labour" is not in en_US at all
    assert analysis.variants(text) == ["Labour", "Abramovich", "US", "US_acronym", "US", "US_acronym", "email",
                                       "WiFi"]
    assert analysis.query_forms("U.S.") == ["US"] and analysis.query_forms("Labour's") == ["Labour"]
    assert analysis.query_forms("e-mail") == ["e-mail", "email"] and analysis.query_forms("email") == ["email"]
    # what the marks look for: a short word typed in capitals may be written with dots
    assert analysis.written_forms("US") == ["US", "U.S"] and analysis.written_forms("vote") == ["vote"]


def test_an_abbreviation_in_capitals_that_is_also_a_word_has_an_acronym_form_a_query_in_capitals_searches():
    text = "US troops, U.S. aid, a US-led force; told us so; the WHO said; IT firms; NATO and Nato; 9 a.m."
    assert [v for v in analysis.variants(text) if v.endswith(analysis.ACRONYM_SUFFIX)] == \
        ["US_acronym", "US_acronym", "US_acronym", "WHO_acronym", "IT_acronym"]  # not NATO: "nato" is no word
    # a line all in capitals (a wire headline, TIME's text) says nothing by its case
    assert not [v for v in analysis.variants("US WILL NOT SEND TROOPS") if v.endswith(analysis.ACRONYM_SUFFIX)]
    # BBC writes AIDS as "Aids"; "It", "Us" or "Who" in title case are titles ("Doctor Who"), and any
    # word in title case that starts a sentence is just that
    assert [v for v in analysis.variants("new Aids drugs. Aids workers; Doctor Who; Just Do It") if "_" in v] == \
        ["AIDS_acronym"]
    assert analysis.query_forms("US", capitals=True) == ["US_acronym"] == analysis.query_forms("U.S.", capitals=True)
    assert analysis.query_forms("US-led", capitals=True) == ["US_acronym-led"]
    assert analysis.query_forms("us", capitals=True) == ["us"] and analysis.query_forms("US") == ["US"]
    assert analysis.query_forms("NATO", capitals=True) == ["NATO"]
    assert analysis.capitals_only("US") and analysis.capitals_only("U.S") and analysis.capitals_only("AIDS")
    assert not analysis.capitals_only("us") and not analysis.capitals_only("NATO") and not analysis.capitals_only("Who")


def test_a_word_with_diacritics_has_its_plain_form_among_the_variants_and_in_the_query():
    text = "Erdoğan met Sánchez and Søren in Zürich; Mourinho’s café; Київ; a naïve co-opération"
    assert analysis.variants(text) == ["Erdogan", "Sanchez", "Soren", "Zurich", "Mourinho", "cafe", "naive",
                                       "operation", "coopération", "cooperation"]
    assert analysis.folded("Київ") is None and analysis.folded("Straße") == "Strasse" and analysis.folded("Kirby") is None
    assert analysis.query_forms("Sánchez") == ["Sánchez", "Sanchez"] and analysis.query_forms("Sanchez") == ["Sanchez"]
    assert analysis.query_forms("Müller's") == ["Müller", "Muller"]
