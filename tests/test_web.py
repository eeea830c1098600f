"""The web UI in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium),
served by uvicorn on a free port from the same app as the API. Screenshots go to artifacts/."""
from urllib.parse import quote_plus

import pytest
from selenium.webdriver.common.by import By



def _open(browser, url: str) -> None:
    browser.get(url)
    assert "Internal Server Error" not in browser.page_source


def test_sovereign_decision_shows_both_seeds_with_marks_and_quotes(server, browser, shared, artifacts):
    _open(browser, f"{server}/?q={quote_plus(chr(34) + 'sovereign decision' + chr(34))}&mode=keyword")
    hits = browser.find_elements(By.CSS_SELECTOR, "article.hit")
    outlets = [h.find_element(By.CSS_SELECTOR, ".meta").text.split(" · ")[0] for h in hits[:2]]
    assert sorted(outlets) == ["TASS", "UNN"], outlets
    for hit in hits[:2]:
        marks = [m.text.lower() for m in hit.find_elements(By.TAG_NAME, "mark")]
        assert "sovereign decision" in marks, marks
        quotes = hit.find_elements(By.CSS_SELECTOR, 'q[data-speaker="John Kirby"], blockquote[data-speaker="John Kirby"]')
        assert any("sovereign decision" in q.text.replace("’", "'") for q in quotes), [q.text for q in quotes]
        assert "John Kirby" in hit.text  # the speaker is visible, not only an attribute
    assert "no timeline" in browser.find_element(By.CSS_SELECTOR, ".timeline").text.lower()  # neither has a year
    browser.save_screenshot(str(artifacts / "search-sovereign-decision.png"))


def test_unn_reader_marks_kirbys_quotes_without_junk(server, browser, shared, artifacts):
    _open(browser, f"{server}/?q={quote_plus('sovereign decision')}&mode=keyword&outlet=UNN")
    browser.find_element(By.CSS_SELECTOR, "article.hit h2 a").click()
    article = browser.find_element(By.CSS_SELECTOR, "article.article")
    assert article.find_element(By.TAG_NAME, "h1").text.startswith("US won't send troops to Ukraine")
    kirby = article.find_elements(By.CSS_SELECTOR, '.body q[data-speaker="John Kirby"]')
    assert len(kirby) >= 3 and any("sovereign decision" in q.text for q in kirby), [q.text[:40] for q in kirby]
    page = browser.find_element(By.TAG_NAME, "body").text
    for junk in ("переглядiв", "News by theme", "Explosions in Odesa", "Oval Office"):
        assert junk not in page, junk
    assert "TASS" in browser.find_element(By.CSS_SELECTOR, ".related").text  # the same story elsewhere
    browser.save_screenshot(str(artifacts / "reader-unn.png"))


def test_markup_in_articles_is_shown_as_text_and_never_runs(server, browser):
    _open(browser, f"{server}/?q=treasurer+Quill+broken+repair&mode=keyword")
    hit = browser.find_element(By.CSS_SELECTOR, "article.hit")
    assert "<script>" in hit.text and '"><b>' in hit.text
    quote = hit.find_element(By.CSS_SELECTOR, 'q[data-speaker="Ada Quill"]')
    assert "<img src=x onerror=" in quote.text
    hit.find_element(By.CSS_SELECTOR, "h2 a").click()
    article = browser.find_element(By.CSS_SELECTOR, "article.article")
    assert "<script>" in article.find_element(By.TAG_NAME, "h1").text
    assert "<img src=x" in article.find_element(By.CSS_SELECTOR, 'q[data-speaker="Ada Quill"]').text
    import httpx

    for page in (f"{server}/?q=treasurer+Quill+broken+repair&mode=keyword", browser.current_url):
        _open(browser, page)
        # The markup never became elements (whatever the CSP would have let run) ...
        assert not browser.find_elements(By.CSS_SELECTOR, "main img, main b, main script")
        # ... because the server sent it escaped: no CSP needed for that.
        html = httpx.get(page).text
        assert "&lt;script&gt;" in html and "<script>" not in html and "<img src=x" not in html
    assert not browser.find_elements(By.CSS_SELECTOR, 'a[href^="javascript"]')  # the article's javascript: URL


