"""Every page template in Chromium, in English and in another language (``samples_in``):
axe-core finds no WCAG 2.2 AA violation, the page is in the language asked for, and links
keep it.

The list of pages is checked against the application's routes, so a page added later
fails here until it is given a sample address, and is then checked like the others.
"""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from app.i18n import LANGUAGES, gettext, set_language
from tests.browser_checks import axe_violations, check_page, gettext_in, sign_in
from tests.conftest import CheckedPages, LiveServer
from tests.factories import PASSWORD, account_request, new_user
from tests.routes import flatten

# Route -> an address that shows it (error pages and empty results included).
SAMPLES: dict[str, list[str]] = {
    "/": ["/"],
    "/practices": [
        "/practices",
        "/practices?q=zzzqqq-nothing",
        "/practices?q=integration",
        "/practices?country=ES&sort=-start",
    ],
    "/practices/{slug}": [
        "/practices/barcelona-anti-rumour-strategy",
        "/practices/no-such-practice",
    ],
    "/practices/{slug}/translate": ["/practices/barcelona-anti-rumour-strategy/translate"],
    "/practices/{slug}/summary": ["/practices/barcelona-anti-rumour-strategy/summary"],
    "/places": ["/places", "/places?country=IT"],
    "/places/{slug}": ["/places/barcelona", "/places/bilbao"],
    "/places/suggest": ["/places/suggest?field=place&place_q=Newport"],
    "/peers": [
        "/peers",
        "/peers?place=hackney",
        "/peers?country=ES&population=300000&foreign_born_share=15&challenges=housing",
        "/peers?population=abc",
        "/peers?place=bilbao&include_empty=true",
    ],
    "/compare": ["/compare?a=spain&b=italy", "/compare", "/compare?a_q=Newport&b=bilbao"],
    "/networks": ["/networks"],
    "/networks/{slug}": ["/networks/amicall"],
    "/vocabularies": ["/vocabularies"],
    "/evidence": ["/evidence"],
    "/insights": ["/insights", "/insights?country=ES&network=no-such-network"],
    "/dilemmas": ["/dilemmas", "/dilemmas?cluster=motivation"],
    "/dilemmas/new": ["/dilemmas/new"],
    "/dilemmas/{dilemma_id}": ["/dilemmas/999999"],
    "/dilemmas/{dilemma_id}/edit": ["/dilemmas/999999/edit"],
    "/data": ["/data"],
    "/developers": ["/developers"],
    "/api/docs": ["/api/docs"],
    "/vocabularies/{code}/translate": ["/vocabularies/goal/translate"],
    "/vocabularies/{code}/terms/new": ["/vocabularies/dilemma/terms/new"],
    "/practices/new": ["/practices/new"],
    "/practices/{slug}/edit": ["/practices/oslo-extra-large-oxlo/edit"],
    "/practices/{slug}/preview": ["/practices/oslo-extra-large-oxlo/preview"],
    "/practices/{slug}/history": ["/practices/barcelona-anti-rumour-strategy/history"],
    "/practices/{slug}/revisions/{number}": [
        "/practices/barcelona-anti-rumour-strategy/revisions/1"
    ],
    "/practices/similar-titles": [
        "/practices/similar-titles?title=Anti+rumour+strategy&place=barcelona"
    ],
    "/my/practices": ["/my/practices"],
    "/my/networks": ["/my/networks"],
    "/moderation": ["/moderation"],
    "/moderation/{slug}": ["/moderation/oslo-extra-large-oxlo"],
    "/moderation/requests": ["/moderation/requests"],
    "/moderation/requests/{request_id}": ["/moderation/requests/1"],  # see ``moderator``
    "/moderation/places": ["/moderation/places"],
    "/moderation/follow-ups": ["/moderation/follow-ups"],
    "/admin/users": ["/admin/users"],
    "/admin/audit": ["/admin/audit"],
    "/admin/api-keys": ["/admin/api-keys"],
    "/password/forgot": ["/password/forgot"],
    "/password/reset": ["/password/reset?token=expired"],
    "/login": ["/login"],
    "/reminders/unsubscribe": ["/reminders/unsubscribe?token=not-a-token"],
    "/account/request": ["/account/request"],
    "/account/request/sent": ["/account/request/sent"],
    "/embed/practices": [
        "/embed/practices?network=inclusive-cities",
        "/embed/practices?network=amicall",  # no practices
        "/embed/practices?network=no-such-network",  # 422
    ],
}
# Pages shown inside other sites' frames: no site chrome (navigation, language switcher),
# so they are checked for what applies to them (``check_embedded``).
EMBEDDED = ("/embed/",)
SAMPLES_WITHOUT_ROUTE = ["/practices?country=XX"]  # 422 page for an invalid filter


