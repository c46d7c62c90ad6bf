"""A network's coordinator keeps its member list through the API: invite, change (If-Match),
remove; nobody else may (invitations and their answers: tests/test_memberships_consent.py).
Membership decides who sees the network's members-only practices, so the effect is checked
there too. Runs on SQLite and PostgreSQL."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.models.places import Membership, Organisation
from tests.factories import auth, new_key, new_organisation
from tests.test_visibility import secret  # noqa: F401 (a fixture)

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

NETWORK = "inclusive-cities"  # coordinated by COMPAS in the seed
COORDINATOR = "compas"
MEMBERS = f"/api/v1/networks/{NETWORK}/members"


def membership_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Membership)).one()


def test_the_coordinator_adds_changes_and_removes_a_member(
    client: TestClient, engine: Engine
) -> None:
    key = auth(new_key(engine, "write", organisation=COORDINATOR))
    member = new_organisation(engine, "newcomer-forum")
    added = client.post(
        MEMBERS, json={"organisation": member, "role": "partner", "start_year": 2024}, headers=key
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["organisation"]["slug"] == member and body["role"] == "partner"
    location = added.headers["Location"]
    assert location == f"{MEMBERS}/{body['id']}"
    listed = client.get(MEMBERS, params={"limit": 200}).json()["items"]
    assert body in listed

    read = client.get(location)
    assert read.headers["ETag"] == added.headers["ETag"]
    assert client.get(location, headers={"If-None-Match": read.headers["ETag"]}).status_code == 304

    no_precondition = client.patch(location, json={"end_year": 2025}, headers=key)
    assert no_precondition.status_code == 428
    changed = client.patch(
        location, json={"end_year": 2025}, headers={**key, "If-Match": read.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["end_year"] == 2025 and changed.json()["start_year"] == 2024
    stale = client.patch(
        location, json={"role": "funder"}, headers={**key, "If-Match": read.headers["ETag"]}
    )
    assert stale.status_code == 412
    assert client.get(location).json()["role"] == "partner"  # unchanged
    cleared = client.patch(
        location, json={"start_year": None}, headers={**key, "If-Match": changed.headers["ETag"]}
    )
    assert cleared.json()["start_year"] is None and cleared.json()["end_year"] == 2025

    gone = client.delete(location, headers={**key, "If-Match": cleared.headers["ETag"]})
    assert gone.status_code == 204
    assert client.get(location).status_code == 404
    assert all(
        item["id"] != body["id"]
        for item in client.get(MEMBERS, params={"limit": 200}).json()["items"]
    )


def test_only_the_coordinators_write_keys_may_change_members(
    client: TestClient, engine: Engine
) -> None:
    before = membership_count(engine)
    wanted = {"place": "oslo"}
    assert client.post(MEMBERS, json=wanted).status_code == 401
    reader = auth(new_key(engine, "read", organisation=COORDINATOR))
    assert client.post(MEMBERS, json=wanted, headers=reader).status_code == 403
    member_city = auth(new_key(engine, "write", organisation="birmingham-city-council"))
    refused = client.post(MEMBERS, json=wanted, headers=member_city)
    assert refused.status_code == 403
    assert "coordinates" in refused.json()["detail"]
    # COMPAS coordinates Inclusive Cities, not Intercultural Cities.
    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    other = client.post(
        "/api/v1/networks/intercultural-cities/members", json=wanted, headers=coordinator
    )
    assert other.status_code == 403
    assert (
        client.post(
            "/api/v1/networks/nowhere/members", json=wanted, headers=coordinator
        ).status_code
        == 404
    )
    assert membership_count(engine) == before


def test_bad_memberships_are_refused_and_change_nothing(client: TestClient, engine: Engine) -> None:
    key = auth(new_key(engine, "write", organisation=COORDINATOR))
    before = membership_count(engine)
    unknown = client.post(MEMBERS, json={"place": "atlantis"}, headers=key)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["param"] == "place"
    both = client.post(MEMBERS, json={"place": "oslo", "organisation": "compas"}, headers=key)
    assert both.status_code == 422
    role = client.post(MEMBERS, json={"place": "oslo", "role": "owner"}, headers=key)
    assert role.status_code == 422 and role.json()["errors"][0]["param"] == "role"
    years = client.post(
        MEMBERS, json={"place": "oslo", "start_year": 2020, "end_year": 2010}, headers=key
    )
    assert years.status_code == 422
    # Birmingham is already a member of Inclusive Cities.
    twice = client.post(MEMBERS, json={"place": "birmingham"}, headers=key)
    assert twice.status_code == 409
    assert membership_count(engine) == before

    own = next(
        item
        for item in client.get(MEMBERS, params={"limit": 200}).json()["items"]
        if item["organisation"] and item["organisation"]["slug"] == COORDINATOR
    )
    own_url = f"{MEMBERS}/{own['id']}"
    locked = client.delete(
        own_url, headers={**key, "If-Match": client.get(own_url).headers["ETag"]}
    )
    assert locked.status_code == 409  # it would lock itself out
    assert membership_count(engine) == before


def test_a_retried_add_creates_one_membership(client: TestClient, engine: Engine) -> None:
    key = auth(new_key(engine, "write", organisation=COORDINATOR))
    wanted = {"organisation": new_organisation(engine, "newcomer-forum")}
    headers = {**key, "Idempotency-Key": "first-try"}
    first = client.post(MEMBERS, json=wanted, headers=headers)
    again = client.post(MEMBERS, json=wanted, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    with Session(engine) as session:
        organisation = session.exec(
            select(Organisation).where(Organisation.slug == wanted["organisation"])
        ).one()
        assert (
            len(
                session.exec(
                    select(Membership).where(Membership.organisation_id == organisation.id)
                ).all()
            )
            == 1
        )


def test_a_new_member_sees_the_networks_members_only_practices(
    client: TestClient,
    engine: Engine,
    secret: tuple[str, str],  # noqa: F811
) -> None:
    slug, _word = secret
    newcomer = new_organisation(engine, "newcomer-forum")
    newcomer_key = auth(new_key(engine, "read", organisation=newcomer))
    assert client.get(f"/api/v1/practices/{slug}", headers=newcomer_key).status_code == 404

    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    added = client.post(MEMBERS, json={"organisation": newcomer}, headers=coordinator)
    assert added.status_code == 201
    assert client.get(f"/api/v1/practices/{slug}", headers=newcomer_key).status_code == 404

    location = added.headers["Location"]
    newcomer_writer = auth(new_key(engine, "write", organisation=newcomer))
    accepted = client.post(
        f"{location}/accept", headers={**newcomer_writer, "If-Match": added.headers["ETag"]}
    )
    assert accepted.status_code == 200
    assert client.get(f"/api/v1/practices/{slug}", headers=newcomer_key).status_code == 200

    client.delete(location, headers={**coordinator, "If-Match": accepted.headers["ETag"]})
    assert client.get(f"/api/v1/practices/{slug}", headers=newcomer_key).status_code == 404
