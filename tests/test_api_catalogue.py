"""Places, organisations, networks, vocabularies, health, and the OpenAPI document."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.test_api_practices import get_all


def test_places_list_and_walk(client: TestClient) -> None:
    body = client.get("/api/v1/places", params={"limit": 5}).json()
    assert body["total"] > 50
    places = get_all(client, "/api/v1/places", limit=33)
    assert len(places) == body["total"] == len({p["slug"] for p in places})
    names = [p["name"].lower() for p in places]
    assert names == sorted(names)


def test_places_filter_by_country_and_level(client: TestClient) -> None:
    places = get_all(client, "/api/v1/places", country="DE", level="municipality")
    assert places
    assert all(p["country"] == "DE" and p["level"] == "municipality" for p in places)
    response = client.get("/api/v1/places", params={"level": "megacity"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "level"


def test_a_country_carries_its_eurostat_2010_foreign_born_share_with_source(
    client: TestClient,
) -> None:
    body = client.get("/api/v1/places/spain").json()
    share = next(f for f in body["facts"] if f["key"] == "foreign-born-share")
    assert share["value"] == 14.0
    assert share["year"] == 2010
    assert share["unit"] == "percent"
    assert share["source"]["slug"] == "amicall-transnational-2012"
    assert "Eurostat" in share["cites"]


def test_place_detail_lists_its_practices_networks_and_places_within(client: TestClient) -> None:
    body = client.get("/api/v1/places/barcelona").json()
    assert body["country"] == "ES"
    assert "barcelona-anti-rumour-strategy" in [p["slug"] for p in body["practices"]]
    assert body["practice_count"] >= 1
    uk = client.get("/api/v1/places/united-kingdom").json()
    assert "scotland" in [c["slug"] for c in uk["children"]]


def test_unknown_place_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/places/atlantis")
    assert response.status_code == 404
    assert "atlantis" in response.json()["detail"]


def test_organisations_filter_by_type(client: TestClient) -> None:
    body = client.get("/api/v1/organisations", params={"type": "funder", "limit": 200}).json()
    assert body["total"] > 0
    assert {o["type"] for o in body["items"]} == {"funder"}
    assert get_all(client, "/api/v1/organisations", limit=40)


def test_networks_and_their_members(client: TestClient) -> None:
    networks = get_all(client, "/api/v1/networks", limit=7)
    slugs = {n["slug"] for n in networks}
    assert {"amicall", "intercultural-cities", "inclusive-cities", "city-of-sanctuary"} <= slugs
    members = get_all(client, "/api/v1/networks/amicall/members")
    orgs = {m["organisation"]["slug"] for m in members if m["organisation"]}
    assert "compas" in orgs
    assert all({"role", "start_year", "end_year"} <= set(m) for m in members)
    sanctuary = get_all(client, "/api/v1/networks/city-of-sanctuary/members")
    assert any(m["start_year"] for m in sanctuary)
    assert client.get("/api/v1/networks/nope/members").status_code == 404


EXACT_LABELS = {
    "broad-category": [
        "Communications campaigns",
        "Intercultural communications activities",
        "Face-to-face communications activities",
    ],
    "goal": [
        "Informing communities",
        "Improving interaction within the community",
        "Defusing community conflict, respond to crisis",
        "Building community networks and capacity",
    ],
    "orton-phase": [
        "The public and policy environment",
        "Encouraging interaction",
        "Building a sense of belonging and shared identity",
        "Addressing the challenges which may inhibit progress",
    ],
    "orton-theme": ["Belonging", "Recognition", "Participation", "Interaction"],
    "ucl-principle": [
        "Strategic coordination",
        "Cultural leadership",
        "Centring lived experience",
        "Adequate resources",
    ],
    "social-capital": ["Bonding", "Bridging", "Linking"],
}


@pytest.mark.parametrize(("scheme", "labels"), EXACT_LABELS.items())
def test_vocabularies_hold_the_reports_exact_labels(
    client: TestClient, scheme: str, labels: list[str]
) -> None:
    body = client.get(f"/api/v1/vocabularies/{scheme}").json()
    assert body["scheme"] == scheme
    assert [t["label"] for t in body["terms"]] == labels
    assert all({"code", "label", "definition", "parent"} <= set(t) for t in body["terms"])


def test_activity_types_are_the_thirteen_of_the_amicall_table_with_sub_types(
    client: TestClient,
) -> None:
    terms = client.get("/api/v1/vocabularies/activity-type").json()["terms"]
    from_report = [t for t in terms if t["origin"] == "report" and t["parent"] is None]
    assert len(from_report) == 13
    assert from_report[0]["label"] == "Press releases or media conferences"
    subs = [t["label"] for t in terms if t["parent"] == "media-engagement"]
    assert subs == ["Sensitising journalists", "Promoting positive coverage"]


def test_vocabulary_index_and_unknown_scheme(client: TestClient) -> None:
    schemes = {s["scheme"]: s for s in client.get("/api/v1/vocabularies").json()}
    assert {"activity-type", "target-group", "lra-role", "evidence-level", "lifecycle"} <= set(
        schemes
    )
    assert schemes["target-group"]["term_count"] >= 4
    response = client.get("/api/v1/vocabularies/colours")
    assert response.status_code == 404
    assert "activity-type" in response.json()["detail"]


def test_openapi_describes_every_parameter_error_and_the_key(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{where}: {parameter['name']}"
            statuses = set(operation["responses"])
            assert {"400", "404", "422", "429"} <= statuses, where
            if method == "get":
                assert operation["security"] == [{}, {"apiKey": []}], where
            if method in ("patch", "delete") or (method == "post" and path != "/api/v1/peers"):
                assert operation["security"] == [{"apiKey": []}], where
                assert {"401", "403"} <= statuses, where
            if method in ("patch", "delete"):
                assert {"412", "428"} <= statuses, where


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def _walk_schema(schema: dict[str, Any], components: dict[str, Any], seen: set[str]) -> list[str]:
    """Names of properties anywhere under ``schema`` that lack a description or example."""
    missing = []
    for name, prop in schema.get("properties", {}).items():
        if "description" not in prop:
            missing.append(name)
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        for ref_target in [ref] + [a.get("$ref") for a in prop.get("anyOf", [])]:
            if ref_target:
                key = ref_target.rsplit("/", 1)[-1]
                if key not in seen:
                    seen.add(key)
                    missing += _walk_schema(components[key], components, seen)
    return missing


def test_openapi_documents_every_path_field_and_parameter(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    for path in [
        "/api/v1/practices",
        "/api/v1/practices/{slug}",
        "/api/v1/places",
        "/api/v1/places/{slug}",
        "/api/v1/organisations",
        "/api/v1/networks",
        "/api/v1/networks/{slug}/members",
        "/api/v1/vocabularies",
        "/api/v1/vocabularies/{scheme}",
    ]:
        assert path in paths
    assert not any(p.startswith("/practices") for p in paths), "HTML pages must stay out of the API"
    components = spec["components"]["schemas"]
    missing = []
    for name, schema in components.items():
        if name.startswith(
            (
                "Page",
                "Practice",
                "Place",
                "Member",
                "Scheme",
                "Term",
                "Network",
                "Organisation",
                "Source",
                "Fact",
                "Facet",
                "Error",
            )
        ):
            missing += [f"{name}.{field}" for field in _walk_schema(schema, components, {name})]
            for field, prop in schema.get("properties", {}).items():
                has_example = (
                    "examples" in prop
                    or "$ref" in prop
                    or prop.get("type") in ("array", "object")
                    or "anyOf" in prop
                )
                if not has_example:
                    missing.append(f"{name}.{field} (example)")
    assert missing == []
    params = spec["paths"]["/api/v1/practices"]["get"]["parameters"]
    names = {p["name"] for p in params}
    assert {
        "q",
        "country",
        "activity_type",
        "evidence_level",
        "network",
        "limit",
        "cursor",
        "facets",
    } <= names
    assert all(p.get("description") for p in params)
