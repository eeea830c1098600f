"""search_api.highlight: marks from Elasticsearch fragments and from our own term scan."""
from search_api.highlight import from_marked, highlights, term_spans
from search_api.plan import MARK_CLOSE as C, MARK_OPEN as O


def test_marks_become_offsets_and_a_phrase_is_one_match():
    item = from_marked(f"the {O}sovereign{C} {O}decision{C} of {O}NATO{C}")
    assert item["text"] == "the sovereign decision of NATO"
    assert item["matches"] == [[4, 22], [26, 30]]
    assert [item["text"][a:b] for a, b in item["matches"]] == ["sovereign decision", "NATO"]


def test_highlights_keep_fields_and_drop_fragments_without_matches():
    hit = {"highlight": {"title": [f"{O}Flood{C} barrier"], "body": ["no marks here", f"a {O}flood{C}"]}}
    assert [(h["field"], h["matches"]) for h in highlights(hit)] == [("title", [[0, 5]]), ("body", [[2, 7]])]
    assert highlights({}) == []


def test_term_spans_whole_words_any_case_phrases_and_stems():
    text = "Rates rose; the rate of Rat poison. Sovereign  decision. Sovereignty"
    assert [text[a:b] for a, b in term_spans(text, ["rate"])] == ["Rates", "rate"]
    assert [text[a:b] for a, b in term_spans(text, ["sovereign decision"])] == ["Sovereign  decision"]
    assert term_spans(text, []) == [] and term_spans(text, ["   "]) == []


def test_term_spans_merge_overlaps():
    text = "ukraine ukrainian"
    assert term_spans(text, ["ukrain", "ukraine"]) == [[0, 7], [8, 17]]


def test_term_spans_find_a_name_with_or_without_its_diacritics():
    text = "Erdoğan met SANCHEZ and Sánchez at the café; the cafe; Ankara."
    spans = lambda terms: [text[a:b] for a, b in term_spans(text, terms)]  # noqa: E731
    assert spans(["erdogan", "sanchez"]) == ["Erdoğan", "SANCHEZ", "Sánchez"]
    assert spans(["café"]) == ["café", "cafe"] and spans(["ankara"]) == ["Ankara"]


def test_highlights_add_the_spelling_with_diacritics_the_query_did_not_type():
    hit = {"_source": {"title": "Erdoğan waits"},
           "highlight": {"body": [f"{O}Ankara{C} said Erdoğan would wait"]}}
    marks = highlights(hit, ["erdogan", "ankara"])
    assert [(m["field"], [m["text"][a:b] for a, b in m["matches"]]) for m in marks] == [
        ("title", ["Erdoğan"]), ("body", ["Ankara", "Erdoğan"])]
    assert highlights(hit) == [{"field": "body", "text": "Ankara said Erdoğan would wait", "matches": [[0, 6]]}]


def test_an_abbreviation_typed_in_capitals_marks_only_capitals():
    text = "US troops and U.S. aid, he told us; USA; used"
    assert [text[a:b] for a, b in term_spans(text, ["US", "U.S"])] == ["US", "U.S"]
    assert [text[a:b] for a, b in term_spans(text, ["us"])] == ["US", "us", "USA", "used"]  # lower case: any
    hit = {"highlight": {"body": [f"{O}US{C} troops, told {O}us{C}", f"helping {O}us{C} to keep"]}}
    assert [(m["text"], m["matches"]) for m in highlights(hit, ["US", "U.S", "troops"])] == [
        ("US troops, told us", [[0, 2]])]  # the highlighter's "us" taken back; a fragment left without marks goes
    text = "It said AIDS and Aids drugs; it aids"  # "Aids" is how BBC writes AIDS; "It" starts a sentence
    assert [text[a:b] for a, b in term_spans(text, ["IT", "AIDS"])] == ["AIDS", "Aids"]
    hit = {"highlight": {"body": [f"{O}It{C} said {O}Aids{C} drugs, it {O}aids{C}"]}}
    assert [m["matches"] for m in highlights(hit, ["IT", "AIDS"])] == [[[8, 12]]]
