"""The index contract on a real node: a document is found by BM25 and by kNN on its passage vector."""
from indexer import schema


def test_bm25_and_knn_find_the_document(es, index_prefix, embedder):
    index = schema.version_name(index_prefix, 1)
    es.indices.create(index=index, mappings=schema.mapping(embedder.info), settings=schema.index_settings())
    meta = es.indices.get_mapping(index=index)[index]["mappings"]["_meta"]
    assert meta["model"] == embedder.model_id and meta["dims"] == 384

    docs = {
        "kirby": "A sovereign decision that every NATO ally would have to make for themselves, Kirby said.",
        "wheat": "Wheat exports from Argentina rose sharply as the harvest came in early this year.",
        "music": "The band released its third album to warm reviews from critics in London.",
    }
    for doc_id, text in docs.items():
        vector = embedder.encode([text])[0]
        es.index(index=index, id=doc_id, document={
            schema.ID: doc_id, schema.TITLE: text[:40], schema.BODY: text,
            schema.PASSAGES: [{"text": text, "start": 0, "end": len(text), "vector": vector}],
        })
    es.indices.refresh(index=index)

    bm25 = es.search(index=index, query={"match": {schema.BODY: "sovereign decision"}})
    assert [h["_id"] for h in bm25["hits"]["hits"]] == ["kirby"]

    query_vector = embedder.encode_query("will American soldiers be sent by the alliance members?")
    knn = es.search(index=index, knn={
        "field": schema.PASSAGE_VECTOR, "query_vector": query_vector, "k": 3, "num_candidates": 10,
        "inner_hits": {"_source": False, "fields": ["passages.start"]},
    })
    ranked = [h["_id"] for h in knn["hits"]["hits"]]
    assert ranked[0] == "kirby", ranked
    assert knn["hits"]["hits"][0]["inner_hits"]["passages"]["hits"]["total"]["value"] >= 1


def test_stemming_does_not_depend_on_case(es, index_prefix, embedder):
    """A query typed in lower case stems as the capitalised text does ("buddhists" finds "Buddhists",
    "britain's" finds "BRITAIN'S"): the shipped dictionary is read case-insensitively
    (indexer/hunspell/en_US/settings.yml), so proper nouns and all-capitals archives (TIME) match."""
    index = schema.version_name(index_prefix, 2)
    es.indices.create(index=index, mappings=schema.mapping(embedder.info), settings=schema.index_settings())

    def stems(text: str) -> list[str]:
        return [t["token"] for t in es.indices.analyze(index=index, analyzer="morgue_text", text=text)["tokens"]]

    assert stems("Buddhists BRITAIN'S RATES US") == stems("buddhists britain's rates us") == ["buddhist", "britain", "rate", "us"]
    es.index(index=index, id="monks", refresh=True, document={
        schema.ID: "monks", schema.TITLE: "Monks", schema.BODY: "THE BUDDHISTS OF HUE MARCHED AGAIN LAST WEEK."})
    found = es.search(index=index, query={"match": {schema.BODY: "buddhist marches"}})
    assert [h["_id"] for h in found["hits"]["hits"]] == ["monks"]
