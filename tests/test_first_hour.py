"""A journalist's first hour (issue 19), in a real headless Chromium: counts that say which set they
count, a timeline with axes that drills down, a results page that sorts, pages, exports, links and
moves by keyboard, filters as removable chips, a phone-width layout, and axe-core's accessibility
check on every kind of page. Screenshots (desktop and 375 px) and axe's findings go to artifacts/."""
import json
import os
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote as urlquote, quote_plus, urlsplit

import httpx
import pytest
from browsing import follow
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

ROOT = Path(__file__).resolve().parents[1]
AXE = Path(os.environ.get("MORGUE_AXE", ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"))
PHONE = (375, 812)
DESKTOP = (1280, 1600)


def _open(browser, url: str) -> None:
    browser.get(url)
    assert "Internal Server Error" not in browser.page_source


def _hit_dates(browser) -> list[str | None]:
    out = []
    for hit in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)"):
        times = hit.find_elements(By.XPATH, "./p[@class='meta']/time")
        out.append(times[0].get_attribute("datetime") if times else None)
    return out


def _query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


# ---- 1. what "matches" means in each mode


def test_every_mode_counts_the_set_it_lists(api):
    params = {"q": "flood barrier across the estuary", "size": 100, "facets": "true"}
    answers = {mode: api.get("/api/search", params={**params, "mode": mode}).json() for mode in ("keyword", "semantic", "hybrid")}
    assert [answers[m]["counted"] for m in answers] == ["keyword", "meaning", "keyword_or_meaning"]
    meaning = answers["semantic"]
    assert meaning["floor"] == pytest.approx(0.64) and answers["keyword"]["floor"] is None
    assert 0 < meaning["total"] < 100 and meaning["total_relation"] == "eq"
    for mode, answer in answers.items():  # the list is the counted set, and the facets describe it
        assert len(answer["hits"]) == min(answer["total"], 100), mode
        assert sum(b["count"] for b in answer["facets"]["language"]) == answer["total"], mode
        times = api.get("/api/count-over-time", params={"q": params["q"], "mode": mode, "interval": "year"}).json()
        assert sum(b["count"] for b in times) == answer["facets"]["dates"]["dated"], mode
        exported = api.get("/api/export", params={"q": params["q"], "mode": mode, "format": "jsonl"}).text.splitlines()
        assert len([line for line in exported if line]) == answer["total"], mode  # the export is the same set
    keyword, hybrid = answers["keyword"]["total"], answers["hybrid"]["total"]
    assert max(keyword, meaning["total"]) <= hybrid <= keyword + meaning["total"]  # the union
    assert {h["id"] for h in answers["hybrid"]["hits"]} == \
        {h["id"] for h in answers["keyword"]["hits"]} | {h["id"] for h in meaning["hits"]}
    strict = api.get("/api/search", params={**params, "mode": "semantic", "floor": 0.99}).json()
    assert strict["total"] == 0 and strict["hits"] == [] and strict["facets"]["language"] == []


def test_the_page_says_how_many_are_close_in_meaning(server, browser, api):
    q = "flood barrier across the estuary"
    total = api.get("/api/search", params={"q": q, "mode": "semantic"}).json()["total"]
    _open(browser, f"{server}/?q={quote_plus(q)}&mode=semantic")
    count = browser.find_element(By.CSS_SELECTOR, ".count").text
    assert count.startswith(f"About {total} article") and "close in meaning (similarity 0.64 or more)" in count, count
    languages = browser.find_elements(By.XPATH, "//aside[@class='facets']/h2[.='Languages']/following-sibling::ul[1]//span[@class='n']")
    assert sum(int(n.text.replace(",", "")) for n in languages) == total  # facets of the same set, not the archive
    _open(browser, f"{server}/?q=barrier&mode=keyword")
    assert "match these words" in browser.find_element(By.CSS_SELECTOR, ".count").text


# ---- 2. the timeline


def test_timeline_has_axes_drills_down_and_states_the_undated(server, browser, api, artifacts):
    answer = api.get("/api/search", params={"q": "council", "mode": "keyword", "facets": "true"}).json()
    _open(browser, f"{server}/?q=council&mode=keyword")
    figure = browser.find_element(By.CSS_SELECTOR, "figure.timeline")
    assert figure.find_elements(By.CSS_SELECTOR, "line.axis") and len(figure.find_elements(By.CSS_SELECTOR, "text.tick.y")) >= 2
    x_labels = [t.get_attribute("textContent") for t in figure.find_elements(By.CSS_SELECTOR, "text.tick.x")]
    assert x_labels and all(label[:2] in ("19", "20") for label in x_labels), x_labels  # dates, readable
    undated = answer["total"] - answer["facets"]["dates"]["dated"]
    caption = figure.find_element(By.TAG_NAME, "figcaption").text
    if undated:
        assert f"{undated:,} of the {answer['total']:,} matches" in caption and "no publication date" in caption
    browser.save_screenshot(str(artifacts / "timeline-council.png"))
    bar = figure.find_element(By.CSS_SELECTOR, "svg a")
    label = bar.get_attribute("aria-label")
    assert " of " in label and "%" in label  # count, total and share of all articles
    browser.get(server + bar.get_dom_attribute("href"))  # an SVG link: its href is the attribute
    narrowed = _query(browser.current_url)
    first, last = narrowed["from"][0], narrowed["to"][0]
    dates = _hit_dates(browser)
    assert dates and all(d and first <= d <= last for d in dates), (first, last, dates)
    assert int(label.split(": ")[1].split(" of ")[0]) == int(browser.find_element(By.CSS_SELECTOR, ".count").text.split()[0])
    _open(browser, f"{server}/?q=council&mode=keyword")
    follow(browser, browser.find_element(By.LINK_TEXT, "Show the share of all articles"))
    ticks = [t.get_attribute("textContent") for t in browser.find_elements(By.CSS_SELECTOR, "figure.timeline text.tick.y")]
    assert ticks and all(t.endswith("%") for t in ticks), ticks
    assert "timeline=ratio" in browser.current_url and browser.find_element(By.LINK_TEXT, "Show counts")


def test_one_dated_match_is_a_bar_not_a_block(server, browser, api):
    hits = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 50}).json()["hits"]
    day = next(h["date"][:10] for h in hits if h.get("date"))
    _open(browser, f"{server}/?q=barrier&mode=keyword&from={day}&to={day}")
    bars = browser.find_elements(By.CSS_SELECTOR, "figure.timeline svg rect")
    svg = browser.find_element(By.CSS_SELECTOR, "figure.timeline svg")
    assert len(bars) == 1 and bars[0].size["width"] < svg.size["width"] / 8


