"""The whole pipeline into the real node: outcomes, idempotency, rejections with reasons, rebuild."""
import json
from pathlib import Path

import pytest

from indexer import schema, store
from indexer.pipeline import Indexer

ARTICLE = ("Harbour workers in Valparaiso went on strike on Monday over pay, halting exports of copper. "
           '"We will stay out until the offer is fair to every worker here," union leader Ana Ruiz said.')


@pytest.fixture
def archive(tmp_path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "strike.txt").write_text("Port strike halts copper exports\n\n" + ARTICLE)
    (folder / "latin1.txt").write_bytes(("Café owners protest\n\n" + "The café owners of Málaga protested "
                                          "against the new tax on terraces, saying it would ruin them. " * 2)
                                         .encode("latin-1"))
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0junk")
    lines = [json.dumps({"title": "Record one", "text": ARTICLE.replace("Monday", "Tuesday"), "outlet": "Wire",
                         "url": "https://example.org/one", "date": "2024-03-01"}),
             '{"title": "broken", "text": ',
             json.dumps({"title": "no text here"}),
             json.dumps({"title": "Record two", "body": ARTICLE.replace("copper", "lithium"), "outlet": "Wire",
                         "url": "https://example.org/two"})]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "page.html").write_text("<html><body><nav>Home</nav></body></html>")
    return folder


@pytest.fixture
def indexer(es, embedder, index_prefix, tmp_path):
    return Indexer(es, embedder, f"{index_prefix}-{tmp_path.name[-8:].lower().replace('_', '-')}", tmp_path / "cache")


def test_every_input_ends_with_one_outcome(es, indexer, archive):
    first = indexer.run([archive], quiet=True)
    assert first.counts == {"indexed": 4, "updated": 0, "unchanged": 0, "rejected": 5}, first.counts
    reasons = sorted(r.reason.split(":")[0].split(" (")[0] for r in first.rejected)
    assert reasons == ["HTML page with no article text", "binary or undecodable file", "empty file", "malformed JSON on line 2",
                       "record has no text"], reasons
    assert es.count(index=indexer.alias)["count"] == 4

    again = indexer.run([archive], quiet=True)
    assert again.counts == {"indexed": 0, "updated": 0, "unchanged": 4, "rejected": 5}
    assert again.encoded == 0

    (archive / "strike.txt").write_text("Port strike halts copper exports\n\n" + ARTICLE + " Talks resume Friday.")
    third = indexer.run([archive], quiet=True)
    assert (third.counts["updated"], third.counts["unchanged"]) == (1, 3)
    es.indices.refresh(index=indexer.alias)
    assert es.count(index=indexer.alias)["count"] == 4  # the file's old version was replaced, not kept


def test_stored_document_has_metadata_quotes_and_passages(es, indexer, archive):
    indexer.run([archive], quiet=True)
    hits = es.search(index=indexer.alias, query={"match_phrase": {schema.BODY: "Málaga protested"}})["hits"]["hits"]
    assert len(hits) == 1
    hits = es.search(index=indexer.alias, query={"term": {schema.URL: "https://example.org/one"}})["hits"]["hits"]
    doc = hits[0]["_source"]
    assert (doc[schema.OUTLET], doc[schema.DATE], doc[schema.DATE_PRECISION]) == ("Wire", "2024-03-01", "day")
    assert doc[schema.QUOTES][0]["speaker"] == "Ana Ruiz"
    passage = doc[schema.PASSAGES][0]
    assert doc[schema.BODY][passage["start"]:passage["end"]] == passage["text"]
    # ES 9 leaves vectors out of _source responses; the passage vector is there if kNN finds it.
    query = indexer.embedder.encode_query("dock workers walk out over wages")
    knn = es.search(index=indexer.alias, knn={"field": schema.PASSAGE_VECTOR, "query_vector": query, "k": 1,
                                              "num_candidates": 10, "filter": {"term": {schema.URL: "https://example.org/one"}}})
    assert knn["hits"]["hits"][0]["_id"] == hits[0]["_id"]


def test_rebuild_swaps_the_alias_to_a_new_version(es, indexer, archive):
    indexer.run([archive], quiet=True)
    before = store.alias_index(es, indexer.alias)
    summary = indexer.run([archive], rebuild=True, quiet=True)
    after = store.alias_index(es, indexer.alias)
    assert before != after and after.endswith("-v2") and summary.counts["indexed"] == 4
    assert not es.indices.exists(index=before)
    assert es.count(index=indexer.alias)["count"] == 4


