"""Quote search with cross-outlet linking, related coverage, streamed export, API keys and a cluster
that is gone — against the real node and model."""
import csv
import io
import json

import pytest

from search_api import export

SOVEREIGN = "sovereign decision"


def test_quotes_by_speaker_link_the_same_statement_across_outlets(api, shared):
    body = api.get("/api/quotes", params={"speaker": "John Kirby", "size": 20}).json()
    kirby = body["quotes"]
    assert kirby and all(q["speaker"] == "John Kirby" for q in kirby)
    assert {q["article"]["outlet"] for q in kirby} == {"UNN", "TASS"}
    sovereign = [q for q in kirby if SOVEREIGN in q["text"]]
    assert {q["article"]["outlet"] for q in sovereign} == {"UNN", "TASS"}
    for quote in sovereign:
        other = "TASS" if quote["article"]["outlet"] == "UNN" else "UNN"
        carried = [c for c in quote["carried_by"] if c["article"]["outlet"] == other]
        assert carried and SOVEREIGN in carried[0]["text"].replace("’", "'"), quote["carried_by"]
        assert carried[0]["match"] == "same meaning" and carried[0]["similarity"] >= 0.8
        assert quote["outlets"] == ["TASS", "UNN"]
        assert quote["first_seen"] is None  # UNN's scrape has no date, TASS's dateline no year: no order to claim
    facet = {f["key"]: f for f in body["facets"]["speaker"]}
    assert facet["John Kirby"]["quotes"] == body["total"] == len(kirby)
    assert facet["John Kirby"]["articles"] == 2


def test_quote_keyword_and_meaning_search(api, shared):
    words = api.get("/api/quotes", params={"q": '"sovereign decision"', "mode": "keyword"}).json()
    assert len(words["quotes"]) == 2 and all(q["matches"] for q in words["quotes"])
    meaning = api.get("/api/quotes", params={"q": "each alliance member decides for itself whether to send troops",
                                             "mode": "semantic", "size": 3}).json()
    assert SOVEREIGN in meaning["quotes"][0]["text"].replace("’", "'"), [q["text"][:60] for q in meaning["quotes"]]
    hybrid = api.get("/api/quotes", params={"q": "sovereign decision NATO ally", "size": 5}).json()
    top = hybrid["quotes"][0]
    assert top["explain"]["keyword"] and top["explain"]["semantic"] and SOVEREIGN in top["text"].replace("’", "'")


def test_a_quote_search_finds_either_spelling_and_marks_it(api, shared):
    """UNN's Kirby says "no U.S. troops doing combat", TASS's "no US troops on the ground": searching the
    quotes for US (or U.S.) finds both outlets' quotes, each marked as its text writes it."""
    for typed in ("US", "U.S."):
        body = api.get("/api/quotes", params={"q": typed, "mode": "keyword", "speaker": "John Kirby"}).json()
        marked = {(q["article"]["outlet"], q["text"][a:b]) for q in body["quotes"] for a, b in q["matches"]}
        assert {("UNN", "U.S"), ("TASS", "US")} <= marked, (typed, marked)


def test_syndicated_quote_is_linked_by_its_words(api):
    body = api.get("/api/quotes", params={"q": '"impossible to predict"', "mode": "keyword"}).json()
    assert len(body["quotes"]) == 2 and {q["speaker"] for q in body["quotes"]} == {"Ida Storm"}
    for quote in body["quotes"]:
        assert [c["match"] for c in quote["carried_by"]] == ["same words"]
        assert quote["outlets"] == ["Harbor Gazette", "Northern Ledger"]
        assert quote["first_seen"]["date"].startswith("2025-10-01")


def test_quote_search_rejects_article_fields_with_advice(api):
    response = api.get("/api/quotes", params={"q": "outlet:TASS decision"})
    assert response.status_code == 400 and "parameter" in response.json()["error"]["message"]


def test_related_finds_the_other_outlet_not_itself(api, seed_ids):
    ids = seed_ids
    body = api.get(f"/api/articles/{ids['UNN']}/related").json()
    assert body["hits"][0]["id"] == ids["TASS"], [(h["outlet"], h["title"]) for h in body["hits"]]
    assert ids["UNN"] not in {h["id"] for h in body["hits"]}
    assert "UNN" not in {h["outlet"] for h in body["hits"]}
    assert api.get("/api/articles/nope/related").status_code == 404


def test_related_coverage_of_the_council_vote(api):
    hit = api.get("/api/search", params={"q": "barrier vote", "mode": "keyword", "outlet": "Harbor Gazette",
                                         "size": 1}).json()["hits"][0]
    related = api.get(f"/api/articles/{hit['id']}/related", params={"size": 5}).json()["hits"]
    top_outlets = [h["outlet"] for h in related[:3]]
    assert "Harbor Gazette" not in top_outlets and {"Northern Ledger", "Valley Wire"} & set(top_outlets)
    assert all(h["explain"]["keyword"] or h["explain"]["semantic"] for h in related)


def _jsonl(response) -> list[dict]:
    return [json.loads(line) for line in response.text.splitlines() if line]


def test_export_streams_every_match_across_pages(api, monkeypatch):
    monkeypatch.setattr(export, "PAGE", 7)  # several search_after pages on a small archive
    everything = api.get("/api/search", params={"q": "*", "mode": "keyword", "size": 1}).json()["total"]
    rows = _jsonl(api.get("/api/export", params={"q": "*", "format": "jsonl"}))
    assert len(rows) == everything and len({r["id"] for r in rows}) == everything
    assert "error" not in rows[-1] and "passages" not in rows[0] and "body" not in rows[0]
    dates = [r["date"] for r in rows if r.get("date")]
    assert dates == sorted(dates)
    barrier = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 1}).json()["total"]
    response = api.get("/api/export", params={"q": "barrier", "format": "csv", "text": "true"})
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert len(table) == barrier and all("barrier" in r["body"].lower() or "barrier" in r["title"].lower()
                                         for r in table)
    assert any("Maria Ostrand" in r["speakers"] for r in table)


@pytest.mark.parametrize("params", [{"format": "xml"}, {"q": "AND"}, {"text": "maybe"}, {"colour": "red"}])
def test_export_mistakes_are_400_before_streaming(api, params):
    response = api.get("/api/export", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]


def test_api_keys(es_url, archive_alias, make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app(es_url, archive_alias, api_keys="k-one, k-two")) as client:
        assert client.get("/api/health").status_code == 401
        wrong = client.get("/api/health", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        assert client.get("/api/health", headers={"Authorization": "Bearer k-two"}).status_code == 200
        assert client.get("/api/health", headers={"X-API-Key": "k-one"}).status_code == 200


def test_elasticsearch_gone_is_503_with_retry_advice(archive_alias, make_app):
    import socket

    from fastapi.testclient import TestClient

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with TestClient(make_app(f"http://127.0.0.1:{port}", archive_alias)) as client:
        for path, params in [("/api/search", {"q": "barrier", "mode": "keyword"}), ("/api/health", {}),
                             ("/api/quotes", {"q": "barrier", "mode": "keyword"}), ("/api/export", {"q": "x"}),
                             ("/api/count-over-time", {"q": "x"})]:
            response = client.get(path, params=params)
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert response.headers.get("retry-after") and response.json()["error"]["code"] == "search_unavailable"
