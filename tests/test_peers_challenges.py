"""Peers that use what a place faces, among the gazetteer's places: the challenges factor
changes the ranking and says what both face, peers have practices to read unless places
without are asked for, and the described Bilbao of issue 15 gets peers a Spanish officer
would recognise."""

from typing import Any

from fastapi.testclient import TestClient

# Issue 15's Bilbao, described on /peers.
BILBAO = {
    "country": "ES",
    "level": "municipality",
    "population": 346000,
    "foreign_born_share": 10.5,
    "urban_rural": "urban",
}
# "Countering urban legends" is a catalyst, "anti-discrimination" a policy area.
FACES = ["negative-messaging", "anti-discrimination"]


def described(client: TestClient, **context: Any) -> dict[str, Any]:
    response = client.post("/api/v1/peers", json=BILBAO | context)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def factor(item: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in item["factors"] if f["factor"] == name)
    return found


def shared(item: dict[str, Any], scheme: str) -> list[str]:
    return [
        t["code"] for s in item["shared_challenges"] if s["scheme"] == scheme for t in s["terms"]
    ]


def test_what_a_place_faces_changes_its_peers_and_says_what_both_work_on(
    client: TestClient,
) -> None:
    without = described(client)
    faces = described(client, challenges=FACES)
    assert [i["place"]["slug"] for i in faces["items"]] != [
        i["place"]["slug"] for i in without["items"]
    ]
    assert all(factor(i, "challenges")["similarity"] is None for i in without["items"])
    first = faces["items"][0]
    assert shared(first, "policy-area") == ["anti-discrimination"]
    assert factor(first, "challenges")["similarity"] > 0
    assert first["shared_challenges"][0]["label"] == "Both work on"
    assert [t["code"] for t in faces["subject"]["challenges"]] == FACES


def test_a_shared_catalyst_is_named_and_lifts_the_places_that_face_it(
    client: TestClient,
) -> None:
    # Violence started practices in Glasgow, Peterborough, Amsterdam and Oslo.
    body = described(client, challenges=["violence"])
    top = body["items"][:4]
    assert {i["place"]["slug"] for i in top} == {"glasgow", "peterborough", "amsterdam", "oslo"}
    for item in top:
        assert factor(item, "challenges")["similarity"] == 1.0
        assert item["shared_challenges"] == [
            {
                "scheme": "catalyst",
                "label": "Both face",
                "terms": [{"code": "violence", "label": "Violence"}],
            }
        ]
    page = client.get(
        "/peers", params=[(k, str(v)) for k, v in BILBAO.items()] + [("challenges", "violence")]
    ).text
    assert "Both face:</strong> Violence" in page


def test_a_catalogued_place_faces_what_its_practices_record(client: TestClient) -> None:
    body = client.get("/api/v1/places/amsterdam/peers").json()
    glasgow = next(i for i in body["items"] if i["place"]["slug"] == "glasgow")
    assert "violence" in shared(glasgow, "catalyst")
    assert glasgow["shared_challenges"][0]["label"] == "Both face"


def test_the_described_bilbaos_top_peers_have_practices_to_read(client: TestClient) -> None:
    items = described(client, challenges=FACES)["items"][:5]
    assert len(items) == 5
    for item in items:
        assert item["practice_count"] >= 1
        assert factor(item, "population")["similarity"] >= 0.6  # within about 2.5 times
        assert item["place"]["country"] != "ES"
    assert "anti-discrimination" in shared(items[0], "policy-area")
    # Each card links the peer's practices.
    page = client.get(
        "/peers",
        params=[(k, str(v)) for k, v in BILBAO.items()] + [("challenges", c) for c in FACES],
    ).text
    assert f'href="/practices?place={items[0]["place"]["slug"]}&amp;lang=en"' in page


def test_peers_have_practices_unless_places_without_are_asked_for(client: TestClient) -> None:
    # Bilbao is a place of the gazetteer, without practices of its own.
    default = client.get("/api/v1/places/bilbao/peers", params={"limit": 50}).json()
    assert default["items"] and default["include_empty"] is False
    assert all(i["practice_count"] >= 1 for i in default["items"])
    wider = client.get(
        "/api/v1/places/bilbao/peers", params={"limit": 50, "include_empty": "true"}
    ).json()
    assert wider["include_empty"] is True
    assert wider["candidates"] > 10 * default["candidates"]
    assert any(i["practice_count"] == 0 for i in wider["items"])
    page = client.get("/peers", params={"place": "bilbao", "include_empty": "true"}).text
    assert "no practices yet" in page and 'id="include-empty-place" name="include_empty"' in page


def test_including_places_without_practices_is_documented(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/places/{slug}/peers"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "include_empty")
    assert parameter["schema"]["default"] is False
    assert "no published practices" in parameter["description"]
    factors = spec["components"]["schemas"]["PeerFactor"]["properties"]["factor"]
    assert "challenges" in str(factors)
