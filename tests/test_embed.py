"""The widget partners embed (/embed/practices): the latest public practices of a network or
of any filter set of the list, its errors, who may frame it, and the snippet of the network
pages working on another site in a real browser. Runs on SQLite and PostgreSQL."""

import html
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.models.practices import Practice
from app.web.framing import FramingMiddleware
from tests.browser_checks import axe_violations
from tests.browser_checks import sign_in as sign_in_browser
from tests.conftest import LiveServer
from tests.factories import PASSWORD, new_user, practice_in, published_practice, sign_in

NETWORK = "inclusive-cities"  # 27 practices in the seed, led by British cities
OTHER_NETWORK = "city-of-sanctuary"
LEAD = "birmingham-city-council"  # Birmingham is in Inclusive Cities
INSIDER = "glasgow-city-council"  # a member of Inclusive Cities too
SITE = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"


# --- Reading the widget ------------------------------------------------------------------


def items(document: str) -> list[dict[str, str]]:
    """The practices a widget shows: link, its target and rel, title, place line, badge."""
    found = []
    for block in document.split('<li class="practice">')[1:]:
        block = block.split("</li>", 1)[0]
        link = re.search(r'<a class="title" href="([^"]+)" target="([^"]*)" rel="([^"]*)">', block)
        assert link, block
        title = re.search(
            r'<a class="title"[^>]*>(?:<span lang="\w+">)?(.*?)(?:</span>)?<span', block
        )
        meta = re.search(r'<p class="meta">(.*?)</p>', block, re.S)
        badge = re.search(r'class="badge evidence[^"]*"[^>]*>(.*?)</span>\s*$', block, re.S)
        assert title and meta and badge, block
        found.append(
            {
                "href": html.unescape(link.group(1)),
                "target": link.group(2),
                "rel": link.group(3),
                "slug": urlsplit(html.unescape(link.group(1))).path.rsplit("/", 1)[1],
                "title": html.unescape(title.group(1)),
                "meta": html.unescape(meta.group(1)),
                "badge": html.unescape(re.sub(r"<[^>]+>", "", badge.group(1))).strip(),
            }
        )
    return found


def more_link(document: str) -> str:
    match = re.search(
        r'<p class="more"><a href="([^"]+)" target="_blank" rel="noopener">', document
    )
    assert match, document
    return html.unescape(match.group(1))


