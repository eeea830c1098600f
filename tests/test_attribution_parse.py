"""Who said it, with the real parser (spaCy en_core_web_sm): the attribution shapes that the PolNeAR dev
errors showed (bench/polnear_quotes.py), each on a small text of our own."""
import pytest

from indexer import nlp as nlp_module
from indexer.quotes import extract_quotes


@pytest.fixture(scope="module")
def nlp():
    return nlp_module.load()


def speakers(nlp, text):
    return [q.speaker for q in extract_quotes(text, nlp(text))]


def test_a_dash_the_parser_took_for_the_subject_does_not_hide_the_speaker(nlp):
    text = ("When Clinton noted that Trump has sometimes paid nothing in federal income taxes ― as was true for the "
            "few years his tax returns were made public ― Trump boasted, “That makes me very smart.”")
    assert speakers(nlp, text) == ["Trump"]


def test_the_attribution_after_a_quote_that_ends_its_sentence(nlp):
    text = ("“Welcome, Donald, we love you,” Melanie said to the nominee, who began his speech.\n\n"
            "“Who would have believed that we would have received almost 14 million votes?” Trump said, looking "
            "out on the crowd.")
    assert speakers(nlp, text)[-1] == "Trump"


def test_she_said_after_a_paragraph_about_her(nlp):
    text = ("Sheila McLenney said Hillary Clinton does not show consistency in her concern for racial issues.\n\n"
            "“It’s not something that she continuously says, only when the media gets a video,” she said.")
    assert speakers(nlp, text) == ["Sheila McLenney"]


def test_he_said_after_a_paragraph_that_introduces_him(nlp):
    text = ("While Barack Obama had a wide array of artists writing songs about him, that has not been happening "
            "for Clinton, which is something that concerns Henry Crespo, president of the Florida Democratic "
            "Black Caucus.\n\n“No one is writing songs for Hillary and nobody will,” he said.")
    assert speakers(nlp, text) == ["Henry Crespo"]


def test_a_platform_is_not_who_he_is(nlp):
    text = ("The candidate Donald Trump took to Twitter to call out protesters.\n\n"
            "“Everybody is talking about the protesters burning the flags,” he tweeted on May 2.")
    assert speakers(nlp, text) == ["Donald Trump"]


