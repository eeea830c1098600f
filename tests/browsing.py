"""Driving the real browser: a click that leaves the page returns before the next one has loaded."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait


def follow(browser, element) -> None:
    """Click a link or button and wait for the next page; it must not be a server error."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 60).until(staleness_of(old))
    assert "Internal Server Error" not in browser.page_source
