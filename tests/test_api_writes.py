"""Partners write through the API with keys: scopes, moderation, trusted organisations,
Idempotency-Key, ETags with If-Match and If-None-Match."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.accounts.api_keys import revoke_api_key
from app.cli import main as cli
from app.models.accounts import ApiKey, AuditEvent
from app.models.places import Organisation
from app.models.practices import Practice
from app.practices.worklists import review_queue
from tests.factories import auth, new_key, practice_data, trusted_organisation


@pytest.mark.writes
def test_a_write_key_submits_a_practice_that_the_public_sees_only_after_review(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "read", "write")
    response = client.post("/api/v1/practices", json=practice_data(), headers=auth(token))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "submitted"
    assert response.headers["Location"] == f"/api/v1/practices/{body['slug']}"
    assert client.get(body["api_url"]).status_code == 404  # not published yet
    with Session(engine) as session:
        assert body["slug"] in [item.practice.slug for item in review_queue(session)]
        written = session.exec(select(Practice).where(Practice.slug == body["slug"])).one()
        lead = session.get(Organisation, written.lead_organisation_id)
        assert lead is not None and lead.slug == "barcelona-city-council"
        author = session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "practice.create", AuditEvent.target == body["slug"]
            )
        ).one()
        assert author.user_id is not None  # the key's own user, not anonymous


@pytest.mark.writes
def test_a_trusted_organisations_key_publishes_at_once(client: TestClient, engine: Engine) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    data = practice_data()
    response = client.post("/api/v1/practices", json=data, headers=auth(token))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "published"
    read = client.get(response.json()["api_url"])
    assert read.status_code == 200
    assert read.json()["title"] == data["title"]


@pytest.mark.writes
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer il_not-a-key"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ("read-only", 403),
        ("revoked", 401),
    ],
)
def test_writes_need_a_valid_key_with_the_write_scope_and_change_nothing_otherwise(
    client: TestClient, engine: Engine, headers: Any, status: int
) -> None:
    if headers == "read-only":
        headers = auth(new_key(engine, "read"))
    elif headers == "revoked":
        token = new_key(engine, "write")
        with Session(engine) as session:
            key = session.exec(select(ApiKey).where(ApiKey.prefix == token[:11])).one()
            revoke_api_key(session, key)
        headers = auth(token)
    title = "Refused practice"
    response = client.post("/api/v1/practices", json=practice_data(title), headers=headers)
    assert response.status_code == status
    assert response.json()["detail"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with Session(engine) as session:
        count = session.exec(select(func.count()).where(Practice.title == title)).one()
    assert count == 0


@pytest.mark.writes
def test_invalid_practices_get_a_422_per_field_and_nothing_is_written(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write")
    title = "Half a practice"
    bad = practice_data(title, summary=None, end_year=1990, start_year=2000, colour="blue")
    response = client.post("/api/v1/practices", json=bad, headers=auth(token))
    assert response.status_code == 422
    assert {e["param"] for e in response.json()["errors"]} >= {"colour"}
    bad = practice_data(title, summary=None, terms={"target-group": ["no-such-group"]})
    response = client.post("/api/v1/practices", json=bad, headers=auth(token))
    assert response.status_code == 422
    with Session(engine) as session:
        count = session.exec(select(func.count()).where(Practice.title == title)).one()
    assert count == 0


@pytest.mark.writes
def test_a_retried_post_with_the_same_idempotency_key_creates_one_practice(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write")
    data = practice_data()
    headers = {**auth(token), "Idempotency-Key": "first-try"}
    first = client.post("/api/v1/practices", json=data, headers=headers)
    again = client.post("/api/v1/practices", json=data, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    with Session(engine) as session:
        count = session.exec(select(func.count()).where(Practice.title == data["title"])).one()
    assert count == 1
    other = client.post("/api/v1/practices", json=practice_data("Another circle"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["param"] == "Idempotency-Key"


@pytest.mark.writes
def test_an_idempotency_key_is_freed_when_the_write_fails(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write")
    headers = {**auth(token), "Idempotency-Key": "first-try"}
    data = practice_data()
    failed = client.post("/api/v1/practices", json={**data, "summary": None}, headers=headers)
    assert failed.status_code == 422
    # The corrected request, with the same key, is a different body: a new key is needed.
    fresh = {**auth(token), "Idempotency-Key": "second-try"}
    assert client.post("/api/v1/practices", json=data, headers=fresh).status_code == 201
    retried = client.post("/api/v1/practices", json={**data, "summary": None}, headers=headers)
    assert retried.status_code == 422  # computed again, not a stored answer


@pytest.mark.writes
def test_updates_need_the_etag_of_the_version_read_and_a_stale_one_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    created = client.post("/api/v1/practices", json=practice_data(), headers=auth(token))
    url = created.json()["api_url"]
    read = client.get(url)
    etag = read.headers["ETag"]
    assert created.headers["ETag"].split(".")[0] == etag.split(".")[0]

    missing = client.patch(url, json={"summary": "No If-Match."}, headers=auth(token))
    assert missing.status_code == 428
    changed = client.patch(
        url, json={"summary": "Now in three districts."}, headers={**auth(token), "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] > read.json()["version"]
    assert client.get(url).json()["summary"] == "Now in three districts."

    stale = client.patch(
        url, json={"summary": "An older story."}, headers={**auth(token), "If-Match": etag}
    )
    assert stale.status_code == 412
    assert client.get(url).json()["summary"] == "Now in three districts."

    cleared = client.patch(
        url,
        json={"end_year": 2025, "aim": None},
        headers={**auth(token), "If-Match": changed.headers["ETag"]},
    )
    assert cleared.status_code == 200, cleared.text
    assert client.get(url).json()["end_year"] == 2025


@pytest.mark.writes
def test_a_key_may_not_change_another_organisations_practice(
    client: TestClient, engine: Engine
) -> None:
    token = new_key(engine, "write", organisation=trusted_organisation(engine))
    url = "/api/v1/practices/barcelona-anti-rumour-strategy"
    etag = client.get(url).headers["ETag"]
    response = client.patch(
        url, json={"summary": "Taken over."}, headers={**auth(token), "If-Match": etag}
    )
    assert response.status_code == 403
    assert client.get(url).json()["summary"] != "Taken over."


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/practices/barcelona-anti-rumour-strategy",
        "/api/v1/places/barcelona",
        "/api/v1/networks/intercultural-cities",
        "/api/v1/vocabularies/activity-type",
    ],
)
def test_single_resources_carry_an_etag_and_answer_if_none_match_with_304(
    client: TestClient, path: str
) -> None:
    first = client.get(path)
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    german = client.get(path, params={"lang": "de"}, headers={"If-None-Match": etag})
    assert german.status_code == 200  # another language is another representation


@pytest.mark.writes
def test_the_cli_issues_a_key_once_and_revokes_it(
    client: TestClient, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    issue = [
        "create-api-key",
        "--organisation",
        "barcelona-city-council",
        "--name",
        "CRM",
        "--scope",
        "read",
    ]
    assert cli(issue) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("il_")
    with Session(engine) as session:
        stored = session.exec(select(ApiKey).where(ApiKey.prefix == token[:11])).one()
        assert token not in (stored.secret_hash, stored.prefix)
    assert client.get("/api/v1/practices", headers=auth(token)).status_code == 200
    with Session(engine) as session:
        used = session.exec(select(ApiKey).where(ApiKey.prefix == token[:11])).one()
        assert used.last_used_at is not None
    assert cli(["revoke-api-key", token[:11]]) == 0
    assert client.get("/api/v1/practices", headers=auth(token)).status_code == 401
    assert cli(["create-api-key", "--organisation", "nowhere", "--scope", "read"]) == 2


def test_cors_lets_only_the_configured_partner_sites_call_the_api_from_a_browser(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings
    from app.main import create_app

    preflight = {
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "Authorization, If-Match, Content-Type",
    }
    with TestClient(create_app()) as closed:  # the default: no origin is allowed
        answer = closed.get("/api/v1/practices", headers={"Origin": "https://partner.example"})
        assert "access-control-allow-origin" not in answer.headers
    monkeypatch.setenv("INTERLOCAL_CORS_ORIGINS", '["https://partner.example"]')
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as open_to_partner:
            allowed = open_to_partner.options(
                "/api/v1/practices/x", headers={"Origin": "https://partner.example", **preflight}
            )
            assert allowed.status_code == 200
            assert allowed.headers["access-control-allow-origin"] == "https://partner.example"
            assert "if-match" in allowed.headers["access-control-allow-headers"].lower()
            read = open_to_partner.get(
                "/api/v1/places/barcelona", headers={"Origin": "https://partner.example"}
            )
            exposed = read.headers["access-control-expose-headers"].lower()
            assert "etag" in exposed
            # A widget can see how many requests it has left.
            assert "ratelimit-remaining" in exposed and "retry-after" in exposed
            other = open_to_partner.options(
                "/api/v1/practices/x", headers={"Origin": "https://elsewhere.example", **preflight}
            )
            assert "access-control-allow-origin" not in other.headers
    finally:
        monkeypatch.delenv("INTERLOCAL_CORS_ORIGINS")
        get_settings.cache_clear()
