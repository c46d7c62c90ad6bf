"""Open data exports: the practices as CSV and as linked data."""

import csv
import io
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import auth, new_key, practice_data, trusted_organisation


def rows(
    client: TestClient, headers: dict[str, str] | None = None, **params: str
) -> list[dict[str, str]]:
    response = client.get("/api/v1/practices.csv", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def total(client: TestClient, **params: str) -> int:
    return int(client.get("/api/v1/practices", params={**params, "limit": "1"}).json()["total"])


def test_the_csv_has_one_row_per_public_practice_with_multi_valued_fields_joined(
    client: TestClient,
) -> None:
    everything = rows(client)
    assert len(everything) == total(client)
    assert len({r["slug"] for r in everything}) == len(everything)
    barcelona = next(r for r in everything if r["slug"] == "barcelona-anti-rumour-strategy")
    detail = client.get("/api/v1/practices/barcelona-anti-rumour-strategy").json()
    assert barcelona["country"] == "ES"
    assert barcelona["lead_organisation"] == "barcelona-city-council"
    assert barcelona["activity_type"].split("; ") == [
        t["code"] for t in detail["terms"]["activity-type"]
    ]
    assert barcelona["sources"].split("; ") == [s["slug"] for s in detail["sources"]]
    assert barcelona["description"] == detail["description"]
    liverpool = next(r for r in everything if r["slug"] == "liverpool-our-liverpool")
    links = client.get("/api/v1/practices/liverpool-our-liverpool").json()["links"]
    assert links and liverpool["links"].split("; ") == links
    # Addresses that work outside the site, times that say their zone, one naming style.
    assert barcelona["url"] == "http://testserver/practices/barcelona-anti-rumour-strategy"
    assert barcelona["updated_at"].endswith("+00:00")
    assert barcelona["published_at"] == "2012-09-01T00:00:00+00:00"
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in everything[0])
    assert [r["title"].lower() for r in everything] == sorted(
        r["title"].lower() for r in everything
    )


def test_the_csv_names_the_networks_of_each_practice(client: TestClient) -> None:
    members = {
        r["slug"]: r["networks"].split("; ") for r in rows(client, network="inclusive-cities")
    }
    assert members and all("inclusive-cities" in networks for networks in members.values())
    assert len(members) == total(client, network="inclusive-cities")


