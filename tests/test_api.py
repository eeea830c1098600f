"""The search API against the real node and model: modes, highlights, explain, errors."""
import pytest

KIRBY = "sovereign decision that every NATO ally would have to make for themselves"


def test_keyword_phrase_finds_both_seeds_with_marked_phrase(api, shared):
    response = api.get("/api/search", params={"q": '"sovereign decision"', "mode": "keyword"})
    assert response.status_code == 200, response.text
    body = response.json()
    top = body["hits"][:2]
    assert {h["outlet"] for h in top} == {"UNN", "TASS"}, [(h["outlet"], h["title"]) for h in body["hits"]]
    for hit in top:
        marked = [h["text"][s:e].lower() for h in hit["highlights"] for s, e in h["matches"]]
        assert "sovereign decision" in marked, hit["highlights"]
        assert any(KIRBY in q["text"] and q["speaker"] == "John Kirby" for q in hit["quotes"]), hit["quotes"]
        assert hit["explain"]["keyword"]["rank"] in (1, 2) and hit["explain"]["semantic"] is None


def test_semantic_question_finds_both_seeds_with_kirbys_passage(api, shared):
    response = api.get("/api/search", params={"q": "will America put soldiers on the ground in Ukraine",
                                               "mode": "semantic"})
    assert response.status_code == 200, response.text
    top = response.json()["hits"][:2]
    assert {h["outlet"] for h in top} == {"UNN", "TASS"}, [(h["outlet"], h["title"]) for h in response.json()["hits"]]
    for hit in top:
        passage = hit["best_passage"]
        assert passage and "troops" in passage["text"].lower(), passage
        assert hit["explain"]["semantic"]["rank"] in (1, 2)


def test_hybrid_hits_explain_both_legs(api, shared):
    body = api.post("/api/search", json={"q": "Kirby NATO troops Ukraine", "mode": "hybrid", "size": 5}).json()
    top = body["hits"][0]
    assert top["outlet"] in ("UNN", "TASS")
    assert top["explain"]["fusion"] == "rrf"
    explain = top["explain"]
    for leg in ("keyword", "semantic"):  # each leg's rank is the article's place in that leg searched alone
        alone = api.get("/api/search", params={"q": "Kirby NATO troops Ukraine", "mode": leg, "size": 20}).json()
        assert [h["id"] for h in alone["hits"]].index(top["id"]) + 1 == explain[leg]["rank"], leg
    k, weights = explain["rrf_k"], explain["weights"]
    expected = (weights["keyword"] / (k + explain["keyword"]["rank"])
                + weights["semantic"] / (k + explain["semantic"]["rank"]))
    assert top["score"] == pytest.approx(expected)
    for hit in body["hits"]:  # each shown article, from either leg, with its passage closest to the query
        passage = hit["best_passage"]
        assert passage and passage["text"] and passage["start"] < passage["end"], hit
    convex = api.get("/api/search", params={"q": "Kirby NATO troops Ukraine", "fusion": "convex", "alpha": 0.3}).json()
    for hit in convex["hits"]:  # alpha · semantic + (1 − alpha) · keyword, each normalised over its leg
        legs = hit["explain"]
        expected = 0.7 * ((legs["keyword"] or {}).get("normalised") or 0) + 0.3 * ((legs["semantic"] or {}).get(
            "normalised") or 0)
        assert hit["score"] == pytest.approx(expected) and legs["alpha"] == 0.3


def test_filters_and_cursor_pages(api):
    first = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 2}).json()
    assert first["total"] >= 4 and len(first["hits"]) == 2 and first["cursor"]
    second = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 2,
                                            "cursor": first["cursor"]}).json()
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    other = api.get("/api/search", params={"q": "flood", "mode": "keyword", "size": 2, "cursor": first["cursor"]})
    assert other.status_code == 400 and "another query" in other.json()["error"]["message"]
    only = api.get("/api/search", params=[("q", "barrier"), ("mode", "keyword"), ("outlet", "Valley Wire")]).json()
    assert only["hits"] and {h["outlet"] for h in only["hits"]} == {"Valley Wire"}
    dated = api.get("/api/search", params={"q": "barrier", "from": "2025-11-01", "to": "2025-11-30",
                                           "mode": "keyword"}).json()
    assert [h["date"][:7] for h in dated["hits"]] == ["2025-11"]