def page_routes() -> set[str]:
    """Paths of the HTML pages the application serves (GET routes of ``app.web`` that
    answer HTML; feeds are XML)."""
    from fastapi.responses import HTMLResponse

    from app.web import web_router

    return {
        path
        for path, route in flatten(web_router.routes)
        if "GET" in route.methods
        and getattr(route.response_class, "media_type", "text/html") == HTMLResponse.media_type
    }


def check_embedded(page: Any, language: str, *, axe: bool) -> None:
    """The widget speaks the language asked for, every link keeps it and opens a new tab
    (not inside the partner's frame), there is one heading in ``main``, and axe finds no
    violation."""
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("main h1").count() == 1
    if page.locator(".badge.evidence").count():
        title = page.locator(".badge.evidence").first.get_attribute("title")
        assert title == gettext_in(language, "Evidence level"), page.url
    else:
        heading = page.locator("main h1").inner_text()
        assert heading in (
            gettext_in(language, "Some of the filters are not valid"),
            "Attitudes to Migrants, Communication and Local Leadership (AMICALL)",
        ), page.url
    links = page.locator("a").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.target, a.rel])"
    )
    assert links, page.url
    for href, target, rel in links:
        assert href.startswith("http"), href
        assert parse_qs(urlsplit(href).query).get("lang") == [language], href
        assert (target, rel) == ("_blank", "noopener"), href
    violations = axe_violations(page) if axe else []
    assert not violations, f"{page.url}: {violations}"


def test_every_page_has_a_sample_address() -> None:
    assert page_routes() == set(SAMPLES), "give new pages a sample address in SAMPLES"


@pytest.fixture
def moderator(live_server: LiveServer) -> str:
    """An administrator, who sees every page; their e-mail address. A request for an
    account (number 1) waits for them."""
    account_request(live_server.engine)
    return new_user(live_server.engine, "admin")


# Pages checked for their language in every language, and with axe in English and in
# German, whose long compound words are the hardest on labels and layout. Every other page
# is checked with axe in English and for its language in one other language, in turn (the
# markup is the same in each; that every message is translated is test_i18n's to check):
# a page load with axe costs about a second.
MAIN_PAGES = {"/", "/practices", "/practices/{slug}", "/places/{slug}", "/vocabularies"}
AXE_LANGUAGES = {"en", "de"}
OTHER_LANGUAGES = [language for language in LANGUAGES if language != "en"]


def samples_in(language: str) -> list[tuple[str, str]]:
    """(route, address) of the samples checked in ``language``."""
    every = [(route, url) for route, urls in SAMPLES.items() for url in urls]
    every += [("", url) for url in SAMPLES_WITHOUT_ROUTE]
    if language == "en":
        return every
    turn = OTHER_LANGUAGES.index(language)
    return [
        (route, url)
        for i, (route, url) in enumerate(every)
        if route in MAIN_PAGES or i % len(OTHER_LANGUAGES) == turn
    ]


