"""The publishing journey in Chromium, with JavaScript and without: a member drafts and
submits a practice, a moderator publishes it, and the public finds it."""

from typing import Any

from tests.browser_checks import sign_in
from tests.conftest import LiveServer
from tests.factories import PASSWORD, new_user


def account(live_server: LiveServer, role: str, organisation: str | None = None) -> str:
    return new_user(live_server.engine, role, organisation, name=f"Journey {role}")


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/login" not in url)


def journey(live_server: LiveServer, page: Any, *, javascript: bool) -> None:
    base = live_server.url
    word = "journeyqx"
    title = f"{'Street football league' if javascript else 'Saturday language café'} {word}"

    sign_in(page, base, account(live_server, "member", "oslo-city-council"), PASSWORD)
    page.get_by_role("link", name="Your practices").click()
    page.get_by_role("link", name="Publish a practice").first.click()
    page.locator("#title").fill(title)
    page.locator("#summary").fill("Mixed teams from two estates play a weekly league.")
    assert page.locator("#place").input_value() == "Oslo"  # the member's own place
    assert page.locator("#place-oslo").is_checked()
    # Save a draft first, and come back to it.
    page.get_by_role("button", name="Save draft").last.click()
    page.wait_for_url("**/edit?*saved=1*")
    assert page.get_by_role("status").inner_text() == "Your changes were saved."

    page.locator("#aim").fill("Build friendships across the two estates.")
    page.locator("#terms-target-group-whole-community").check()
    # The folded sections open without JavaScript: add an outcome, then another row.
    page.get_by_text("Evidence and outcomes").click()
    page.locator("#outcomes-0-text").fill("Eight teams played the first season.")
    page.locator("#outcomes-0-date").fill("2025")
    page.evaluate("window.stillThisPage = true")
    page.get_by_role("button", name="Add another outcome").click()
    page.locator("#outcomes-1-text").wait_for()
    assert page.locator("#outcomes-0-text").input_value() == "Eight teams played the first season."
    assert page.locator("#outcomes-1-text").count() == 1
    if javascript:  # the section alone came again, in place, and the new row has focus
        assert page.evaluate("window.stillThisPage === true")
        assert page.evaluate("document.activeElement.id") == "outcomes-1-text"
    else:  # the page comes back at the new row, not at its top
        assert page.url.endswith("#new-outcome")
        assert page.evaluate("window.scrollY") > 0
    assert page.locator("#new-outcome").is_visible()
    # With a row left blank, "Add another" still adds one.
    page.get_by_role("button", name="Add another outcome").click()
    page.locator("#outcomes-2-text").wait_for()
    assert page.locator("#outcomes-2-text").count() == 1
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert "/my/practices" in page.url, page.locator(".error-summary").all_inner_texts()
    assert "Submitted." in page.get_by_role("status").inner_text()
    assert title in page.get_by_role("table", name="Your organisation's practices").inner_text()
    sign_out(page)

    sign_in(page, base, account(live_server, "moderator"), PASSWORD)
    # Signing in leads to Your practices; the queue is in the account menu.
    account_menu = page.get_by_role("navigation", name="Your account")
    account_menu.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name=title).click()
    assert "Eight teams played the first season." in page.locator("main").inner_text()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "/moderation?" in page.url
    # No longer waiting, and the confirmation names it.
    assert page.get_by_role("status").inner_text() == f"{title} is published."
    assert (
        page.locator("main table").count() == 0
        or title not in page.locator("main table").inner_text()
    )
    sign_out(page)

    page.goto(f"{base}/practices?q={word}")
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title
    assert "Build friendships across the two estates." in page.locator("main").inner_text()
    page.get_by_role("link", name="All revisions").click()
    assert "Journey member" in page.locator("table").inner_text()


def test_publishing_journey_with_javascript(live_server: LiveServer, page: Any) -> None:
    journey(live_server, page, javascript=True)


def test_publishing_journey_without_javascript(
    live_server: LiveServer, page_without_js: Any
) -> None:
    journey(live_server, page_without_js, javascript=False)


def test_the_duplicate_warning_appears_while_typing(live_server: LiveServer, page: Any) -> None:
    sign_in(page, live_server.url, account(live_server, "member", "oslo-city-council"), PASSWORD)
    page.goto(f"{live_server.url}/practices/new?lang=en")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#title").press_sequentially("Oslo Extra Large")
    warning = page.locator("#duplicates .notice")
    warning.wait_for()
    assert "A practice with a very similar title exists at this place" in warning.inner_text()
    assert (
        page.locator("#duplicates a")
        .get_attribute("href")
        .startswith("/practices/oslo-extra-large-oxlo")
    )
