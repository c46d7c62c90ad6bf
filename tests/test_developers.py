"""For developers: the partner guide on the site, the API reference inside the site's
frame, and operations named as a person would name them."""

import re

import pytest
from fastapi.testclient import TestClient

from app.i18n import LANGUAGES


def test_the_partner_guide_is_a_page_of_the_site_with_its_examples_aimed_at_it(
    client: TestClient,
) -> None:
    response = client.get("/developers?lang=en")
    assert response.status_code == 200
    html = response.text
    assert "<h1>For developers</h1>" in html
    # Each section of the guide, in the table of contents and anchored.
    for heading in ("Read the catalogue", "Keep a copy in sync", "Publish your members"):
        anchor = re.search(rf'<h2 id="([a-z0-9-]+)">{heading}', html)
        assert anchor, heading
        assert f'href="#{anchor[1]}"' in html
    # The examples name this site, not the one the guide's file is written for.
    assert "export INTERLOCAL=http://testserver" in html
    assert "127.0.0.1:8000" not in html
    assert 'href="/api/docs"' in html and 'href="/api/v1/openapi.json"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_links_the_developers_page_in_its_language(
    client: TestClient, language: str
) -> None:
    html = client.get("/practices", params={"lang": language}).text
    assert f'href="/developers?lang={language}"' in html
    page = client.get("/developers", params={"lang": language}).text
    assert f'<html lang="{language}">' in page
    if language != "en":  # the guide itself is English, and says so
        assert '<section class="prose" aria-labelledby="guide-h" lang="en">' in page


def test_the_api_reference_is_inside_the_site_with_a_way_back(client: TestClient) -> None:
    html = client.get("/api/docs?lang=de").text
    assert '<header class="site-header">' in html and '<footer class="site-footer">' in html
    assert 'href="/developers?lang=de"' in html
    assert '<div id="swagger-ui"' in html and 'data-openapi-url="/api/v1/openapi.json"' in html
    assert "<noscript>" in html  # without JavaScript: where the document itself is
    assert re.search(r'<script src="/static/api-docs\.js\?v=[0-9a-f]+"></script>', html)
    assert client.get("/static/api-docs.js").status_code == 200


def test_every_operation_has_a_name_a_person_would_write(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operations = [op for methods in spec["paths"].values() for op in methods.values()]
    assert len(operations) > 20
    for operation in operations:
        summary = operation.get("summary", "")
        assert summary and summary[0].isupper(), operation["operationId"]
        # Not FastAPI's "List Practices Route", made from the function's name.
        assert summary != summary.title() and "Route" not in summary, summary
        assert not operation["operationId"].endswith("_route"), operation["operationId"]
    assert {op["operationId"] for op in operations} >= {
        "practices-list_practices",
        "practices-read_practice",
    }