# ---- 3. the results page


def test_sort_by_date_both_ways(server, browser):
    _open(browser, f"{server}/?q=barrier&mode=keyword")
    Select(browser.find_element(By.ID, "sort")).select_by_visible_text("oldest first")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]"))
    assert _query(browser.current_url)["sort"] == ["oldest"]
    dated = [d for d in _hit_dates(browser) if d]
    assert len(dated) >= 2 and dated == sorted(dated)
    Select(browser.find_element(By.ID, "sort")).select_by_visible_text("newest first")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]"))
    dated = [d for d in _hit_dates(browser) if d]
    assert len(dated) >= 2 and dated == sorted(dated, reverse=True)
    assert all(_hit_dates(browser)[: len(dated)])  # undated hits come last


def test_next_page_first_page_permalink_and_export(server, browser, api):
    _open(browser, f"{server}/?q=council&mode=keyword&size=3")
    first = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)")]
    permalink = browser.find_element(By.CSS_SELECTOR, "a[rel=bookmark]").get_attribute("href")
    nxt = browser.find_element(By.CSS_SELECTOR, "a[rel=next]")
    assert nxt.text == "Next 3"
    follow(browser, nxt)
    second = [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)")]
    assert second and not set(first) & set(second)
    assert "cursor" not in browser.find_element(By.CSS_SELECTOR, "a[rel=bookmark]").get_attribute("href")
    follow(browser, browser.find_element(By.LINK_TEXT, "First page"))
    assert [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)")] == first
    _open(browser, permalink)  # the link to this search gives this search
    assert [h.get_attribute("data-id") for h in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)")] == first
    total = api.get("/api/search", params={"q": "council", "mode": "keyword"}).json()["total"]
    for fmt in ("CSV", "JSON lines"):
        href = browser.find_element(By.LINK_TEXT, fmt).get_attribute("href")
        response = httpx.get(href, timeout=60)
        assert response.status_code == 200, response.text[:300]
        rows = [line for line in response.text.splitlines() if line.strip()]
        assert len(rows) == total + (1 if fmt == "CSV" else 0), fmt  # every match, the CSV with its header


def test_filters_combine_as_chips_and_go_one_by_one(server, browser, artifacts):
    _open(browser, f"{server}/?q=barrier&mode=keyword")
    outlets = browser.find_elements(By.XPATH, "//aside[@class='facets']/h2[.='Outlets']/following-sibling::ul[1]//a")
    names = [a.text for a in outlets[:2]]
    assert len(names) == 2, names
    follow(browser, outlets[0])  # the other outlets stay on offer: one kind's values are alternatives
    follow(browser, browser.find_element(By.XPATH, f"//aside[@class='facets']//a[.={json.dumps(names[1])}]"))
    assert sorted(_query(browser.current_url)["outlet"]) == sorted(names)  # values of one kind add up
    follow(browser, browser.find_element(By.XPATH, "//aside[@class='facets']/h2[.='Languages']/following-sibling::ul[1]//a"))
    chips = browser.find_elements(By.CSS_SELECTOR, "ul.chips li")
    assert sorted(c.text.split(":")[0] for c in chips) == ["Language", "Outlet", "Outlet"]
    shown = {h.find_element(By.CSS_SELECTOR, ".meta").text.split(" · ")[0] for h in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member)")}
    assert shown <= set(names), shown
    browser.save_screenshot(str(artifacts / "search-chips.png"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, f"ul.chips a[aria-label='Remove the filter Outlet: {names[0]}']"))
    after = _query(browser.current_url)
    assert after["outlet"] == [names[1]] and "language" in after and after["q"] == ["barrier"]


