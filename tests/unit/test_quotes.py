"""Quote shapes on small strings."""
from pathlib import Path

from indexer.quotes import extract_quotes


def one(text):
    (quote,) = extract_quotes(text)
    return quote


def test_quote_then_said_name():
    q = one('"We will not send troops anywhere near there," said Jane Doe, the minister.')
    assert (q.speaker, q.cue) == ("Jane Doe", "said")


def test_quote_then_name_said_with_surname_folded():
    text = ('Defence Minister Jane Doe spoke on Monday. "We will not send troops anywhere," Doe said. '
            '"That is final and it will not change," she added.')
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Jane Doe", "Jane Doe"]
    assert quotes[0].speaker_role == "Defence Minister"


def test_colon_and_guillemets():
    q = one("The mayor, Tom Stone, told reporters: «The bridge will reopen in the spring next year.»")
    assert q.text.startswith("The bridge") and q.speaker == "Tom Stone"


def test_paragraph_spanning_quote():
    text = ('"This is the first paragraph of a long statement by the senator.\n\n'
            '"And this is the second paragraph of the same statement," Senator Bill Ray said.')
    q = one(text)
    assert "first paragraph" in q.text and "second paragraph" in q.text and q.speaker == "Bill Ray"


def test_scare_quotes_are_not_quotations():
    assert extract_quotes('He called the plan "rigged" and left.') == []


def test_polnear_dev_quality_floor(shared):
    """The bench's figures (bench/results/polnear_quotes.md) do not regress below a floor."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("polnear_quotes", Path(__file__).parents[2] / "bench" / "polnear_quotes.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.evaluate(shared / "data" / "polnear")
    assert result["articles"] == 84 and result["gold"] > 500
    assert result["f1"] >= 0.9, result
    assert result["speaker_accuracy"] >= 0.65, result


def test_a_quotation_runs_past_the_quotes_nested_in_it():
    q = one("“I would rather live in what he calls “hell” than in a world he runs,” said Ana Ruiz, a student.")
    assert q.text == "I would rather live in what he calls “hell” than in a world he runs," and q.speaker == "Ana Ruiz"
    unbalanced = extract_quotes("“We will not stop marching until the law changes, said Ana Ruiz.”")
    assert len(unbalanced) == 1
