"""Driving the real browser: a click that leaves the page returns before the next one has loaded."""
from __future__ import annotations

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait


def follow(browser, element) -> None:
    """Click a link or button and wait for the next page; it must not be a server error. The page
    that was left is marked in its window object, which the next page does not have: asking the old
    page's elements whether they went stale can itself fail while the browser swaps documents
    (chromedriver: "Node with given id does not belong to the document")."""
    browser.execute_script("window.__morgueLeft = true")
    element.click()
    WebDriverWait(browser, 60, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script("return window.__morgueLeft !== true && document.readyState === 'complete'"))
    assert "Internal Server Error" not in browser.page_source
