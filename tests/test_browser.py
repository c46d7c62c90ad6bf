"""End to end in headless Chromium: the practice list with and without JavaScript."""

from typing import Any

from tests.conftest import LiveServer


def test_filtering_by_country_updates_the_list_in_place(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/practices")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.__no_reload = true")
    total_before = page.locator("#result-count").inner_text()
    page.get_by_label("Spain").first.check()
    page.wait_for_url("**/practices?*country=ES*")
    page.wait_for_function(
        f"document.querySelector('#result-count').innerText !== {total_before!r}"
    )
    assert page.evaluate("window.__no_reload") is True  # no full page load happened
    places = page.locator(".practice-card .meta").all_inner_texts()
    assert places and all("Spain" in text for text in places)
    assert "Country: Spain" in page.locator(".active-filters").inner_text()
    # The checkbox keeps focus after the swap, for keyboard users.
    assert page.evaluate("document.activeElement.id") == "f-country-ES"


def test_filtering_works_with_javascript_disabled(
    live_server: LiveServer, page_without_js: Any
) -> None:
    page = page_without_js
    page.goto(f"{live_server.url}/practices")
    page.get_by_label("Spain").first.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/practices?*country=ES*")
    places = page.locator(".practice-card .meta").all_inner_texts()
    assert places and all("Spain" in text for text in places)
    next_link = page.get_by_role("link", name="Next page")
    if next_link.count():
        next_link.click()
        assert "cursor=" in page.url
        assert all("Spain" in t for t in page.locator(".practice-card .meta").all_inner_texts())


def test_search_from_the_home_page_finds_a_named_case(live_server: LiveServer, page: Any) -> None:
    page.goto(live_server.url)
    page.get_by_label("Search practices").fill("Karakia")
    page.get_by_label("Search practices").press("Enter")
    page.get_by_role("link", name="'Karakia' cooking programme").click()
    assert page.locator("h1").inner_text() == "'Karakia' cooking programme"
