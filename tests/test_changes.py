"""The change feed lets a partner keep an exact copy of the public catalogue."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.users import create_user
from app.models.accounts import User
from app.models.practices import Practice
from app.permissions import viewer_for
from app.practices.workflow import archive, publish
from tests.factories import auth, new_key, practice_data, trusted_organisation


def catalogue(client: TestClient) -> dict[str, dict[str, Any]]:
    """Every public practice, as the API serves it."""
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/practices", params=params).json()
        for item in body["items"]:
            found[item["slug"]] = client.get(f"/api/v1/practices/{item['slug']}").json()
        cursor = body["next_cursor"]
        if not cursor:
            return found


def follow(client: TestClient, mirror: dict[str, dict[str, Any]], since: str | None) -> str:
    """Apply every change after ``since`` to ``mirror``; returns the cursor to keep."""
    while True:
        params = {"limit": 50, **({"since": since} if since else {})}
        page = client.get("/api/v1/changes", params=params).json()
        for change in page["items"]:
            if change["kind"] == "removed":
                mirror.pop(change["practice"], None)
            else:
                answer = client.get(change["api_url"])
                if answer.status_code == 200:
                    mirror[change["practice"]] = answer.json()
                else:  # removed again by a later change in the feed
                    mirror.pop(change["practice"], None)
        since = page["next_cursor"]
        if not page["has_more"]:
            return since


@pytest.mark.writes
def test_a_mirror_fed_from_the_change_feed_equals_the_public_catalogue(
    client: TestClient, engine: Engine
) -> None:
    mirror: dict[str, dict[str, Any]] = {}
    cursor = follow(client, mirror, None)
    public = client.get("/api/v1/practices", params={"limit": 200}).json()
    assert len(mirror) == public["total"]  # compared whole below, after the changes
    assert follow(client, mirror, cursor) == cursor  # nothing new: the cursor stays

    # A partner publishes one practice and changes it; a moderator archives another: the
    # one it was adapted from, which its page and JSON name (so it changes too).
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    adapted = practice_data(
        lineage=[{"practice": "barcelona-anti-rumour-strategy", "kind": "adapted-from"}]
    )
    created = client.post("/api/v1/practices", json=adapted, headers=auth(token)).json()
    etag = client.get(created["api_url"]).headers["ETag"]
    changed = client.patch(
        created["api_url"],
        json={"summary": "Changed after the first copy."},
        headers={**auth(token), "If-Match": etag},
    )
    assert changed.status_code == 200
    with Session(engine) as session:
        moderator = create_user(session, "mirror-moderator@example.org", None, "moderator", None)
        gone = session.exec(select(Practice).where(Practice.slug == created["slug"])).one()
        archive(session, moderator, gone, expected_version=gone.version)
        # ... and publishes it again, as it was.
        back = session.exec(select(Practice).where(Practice.slug == created["slug"])).one()
        user = session.get(User, moderator.id)
        assert user is not None
        publish(session, user, viewer_for(session, user), back, expected_version=back.version)
        victim = session.exec(
            select(Practice).where(Practice.slug == "barcelona-anti-rumour-strategy")
        ).one()
        archive(session, moderator, victim, expected_version=victim.version)

    cursor = follow(client, mirror, cursor)
    assert "barcelona-anti-rumour-strategy" not in mirror
    assert mirror[created["slug"]]["summary"] == "Changed after the first copy."
    assert mirror[created["slug"]]["adapted_from"] == []  # its origin is gone
    assert mirror == catalogue(client)

    with Session(engine) as session:  # leave the seeded practice as the other tests expect
        victim = session.exec(
            select(Practice).where(Practice.slug == "barcelona-anti-rumour-strategy")
        ).one()
        moderator = session.exec(
            select(User).where(User.email == "mirror-moderator@example.org")
        ).one()
        viewer = viewer_for(session, moderator)
        publish(session, moderator, viewer, victim, expected_version=victim.version)
    follow(client, mirror, cursor)
    assert len(mirror[created["slug"]]["adapted_from"]) == 1
    assert mirror == catalogue(client)


@pytest.mark.writes
def test_the_feed_never_names_a_members_only_practice(client: TestClient, engine: Engine) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    secret = client.post(
        "/api/v1/practices", json=practice_data(visibility="network"), headers=auth(token)
    ).json()
    assert secret["status"] == "published"
    named: set[str] = set()
    since = None
    while True:
        params = {"limit": 1000, **({"since": since} if since else {})}
        page = client.get("/api/v1/changes", params=params).json()
        named |= {c["practice"] for c in page["items"]}
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    assert secret["slug"] not in named
    assert set(catalogue(client)) <= named


def test_a_bad_cursor_gets_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/changes", params={"since": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["param"] == "cursor"