PHONE = {"width": 320, "height": 640}
# The page's width, and the first element (in document order: the outermost) that reaches
# past the screen's right edge without being inside a box that scrolls or clips it.
STICKING_OUT = """() => {
  const limit = window.innerWidth;
  const boxed = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const classes = (e) => (typeof e.className === "string" ? e.className.trim() : "");
  const name = (e) => e.localName + (e.id ? "#" + e.id : "")
    + (classes(e) ? "." + classes(e).split(/ +/).join(".") : "");
  const out = [...document.body.querySelectorAll("*")].find((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > limit + 1 && !boxed(e);
  });
  return [document.documentElement.scrollWidth, out ? name(out) : ""];
}"""
DESKTOP = {"width": 1280, "height": 720}


def wider_than_a_phone(page: Any, path: str) -> list[str]:
    """``path`` with what sticks out past the right edge of a 320 px screen (the page's own
    width then, and the widest element that is not inside a box that scrolls), if any."""
    page.set_viewport_size(PHONE)
    try:
        width, widest = page.evaluate(STICKING_OUT)
    finally:
        page.set_viewport_size(DESKTOP)
    return [f"{path}: {width} px, {widest}"] if width > PHONE["width"] else []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_passes_axe_and_speaks_the_language(
    live_server: LiveServer, pages: CheckedPages, moderator: str, language: str
) -> None:
    page = pages.new_page(locale="en-GB")
    sign_in(page, live_server.url, moderator, PASSWORD)
    set_language(language)
    practices_label = gettext("Practices")
    set_language("en")
    if language != "en":
        assert practices_label != "Practices", f"{language}: the catalogue is not translated"
    too_wide = []
    for route, path in samples_in(language):
        separator = "&" if "?" in path else "?"
        page.goto(f"{live_server.url}{path}{separator}lang={language}")
        assert page.evaluate("document.documentElement.lang") == language
        if path.startswith(EMBEDDED):
            check_embedded(page, language, axe=language == "en")
            pages.checked.add(page.url)
            continue
        nav = page.get_by_role("navigation", name=gettext_in(language, "Main"))
        assert practices_label in nav.inner_text(), f"{path}: navigation not in {language}"
        pages.check(
            page, axe=language == "en" or (route in MAIN_PAGES and language in AXE_LANGUAGES)
        )
        too_wide += wider_than_a_phone(page, path)
    assert not too_wide, f"wider than a 320 px screen in {language}:\n" + "\n".join(too_wide)


def test_forms_with_errors_pass_axe(
    live_server: LiveServer, pages: CheckedPages, page: Any, moderator: str
) -> None:
    page.goto(f"{live_server.url}/login?lang=de")
    page.locator("#email").fill(moderator)
    page.locator("#password").fill("wrong password")
    page.locator("form.form button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert gettext_in("de", "The e-mail address or the password is wrong.") in summary.inner_text()
    assert page.locator("#email").get_attribute("aria-invalid") == "true"
    pages.check(page)
    sign_in(page, live_server.url, moderator, PASSWORD)
    page.goto(f"{live_server.url}/practices/barcelona-anti-rumour-strategy/translate?lang=en&to=nl")
    page.locator("#title").fill("")
    page.locator("form.form button[type=submit]").click()
    assert page.locator("#title-error").inner_text().endswith("This field is required.")
    pages.check(page)
    # The practice form, submitted half-done.
    page.goto(f"{live_server.url}/practices/new?lang=en")
    page.locator("#title").fill("A test")
    page.locator("#place").fill("Newport")  # a name several places go by
    page.get_by_role("button", name="Submit for review").click()
    assert "places are called" in page.locator("#place-error").inner_text()
    assert page.locator("#place-choices input[type=radio]").count() >= 3
    assert page.locator("#summary-error").is_visible()
    assert page.locator("#terms-target-group-error").is_visible()
    pages.check(page)


def test_the_checker_catches_a_violation(live_server: LiveServer, page: Any) -> None:
    """The shared check is not a rubber stamp: an image without text fails it."""
    page.goto(f"{live_server.url}/?lang=en")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    with pytest.raises(AssertionError, match="image-alt"):
        check_page(page)
    page.evaluate("document.querySelector('main img[src=x]').remove()")