def test_keyboard_slash_focuses_the_box_and_j_k_move_between_hits(server, browser):
    _open(browser, f"{server}/?q=barrier&mode=keyword")
    titles = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "article.hit:not(.member) h2 a")]
    assert len(titles) >= 2
    body = browser.find_element(By.TAG_NAME, "body")
    browser.execute_script("document.activeElement.blur()")  # the box has the focus on arrival
    body.send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    browser.switch_to.active_element.send_keys("j")
    assert browser.find_element(By.ID, "q").get_attribute("value").endswith("j")  # in the box, a letter is a letter
    browser.execute_script("document.activeElement.blur()")
    body.send_keys("j")
    assert browser.switch_to.active_element.get_attribute("href") == titles[0]
    browser.switch_to.active_element.send_keys("j")
    assert browser.switch_to.active_element.get_attribute("href") == titles[1]
    browser.switch_to.active_element.send_keys("k")
    assert browser.switch_to.active_element.get_attribute("href") == titles[0]


# ---- 6. cleaning details


def test_snippets_start_with_words_and_the_demo_names_its_outlets(server, browser, api, artifacts):
    _open(browser, f"{server}/?q={quote_plus('night-long debate council')}&mode=keyword&collapse=none")
    hit = next(h for h in browser.find_elements(By.CSS_SELECTOR, "article.hit")
               if "night-long debate" in h.find_element(By.TAG_NAME, "h2").text)
    assert hit.find_element(By.CSS_SELECTOR, ".meta").text.startswith("Harbor Gazette · 2025-03-12")
    snippets = [p.text for p in hit.find_elements(By.CSS_SELECTOR, ".snippet")]
    assert snippets and not any("14:05" in t for t in snippets), snippets  # the time stamp line is not text
    browser.save_screenshot(str(artifacts / "search-snippet-no-stamp.png"))
    records = [json.loads(line) for line in api.get("/api/export", params={"format": "jsonl"}).text.splitlines() if line]
    sample = [r for r in records if (r.get("file") or "").startswith("sample_archive/")]
    assert len(sample) >= 25 and all(r.get("outlet") for r in sample), [r["file"] for r in sample if not r.get("outlet")]


# ---- every kind of page, desktop and phone width, and axe-core


def _pages(server: str, api) -> dict[str, str]:
    hits = api.get("/api/search", params={"q": "barrier", "mode": "keyword", "size": 50, "collapse": "story"}).json()["hits"]
    story = next(h for h in hits if h.get("story_articles"))
    quoted = next(b["key"] for b in api.get("/api/search", params={"q": "barrier", "facets": "true"}).json()["facets"]["speaker"])
    return {
        "search": f"{server}/?q=barrier&mode=keyword",
        "search-meaning": f"{server}/?q={quote_plus('how the harbour is protected from storms')}&mode=semantic",
        "reader": f"{server}/articles/{hits[0]['id']}?q=barrier",
        "quotes": f"{server}/people/{urlquote(quoted)}",
        "story": f"{server}/?q=&story={story['story']}&collapse=none&sort=date",
        "error": f"{server}/?q={quote_plus('kirby AND')}&mode=keyword",
        "not-found": f"{server}/articles/no-such-article",
    }


def test_no_page_scrolls_sideways_at_375_px(server, browser, api, artifacts):
    pages = _pages(server, api)
    try:
        for width, height, suffix in (DESKTOP + ("desktop",), PHONE + ("375px",)):
            browser.set_window_size(width, height)
            for name, url in pages.items():
                _open(browser, url)
                wide = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                assert wide <= 1, f"{name} at {width} px scrolls sideways by {wide} px"
                browser.save_screenshot(str(artifacts / f"page-{name}-{suffix}.png"))
    finally:
        browser.set_window_size(*DESKTOP)


def test_axe_finds_no_serious_or_critical_violation(server, browser, api, artifacts):
    assert AXE.is_file(), f"axe-core is not installed at {AXE}: `make axe` (make test does)"
    source = AXE.read_text(encoding="utf-8")
    report, failures = {}, []
    try:
        for width, height, suffix in (DESKTOP + ("desktop",), PHONE + ("375px",)):
            browser.set_window_size(width, height)
            for name, url in _pages(server, api).items():
                _open(browser, url)
                browser.execute_script(source)
                browser.set_script_timeout(60)
                result = browser.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
                assert isinstance(result, list), result
                found = [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
                          "first": v["nodes"][0]["html"][:200] if v["nodes"] else ""} for v in result]
                report[f"{name} ({suffix})"] = found
                failures += [(name, suffix, v["id"], v["first"]) for v in found if v["impact"] in ("serious", "critical")]
    finally:
        browser.set_window_size(*DESKTOP)
    (artifacts / "axe.json").write_text(json.dumps({"axe-core": json.loads(AXE.with_name("package.json").read_text())["version"],
                                                    "checked": str(date.today()), "pages": report}, indent=1))
    assert len(report) == 14 and not failures, failures