def widget(client: TestClient, **params: str) -> list[dict[str, str]]:
    response = client.get("/embed/practices", params={"lang": "en", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return items(response.text)


def _moment(value: datetime) -> datetime:
    """Naive UTC (SQLite) and aware (PostgreSQL) timestamps on one scale."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def newest_first(client: TestClient, engine: Engine, limit: int, **params: str) -> list[str]:
    """What the widget should show, worked out without it: the public practices the JSON
    API lists for ``params``, ordered by publication (for the seed, its report's) in SQL."""
    listed = client.get("/api/v1/practices", params={**params, "limit": "200", "lang": "en"})
    assert listed.status_code == 200, listed.text
    slugs = [p["slug"] for p in listed.json()["items"]]
    assert listed.json()["total"] == len(slugs)
    with Session(engine) as session:
        rows = session.exec(select(Practice).where(col(Practice.slug).in_(slugs))).all()
    # A practice from a report without a date has no publication date: it comes last.
    undated = datetime.min
    rows = sorted(
        rows,
        key=lambda p: (_moment(p.published_at) if p.published_at else undated, p.id),
        reverse=True,
    )
    return [p.slug for p in rows][:limit]


def feed_slugs(client: TestClient, **params: str) -> list[str]:
    response = client.get("/practices.atom", params=params)
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    return [(entry.findtext(f"{ATOM}id") or "").rsplit("/", 1)[1] for entry in entries]


# --- Practices made for the tests --------------------------------------------------------


def new_practice(
    engine: Engine, title: str, *, visibility: Literal["public", "network"] = "public"
) -> str:
    """A practice of Birmingham's, published now; its slug."""
    data = practice_in(
        title=title,
        summary=f"{title}: what was done and learnt.",
        place="birmingham",
        visibility=visibility,
        start_year=2021,
        terms={
            "target-group": ["whole-community"],
            "goal": ["informing-communities"],
            "evidence-level": ["outputs"],
        },
    )
    return published_practice(engine, data, LEAD)


# --- Over HTTP ---------------------------------------------------------------------------


def test_the_widget_shows_a_networks_latest_public_practices_newest_first(
    client: TestClient, engine: Engine
) -> None:
    client.cookies.clear()
    response = client.get("/embed/practices", params={"network": NETWORK, "lang": "en"})
    assert response.status_code == 200
    document = response.text
    # Its own small document: no site header, navigation, footer or script.
    assert '<html lang="en">' in document
    assert "<title>Inclusive Cities · Interlocal</title>" in document
    assert re.findall(r"<h1>(.*?)</h1>", document) == ["Inclusive Cities"]
    assert "<main" in document
    for chrome in ("<header", "<nav", "<footer", "<script", "<form"):
        assert chrome not in document, chrome

    shown = items(document)
    expected = newest_first(client, engine, 5, network=NETWORK)
    assert len(expected) == 5  # the network has more than the default five
    assert [p["slug"] for p in shown] == expected
    assert [p["slug"] for p in shown] == feed_slugs(client, network=NETWORK)[:5]

    for item in shown:
        detail = client.get(f"/api/v1/practices/{item['slug']}", params={"lang": "en"}).json()
        assert item["href"] == f"{SITE}/practices/{item['slug']}?lang=en"
        assert (item["target"], item["rel"]) == ("_blank", "noopener")
        assert item["title"] == detail["title"]
        assert item["meta"].startswith(f"{detail['place']['name']}, United Kingdom")
        if detail["start_year"]:
            assert f"since {detail['start_year']}" in item["meta"]
        else:
            assert "since" not in item["meta"]
        evidence = detail["evidence_level"]
        assert item["badge"] == (
            f"Evidence: {evidence['label']}" if evidence else "Evidence: No evidence recorded"
        )
    assert more_link(document) == f"{SITE}/practices?network={NETWORK}&lang=en"


@pytest.mark.writes
def test_a_new_practice_of_the_network_comes_first_with_its_year_and_badge(
    client: TestClient, engine: Engine
) -> None:
    before = [p["slug"] for p in widget(client, network=NETWORK)]
    title = "Welcome walks"
    slug = new_practice(engine, title)
    after = widget(client, network=NETWORK)
    assert [p["slug"] for p in after] == [slug, *before[:4]]
    assert after[0]["title"] == title
    assert after[0]["meta"] == "Birmingham, United Kingdom · since 2021"
    assert after[0]["badge"] == "Evidence: Outputs monitored"
    assert slug not in {p["slug"] for p in widget(client, network=OTHER_NETWORK, limit="20")}


@pytest.mark.parametrize(
    "params",
    [
        {"network": NETWORK, "evidence_level": "described"},
        {"network": OTHER_NETWORK, "q": "refugee"},
        {"network": OTHER_NETWORK, "limit": "2"},
        {"network": OTHER_NETWORK, "limit": "20"},
        {"country": "ES"},
        {"network": NETWORK, "sort": "title"},  # the widget's order is always the newest
    ],
)
def test_the_lists_filters_narrow_the_widget(
    client: TestClient, engine: Engine, params: dict[str, str]
) -> None:
    response = client.get("/embed/practices", params={**params, "lang": "en"})
    assert response.status_code == 200, response.text
    shown = items(response.text)
    filters = {k: v for k, v in params.items() if k not in ("limit", "sort")}
    limit = int(params.get("limit", "5"))
    expected = newest_first(client, engine, limit, **filters)
    assert [p["slug"] for p in shown] == expected
    assert shown, "choose filters that match something"
    if set(filters) - {"network"}:  # a filter beyond the network leaves some out
        narrower = client.get("/api/v1/practices", params={**filters, "limit": "1"}).json()
        wide = {k: v for k, v in filters.items() if k == "network"}
        wider = client.get("/api/v1/practices", params={**wide, "limit": "1"}).json()
        assert 0 < narrower["total"] < wider["total"]
    if params.get("sort") == "title":
        titles = [p["title"].lower() for p in shown]
        assert titles != sorted(titles)
    if params.get("evidence_level"):
        assert {p["badge"] for p in shown} == {"Evidence: Described"}
    if params.get("country") == "ES":
        assert all(p["meta"].split(" · ")[0].endswith("Spain") for p in shown)
        assert "<h1>Published practices</h1>" in response.text
    # "More on Interlocal" opens the same filters in the list.
    more = more_link(response.text)
    assert more.startswith(f"{SITE}/practices?")
    assert sorted(parse_qsl(urlsplit(more).query)) == sorted({**filters, "lang": "en"}.items())


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"network": "no-such-network"}, 422, "network: unknown value 'no-such-network'"),
        ({"network": NETWORK, "country": "XX"}, 422, "country: unknown value 'XX'"),
        ({"network": NETWORK, "activity_type": "juggling"}, 422, "juggling"),
        ({"network": NETWORK, "limit": "21"}, 422, "limit: Input should be less than or equal"),
        ({"network": NETWORK, "limit": "0"}, 422, "limit: Input should be greater than"),
    ],
)
def test_an_invalid_filter_gives_a_small_error_document(
    client: TestClient, params: dict[str, str], status: int, message: str
) -> None:
    response = client.get("/embed/practices", params={**params, "lang": "en"})
    assert response.status_code == status
    document = html.unescape(response.text)
    assert "<h1>Some of the filters are not valid</h1>" in document
    assert message in document
    assert '<html lang="en">' in document
    assert "<nav" not in document and "site-header" not in document  # not the site's page
    assert response.headers["content-security-policy"].endswith("; frame-ancestors *")
    # The same filters on the list page are refused the same way, as a site page.
    listed = client.get("/practices", params={**params, "limit": "5"})
    if "limit" not in params:
        assert listed.status_code == 422
        assert "site-header" in listed.text