STOPWORDS_SEEN = {"are", "in", "the", "was", "is", "who", "about", "what", "did", "on", "of", "a", "to"}


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_a_question_runs_and_no_stopword_is_marked(server, browser, mode):
    _open(browser, f"{server}/?q={quote_plus('who was in favour of the flood barrier?')}&mode={mode}")
    assert not browser.find_elements(By.CSS_SELECTOR, ".error")
    hits = browser.find_elements(By.CSS_SELECTOR, "article.hit")
    assert hits
    marks = {m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "article.hit mark")}
    assert marks and not marks & STOPWORDS_SEEN, marks
    assert {"flood", "barrier"} & marks or mode == "semantic"


def test_stopwords_inside_a_quoted_phrase_are_marked(server, browser):
    _open(browser, f"{server}/?q={quote_plus(chr(34) + 'impossible to predict' + chr(34))}&mode=keyword")
    marks = {m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "article.hit mark")}
    assert "impossible to predict" in marks, marks


def test_bad_query_shows_the_problem_not_a_server_error(server, browser):
    _open(browser, f"{server}/?q={quote_plus('kirby AND')}")
    error = browser.find_element(By.CSS_SELECTOR, ".error[role=alert]")
    assert "position 9" in error.text and "For example" in error.text
    assert browser.find_element(By.ID, "q").get_attribute("value") == "kirby AND"  # the query is kept to fix
    _open(browser, f"{server}/?q={quote_plus('(' * 200 + 'kirby' + ')' * 200)}")  # deep nesting: an answer, not a 500
    assert browser.find_elements(By.CSS_SELECTOR, ".error[role=alert], article.hit, .empty")


def test_timeline_facets_and_next_page(server, browser, artifacts):
    _open(browser, f"{server}/?q=barrier&mode=keyword&size=3")
    bars = browser.find_elements(By.CSS_SELECTOR, ".timeline svg rect")
    assert bars and any("2025-03" in b.find_element(By.TAG_NAME, "title").get_attribute("textContent") for b in bars)
    facet = browser.find_element(By.CSS_SELECTOR, ".facets a[href*='speaker=Maria']")
    assert "Maria Ostrand" in facet.text
    first = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit")]
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    second = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit")]
    assert second and not set(first) & set(second)
    browser.save_screenshot(str(artifacts / "search-barrier.png"))


def test_phone_width_has_no_sideways_scroll(server, browser, artifacts):
    browser.set_window_size(390, 844)
    try:
        _open(browser, f"{server}/?q=barrier&mode=keyword")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        browser.save_screenshot(str(artifacts / "search-barrier-phone.png"))
    finally:
        browser.set_window_size(1280, 1600)


def test_empty_result_helps(server, browser):
    _open(browser, f"{server}/?q=zyxwvut+qqqqq&mode=keyword")
    assert "No articles match" in browser.find_element(By.CSS_SELECTOR, ".empty").text
    assert browser.find_element(By.CSS_SELECTOR, '.empty a[href*="mode=semantic"]')


def test_pages_send_a_content_security_policy(server):
    import httpx

    response = httpx.get(f"{server}/?q=barrier")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy  # the site's own file only
    assert "unsafe" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_story_line_names_outlets_articles_days_and_copies(server, browser):
    _open(browser, f"{server}/?q={quote_plus('wildfire evacuation villages')}&mode=keyword")
    lines = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "article.hit p.story")]
    assert any("outlets" in t and "articles" in t and "copied by" in t for t in lines), lines
    months = ("January February March April May June July August September October November December").split()
    assert any(any(f" {month} 20" in t for month in months) for t in lines), lines  # "1–2 October 2025"
