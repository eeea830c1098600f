"""indexer.entities through the real parse (spaCy's en_core_web_sm): names under one form."""
import pytest

from indexer import nlp
from indexer.entities import canonical, place_name, region_name, spellings
from indexer.process import Options, prepare
from indexer.raw import RawArticle


@pytest.fixture(scope="module")
def parser():
    return nlp.load()


def test_a_datelines_place_in_capitals_is_a_place_name():
    assert [place_name(p) for p in ("NEW YORK", "WASHINGTON", "RIO DE JANEIRO", "ST. LOUIS", "WINSTON-SALEM",
                                    "THE HAGUE", "Port Aldren")] == [
        "New York", "Washington", "Rio de Janeiro", "St. Louis", "Winston-Salem", "The Hague", "Port Aldren"]
    assert place_name("U.S.") == "United States" and place_name("UK") == "United Kingdom"


def test_one_name_for_the_places_and_bodies_written_several_ways():
    assert {canonical(n) for n in ("US", "U.S", "U.S.", "USA", "United States", "United States of America")} == \
        {"United States"}
    assert canonical("E.U.") == canonical("EU") == "European Union" and canonical("Nato") == "Nato"
    assert canonical("EC") == "EC"  # the Community or the Commission: left as written
    assert spellings(["U.S.", "Paris"]) == ["U.S.", "United States", "Paris"]  # a filter finds either


def test_the_dateline_counts_as_its_place_whatever_the_parse_made_of_it(parser):
    """Reuters' datelines are in capitals, and the parse read them as anything: FRANKFURT an organisation
    in 172 articles, BUENOS AIRES a person; "NEW YORK" (2,325) and "New York" (624) were two places in the
    facet, and "U.S" (2,727) and "United States" (714) two more."""
    body = ("FRANKFURT, March 4 - The Bundesbank said U.S. interest rates would weigh on the mark, and that the "
            "United States and the European Union should talk. The EU trade commissioner is due in New York "
            "next week, officials said.")
    article, = prepare([RawArticle("a.txt", text="Bundesbank warns on rates\n\n" + body, key="a.txt")], Options(),
                       parser)
    found = article.entities
    assert article.place == "Frankfurt"
    assert found.places["Frankfurt"] == 1 and found.places["United States"] == 2 and "New York" in found.places
    assert found.organizations["European Union"] == 2 and "Bundesbank" in found.organizations
    assert not any(name.isupper() and len(name) > 4 for kind in (found.places, found.organizations, found.people)
                   for name in kind)


def test_a_datelines_state_or_province_is_a_place_by_its_name(parser):
    assert [region_name(r) for r in ("Conn.", "N.J.", "WIS.", "British Columbia", "West Germany")] == [
        "Connecticut", "New Jersey", "Wisconsin", "British Columbia", "West Germany"]
    body = ("STAMFORD, Conn., March 30 - Combustion Engineering Inc said it would sell its unit in Ohio to "
            "a group of investors, the company said in a statement on Monday.")
    article, = prepare([RawArticle("b.txt", text="Combustion Engineering to sell unit\n\n" + body, key="b.txt")],
                       Options(), parser)
    assert article.place == "Stamford" and {"Stamford", "Connecticut"} <= set(article.entities.places)
    assert "Conn" not in article.entities.places  # the parse's reading of the abbreviation