def test_an_unknown_widget_address_is_a_small_404(client: TestClient) -> None:
    response = client.get("/embed/nothing-here", params={"lang": "en"})
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text
    assert "site-header" not in response.text
    assert response.headers["content-security-policy"].endswith("; frame-ancestors *")


@pytest.mark.writes
def test_members_only_practices_never_show_even_to_a_signed_in_member(
    client: TestClient, engine: Engine
) -> None:
    word = "zqvelmorind"
    public = new_practice(engine, f"Open doors {word}")
    secret = new_practice(engine, f"Candid lessons {word}", visibility="network")
    for who in ("anonymous", "member", "moderator"):
        client.cookies.clear()
        if who == "member":
            sign_in(client, new_user(engine, "member", INSIDER))
        elif who == "moderator":
            sign_in(client, new_user(engine, "moderator"))
        if who != "anonymous":
            # The signed-in reader does see it elsewhere, so the widget leaves it out on purpose.
            assert f"/practices/{secret}" in client.get(f"/networks/{NETWORK}").text
        for params in ({"network": NETWORK}, {"network": NETWORK, "q": word}, {"q": word}):
            shown = widget(client, **params, limit="20")
            slugs = [p["slug"] for p in shown]
            assert slugs[0] == public, (who, params)  # published just before the secret one
            assert secret not in slugs, (who, params)
            text = client.get("/embed/practices", params={**params, "lang": "en"}).text
            assert "Candid lessons" not in text, (who, params)
    client.cookies.clear()


