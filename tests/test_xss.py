"""Script injection, checked where it would happen: in headless Chromium with the Content-Security-
Policy switched off (so the CSP cannot hide an escaping bug). Payloads sit in every indexed field of
an article (title, text, quote and its speaker, outlet, author, URL, place) and in every parameter a
page reflects; on every page, no payload may run."""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from indexer.pipeline import Indexer
from search_api import watch_store


def payloads(tag: str) -> list[str]:
    run = f"document.body.dataset.pwned='{tag}'"
    return [f"<script>{run}</script>", f'"><img src=x onerror="{run}">', f"'><svg onload={run}>",
            f'" autofocus onfocus="{run}" x="', f"</title><script>{run}</script>", f"javascript:{run}"]


def hostile_article() -> dict:
    p = payloads
    return {"id": "xss-1", "title": f"Zanzibar budget {p('title')[0]} {p('title')[1]}",
            "outlet": f"Zanzibar Herald {p('outlet')[1]}", "author": p("author")[0], "place": p("place")[2],
            "url": p("url")[5], "date": "2025-06-03", "language": "en",
            "text": (f"The Zanzibar budget row deepened on Tuesday {p('body')[0]} {p('body')[3]} in a leaked sheet.\n\n"
                     f"“The {p('quote')[1]} line is broken beyond repair,” said treasurer Ada {p('speaker')[2]} Quill, "
                     f"who asked auditors to look again.\n\nZanzibar officials said more would follow {p('body')[4]}.")}


@pytest.fixture(scope="module")
def hostile_site(es, es_url, embedder, morgue, index_prefix, make_app, serve_app):
    alias = f"{index_prefix}-xss"
    work = Path(tempfile.mkdtemp(prefix="morgue-xss-"))
    (work / "hostile.jsonl").write_text(json.dumps(hostile_article()) + "\n")
    summary = Indexer(es, embedder, alias, work / "cache", morgue.nlp).run([work], quiet=True, group=False)
    assert summary.counts["indexed"] == 1, summary.rejected
    with serve_app(make_app(es_url, alias)) as url:
        import httpx

        [hit] = httpx.get(f"{url}/api/search", params={"q": "Zanzibar", "mode": "keyword"}).json()["hits"]
        yield url, hit["id"]
    watch_store.forget(es, alias)
    shutil.rmtree(work, ignore_errors=True)


def pages(base: str, article: str) -> list[str]:
    reflected = payloads("param")
    urls = [f"{base}/?q=Zanzibar+budget&mode=keyword", f"{base}/?q=Zanzibar+budget&mode=hybrid&collapse=none",
            f"{base}/articles/{article}?q=Zanzibar", f"{base}/watches"]
    for value in reflected:
        v = quote(value)
        urls += [f"{base}/?q={v}", f"{base}/?q=Zanzibar&outlet={v}&speaker={v}&language={v}",
                 f"{base}/?q=Zanzibar&from={v}", f"{base}/?q=Zanzibar&cursor={v}", f"{base}/articles/{article}?q={v}",
                 f"{base}/articles/{v}", f"{base}/people/{v}", f"{base}/login?next={v}", f"{base}/{v}",
                 f"{base}/watches/{v}"]
    return urls


def test_no_payload_runs_with_the_csp_switched_off(hostile_site, browser, artifacts):
    base, article = hostile_site
    browser.execute_cdp_cmd("Page.setBypassCSP", {"enabled": True})
    try:
        browser.get(f"{base}/?q=Zanzibar&mode=keyword")
        # The CSP really is off: a script the test itself adds runs.
        browser.execute_script("var s = document.createElement('script'); s.textContent = "
                               "\"document.body.dataset.probe = 'ran'\"; document.body.appendChild(s);")
        assert browser.execute_script("return document.body.dataset.probe") == "ran"
        hit = browser.find_element(By.CSS_SELECTOR, "article.hit")
        assert "<script>" in hit.text  # the payload is shown, as text
        browser.save_screenshot(str(artifacts / "xss-results.png"))
        # A watch and a batch error carry payloads too.
        name = browser.find_element(By.ID, "watch-name")
        name.clear()
        name.send_keys(payloads("watch")[1])
        browser.find_element(By.CSS_SELECTOR, ".watch-this button").click()
        ran = {}
        visited = 0
        for url in pages(base, article):
            browser.get(url)
            for element in browser.find_elements(By.CSS_SELECTOR, "input, a, button")[:30]:
                try:
                    browser.execute_script("arguments[0].focus(); arguments[0].dispatchEvent(new Event('mouseover'))",
                                           element)
                except Exception:  # noqa: BLE001 - an element gone with a navigation
                    break
            visited += browser.find_elements(By.CSS_SELECTOR, "article.article") != []
            pwned = browser.execute_script("return document.body && document.body.dataset.pwned || null")
            if pwned:
                ran[url] = pwned
        print(f"\nxss: {len(pages(base, article))} pages visited with the CSP off, payloads in 8 fields and "
              f"{len(payloads('x'))} per parameter; scripts executed: {len(ran)}")
        assert not ran, ran
        assert visited >= 7  # the reader page itself was among them, with the article's payloads
        links = [a.get_attribute("href") or "" for a in browser.find_elements(By.CSS_SELECTOR, "a")]
        assert not [h for h in links if h.lower().startswith("javascript:")]
    finally:
        browser.execute_cdp_cmd("Page.setBypassCSP", {"enabled": False})


def test_no_payload_runs_in_the_json_either(hostile_site):
    """The API answers JSON (never HTML) for every payload."""
    import httpx

    hostile_site, _ = hostile_site
    for value in payloads("api"):
        for path in ("/api/search", "/api/quotes"):
            response = httpx.get(f"{hostile_site}{path}", params={"q": value, "outlet": value})
            assert response.headers["content-type"].startswith("application/json"), path
        response = httpx.get(f"{hostile_site}/api/articles/{quote(value, safe='')}")
        assert response.status_code == 404 and response.headers["content-type"].startswith("application/json")