def test_an_index_of_an_older_schema_asks_for_a_rebuild_which_brings_the_new_fields(es, indexer, archive):
    (archive / "possessive.txt").write_text("Nakaschev's budget\n\nMinister Nakaschev's plan for the port "
                                            "was approved on Tuesday by the council after a long debate.\n")
    indexer.run([archive], quiet=True)
    first = store.alias_index(es, indexer.alias)
    hit = es.search(index=indexer.alias, query={"match": {schema.VARIANTS: "nakaschev"}})["hits"]["hits"]
    assert hit and hit[0]["_source"][schema.VARIANTS] == "Nakaschev Nakaschev"  # title and body
    es.indices.put_mapping(index=first, meta={**store.index_meta(es, first), "schema_version": schema.SCHEMA_VERSION - 1})
    with pytest.raises(store.SchemaOutdated, match="--rebuild"):
        indexer.run([archive], quiet=True)
    summary = indexer.run([archive], rebuild=True, quiet=True)
    assert summary.counts["indexed"] == 5 and store.index_meta(es, store.alias_index(es, indexer.alias))["schema_version"] == schema.SCHEMA_VERSION


def test_either_spelling_of_an_abbreviation_a_possessive_a_compound_or_an_accent_finds_both(
        es_url, make_app, indexer, tmp_path):
    """One outlet writes "US", "Nakaschev", "email" and "Erdoğan", another "U.S.", "Nakaschev's", "e-mail"
    and "Erdogan": each spelling typed finds both articles, and the marks show US and Nakaschev as each
    text writes them, Erdoğan in the title too when Erdogan was typed (the highlighter marks only the
    spelling typed; the API adds the other)."""
    from fastapi.testclient import TestClient

    folder = tmp_path / "spellings"
    folder.mkdir()
    (folder / "one.txt").write_text("US envoy arrives in Seoul as Erdoğan waits\n\nThe US envoy arrived in Seoul on Monday for "
                                    "talks on trade and security with minister Nakaschev, his office said by email. "
                                    "\"Erdoğan will decide on the deal,\" the envoy told reporters.\n")
    (folder / "two.txt").write_text("U.S. envoy meets Korean minister\n\nThe U.S. envoy met Nakaschev's trade "
                                    "ministry on Tuesday, officials said in an e-mail after the talks in Seoul. "
                                    "President Erdogan was not at the talks.\n")
    indexer.run([folder], quiet=True)
    with TestClient(make_app(es_url, indexer.alias)) as api:
        for typed, forms in (("US envoy", {"US", "U.S"}), ("U.S. envoy", {"US", "U.S"}),
                             ("Nakaschev", {"Nakaschev", "Nakaschev's"}), ("Nakaschev's", {"Nakaschev", "Nakaschev's"}),
                             ("email", {"email"}), ("e-mail", {"email", "mail"}),
                             ("Erdogan", {"Erdogan", "Erdoğan"}), ("Erdoğan", {"Erdoğan", "Erdogan"})):
            hits = api.get("/api/search", params={"q": typed, "mode": "keyword"}).json()["hits"]
            assert len(hits) == 2, (typed, [h["title"] for h in hits])
            marked = {h["text"][a:b] for hit in hits for h in hit["highlights"] for a, b in h["matches"]}
            assert all(any(form in span.split() for span in marked) for form in forms), (typed, marked)
            if typed.startswith("Erd"):
                quoted = {q["text"][a:b] for hit in hits for q in hit["quotes"] for a, b in q["matches"]}
                assert quoted == {"Erdoğan"}, (typed, quoted)


