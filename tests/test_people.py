"""Speakers a journalist can trust (issue 15), against the real node, encoder and parser: one name per
person, entity facets and filters, a person's page in the API and in the browser."""
import re
from urllib.parse import quote as urlquote

PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them"}


def test_seeds_quote_kirby_as_one_speaker(api, shared):
    body = api.get("/api/search", params={"q": "Kirby troops Ukraine", "facets": "true"}).json()
    speakers = {b["key"]: b for b in body["facets"]["speaker"]}
    assert speakers["John Kirby"]["count"] >= 2
    assert not [k for k in speakers if k != "John Kirby" and "Kirby" in k], speakers
    people = {b["key"] for b in body["facets"]["person"]}
    assert "John Kirby" in people and body["facets"]["org"] and body["facets"]["place"]  # one round trip


def test_speaker_facet_has_one_name_per_person_and_no_pronouns(api, shared):
    top = [b["key"] for b in api.get("/api/top/speakers", params={"q": ""}).json()][:20]
    assert top, top
    lowered = [k.lower() for k in top]
    assert not set(lowered) & PRONOUNS and not any(k.split()[0] in ("mr", "mrs", "ms", "dr") for k in lowered)
    surnames = {}
    for name in top:
        surnames.setdefault(name.split()[-1].lower(), []).append(name)
    short = {s: names for s, names in surnames.items() if len(names) > 1 and any(len(n.split()) == 1 for n in names)}
    assert not short, short  # "Blair" beside "Tony Blair" is one person twice


def test_entity_filters_and_tops(api, shared):
    nato = api.get("/api/search", params={"q": "", "org": "NATO", "mode": "keyword"}).json()
    assert nato["total"] >= 2 and all(h["id"] for h in nato["hits"])
    syntax = api.get("/api/search", params={"q": 'person:"John Kirby"', "mode": "keyword"}).json()
    assert {h["outlet"] for h in syntax["hits"]} >= {"UNN", "TASS"}
    people = api.get("/api/top/people", params={"q": "Ukraine"}).json()
    assert any(p["key"] == "John Kirby" for p in people) and all(0 < p["ratio"] <= 1 for p in people)
    article = api.get(f"/api/articles/{syntax['hits'][0]['id']}").json()
    assert "John Kirby" in article["people"] and article["organizations"]
    kirby = [q for q in article["quotes"] if q["speaker"] == "John Kirby"]
    assert kirby and all(q["speaker_kind"] == "person" and q["speaker_surface"] for q in kirby)


def test_a_persons_page(api, shared):
    page = api.get(f"/api/people/{urlquote('John Kirby')}").json()
    assert page["quoted_in"] >= 2 and page["mentioned_in"] >= 2
    assert {q["article"]["outlet"] for q in page["quotes"]} >= {"UNN", "TASS"}
    dates = [q["article"]["date"] for q in page["quotes"] if q["article"]["date"]]
    assert dates == sorted(dates, reverse=True)
    assert any(re.search("spokes", r["key"], re.I) for r in page["roles"]), page["roles"]
    assert any(q["carried_by"] for q in page["quotes"])
    assert api.get(f"/api/people/{urlquote('Nobody Atall')}").status_code == 404


def test_person_page_and_entity_facets_in_the_browser(server, browser, shared):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/?q=Kirby+Ukraine&mode=keyword")
    facet = browser.find_element(By.CSS_SELECTOR, ".facets a[href*='person=John']")
    facet.click()
    assert "person=John+Kirby" in browser.current_url and browser.find_elements(By.CSS_SELECTOR, "article.hit")
    browser.find_element(By.CSS_SELECTOR, "a[href^='/people/John']").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "John Kirby"
    quotes = browser.find_elements(By.CSS_SELECTOR, '.quotes q[data-speaker="John Kirby"]')
    assert len(quotes) >= 3 and "quoted in" in browser.find_element(By.CSS_SELECTOR, "p.count").text
    browser.get(f"{server}/people/{urlquote('Maria Ostrand')}")  # dated coverage: a timeline
    assert browser.find_elements(By.CSS_SELECTOR, ".person-timeline rect.quoted")
    browser.get(f"{server}/people/{urlquote('<img src=x onerror=alert(1)>')}")
    assert "<img src=x" in browser.find_element(By.TAG_NAME, "main").text
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
