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