def test_only_the_widget_may_be_framed_by_other_sites(client: TestClient) -> None:
    for path in (
        f"/embed/practices?network={NETWORK}",
        "/embed/practices?network=no-such-network",
        "/embed/practices?limit=500",
        "/embed/missing",
    ):
        response = client.get(path)
        assert response.headers["content-security-policy"].endswith("; frame-ancestors *"), path
        assert "x-frame-options" not in response.headers, path
    for path in (
        "/",
        "/practices",
        "/practices?country=XX",
        f"/networks/{NETWORK}",
        "/login",
        "/no-such-page",
        "/practices.atom",
        "/api/v1/practices?limit=1",
        "/api/docs",
        "/static/app.css",
    ):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert policy.endswith("; frame-ancestors 'self'"), path
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_the_framing_policy_joins_a_policy_the_response_has() -> None:
    def strict(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Content-Security-Policy": "default-src 'self';"})

    def own(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Content-Security-Policy": "frame-ancestors 'none'"})

    app = Starlette(
        routes=[Route("/strict", strict), Route("/own", own), Route("/embed/x", strict)]
    )
    app.add_middleware(FramingMiddleware)
    with TestClient(app) as plain:
        headers = plain.get("/strict").headers
        assert headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'self'"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert plain.get("/own").headers["content-security-policy"] == "frame-ancestors 'none'"
        embed = plain.get("/embed/x").headers
        assert embed["content-security-policy"] == "default-src 'self'; frame-ancestors *"
        assert "x-frame-options" not in embed


def test_the_network_page_offers_the_snippet(client: TestClient) -> None:
    client.cookies.clear()
    response = client.get(f"/networks/{NETWORK}", params={"lang": "en"})
    assert response.status_code == 200
    page = response.text
    assert "Show these practices on your site" in page
    assert '<label for="embed-code">' in page
    snippet = re.search(r'<textarea id="embed-code"[^>]*\breadonly\b[^>]*>(.*?)</textarea>', page)
    assert snippet
    assert html.unescape(snippet.group(1)) == (
        f'<iframe src="{SITE}/embed/practices?network={NETWORK}" '
        'title="Inclusive Cities: latest practices on Interlocal" width="100%" height="460" '
        'style="border:0" loading="lazy"></iframe>'
    )
    assert "lang=" in html.unescape(page.split('id="embed-code-hint"', 1)[1].split("</p>")[0])


# --- In a browser, on another site -------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def partner_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Another origin (another port) serving the files in a folder; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_partner_site_shows_the_widget_pasted_from_the_network_page(
    live_server: LiveServer, browser: Any, page: Any, partner_site: tuple[str, Path]
) -> None:
    partner, folder = partner_site
    assert urlsplit(partner).netloc != urlsplit(live_server.url).netloc
    secret_title = "Candid lessons zqvelmorind"
    new_practice(live_server.engine, secret_title, visibility="network")
    member = new_user(live_server.engine, "member", INSIDER)

    # A member of the network copies the snippet from the network page.
    sign_in_browser(page, live_server.url, member, PASSWORD)
    page.goto(f"{live_server.url}/networks/{NETWORK}?lang=en")
    assert secret_title in page.locator("main").inner_text()  # they may see it here
    code = page.get_by_label("Code to paste")
    snippet = code.input_value()
    assert snippet.startswith(f'<iframe src="{live_server.url}/embed/practices?network={NETWORK}"')
    assert code.get_attribute("readonly") is not None

    feed = ET.fromstring(httpx.get(f"{live_server.url}/practices.atom?network={NETWORK}").content)
    expected = [entry.findtext(f"{ATOM}title") or "" for entry in feed.findall(f"{ATOM}entry")][:5]
    assert len(expected) == 5 and secret_title not in expected
    (folder / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Our network</title>"
        "</head><body><main><h1>Our members' work</h1>"
        f"{snippet}"
        f"<iframe id='forbidden' src='{live_server.url}/networks/{NETWORK}' title='x'></iframe>"
        "</main></body></html>",
        encoding="utf-8",
    )
    cookies = page.context.storage_state()  # the member's session goes along to the frame
    assert any(c["name"] == "interlocal_session" for c in cookies["cookies"])

    for javascript in (True, False):
        context = browser.new_context(
            java_script_enabled=javascript,
            storage_state=cookies,
            viewport={"width": 320, "height": 900},
            locale="en-GB",
        )
        try:
            partner_page = context.new_page()
            requests: list[Any] = []
            partner_page.on("request", lambda request, seen=requests: seen.append(request))
            partner_page.goto(f"{partner}/index.html")
            frame = partner_page.frame_locator(f"iframe[src^='{live_server.url}/embed/']")
            expect(frame.locator("h1")).to_have_text("Inclusive Cities")
            links = frame.locator("li.practice a.title")
            expect(links).to_have_count(5)
            for link, title in zip(links.all(), expected, strict=True):
                expect(link).to_be_visible()
                assert link.inner_text().startswith(title)
                assert link.get_attribute("target") == "_blank"
            expect(frame.get_by_role("link", name="More on Interlocal")).to_be_visible()
            assert secret_title not in frame.locator("body").inner_text()
            framed = [r for r in requests if "/embed/practices" in r.url]
            assert framed and "interlocal_session=" in framed[0].all_headers().get("cookie", "")
            # Our other pages refuse to be framed by another site.
            forbidden = partner_page.frame_locator("#forbidden")
            expect(forbidden.locator("main")).to_have_count(0)
            urls = [f.url for f in partner_page.frames]
            assert f"{live_server.url}/networks/{NETWORK}" not in urls
            assert any(url.startswith("chrome-error:") for url in urls)  # blocked
            if javascript:
                embedded = next(f for f in partner_page.frames if "/embed/" in f.url)
                width = embedded.evaluate("document.documentElement.clientWidth")
                assert width <= 320
                assert embedded.evaluate(
                    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
                ), "the widget scrolls sideways at 300px"
        finally:
            context.close()


def test_the_widget_passes_axe_at_300_pixels(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 300, "height": 700}, locale="en-GB")
    try:
        page = context.new_page()
        for path in (
            f"/embed/practices?network={NETWORK}&lang=en",
            "/embed/practices?network=amicall&lang=de",
            "/embed/practices?network=no-such-network&lang=hu",
        ):
            page.goto(live_server.url + path)
            assert page.locator("main h1").count() == 1
            assert page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            ), path
            assert axe_violations(page) == [], path
    finally:
        context.close()
