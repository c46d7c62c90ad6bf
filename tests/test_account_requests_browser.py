"""Asking for an account in Chromium, with JavaScript and without: an officer from Bilbao
finds the form from the sign-in page, picks the place, sends the request; a moderator
approves it; the password e-mail arrives, and its link lets the officer in."""

import re
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from app.config import get_settings
from tests.browser_checks import sign_in
from tests.conftest import LiveServer
from tests.factories import PASSWORD, new_user


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("INTERLOCAL_MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.delenv("INTERLOCAL_MAIL_DIR", raising=False)
    get_settings.cache_clear()


def password_link(mail_dir: Path, email: str) -> str:
    """The link of the e-mail that says the account is ready."""
    for path in mail_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if message["To"] == email and message["Subject"] == "Your Interlocal account is ready":
            text = message.get_body().get_content()  # type: ignore[union-attr]
            match = re.search(r"https?://\S+/password/reset\?token=[\w-]+\S*", text)
            assert match, text
            return match.group(0)
    raise AssertionError(f"no password e-mail to {email}")


def fill_in_who(page: Any, email: str) -> None:
    page.locator("#name").fill("Ane Etxeberria")
    page.locator("#job_title").fill("Communications officer")
    page.locator("#email").fill(email)
    page.locator("#organisation_name").fill("Bilbao City Council")
    page.locator("#message").fill("We would like to share our anti-rumour work.")


def approve_and_join(live_server: LiveServer, page: Any, mail_dir: Path, email: str) -> None:
    """A moderator approves the request in the browser; the officer sets a password from
    the e-mail and signs in."""
    base = live_server.url
    sign_in(page, base, new_user(live_server.engine, "moderator"), PASSWORD)
    # Signing in leads to Your practices; the queue is in the account menu.
    account_menu = page.get_by_role("navigation", name="Your account")
    account_menu.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Account requests").click()
    page.get_by_role("link", name="Ane Etxeberria").click()
    main = page.locator("main").inner_text()
    assert "Bilbao City Council" in main and "anti-rumour work" in main
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/moderation/requests?*")
    assert "Approved" in page.get_by_role("status").inner_text()
    assert "No request is waiting." in page.locator("main").inner_text()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/login" not in url)

    link = password_link(mail_dir, email)
    page.goto(link)
    page.locator("#password").fill("a bilbao passphrase")
    page.locator("#confirm").fill("a bilbao passphrase")
    page.get_by_role("button", name="Save the password").click()
    page.wait_for_url("**/login?*reset=1*")
    sign_in(page, base, email, "a bilbao passphrase")
    assert page.get_by_role("link", name="Your practices").is_visible()


def test_asking_for_an_account_with_javascript(
    live_server: LiveServer, page: Any, mail_dir: Path
) -> None:
    email = "ane.js@bilbao.example.eus"
    page.goto(f"{live_server.url}/login?lang=en")
    page.get_by_role("link", name="Ask for an account for your authority").click()
    page.wait_for_function("() => window.htmx !== undefined")
    fill_in_who(page, email)
    page.locator("#place").press_sequentially("Bilb")
    page.locator("#place-bilbao").wait_for()  # the suggestions arrived as it was typed
    page.locator("label[for=place-bilbao]").click()
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/account/request/sent*")
    assert page.locator("h1").inner_text() == "Thank you: we will write to you"
    approve_and_join(live_server, page, mail_dir, email)


def test_asking_for_an_account_without_javascript(
    live_server: LiveServer, page_without_js: Any, mail_dir: Path
) -> None:
    page = page_without_js
    email = "ane.nojs@bilbao.example.eus"
    page.goto(f"{live_server.url}/login?lang=en")
    page.get_by_role("link", name="Ask for an account for your authority").click()
    fill_in_who(page, email)
    page.locator("#place").fill("Bilb")
    page.get_by_role("button", name="Find the place").click()
    page.wait_for_load_state()
    # The form came back with the places called so, and what was typed.
    assert page.locator("#name").input_value() == "Ane Etxeberria"
    page.locator("label[for=place-bilbao]").click()
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/account/request/sent*")
    assert page.locator("h1").inner_text() == "Thank you: we will write to you"
    approve_and_join(live_server, page, mail_dir, email)


def test_an_ambiguous_place_brings_the_form_back_without_javascript(
    live_server: LiveServer, page_without_js: Any
) -> None:
    page = page_without_js
    page.goto(f"{live_server.url}/account/request?lang=en")
    fill_in_who(page, "ane.kirchberg@example.org")
    page.locator("#place").fill("Kirchberg")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert "places are called 'Kirchberg'" in page.locator("#place-error").inner_text()
    assert page.locator("#place").get_attribute("aria-invalid") == "true"
    assert page.locator("input[name=place][type=radio]").count() > 1


def test_the_form_with_errors_passes_axe(live_server: LiveServer, pages: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/account/request?lang=de")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#name").fill("Ane Etxeberria")
    page.locator("#email").fill("not an address")
    page.locator("#place").fill("Kirchberg")
    page.locator("form.form button[type=submit]").last.click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary").inner_text()
    assert "Kirchberg" in summary and "not an address" in summary
    assert page.locator("#job_title").get_attribute("aria-invalid") == "true"
    pages.check(page)
