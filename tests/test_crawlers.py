"""What crawlers are told: canonical addresses, language alternates, robots.txt, sitemaps."""

import re
from html import unescape
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.i18n import LANGUAGES
from app.opendata import sitemaps
from tests.factories import practice_in, published_practice

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _head_links(html: str) -> tuple[list[str], dict[str, str]]:
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    return [unescape(c) for c in canonical], {k: unescape(v) for k, v in alternates}


def test_a_filtered_list_names_the_whole_list_as_canonical_in_its_language(
    client: TestClient,
) -> None:
    html = client.get("/practices?country=ES&q=rumour&lang=de").text
    canonical, alternates = _head_links(html)
    assert canonical == ["http://testserver/practices?lang=de"]
    assert alternates == {
        **{code: f"http://testserver/practices?lang={code}" for code in LANGUAGES},
        "x-default": "http://testserver/practices",
    }


def test_a_peer_search_keeps_its_place_in_its_canonical_address(client: TestClient) -> None:
    html = client.get("/peers?place=barcelona&scope=abroad&lang=es").text
    canonical, alternates = _head_links(html)
    assert canonical == ["http://testserver/peers?place=barcelona&lang=es"]
    assert alternates["x-default"] == "http://testserver/peers?place=barcelona"


def test_addresses_use_the_public_url_when_one_is_set(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLOCAL_PUBLIC_URL", "https://interlocal.example.org")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        html = client.get("/places/barcelona?lang=it").text
        robots = client.get("/robots.txt").text
    finally:
        monkeypatch.delenv("INTERLOCAL_PUBLIC_URL")
        get_settings.cache_clear()
    assert _head_links(html)[0] == ["https://interlocal.example.org/places/barcelona?lang=it"]
    assert "Sitemap: https://interlocal.example.org/sitemap.xml" in robots


def test_error_pages_name_no_canonical_address(client: TestClient) -> None:
    response = client.get("/practices/no-such-practice")
    assert response.status_code == 404
    assert _head_links(response.text) == ([], {})


def _allowed(robots: str, path: str) -> bool:
    """Google's reading of robots.txt: the longest matching rule wins, Allow on a tie."""
    rules = re.findall(r"^(Allow|Disallow): (\S+)$", robots, re.MULTILINE)
    matching = [(len(rule), kind == "Allow") for kind, rule in rules if path.startswith(rule)]
    return max(matching, default=(0, True))[1]


def test_robots_keep_crawlers_to_whole_lists_and_public_pages(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    robots = response.text
    for readable in (
        "/",
        "/practices",
        "/practices?lang=de",
        "/practices/barcelona-anti-rumour-strategy?lang=hu",
        "/places?lang=nl",
        "/places/barcelona",
        "/networks/intercultural-cities",
        "/peers",
    ):
        assert _allowed(robots, readable), readable
    for hidden in (
        "/practices?country=ES&lang=de",
        "/practices?cursor=abc&lang=en",
        "/practices?activity_type=media-engagement&lang=en",  # as a tag links it
        "/places?q=bar&lang=en",
        "/peers?place=barcelona&lang=en",
        "/my/practices",
        "/admin/users",
        "/api/v1/practices",
    ):
        assert not _allowed(robots, hidden), hidden


def _urls(root: ET.Element) -> dict[str, ET.Element]:
    return {url.findtext(f"{SITEMAP}loc") or "": url for url in root.iter(f"{SITEMAP}url")}


@pytest.mark.writes
def test_the_sitemaps_list_each_public_page_once_per_language_with_its_alternates(
    client: TestClient, engine: Engine
) -> None:
    slug = published_practice(
        engine, practice_in(title="Sitemap welcome walks"), "barcelona-city-council"
    )
    index = ET.fromstring(client.get("/sitemap.xml").content)
    files = [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")]
    for language in LANGUAGES:
        assert f"http://testserver/sitemaps/{language}/site.xml" in files
        assert f"http://testserver/sitemaps/{language}/practices-1.xml" in files
        assert f"http://testserver/sitemaps/{language}/places-1.xml" in files
        assert f"http://testserver/sitemaps/{language}/networks-1.xml" in files

    practices = _urls(ET.fromstring(client.get("/sitemaps/hu/practices-1.xml").content))
    url = practices[f"http://testserver/practices/{slug}?lang=hu"]
    assert re.match(r"\d{4}-\d\d-\d\dT.*\+00:00$", url.findtext(f"{SITEMAP}lastmod") or "")
    links = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
    assert links["de"] == f"http://testserver/practices/{slug}?lang=de"
    assert links["x-default"] == f"http://testserver/practices/{slug}"
    assert len(links) == len(LANGUAGES) + 1
    # Every address a sitemap names is a page that answers.
    for address in list(practices)[:5]:
        assert client.get(urlsplit(address).path).status_code == 200

    places = _urls(ET.fromstring(client.get("/sitemaps/en/places-1.xml").content))
    assert "http://testserver/places/barcelona?lang=en" in places
    site = _urls(ET.fromstring(client.get("/sitemaps/en/site.xml").content))
    assert "http://testserver/practices?lang=en" in site


@pytest.mark.writes
def test_the_sitemaps_leave_out_what_the_public_cannot_read(
    client: TestClient, engine: Engine
) -> None:
    members_only = published_practice(
        engine,
        practice_in(title="Members only sitemap case", visibility="network"),
        "barcelona-city-council",
    )
    listed = client.get("/sitemaps/en/practices-1.xml").text
    assert "/practices/barcelona-anti-rumour-strategy?" in listed
    assert f"/practices/{members_only}?" not in listed


def test_the_sitemaps_are_cut_into_files_the_protocol_allows(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 10)
    files = client.get("/sitemap.xml").text
    pages = re.findall(r"/sitemaps/en/practices-(\d+)\.xml", files)
    assert len(pages) > 1
    first = _urls(ET.fromstring(client.get("/sitemaps/en/practices-1.xml").content))
    second = _urls(ET.fromstring(client.get("/sitemaps/en/practices-2.xml").content))
    assert len(first) == 10
    assert not set(first) & set(second)


@pytest.mark.parametrize(
    "path", ["/sitemaps/xx/site.xml", "/sitemaps/en/practices-999.xml", "/sitemaps/en/users-1.xml"]
)
def test_unknown_sitemaps_are_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
