"""Peers count the dilemmas both places faced: the clusters of their public dilemmas lift a
peer and are named ("Both faced: …"); a dilemma kept private or shared only with networks
says nothing to the peers of anyone, and sharing one publicly updates the answers at once."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import published_in_barcelona, shared_dilemma

# Barcelona's council and Bristol's: cities of two countries, each with practices.
HERE, THERE = "barcelona-city-council", "bristol-city-council"


def peer(client: TestClient, place: str, other: str) -> dict[str, Any]:
    body = client.get(f"/api/v1/places/{place}/peers", params={"limit": 50}).json()
    found: dict[str, Any] = next(i for i in body["items"] if i["place"]["slug"] == other)
    found["rank"] = [i["place"]["slug"] for i in body["items"]].index(other)
    return found


def dilemmas_factor(item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in item["factors"] if f["factor"] == "dilemmas")
    return found


@pytest.mark.writes
def test_dilemmas_both_faced_lift_a_peer_and_are_named(client: TestClient, engine: Engine) -> None:
    before = peer(client, "barcelona", "bristol")
    assert dilemmas_factor(before)["similarity"] is None
    assert before["shared_dilemmas"] == []

    shared_dilemma(engine, HERE, "motivation")
    shared_dilemma(engine, HERE, "media-debate")
    shared_dilemma(engine, THERE, "motivation")
    after = peer(client, "barcelona", "bristol")
    # One cluster of the two either faced.
    assert dilemmas_factor(after)["similarity"] == 0.5
    assert dilemmas_factor(after)["contribution"] > 0
    assert after["score"] > before["score"] and after["rank"] < before["rank"]
    assert after["shared_dilemmas"] == [{"code": "motivation", "label": "Motivation"}]

    page = client.get("/peers", params={"place": "Barcelona"})
    assert "Both faced:</strong> Motivation" in page.text


@pytest.mark.writes
def test_dilemmas_not_shared_with_everyone_say_nothing_to_peers(
    client: TestClient, engine: Engine
) -> None:
    shared_dilemma(engine, HERE, "motivation", visibility="network")
    shared_dilemma(engine, HERE, "media-debate", visibility="private")
    shared_dilemma(engine, THERE, "motivation")
    found = peer(client, "barcelona", "bristol")
    assert dilemmas_factor(found)["similarity"] is None
    assert found["shared_dilemmas"] == []


@pytest.mark.writes
def test_a_public_dilemma_never_places_a_members_only_practice(
    client: TestClient, engine: Engine
) -> None:
    # Barcelona's council runs a practice for its networks' members in Rotterdam; its
    # public dilemma about it counts for Barcelona, or outsiders would learn from Rotterdam's
    # peers that something happens there.
    hidden = published_in_barcelona(engine, place="rotterdam", visibility="network")
    shared_dilemma(engine, HERE, "motivation", practice=hidden)
    shared_dilemma(engine, THERE, "motivation")
    assert dilemmas_factor(peer(client, "bristol", "rotterdam"))["similarity"] is None
    assert dilemmas_factor(peer(client, "bristol", "barcelona"))["similarity"] == 1.0
