"""End to end in headless Chromium: the practice list with and without JavaScript."""

from typing import Any

from tests.browser_checks import gettext_in
from tests.conftest import LiveServer


def test_filtering_by_country_updates_the_list_in_place(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/practices")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__no_reload = true")
    total_before = page.locator("#result-count").inner_text()
    page.get_by_label("Spain").first.check()
    page.wait_for_url("**/practices?*country=ES*")
    page.wait_for_function(
        f"() => document.querySelector('#result-count').innerText !== {total_before!r}"
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


def test_search_filters_and_pages_by_keyboard_alone(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/practices?lang=en")
    page.wait_for_function("() => window.htmx !== undefined")

    def focused() -> dict[str, str]:
        return dict(
            page.evaluate(
                "({id: document.activeElement.id, text: document.activeElement.innerText || ''})"
            )
        )

    def tab_to(predicate: Any, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if predicate(focused()):
                return
        raise AssertionError(f"Tab never reached the element; last was {focused()}")

    page.keyboard.press("Tab")
    assert focused()["text"] == "Skip to content"  # the skip link comes first
    page.keyboard.press("Enter")
    assert focused()["id"] == "main"

    count = page.locator("#result-count")
    before = count.inner_text()
    tab_to(lambda f: f["id"] == "q")
    page.keyboard.type("festival")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelector('#result-count').innerText !== {before!r}"
    )
    assert count.get_attribute("role") == "status"  # announced by screen readers
    assert "q=festival" in page.url
    # Typing also triggers a debounced search (400 ms); let it land before moving on.
    page.wait_for_timeout(600)
    page.wait_for_function("() => document.querySelector('.htmx-request') === null")

    tab_to(lambda f: f["id"].startswith("f-country-"))
    box = focused()["id"]
    page.keyboard.press("Space")
    page.wait_for_url("**country=**")
    page.wait_for_function("() => document.querySelector('#catalogue.htmx-request') === null")
    assert focused()["id"] == box  # focus stays on the checkbox after the update
    assert page.locator(f"#{box}").is_checked()

    page.goto(f"{live_server.url}/practices?lang=en")
    page.wait_for_function("() => window.htmx !== undefined")
    first_title = page.locator(".practice-card .card-title").first.inner_text()
    page.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**cursor=**")
    page.wait_for_function(
        f"() => document.querySelector('.practice-card .card-title').innerText !== {first_title!r}"
    )
    # The link that was pressed is gone; focus moves to the top of the new results.
    assert focused()["id"] == "results-heading"


def test_language_is_chosen_switched_and_remembered(live_server: LiveServer, pages: Any) -> None:
    page = pages.new_page(locale="de-DE")  # the browser sends Accept-Language: de-DE
    page.goto(f"{live_server.url}/practices")
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == gettext_in("de", "Practices")
    page.get_by_role("link", name="Español").click()
    page.wait_for_url("**lang=es**")
    assert page.evaluate("document.documentElement.lang") == "es"
    # Remembered: an address without ?lang= now opens in Spanish.
    page.goto(f"{live_server.url}/places")
    assert page.evaluate("document.documentElement.lang") == "es"
    # And every link on it carries the language (checked by the shared page checks).
    link = page.locator(".site-header .nav a").first.get_attribute("href")
    assert link is not None and "lang=es" in link


def test_htmx_falls_back_to_our_copy_when_its_cdn_cannot_be_reached(
    live_server: LiveServer, page: Any, monkeypatch: Any
) -> None:
    """An offline host with the default settings: the CDN's htmx fails to load, our own
    copy is loaded instead, and a filter still updates the list in place."""
    from app.config import get_settings

    monkeypatch.delenv("INTERLOCAL_HTMX_URL")  # the default: the CDN
    get_settings.cache_clear()
    cdn = get_settings().htmx_url
    assert cdn.startswith("https://")
    refused: list[str] = []
    page.route(cdn, lambda route: (refused.append(route.request.url), route.abort()))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/practices")
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("window.__no_reload = true")
        page.get_by_label("Spain").first.check()
        page.wait_for_url("**/practices?*country=ES*")
        page.wait_for_function("() => document.querySelector('.active-filters') !== null")
        assert page.evaluate("window.__no_reload") is True
    finally:
        monkeypatch.undo()  # the suite's own copy again, before the pages are checked
        get_settings.cache_clear()
    assert refused == [cdn]
    # Only the CDN's failure is reported: the policy allows the fallback and our copy.
    assert not [e for e in errors if "Content Security Policy" in e]


def test_on_a_phone_the_results_come_first_and_the_filters_fold(
    live_server: LiveServer, pages: Any
) -> None:
    """At 375 px the filters are one "Filters (n chosen)" control above the results, which
    start on the first screen; opened, the filters work in place and stay open."""
    page = pages.new_page(locale="en-GB", viewport={"width": 375, "height": 812})
    page.goto(f"{live_server.url}/practices?country=ES")
    page.wait_for_function("() => window.htmx !== undefined")
    results = page.locator(".results").bounding_box()
    assert results is not None and results["y"] < 812
    fold = page.locator("#filters-panel > summary")
    assert fold.inner_text() == "Filters (1 chosen)"
    assert not page.get_by_label("Italy").first.is_visible()
    fold.click()
    page.evaluate("window.__no_reload = true")
    page.get_by_label("Italy").first.check()
    page.wait_for_url("**/practices?*country=IT*")
    page.wait_for_function(
        "() => document.querySelector('#filters-panel > summary')"
        ".innerText === 'Filters (2 chosen)'"
    )
    assert page.evaluate("document.getElementById('filters-panel').open") is True
    assert page.evaluate("window.__no_reload") is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_on_a_phone_the_filters_fold_without_javascript(
    live_server: LiveServer, page_without_js: Any
) -> None:
    page = page_without_js
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/practices")
    page.locator("#filters-panel > summary").click()
    page.get_by_label("Spain").first.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/practices?*country=ES*")
    assert page.locator("#filters-panel > summary").inner_text() == "Filters (1 chosen)"
    assert all("Spain" in t for t in page.locator(".practice-card .meta").all_inner_texts())
