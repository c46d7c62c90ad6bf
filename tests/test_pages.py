"""Server-rendered pages: full pages, htmx fragments, no-JavaScript forms, errors."""

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/practices",
        "/practices?country=ES&activity_type=media-engagement",
        "/practices/barcelona-anti-rumour-strategy",
        "/places",
        "/places/barcelona",
        "/places/united-kingdom",
        "/networks",
        "/networks/amicall",
        "/vocabularies",
        "/api/docs",
    ],
)
def test_pages_render(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text


def test_practice_list_is_a_plain_get_form_with_shareable_urls(client: TestClient) -> None:
    html = client.get("/practices", params={"country": "IT"}).text
    assert re.search(r'<form[^>]*method="get"[^>]*action="/practices"', html)
    assert 'name="country" value="IT" checked' in html
    assert "practices</p>" in html or "practice</p>" in html
    italy_total = client.get("/api/v1/practices", params={"country": "IT"}).json()["total"]
    assert f"{italy_total} practices" in html


def test_htmx_request_gets_only_the_catalogue_fragment(client: TestClient) -> None:
    response = client.get("/practices", params={"country": "IT"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'data-hx-swap-oob="innerHTML"' in response.text
    assert "HX-Request" in response.headers["vary"]
    assert "Country: Italy" in response.text


def test_pages_load_htmx_from_the_configured_place(client: TestClient) -> None:
    html = client.get("/practices").text
    assert '<script src="/static/vendor/htmx-2.0.11.min.js"' in html
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


def test_pages_link_their_json_twin(client: TestClient) -> None:
    html = client.get("/practices/barcelona-anti-rumour-strategy").text
    assert (
        '<link rel="alternate" type="application/json" '
        'href="/api/v1/practices/barcelona-anti-rumour-strategy">' in html
    )


def test_practice_page_shows_place_sources_and_evidence(client: TestClient) -> None:
    html = client.get("/practices/barcelona-anti-rumour-strategy").text
    assert "Barcelona" in html
    assert "Final Transnational Report" in html
    assert "Evidence:" in html


def test_place_page_shows_context_facts_with_source_and_year(client: TestClient) -> None:
    html = client.get("/places/spain").text
    assert "14%" in html
    assert "2010" in html
    assert "Eurostat" in html


def test_network_page_lists_members(client: TestClient) -> None:
    html = client.get("/networks/amicall").text
    assert "Centre on Migration, Policy and Society" in html or "COMPAS" in html


def test_unknown_pages_get_an_html_404(client: TestClient) -> None:
    response = client.get("/practices/no-such-practice")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_invalid_filters_on_a_page_get_an_html_422(client: TestClient) -> None:
    response = client.get("/practices", params={"goal": "world-peace"})
    assert response.status_code == 422
    assert "goal" in response.text and "world-peace" in response.text


def test_api_docs_are_served_from_our_own_origin(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "//cdn" not in html
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_stored_text_is_escaped(client: TestClient) -> None:
    html = client.get("/practices", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_tags_and_sources_lead_on(client: TestClient) -> None:
    """A practice's activity types on its card find the practices that share them; its
    sources link to the report and to the other practices it describes."""
    listing = client.get("/practices", params={"q": "anti-rumour", "lang": "en"}).text
    assert re.search(
        r'<a class="chip" href="/practices\?activity_type=[a-z-]+&amp;lang=en">', listing
    )
    page = client.get("/practices/barcelona-anti-rumour-strategy", params={"lang": "en"}).text
    source = client.get("/api/v1/practices/barcelona-anti-rumour-strategy").json()["sources"][0]
    assert f'<cite><a href="{source["url"]}" rel="noopener">' in page
    also = f"/practices?source={source['slug']}&amp;lang=en"
    assert f'<a href="{also}">Practices from this report</a>' in page
    assert client.get(unescape(also)).status_code == 200
