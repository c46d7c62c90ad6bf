"""The data dictionary page (/data): every field of the open data, every CSV column and
every vocabulary, described, in the reader's language."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from fastapi.testclient import TestClient

from app.config import ROOT
from app.opendata.dictionary import MODEL_NAMES, RECORDS, part_models
from tests.browser_checks import gettext_in

PRACTICE = "barcelona-anti-rumour-strategy"


def section(html: str, section_id: str) -> str:
    """The markup of the page's section ``section_id`` (record, part, csv, vocabularies)."""
    found = re.search(rf'<section id="{re.escape(section_id)}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no section {section_id!r} on the page"
    return found.group(1)


def rows(html: str, section_id: str) -> dict[str, list[str]]:
    """Row header (a field, column or scheme code) -> the row's other cells, as markup."""
    table = section(html, section_id)
    found = re.findall(r'<tr>\s*<th scope="row"><code>([^<]+)</code></th>(.*?)</tr>', table, re.S)
    return {name: re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S) for name, cells in found}


def text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup).strip()


@pytest.fixture
def page(client: TestClient) -> str:
    response = client.get("/data", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html: str = response.text
    return html


def api_records(client: TestClient) -> dict[str, dict[str, Any]]:
    """One record of each kind as the JSON API returns it, by the page's section."""

    def practice(slug: str) -> Any:
        return client.get(f"/api/v1/practices/{slug}").json()

    detail = practice(PRACTICE)
    place = client.get("/api/v1/places/barcelona").json()
    network = client.get("/api/v1/networks/amicall").json()
    return {
        "record-practice": detail,
        "record-place": place,
        "record-organisation": client.get("/api/v1/organisations").json()["items"][0],
        "record-network": network,
        "record-membership": client.get("/api/v1/networks/amicall/members").json()["items"][0],
        "record-term": client.get("/api/v1/vocabularies/goal").json()["terms"][0],
        "record-change": client.get("/api/v1/changes").json()["items"][0],
        "part-source": detail["sources"][0],
        "part-fact": client.get("/api/v1/places/arnhem").json()["facts"][0],
        "part-outcome": practice("one-scotland-many-cultures")["outcomes"][0],
        "part-partner": practice("athens-scouts-integration")["partners"][0],
    }


def test_every_field_the_api_returns_is_described(client: TestClient, page: str) -> None:
    for section_id, record in api_records(client).items():
        described = rows(page, section_id)
        missing = set(record) - set(described)
        assert not missing, f"{section_id}: fields not on the page: {sorted(missing)}"
        for name in record:
            type_cell, description = described[name]
            assert text(type_cell) and text(description), f"{section_id}.{name} is not described"


def test_types_are_readable_and_link_to_the_records_they_name(page: str) -> None:
    practice = rows(page, "record-practice")
    assert text(practice["version"][0]) == "integer"
    assert text(practice["title"][0]) == "text"
    assert text(practice["end_year"][0]) == "integer or null"
    assert text(practice["published_at"][0]) == "date-time or null"
    assert text(practice["visibility"][0]) == "one of public, network"
    assert text(practice["outcomes"][0]) == "list of outcome"
    assert 'href="#part-outcome"' in practice["outcomes"][0]
    assert 'href="#record-place"' in practice["place"][0]
    assert text(rows(page, "part-translation")["stale"][0]) == "yes/no"
    # Every link within the page leads somewhere on it.
    targets = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert targets and targets <= ids, sorted(targets - ids)


def test_every_csv_column_is_described_in_file_order(client: TestClient, page: str) -> None:
    header = next(csv.reader(io.StringIO(client.get("/api/v1/practices.csv").text)))
    columns = rows(page, "csv")
    assert list(columns) == header
    assert all(text(cells[0]) for cells in columns.values()), "a column has no description"
    schemes = {s["scheme"]: s["label"] for s in client.get("/api/v1/vocabularies").json()}
    term_columns = [name for name in header if name.replace("_", "-") in schemes]
    assert "activity_type" in term_columns
    for name in term_columns:  # says which vocabulary each term column holds
        assert schemes[name.replace("_", "-")] in text(columns[name][0])
    assert "<code>; </code>" in columns["sources"][0]  # how multiple values are joined


def test_every_vocabulary_with_its_term_count_and_links(client: TestClient, page: str) -> None:
    schemes = client.get("/api/v1/vocabularies").json()
    listed = rows(page, "vocabularies")
    assert list(listed) == [s["scheme"] for s in schemes]
    typologies = client.get("/vocabularies", params={"lang": "en"}).text
    for scheme in schemes:
        code = scheme["scheme"]
        name, _description, count, api = listed[code]
        assert text(name) == scheme["label"]
        assert text(count) == str(scheme["term_count"])
        assert f'href="/vocabularies?lang=en#{code}"' in name
        assert f'id="{code}"' in typologies  # the anchor the name links to
        assert f'href="/api/v1/vocabularies/{code}"' in api
    goal = next(s for s in schemes if s["scheme"] == "goal")
    assert goal["term_count"] > 0


def test_every_way_of_getting_the_data_is_linked_and_answers(client: TestClient, page: str) -> None:
    everything = re.findall(r'href="([^"#]+)"', section(page, "access"))
    # Other sites are credited (the gazetteer's source and licence), not ways to the data.
    credits = {link for link in everything if link.startswith("https://")}
    assert credits == {"https://www.geonames.org/", "https://creativecommons.org/licenses/by/4.0/"}
    links = [link for link in everything if link not in credits]
    jsonld = [link for link in links if re.fullmatch(r"/api/v1/practices/[a-z0-9-]+\.jsonld", link)]
    assert len(jsonld) == 1, links  # an example of the JSON-LD of a practice
    assert set(links) - set(jsonld) == {
        "/api/docs",
        "/api/v1/openapi.json",
        "/api/v1/practices.csv",
        "/practices.atom?lang=en",
        "/api/v1/changes",
    }
    for link in links:
        assert client.get(link).status_code == 200, link
    assert client.get(jsonld[0]).json()["@type"] == "Project"


def test_every_page_links_to_the_dictionary(client: TestClient) -> None:
    html = client.get("/", params={"lang": "en"}).text
    assert '<a href="/data?lang=en">Data dictionary</a>' in html


def test_the_page_is_in_the_readers_language(signed_out: TestClient) -> None:
    browser = signed_out.get("/data", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert browser.headers["content-language"] == "de"
    assert '<html lang="de">' in browser.text
    chosen = signed_out.get("/data", params={"lang": "de"}).text
    assert '<html lang="de">' in chosen
    # Vocabulary names as the API gives them in German (translated where a translation is).
    german = signed_out.get("/api/v1/vocabularies", headers={"Accept-Language": "de"}).json()
    english = signed_out.get("/api/v1/vocabularies", params={"lang": "en"}).json()
    assert [s["label"] for s in german] != [s["label"] for s in english]
    listed = rows(chosen, "vocabularies")
    assert [text(listed[s["scheme"]][0]) for s in german] == [s["label"] for s in german]
    heading = gettext_in("de", "Data dictionary")
    if heading == "Data dictionary":
        pytest.skip("the page's messages are not translated into German yet")
    assert f"<h1>{heading}</h1>" in chosen
    description = gettext_in("de", "Name of the initiative.")
    if description != "Name of the initiative.":
        assert description in rows(chosen, "record-practice")["title"][1]


def test_every_described_field_is_marked_for_translation() -> None:
    """A field added to a documented model without N_ would stay English on the page."""
    marked = {
        message
        for path in (Path(ROOT) / "app").rglob("*.py")
        for _line, message, _c, _x in extract_from_file("python", str(path), keywords={"N_": None})
    }
    models = [r.model for r in RECORDS] + part_models()
    unmarked = [
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if info.description not in marked
    ]
    assert not unmarked
    assert all(model in MODEL_NAMES for model in models), "give each model a readable name"