def test_us_or_who_typed_in_capitals_finds_the_abbreviation_not_the_pronoun(es, es_url, make_app, indexer, tmp_path):
    """"US" and "us" were one term, so a search for US sanctions found every article where someone told
    us something, and WHO was dropped as a stopword. Typed in capitals (in a text that is not all in
    capitals) they are the abbreviations, found however the text writes them in capitals and marked
    only there; typed in lower case they are the words; an index built before the acronym forms
    answers as it did."""
    from fastapi.testclient import TestClient

    folder = tmp_path / "acronyms"
    folder.mkdir()
    tail = " Ministers are to meet again next week in Brussels, where a vote on the measures is expected.\n"
    (folder / "us.txt").write_text("US widens sanctions\n\nThe US widened sanctions on Monday, officials said." + tail)
    (folder / "dotted.txt").write_text("Sanctions widened\n\nU.S. officials widened the sanctions list on Tuesday." +
                                       tail)
    (folder / "pronoun.txt").write_text("Market returns\n\n\"People told us the hall was too cold,\" the organiser "
                                        "said of the sanctions on stalls." + tail)
    (folder / "who.txt").write_text("Masks advice\n\nThe WHO updated its advice on masks, which doctors welcomed." +
                                    tail)
    indexer.run([folder], quiet=True)

    def found(api, typed: str) -> dict[str, set[str]]:
        hits = api.get("/api/search", params={"q": typed, "mode": "keyword"}).json()["hits"]
        return {h["title"]: {m["text"][a:b] for m in h["highlights"] for a, b in m["matches"]} for h in hits}

    with TestClient(make_app(es_url, indexer.alias)) as api:
        assert set(found(api, "US")) == {"US widens sanctions", "Sanctions widened"}
        assert set(found(api, "did the US widen sanctions?")) == {"US widens sanctions", "Sanctions widened",
                                                                    "Market returns"}  # "sanctions" is in all three
        assert found(api, "did the US widen sanctions?")["Market returns"] == {"sanctions"}  # "us" is not marked
        assert set(found(api, "us")) == {"US widens sanctions", "Sanctions widened", "Market returns"}
        assert set(found(api, "WHO advice")) == {"Masks advice"} and "WHO" in found(api, "WHO")["Masks advice"]
        quotes = api.get("/api/quotes", params={"q": "US", "mode": "keyword"}).json()
        assert quotes["total"] == 0  # the quote says "us"
    index = store.alias_index(es, indexer.alias)
    es.indices.put_mapping(index=index, meta={**store.index_meta(es, index), "schema_version": schema.ACRONYMS_SINCE - 1})
    with TestClient(make_app(es_url, indexer.alias)) as api:
        assert set(found(api, "US")) == {"US widens sanctions", "Sanctions widened", "Market returns"}


def test_prune_removes_articles_whose_files_are_gone(es, indexer, archive):
    indexer.run([archive], quiet=True)
    (archive / "strike.txt").unlink()
    summary = indexer.run([archive], prune=True, quiet=True)
    assert summary.pruned == 1
    es.indices.refresh(index=indexer.alias)
    assert es.count(index=indexer.alias)["count"] == 3


def test_files_named_one_by_one_with_the_same_name_are_two_articles(es, indexer, tmp_path):
    """bbc/business/001.txt and bbc/sport/001.txt named on the command line: two articles, not one
    overwriting the other (they were, until a bench named BBC's files one by one)."""
    for folder, word in (("business", "copper"), ("sport", "lithium")):
        (tmp_path / "bbc" / folder).mkdir(parents=True)
        (tmp_path / "bbc" / folder / "001.txt").write_text(f"Port strike halts {word} exports\n\n" +
                                                            ARTICLE.replace("copper", word))
    files = [tmp_path / "bbc" / "business" / "001.txt", tmp_path / "bbc" / "sport" / "001.txt"]
    assert indexer.run(files, quiet=True).counts["indexed"] == 2
    assert indexer.run(files, quiet=True).counts["unchanged"] == 2
    es.indices.refresh(index=indexer.alias)
    stored = {h["_source"][schema.FILE] for h in es.search(index=indexer.alias, source=[schema.FILE])["hits"]["hits"]}
    assert stored == {"business/001.txt", "sport/001.txt"}


def test_same_text_in_two_files_is_two_documents_and_a_readme_is_rejected(es, indexer, tmp_path):
    """BBC's archive holds the same story in two files, and a README beside the articles."""
    folder = tmp_path / "dupes"
    (folder / "sport").mkdir(parents=True)
    (folder / "sport" / "001.txt").write_text("Port strike halts copper exports\n\n" + ARTICLE)
    (folder / "sport" / "002.txt").write_text("Port strike halts copper exports\n\n" + ARTICLE)
    (folder / "README.TXT").write_text("Consists of 2 documents from a news website.")
    summary = indexer.run([folder], quiet=True)
    assert summary.counts == {"indexed": 2, "updated": 0, "unchanged": 0, "rejected": 1}, summary.counts
    assert "README" in summary.rejected[0].reason
    es.indices.refresh(index=indexer.alias)
    assert es.count(index=indexer.alias)["count"] == 2
    # The ids come from where the files sit in the archive, not from the absolute path: a moved
    # archive updates the stored location (prune relies on it) but makes no second copy.
    moved = tmp_path / "elsewhere" / "dupes"
    moved.parent.mkdir()
    folder.rename(moved)
    again = indexer.run([moved], quiet=True)
    assert (again.counts["updated"], again.encoded) == (2, 0)
    es.indices.refresh(index=indexer.alias)
    assert es.count(index=indexer.alias)["count"] == 2