def test_polnear_dev_with_the_parse(shared, nlp):
    """The bench's figures with the parse (bench/results/polnear_quotes.md) do not fall back."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("polnear_quotes", Path(__file__).parents[1] / "bench" / "polnear_quotes.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.evaluate(shared / "data" / "polnear", "dev", nlp)
    assert result["f1"] >= 0.96 and result["empty"] <= 0.03, result
    assert result["speaker_accuracy"] >= 0.89 and result["named_accuracy"] >= 0.90, result


def test_a_participle_speaks_for_the_person_it_follows(nlp):
    text = "The new advertisement uses footage of Hillary Clinton asking, “Why aren’t I fifty points ahead, you might ask?”"
    assert speakers(nlp, text) == ["Hillary Clinton"]


def test_the_writers_own_family_is_not_someone_named_earlier(nlp):
    text = ("The pamphlets came from the Beehive bookshop in town. The paranoia remained.\n\n"
            "“We live in a kingdom of fear and nobody will save us,” my father often said.")
    assert speakers(nlp, text) == ["my father"]


def test_a_group_that_speaks_is_the_group(nlp):
    text = ("In August, several environmental groups granted the company an extension on a court order about a "
            "former Patriot mine, saying its “start-up capital was less than expected.”")
    assert speakers(nlp, text) == ["several environmental groups"]


def test_the_verb_the_quotation_hangs_from_wins_over_a_nearer_one(nlp):
    text = ("Senate Minority Leader Harry Reid told reporters that Donald Trump “may have broken the law” by "
            "calling on Russia to find the deleted emails.")
    assert speakers(nlp, text) == ["Harry Reid"]



def test_a_run_of_quotes_goes_on_with_the_speaker_named_between_them(nlp):
    text = ("Retired general Michael Flynn backed the candidate.\n\n“He is absolutely right about the generals,” Flynn, "
            "a top Trump surrogate, said Thursday morning on Fox News’s “Fox and Friends.” “I mean, there is a lot of "
            "frustration within the ranks and a lot of anger.”")
    assert speakers(nlp, text) == ["Michael Flynn", "Michael Flynn"]


def test_a_partial_quote_in_a_sentence_about_someone_is_theirs_even_after_another(nlp):
    text = ("“We will vote on Friday,” Senate leader Mitch McConnell said on Tuesday.\n\n"
            "House Speaker Paul Ryan, despite doubts about “lawyers trying to get rich” and “legal matters”, "
            "said families “do need to have their day in court” and he expects the vote to pass.")
    assert speakers(nlp, text)[-1] == "Paul Ryan"


def test_a_speech_verb_the_parser_left_without_a_subject_takes_the_name_before_it(nlp):
    text = ("“It is a little bit of magic when they are on stage together,” Ms. Moore said.\n\n"
            "In a panel discussion this weekend in Washington, Marc H. Morial, the chief executive of the National "
            "Urban League, forcefully told a young woman that “this is not the first generation to be frustrated.”")
    assert speakers(nlp, text)[-1] == "Marc H. Morial"


def test_a_quote_after_a_sentence_about_a_named_person_in_the_same_paragraph(nlp):
    text = ("“We have to step away from this,” Mike Pence said on Sunday.\n\n"
            "On Sunday, Sen. Bernie Sanders identified young voters' exhaustion with bigotry as one of the reasons "
            "to vote. “The younger people are sick and tired of discrimination and racism.”")
    assert speakers(nlp, text)[-1] == "Bernie Sanders"


def test_a_signature_signs_every_quote_of_its_paragraph(nlp):
    text = ("“I would rather live in what he calls hell than live anywhere else.” ― Adriana Rodarte\n\n"
            "“He respects no one and answers to no one at all.” ― Christina N Luis Olidem\n\n"
            "“No one wants a man who calls their grandmother a criminal.” And that is all he has, "
            "“the root of all evil and more.” ― Christina Lastra.")
    assert speakers(nlp, text) == ["Adriana Rodarte", "Christina N Luis Olidem", "Christina Lastra", "Christina Lastra"]


def test_a_headline_that_opens_with_the_person_then_a_colon(nlp):
    text = ("Elizabeth Warren Hammers Wells Fargo CEO: ‘You Should Be Criminally Investigated.’\n\n"
            "Massachusetts Sen. Elizabeth Warren grilled Wells Fargo CEO John Stumpf on Tuesday.")
    assert speakers(nlp, text) == ["Elizabeth Warren"]


def test_a_long_subject_after_a_quote_that_ends_its_own_sentence(nlp):
    text = ("Rep. Bobby Scott welcomed several hundred guests to his family's back yard.\n\n"
            "“This is a big year for our potential United States senator, Bobby Scott!” Scott's niece, state "
            "Del. Marcia Price (D-Newport News), shouted to the crowd.")
    assert speakers(nlp, text) == ["Marcia Price"]


def test_as_a_memo_put_it(nlp):
    text = ("The main requirement for the program is a “lawful source of investment income for every applicant,” "
            "as a Homeland Security memo put it.")
    assert speakers(nlp, text) == ["a Homeland Security memo"]


def test_a_sentence_after_a_quote_that_says_something_of_its_own_is_not_its_attribution(nlp):
    text = ("“This is a momentous day for the victims and their families,” said asbestosis sufferer Bernie Banton, who "
            "leads a victims' association. “There is still a long way to go, but we are getting there.” James Hardie "
            "chairwoman, Meredith Hellicar, said the deal provided certainty.")
    assert speakers(nlp, text) == ["Bernie Banton", "Bernie Banton"]


def test_a_sentence_that_is_itself_quoted_speech_is_not_about_its_subject(nlp):
    text = ("Johnny O'Connor is making an impression while winning his third cap.\n\n"
            "\"Missing the Italian game was disappointing, but it is part and parcel of rugby. \"Denis has been "
            "playing really well and deserved his opportunity. \"It's a good situation to be in if there are good "
            "players around you.\"")
    assert "Denis" not in speakers(nlp, text)


def test_a_party_the_model_sometimes_takes_for_a_person_is_not_one(nlp):
    text = ("Under a Labour government taxes would rise, and Labour voters know it. Labour has led since 1997.\n\n"
            "Liberal Democrat chief executive Lord Rennard suggested Labour was avoiding news conferences in London "
            "because it wanted less scrutiny of its record. \"Tony Blair seems to have disappeared from Labour "
            "leaflets and broadcasts,\" he said.")
    assert speakers(nlp, text) == ["Rennard"]


def test_an_unnamed_spokesman_speaks_for_the_organisation_before_the_noun(nlp):
    text = ("Britney Spears injured her knee while filming a video in 2004.\n\n"
            "“She obviously took a wrong step and blew out her knee,” a Jive spokeswoman said at the time.")
    assert speakers(nlp, text) == ["Jive"]


def test_a_speaker_introducing_the_next_quote_does_not_claim_the_one_before(nlp):
    text = ("“It feels good, but it is not going to be as good if we don't win two tomorrow,” said Mike Bryan. "
            "“It feels good to give those guys another shot.” Bob Bryan added: “I'm really confident in Andy.”")
    assert speakers(nlp, text) == ["Mike Bryan", "Mike Bryan", "Bob Bryan"]


def test_a_party_that_speaks_is_an_organisation(nlp):
    text = ("Labour has led the polls since 1997, and Labour ministers defend Labour policy at every turn.\n\n"
            "“Britain is working, don't let the Tories wreck it again,” Labour said on Monday.")
    [quote] = extract_quotes(text, nlp(text))
    assert (quote.speaker, quote.speaker_kind) == ("Labour", "organization")
