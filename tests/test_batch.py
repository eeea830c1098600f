"""Batch search (POST /api/batch, /batch) and the watch pages, on the session archive: rows agree with
the keyword search they stand for, a bad term fails only its row, limits are named; in headless
Chromium, "Watch this search" saves a watch that the watches page lists, and the batch page gives a
CSV file."""
from __future__ import annotations

import csv
import io
import json
import tempfile
import time
from pathlib import Path

from browsing import follow
from selenium.webdriver.common.by import By


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def test_rows_agree_with_search_and_bad_terms_fail_alone(api):
    terms = ["broken beyond repair", "Ada Quill", "", "!!!", "zzqx nonexistent phrase", "budget"]
    rows = rows_of(api.post("/api/batch", json={"terms": terms}))
    assert [r["term"] for r in rows] == terms
    by = {r["term"]: r for r in rows}
    for term in ("broken beyond repair", "Ada Quill", "budget"):
        found = api.get("/api/search", params={"q": f'"{term}"', "mode": "keyword", "size": 1}).json()["total"]
        assert by[term]["count"] == found > 0, term
        assert by[term]["total"] == api.get("/api/search", params={"mode": "keyword", "size": 1}).json()["total"]
        assert 0 < by[term]["ratio"] <= 1 and by[term]["first_seen"] <= by[term]["last_seen"]
    assert {"key": "Hostile Herald", "count": 1} in by["Ada Quill"]["top_outlets"]
    assert [s["key"] for s in by["broken beyond repair"]["top_speakers"]] == ["Ada Quill"]  # who said it
    assert by[""]["error"] and by["!!!"]["error"] and by[""]["count"] is None
    assert by["zzqx nonexistent phrase"]["count"] == 0 and by["zzqx nonexistent phrase"]["error"] is None


def test_filters_csv_and_upload(api):
    filtered = rows_of(api.post("/api/batch", json={"terms": ["budget"], "filters": {"outlet": "Hostile Herald"}}))
    assert filtered[0]["total"] == 1 and filtered[0]["count"] == 1
    as_csv = api.post("/api/batch", json={"terms": ["budget", "Ada Quill"], "format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["term"] for r in table] == ["budget", "Ada Quill"] and int(table[1]["count"]) >= 1
    uploaded = api.post("/api/batch", files={"file": ("names.csv", b"name\nAda Quill\nbudget\n", "text/csv")},
                        data={"format": "jsonl"})
    assert [r["term"] for r in rows_of(uploaded)] == ["Ada Quill", "budget"]
    plain = api.post("/api/batch", content=b"Ada Quill\nbudget\n", headers={"Content-Type": "text/csv"})
    assert [r["term"] for r in rows_of(plain)] == ["Ada Quill", "budget"]


def test_limits_and_mistakes_are_400s_that_say_why(api):
    too_many = api.post("/api/batch", json={"terms": ["x"] * 10_001})
    assert too_many.status_code == 400 and "10,000" in too_many.json()["error"]["message"]
    assert too_many.json()["error"]["detail"]["max_terms"] == 10_000
    for body in ({"terms": "Kirby"}, {"terms": []}, {"names": ["x"]}, {"terms": ["x"], "filters": {"q": "y"}},
                 {"terms": ["x"], "filters": {"from": "yesterday"}}, {"terms": ["x"], "format": "xml"}):
        response = api.post("/api/batch", json=body)
        assert response.status_code == 400 and response.json()["error"]["message"], body
    assert api.post("/api/batch", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert api.post("/api/batch", content=b"<x/>", headers={"Content-Type": "application/xml"}).status_code == 400


def test_watch_this_search_and_the_batch_page_in_the_browser(server, browser, artifacts):
    browser.get(f"{server}/?q=budget&mode=keyword")
    name = browser.find_element(By.ID, "watch-name")
    name.clear()
    name.send_keys("Budget <rows> & leaks")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".watch-this button"))
    assert browser.current_url.startswith(f"{server}/watches")
    row = browser.find_element(By.CSS_SELECTOR, ".watches tbody tr")
    assert row.find_element(By.CSS_SELECTOR, "td a").text == "Budget <rows> & leaks"  # escaped, shown as typed
    assert row.find_element(By.CSS_SELECTOR, "code").text == "budget"
    browser.save_screenshot(str(artifacts / "watches.png"))
    follow(browser, row.find_element(By.CSS_SELECTOR, "td a"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Budget <rows> & leaks"
    browser.get(f"{server}/watches")
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".watches tbody tr button"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".watches tbody tr")

    downloads = Path(tempfile.mkdtemp(prefix="morgue-batch-download-"))
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(f"{server}/batch")
    browser.save_screenshot(str(artifacts / "batch.png"))
    browser.find_element(By.ID, "terms").send_keys("Ada Quill\nbudget\n")
    browser.find_element(By.CSS_SELECTOR, ".batch button").click()
    deadline = time.monotonic() + 30
    while not list(downloads.glob("*.csv")):
        assert time.monotonic() < deadline, "no CSV was downloaded"
        time.sleep(0.2)
    time.sleep(0.5)
    table = list(csv.DictReader(io.StringIO(next(downloads.glob("*.csv")).read_text())))
    assert [r["term"] for r in table] == ["Ada Quill", "budget"] and int(table[0]["count"]) >= 1
