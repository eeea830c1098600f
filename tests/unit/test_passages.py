"""indexer.passages on strings."""
from indexer.passages import LEAD_CHARS, lead, split_passages


def test_passages_are_whole_sentences_with_offsets_and_overlap():
    sentences = [f"Sentence number {i} says something about the flood barrier vote." for i in range(40)]
    text = " ".join(sentences)
    passages = split_passages(text, max_chars=300)
    assert len(passages) > 5
    for p in passages:
        assert text[p.start:p.end] == p.text and len(p.text) <= 300
        assert p.text.startswith("Sentence") and p.text.endswith(".")
    for first, second in zip(passages, passages[1:]):
        assert second.start < first.end  # the last sentence opens the next passage


def test_a_run_on_sentence_is_cut_at_spaces():
    text = "word " * 500
    passages = split_passages(text, max_chars=200)
    assert all(len(p.text) <= 200 for p in passages) and passages[-1].end >= len(text.rstrip())


def test_short_text_is_one_passage_and_empty_is_none():
    assert [p.text for p in split_passages("Just one sentence.")] == ["Just one sentence."]
    assert split_passages("") == [] and split_passages("   \n ") == []


def test_lead_is_title_and_opening_cut_at_a_word():
    body = "The council voted seven to two. " * 100
    text = lead("Barrier approved", body)
    assert text.startswith("Barrier approved\nThe council") and len(text) <= LEAD_CHARS
    assert not text.endswith("vot") and text.split()[-1] in body.split()
    assert lead(None, "Short body.") == "Short body." and lead("  ", "Body.") == "Body."
