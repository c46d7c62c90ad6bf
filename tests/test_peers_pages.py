"""/peers and /compare as pages that answer: the results before the form, the question
folded above nothing, a form for /compare, and a population read as the reader's language
writes numbers."""

import re

import pytest
from fastapi.testclient import TestClient

from app.places.peers.numbers import NotAWholeNumber, parse_whole_number

DESCRIBED = {"country": "ES", "level": "municipality", "urban_rural": "urban"}


def test_the_results_come_before_the_form(client: TestClient) -> None:
    page = client.get("/peers", params={"place": "Hackney"}).text
    heading = page.index('<h2 id="results-h" tabindex="-1"')
    assert heading < page.index('class="card peer-card"')
    # Above them, the form is folded into one line that says what was asked: nothing open
    # comes before the results.
    asked = re.search(
        r'<details class="section asked">\s*<summary>(.*?)</summary>(.*?)</details>', page, re.S
    )
    assert asked and "Peers of Hackney" in asked.group(1) and "Change" in asked.group(1)
    assert '<form class="peer-form"' in asked.group(2) and asked.end() < heading
    assert "autofocus" not in page  # a page load keeps the reader at the top
    # Without a question there are no results, only the form.
    empty = client.get("/peers").text
    assert 'id="results-h"' not in empty and '<form class="peer-form"' in empty


def test_an_htmx_request_gets_the_page_body_with_the_heading_to_focus(
    client: TestClient,
) -> None:
    response = client.get("/peers", params={"place": "Hackney"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.text
    assert "<html" not in body and "<title>Places like Hackney" in body
    assert '<h2 id="results-h" tabindex="-1" autofocus>' in body
    assert 'data-hx-target="#peers-page"' in body
    error = client.get("/peers", params={"place": "Atlantis"}, headers={"HX-Request": "true"})
    assert error.status_code == 422 and 'id="error-summary" autofocus' in error.text


def test_compare_without_places_is_a_form(client: TestClient) -> None:
    response = client.get("/compare")
    assert response.status_code == 200
    assert 'name="a_q"' in response.text and 'name="b_q"' in response.text
    assert "Field required" not in response.text


def test_any_two_places_can_be_compared_by_name(client: TestClient) -> None:
    # Bilbao is a gazetteer place with no practices.
    response = client.get("/compare", params={"a": "Bilbao", "b": "Malmö"})
    assert response.status_code == 200
    assert "Bilbao and Malmö compared" in response.text
    api = client.get("/api/v1/places/bilbao/compare/malmo")
    assert api.status_code == 200 and api.json()["practice_counts"][0] == 0


def test_compare_offers_choices_for_a_name_and_refuses_an_unknown_one(
    client: TestClient,
) -> None:
    several = client.get("/compare", params={"a_q": "manch", "b": "spain"})
    assert several.status_code == 422
    assert "Choose your place from the list" in several.text
    assert 'name="a" value="manchester"' in several.text
    assert 'name="b" value="spain" checked' in several.text  # the other choice is kept
    chosen = client.get("/compare", params={"a_q": "manch", "a": "manchester", "b": "spain"})
    assert chosen.status_code == 200
    unknown = client.get("/compare", params={"a": "Atlantis", "b": "spain"})
    assert unknown.status_code == 422
    assert 'id="a-error"' in unknown.text and 'aria-invalid="true"' in unknown.text


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("de", "346.000"),
        ("es", "346.000"),
        ("it", "346.000"),
        ("nl", "346.000"),
        ("hu", "346 000"),
        ("en", "346,000"),
        ("en", "346000"),
    ],
)
def test_a_population_is_read_as_the_readers_language_writes_it(
    client: TestClient, language: str, typed: str
) -> None:
    response = client.get("/peers", params=DESCRIBED | {"population": typed, "lang": language})
    assert response.status_code == 200, response.text
    assert 'id="results-h"' in response.text
    assert parse_whole_number(typed, language) == 346000


def test_a_population_with_a_decimal_mark_is_refused_next_to_the_field(
    client: TestClient,
) -> None:
    response = client.get("/peers", params=DESCRIBED | {"population": "346.000", "lang": "en"})
    assert response.status_code == 422
    assert (
        '<p class="field-error" id="population-error"><span class="visually-hidden">Error: '
        "</span>Write the number of residents without a decimal mark: 346,000 or 346000.</p>"
    ) in response.text
    assert 'value="346.000"' in response.text and 'id="results-h"' not in response.text


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "346.000"), ("de", "346,000"), ("hu", "346.000"), ("en", "lots"), ("de", "3,5")],
)
def test_numbers_a_language_does_not_write_so_are_refused(language: str, typed: str) -> None:
    with pytest.raises(NotAWholeNumber):
        parse_whole_number(typed, language)
