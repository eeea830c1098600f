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


def _organizations(parser, body: str):
    article, = prepare([RawArticle("c.txt", text="Wire report\n\n" + body, key="c.txt")], Options(), parser)
    return article.entities


def test_a_company_is_one_name_however_the_wire_writes_it(parser):
    """Reuters' organisation facet had "Co" (167 articles), "Co Inc" (154), "Poor's Corp" (135), "Moody"
    (170) and "Loan Association" (43): the parse splits a name at its "and", and "Chrysler" and "Chrysler
    Corp" were two companies."""
    found = _organizations(parser, (
        "As previously reported, Gabelli and Co Inc, acting as investment advisor, proposed a merger. Standard and "
        "Poor's Corp said it lowered its ratings on Loral Corp's debt, and Moody's Investors Service Inc said it "
        "would review them. Moody's said it expects weaker demand. Fortune Savings Bank will buy a Financial "
        "Security Savings and Loan Association branch. Chrysler Corp shares rose; Chrysler said sales grew."))
    orgs = found.organizations
    assert {"Gabelli", "Standard and Poor's", "Moody's Investors Service", "Chrysler",
            "Financial Security Savings and Loan Association"} <= set(orgs)
    assert orgs["Chrysler"] == 2 and orgs["Moody's Investors Service"] == 2
    assert not {"Co", "Co Inc", "Poor's Corp", "Moody", "Loan Association", "Chrysler Corp"} & set(orgs)
    assert spellings(["Chrysler Corp."]) == ["Chrysler Corp.", "Chrysler"]  # a filter typed in full finds it


def test_a_firm_named_with_its_possessive_keeps_it(parser):
    found = _organizations(parser, "Moody's said it expects weaker demand. The notes are rated Aa-2 by Moody's and "
                                   "AA by Standard and Poor's Corp. Loral Corp's subordinated debt was cut.")
    assert found.organizations["Moody's"] == 2 and found.organizations["Loral"] == 1  # a genitive is not


def test_a_body_named_by_its_kind_is_the_one_the_article_names_or_none(parser):
    found = _organizations(parser, (
        "The World Bank suspended its loans to Peru on Monday. The Bank said Peru had missed payments. "
        "Prime Minister Yasuhiro Nakasone said on Friday that Nakasone would not resign, the LDP said. "
        "Finance Minister Kiichi Miyazawa and "
        "Secretary of State George Shultz met at 0900 GMT. The Commission will decide in May."))
    assert found.organizations["World Bank"] == 2 and "Bank" not in found.organizations
    assert found.people["Yasuhiro Nakasone"] == 2 and "Nakasone" not in found.organizations
    assert not {"Commission", "GMT", "Finance", "State"} & set(found.organizations)


def test_a_results_table_names_nobody(parser):
    found = _organizations(parser, "Shr loss 13 cts vs profit 10 cts\n\nNet loss 1,804,062 vs profit 1,370,063\n\n"
                                   "Avg shrs 4,100,000 vs 3,900,000\n\nRevs 33.5 mln vs 40.4 mln")
    assert not set(found.organizations) | set(found.people)


def test_a_club_the_parse_calls_a_person_once_is_still_a_club(parser):
    found = _organizations(parser, (
        "Chelsea clinch cup in Cardiff. It was Jose Mourinho's first silverware as Chelsea manager. Yet after their "
        "frustration, Chelsea began to dominate. And despite Chelsea's possession, Liverpool held on. Drogba almost "
        "headed Chelsea in front two minutes later. Southern Co and Credit Corp shares rose. Voters backed the Lib "
        "Dems, the poll said."))
    assert found.organizations["Chelsea"] >= 4 and "Chelsea" not in found.people
    assert not [p for p in found.people if p.lower().startswith("the ")]
    assert {"Southern Co", "Credit Corp"} <= set(found.organizations)  # "Southern" alone names nothing


def test_a_person_the_article_more_often_calls_a_place_or_a_body_is_that_unless_titled():
    from collections import Counter

    from indexer.entities import Entities, _settle
    found = Entities(people=Counter({"Glasgow": 1, "Ash": 1, "Fabregas": 1, "Arsenal": 1}),
                     places=Counter({"Glasgow": 2, "Ash": 3, "Fabregas": 1}))
    bodies = Counter({"Arsenal": 2})
    _settle(found, bodies, titled={"Ash"})  # "Mr Ash" is a person whatever else the parse made of him
    assert set(found.people) == {"Ash", "Fabregas"}  # a tie stays a person
    assert found.places["Glasgow"] == 3 and bodies["Arsenal"] == 3