def test_article_endpoint_and_404(api):
    hit = api.get("/api/search", params={"q": "estuary gate", "mode": "keyword", "size": 1}).json()["hits"][0]
    article = api.get(f"/api/articles/{hit['id']}").json()
    assert article["body"] and article["quotes"] and article["passages"][0]["text"]
    assert "vector" not in article["passages"][0]
    missing = api.get("/api/articles/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("params", [
    {"q": '"sovereign decision AND kirby'},
    {"q": "AND AND"},
    {"q": "x" * 10_000},
    {"q": "ukraine", "size": 100000},
    {"q": "ukraine", "from": "2024-13-45"},
    {"q": "ukraine", "from": "2025-02-01", "to": "2024-01-01"},
    {"q": "ukraine", "mode": "telepathy"},
    {"q": "ukraine", "colour": "blue"},
    {"q": "*ology"},
    {"q": "ukraine", "cursor": "not-a-cursor"},
    {"q": "(troops OR soldiers"},
])
def test_malformed_input_is_a_useful_4xx(api, params):
    response = api.get("/api/search", params=params)
    assert 400 <= response.status_code < 500, (params, response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] and len(error["message"]) > 10


PLAIN = ["are house prices falling in Britain?", "Flood barrier approved!", "What did Kirby say.",
         "Ukraine: what next?", "the council's vote", 'he called it a "sovereign decision"', "floods 🌊",
         '"unbalanced quote', "nosuchfield:value", ("The council met on Thursday (after weeks of delay) and voted "
                                                    "to approve the barrier; \"we can't wait\", one said. ") * 18]


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_plain_language_runs_in_every_mode(api, mode):
    for text in PLAIN:
        response = api.get("/api/search", params={"q": text, "mode": mode})
        assert response.status_code == 200, (text, response.text)
        for hit in response.json()["hits"]:
            for highlight in hit["highlights"]:
                marked = {highlight["text"][a:b].lower() for a, b in highlight["matches"]}
                assert not marked & {"are", "in", "the", "what", "did", "he", "it", "a"}, (text, marked)


def test_a_question_finds_its_article(api):
    hits = api.get("/api/search", params={"q": "did the council approve the flood barrier?", "mode": "keyword"}).json()
    assert hits["hits"] and "barrier" in hits["hits"][0]["title"].lower()


def test_a_name_finds_and_marks_its_possessive_form(api):
    """The dictionary does not list "Aldren", so hunspell leaves "Aldren's" whole: the variants field
    makes it count for aldren, and the highlight marks it as written."""
    hits = api.get("/api/search", params={"q": "aldren schools", "mode": "keyword", "size": 20}).json()["hits"]
    budget = [h for h in hits if h["url"] == "https://northern-ledger.example/2024/10/14/budget"]
    assert budget, [(h["title"], h["url"]) for h in hits]  # the article writes only "Port Aldren's"
    marked = {h["text"][a:b] for h in budget[0]["highlights"] for a, b in h["matches"]}
    assert "Aldren's" in marked, budget[0]["highlights"]
    alone = api.get("/api/search", params={"q": "aldren", "mode": "keyword", "size": 50}).json()["hits"]
    assert "https://northern-ledger.example/2024/10/14/budget" in {h["url"] for h in alone}
    assert "variants" not in budget[0]  # internal: never shown
    typed = api.get("/api/search", params={"q": "Aldren’s", "mode": "keyword", "size": 50}).json()["hits"]
    assert {h["url"] for h in typed} >= {h["url"] for h in alone}  # a possessive typed is the name


def test_syntax_error_names_the_position(api):
    error = api.get("/api/search", params={"q": "kirby AND"}).json()["error"]
    assert error["code"] == "query_syntax" and "position 9" in error["message"] and error["detail"]["example"]


def test_health(api, archive_alias):
    health = api.get("/api/health").json()
    assert health["elasticsearch"] == "reachable" and health["index"].startswith(archive_alias)
    assert health["documents"] >= 30 and health["model_matches"] is True


def test_count_over_time_has_denominators(api):
    rows = api.get("/api/count-over-time", params={"q": "barrier", "interval": "month"}).json()
    assert rows and all(0 <= r["ratio"] <= 1 and r["count"] <= r["total"] for r in rows)
    march = next(r for r in rows if r["date"].startswith("2025-03"))
    matching = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "from": "2025-03-01",
                                              "to": "2025-03-31"}).json()["total"]
    everything = api.get("/api/search", params={"q": "", "from": "2025-03-01", "to": "2025-03-31"}).json()["total"]
    assert (march["count"], march["total"]) == (matching, everything) and march["count"] >= 3
    assert march["ratio"] == pytest.approx(matching / everything)
    assert api.get("/api/count-over-time", params={"q": "barrier", "interval": "fortnight"}).status_code == 400


def test_top_speakers_and_outlets(api):
    speakers = api.get("/api/top/speakers", params={"q": "barrier"}).json()
    ostrand = next(s for s in speakers if s["key"] == "Maria Ostrand")
    assert ostrand["count"] >= 3 and 0 < ostrand["ratio"] <= 1
    outlets = api.get("/api/top/outlets", params={"q": "barrier", "language": "en"}).json()
    assert {"Valley Wire", "Northern Ledger"} <= {o["key"] for o in outlets}
    assert api.get("/api/top/colours").status_code == 404
