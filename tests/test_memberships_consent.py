"""Joining a network takes the member's consent: a coordinator's invitation, or an
organisation's request, grants nothing until the other side accepts, and either side may
decline. Runs on SQLite and PostgreSQL."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.accounts import AuditEvent, User
from app.permissions import viewer_for
from app.practices.input import PracticeIn
from tests.factories import (
    auth,
    csrf_from,
    new_key,
    new_organisation,
    new_user,
    published_practice,
    sign_in,
    user_id,
)

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

NETWORK = "inclusive-cities"  # coordinated by COMPAS in the seed
COORDINATOR = "compas"
MEMBERS = f"/api/v1/networks/{NETWORK}/members"


def barcelona_secret(engine: Engine) -> str:
    """A members-only practice of Barcelona's (in no network with COMPAS)."""
    data = PracticeIn.model_validate(
        {
            "title": "Rumour clinic lessons",
            "summary": "What the first rumour clinics got wrong.",
            "place": "barcelona",
            "visibility": "network",
            "terms": {"target-group": ["whole-community"], "goal": ["informing-communities"]},
        }
    )
    return published_practice(engine, data, "barcelona-city-council")


def networks_of(engine: Engine, email: str) -> tuple[int, ...]:
    """The networks whose members-only practices the account reads."""
    with Session(engine) as session:
        return viewer_for(session, session.get(User, user_id(engine, email))).networks


def audited(engine: Engine, action: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_an_invitation_grants_nothing_until_the_member_accepts(
    client: TestClient, engine: Engine
) -> None:
    """The audit's attack: the coordinator adds Barcelona to read its members-only practice."""
    practice = f"/api/v1/practices/{barcelona_secret(engine)}"
    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    assert client.get(practice, headers=coordinator).status_code == 404

    invited = client.post(
        MEMBERS, json={"organisation": "barcelona-city-council"}, headers=coordinator
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "invited"
    assert client.get(practice, headers=coordinator).status_code == 404
    location, tag = invited.headers["Location"], {"If-Match": invited.headers["ETag"]}
    # Neither the coordinator nor anybody else answers for Barcelona, and the invited
    # organisation accepts only what it read.
    refused = client.post(f"{location}/accept", headers={**coordinator, **tag})
    assert refused.status_code == 403
    ngo = auth(
        new_key(
            engine, "write", organisation=new_organisation(engine, "bcn-ngo", place="barcelona")
        )
    )
    assert client.post(f"{location}/accept", headers={**ngo, **tag}).status_code == 403
    barcelona = auth(new_key(engine, "write", organisation="barcelona-city-council"))
    assert client.post(f"{location}/accept", headers=barcelona).status_code == 428
    assert client.get(practice, headers=coordinator).status_code == 404

    accepted = client.post(f"{location}/accept", headers={**barcelona, **tag})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    assert client.get(practice, headers=coordinator).status_code == 200
    assert audited(engine, "membership.invite") == audited(engine, "membership.accept") == 1

    # A place answers through its own authority (an NGO based there does not), and may say no.
    place = client.post(MEMBERS, json={"place": "barcelona"}, headers=coordinator)
    assert place.status_code == 201 and place.json()["status"] == "invited"
    place_url = place.headers["Location"]
    assert client.post(f"{place_url}/decline", headers=ngo).status_code == 403
    assert client.post(f"{place_url}/decline", headers=barcelona).status_code == 204
    assert client.get(place_url).status_code == 404
    assert audited(engine, "membership.decline") == 1


def test_a_request_to_join_waits_for_the_coordinator(client: TestClient, engine: Engine) -> None:
    newcomer = new_organisation(engine, "newcomer-forum", place="oxford")
    own = auth(new_key(engine, "write", organisation=newcomer))
    requested = client.post(MEMBERS, json={"organisation": newcomer}, headers=own)
    assert requested.status_code == 201, requested.text
    assert requested.json()["status"] == "requested"
    location, tag = requested.headers["Location"], requested.headers["ETag"]
    # A request is for one's own organisation only.
    assert client.post(MEMBERS, json={"place": "oslo"}, headers=own).status_code == 403
    assert client.post(f"{location}/accept", headers={**own, "If-Match": tag}).status_code == 403
    email = new_user(engine, "member", newcomer)
    assert networks_of(engine, email) == ()

    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    accepted = client.post(f"{location}/accept", headers={**coordinator, "If-Match": tag})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    assert networks_of(engine, email) != ()

    # The member leaves again.
    left = client.post(f"{location}/decline", headers=own)
    assert left.status_code == 204
    assert client.get(location).status_code == 404
    assert audited(engine, "membership.decline") == 1


def test_reopening_or_moving_a_membership_needs_consent_again(
    client: TestClient, engine: Engine
) -> None:
    """An ended membership brought back to life, or given to another member, is an
    invitation again."""
    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    birmingham = next(
        item
        for item in client.get(MEMBERS, params={"limit": 200}).json()["items"]
        if item["place"] and item["place"]["slug"] == "birmingham"
    )
    assert birmingham["status"] == "active"  # seeded memberships are active
    location = f"{MEMBERS}/{birmingham['id']}"
    tag = client.get(location).headers["ETag"]
    ended = client.patch(
        location, json={"end_year": 2020}, headers={**coordinator, "If-Match": tag}
    )
    assert ended.status_code == 200 and ended.json()["status"] == "active"
    reopened = client.patch(
        location,
        json={"end_year": None},
        headers={**coordinator, "If-Match": ended.headers["ETag"]},
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "invited"
    moved = client.patch(
        location,
        json={"place": "barcelona"},
        headers={**coordinator, "If-Match": reopened.headers["ETag"]},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "invited"


def test_members_answer_invitations_on_the_site(client: TestClient, engine: Engine) -> None:
    coordinator = auth(new_key(engine, "write", organisation=COORDINATOR))
    invited = client.post(
        MEMBERS, json={"organisation": "barcelona-city-council"}, headers=coordinator
    )
    membership = invited.json()["id"]
    client.cookies.clear()
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))
    page = client.get("/my/networks")
    assert page.status_code == 200
    assert "Inclusive Cities" in page.text
    form = {"action": "accept", "csrf_token": csrf_from(page.text)}
    stale = client.post(f"/my/networks/{membership}", data=form, follow_redirects=False)
    assert stale.status_code == 409  # an answer names the terms it read
    tag = re.search(r'name="tag" value="([^"]+)"', page.text)
    assert tag
    answered = client.post(
        f"/my/networks/{membership}",
        data={**form, "tag": html.unescape(tag.group(1))},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert client.get(f"{MEMBERS}/{membership}").json()["status"] == "active"
    client.cookies.clear()