def test_the_csv_takes_the_lists_filters_and_refuses_bad_ones_before_sending_anything(
    client: TestClient,
) -> None:
    spanish = rows(client, country="ES", q="rumour")
    assert 0 < len(spanish) == total(client, country="ES", q="rumour")
    assert {r["country"] for r in spanish} == {"ES"}
    bad = client.get("/api/v1/practices.csv", params={"country": "Spain"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["param"] == "country"


@pytest.mark.writes
def test_members_only_practices_are_left_out_unless_the_key_may_see_them(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    secret = client.post(
        "/api/v1/practices", json=practice_data(visibility="network"), headers=auth(token)
    ).json()
    assert secret["slug"] not in {r["slug"] for r in rows(client)}
    assert secret["slug"] in {r["slug"] for r in rows(client, auth(token))}  # its own


def test_each_practice_is_linked_data_in_the_api_and_in_its_page(client: TestClient) -> None:
    response = client.get("/api/v1/practices/barcelona-anti-rumour-strategy.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    detail = client.get("/api/v1/practices/barcelona-anti-rumour-strategy").json()
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Project"
    assert document["name"] == detail["title"]
    assert document["url"].endswith("/practices/barcelona-anti-rumour-strategy")
    assert document["location"]["address"]["addressCountry"] == "ES"
    assert document["parentOrganization"]["name"] == "Barcelona City Council"
    assert [s["name"] for s in document["subjectOf"]] == [s["title"] for s in detail["sources"]]
    page = client.get("/practices/barcelona-anti-rumour-strategy").text
    embedded = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(embedded) == document
    assert client.get("/api/v1/practices/no-such-practice.jsonld").status_code == 404


def _schema_org_problems(node: Any, where: str = "") -> list[str]:
    """What in ``node`` schema.org does not define: a type it lacks, a property outside its
    type's domain (inherited ones included), or an empty value."""
    import importlib

    problems = []
    if isinstance(node, list):
        if not node:
            problems.append(f"{where}: an empty list")
        for i, item in enumerate(node):
            problems += _schema_org_problems(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        kind = node.get("@type")
        try:
            model = getattr(importlib.import_module(f"pydantic2_schemaorg.{kind}"), str(kind))
        except (ImportError, AttributeError):
            return [f"{where}: {kind!r} is not a schema.org type"]
        properties = {field.alias for field in model.__fields__.values()}
        for name, value in node.items():
            if name not in properties:
                problems.append(f"{where}: {kind} has no property {name!r}")
            problems += _schema_org_problems(value, f"{where}.{name}")
    elif node in ("", None):
        problems.append(f"{where}: an empty value")
    return problems


@pytest.mark.parametrize(
    "slug", ["barcelona-anti-rumour-strategy", "london-esol-plus", "kaposvar-website"]
)
def test_the_linked_data_uses_only_what_schema_org_defines(client: TestClient, slug: str) -> None:
    response = client.get(f"/api/v1/practices/{slug}.jsonld")
    assert response.status_code == 200, slug
    document = response.json()
    assert _schema_org_problems(document) == []
    assert "inLanguage" not in document  # not a property of Project, as it once was


def test_text_in_the_embedded_linked_data_cannot_close_its_script_element() -> None:
    from app.opendata.linked_data import script_json

    embedded = script_json({"name": "</script><script>alert(1)</script>"})
    assert "</script>" not in embedded
    assert json.loads(embedded)["name"] == "</script><script>alert(1)</script>"


def test_feed_entries_carry_their_language_and_the_date_of_their_report(
    client: TestClient,
) -> None:
    from xml.etree import ElementTree

    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    response = client.get("/practices.atom", params={"q": "anti-rumour", "lang": "de"})
    feed = ElementTree.fromstring(response.content)
    assert feed.get(lang) == "de"
    entries = {e.findtext("a:id", namespaces=ns): e for e in feed.findall("a:entry", ns)}
    barcelona = entries["http://testserver/practices/barcelona-anti-rumour-strategy"]
    detail = client.get("/api/v1/practices/barcelona-anti-rumour-strategy?lang=de").json()
    assert barcelona.get(lang) == detail["language"]
    # Loaded from AMICALL's final report (September 2012), not at the time of loading.
    assert barcelona.findtext("a:published", namespaces=ns) == "2012-09-01T00:00:00+00:00"
    assert detail["published_at"].startswith("2012-09-01")
    # A practice from a report that gives no date has none.
    undated = client.get("/practices.atom", params={"q": "ESOL"}).content
    for entry in ElementTree.fromstring(undated).findall("a:entry", ns):
        if entry.findtext("a:id", namespaces=ns, default="").endswith("/london-esol-plus"):
            assert entry.find("a:published", ns) is None
            break
    else:
        raise AssertionError("london-esol-plus is not in the feed")


def atom_entries(client: TestClient, **params: str) -> list[dict[str, str]]:
    from xml.etree import ElementTree

    response = client.get("/practices.atom", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(response.content)
    assert feed.find("a:id", ns) is not None and feed.find("a:updated", ns) is not None
    return [
        {
            "title": e.findtext("a:title", namespaces=ns) or "",
            "url": e.find("a:link", ns).get("href", ""),  # type: ignore[union-attr]
            "published": e.findtext("a:published", namespaces=ns) or "",
        }
        for e in feed.findall("a:entry", ns)
    ]


@pytest.mark.writes
def test_the_atom_feed_has_the_newest_practices_of_any_search_newest_first(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    title = "Café & “stories” <3"
    created = client.post("/api/v1/practices", json=practice_data(title), headers=auth(token))
    assert created.status_code == 201, created.text
    entries = atom_entries(client)
    assert entries[0]["title"] == title  # the newest, & and < read back as written
    assert entries[0]["url"].endswith(created.json()["url"])
    published = [e["published"] for e in entries]
    assert published == sorted(published, reverse=True)

    spanish = atom_entries(client, country="ES", q="rumour")
    listed = {
        i["slug"]
        for i in client.get("/api/v1/practices", params={"country": "ES", "q": "rumour"}).json()[
            "items"
        ]
    }
    assert spanish and {e["url"].rsplit("/", 1)[1] for e in spanish} <= listed
    page = client.get("/practices", params={"country": "ES", "q": "rumour"}).text
    assert 'type="application/atom+xml"' in page
    assert "/practices.atom?" in page and "country=ES" in page
