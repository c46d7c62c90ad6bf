"""/peers and /compare in headless Chromium: after "Find peers" the results heading has the
focus (with htmx) or comes first (without JavaScript), and "Why this place" fits a phone."""

from typing import Any

from tests.conftest import CheckedPages, LiveServer

PHONE = {"width": 375, "height": 800}


def test_find_peers_moves_focus_to_the_results_heading(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/peers?lang=en")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__no_reload = true")
    page.get_by_label("Name of your place").fill("Hackney")
    page.get_by_role("button", name="Find peers").first.click()
    page.wait_for_url("**/peers?*Hackney*")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'results-h'"
    )
    assert page.evaluate("window.__no_reload") is True  # swapped in place by htmx
    assert page.evaluate("document.activeElement.innerText") == "Places like Hackney"
    assert page.title().startswith("Places like Hackney")
    # The folded question says what was asked; opening it offers the form again.
    page.locator("details.asked > summary").click()
    assert page.get_by_label("Name of your place").input_value() == "Hackney"


def test_a_described_place_with_a_bad_population_focuses_the_error(
    live_server: LiveServer, page: Any
) -> None:
    page.goto(f"{live_server.url}/peers?lang=en")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_text("Or describe your place").click()
    page.get_by_label("Population", exact=True).fill("346.000")
    page.get_by_role("button", name="Find peers").nth(1).click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'error-summary'"
    )
    assert "without a decimal mark" in page.locator("#population-error").inner_text()


def test_without_javascript_the_results_come_first(
    live_server: LiveServer, pages: CheckedPages
) -> None:
    page = pages.new_page(locale="en-GB", java_script_enabled=False, viewport=PHONE)
    page.goto(f"{live_server.url}/peers?lang=en")
    page.get_by_label("Name of your place").fill("Hackney")
    page.get_by_role("button", name="Find peers").first.click()
    page.wait_for_url("**/peers?*Hackney*")
    heading = page.locator("#results-h").bounding_box()
    asked = page.locator("details.asked > summary").bounding_box()
    assert heading is not None and asked is not None
    assert heading["y"] < PHONE["height"] / 2  # on a phone, in the first half of the screen
    assert asked["y"] < heading["y"]  # one line saying what was asked, then the results
    assert not page.locator("form.peer-form").first.is_visible()  # folded into that line


def test_why_this_place_fits_a_phone(live_server: LiveServer, pages: CheckedPages) -> None:
    page = pages.new_page(locale="en-GB", viewport=PHONE)
    page.goto(
        f"{live_server.url}/peers?lang=en&country=ES&population=346000&foreign_born_share=10.5"
        "&urban_rural=urban&challenges=negative-messaging&challenges=anti-discrimination"
    )
    for summary in page.locator("details.why > summary").all():
        summary.click()
    assert page.locator("table.factors").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    compare = pages.new_page(locale="en-GB", viewport=PHONE)
    compare.goto(f"{live_server.url}/compare?lang=en&a=bilbao&b=malmo")
    assert compare.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
