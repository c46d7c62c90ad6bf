"""Administrators issue, list and revoke partners' API keys, and trust organisations, from
a page; everything the CLI does, with the same effects on the API."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.models.accounts import ApiKey, AuditEvent
from app.models.places import Organisation
from tests.factories import auth, csrf_from, practice_data, signed_in_client

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

ORGANISATION = "barcelona-city-council"


def issue(client: TestClient, **form: str | list[str]) -> tuple[int, str]:
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    response = client.post("/admin/api-keys", data={"csrf_token": csrf_from(page.text), **form})
    return response.status_code, response.text


def key_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ApiKey)).one()


def test_an_admin_issues_a_key_that_is_shown_once_and_works(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "admin", None)
    status, html = issue(
        client, name="Network CRM", organisation=ORGANISATION, scopes=["read", "write"]
    )
    assert status == 200
    token = re.search(r'<code class="secret">(il_[^<]+)</code>', html)
    assert token, "the new key is shown"
    secret = token.group(1)
    listed = client.get("/admin/api-keys").text
    assert secret not in listed  # shown once only
    assert "Network CRM" in listed and secret[:11] in listed
    row = re.search(r"<td><code>" + re.escape(secret[:11]) + r"….*?</tr>", listed, re.S)
    assert row and "never" in row.group(0)

    written = client.post("/api/v1/practices", json=practice_data(), headers=auth(secret))
    assert written.status_code == 201, written.text
    row = re.search(
        r"<td><code>" + re.escape(secret[:11]) + r"….*?</tr>",
        client.get("/admin/api-keys").text,
        re.S,
    )
    assert row and "never" not in row.group(0)  # its last use is shown


def test_a_revoked_key_stops_working_at_once(client: TestClient, engine: Engine) -> None:
    signed_in_client(client, engine, "admin", None)
    _status, html = issue(client, name="Old export job", organisation=ORGANISATION, scopes="read")
    secret = re.search(r'<code class="secret">(il_[^<]+)</code>', html)
    assert secret
    headers = auth(secret.group(1))
    assert client.get("/api/v1/practices?limit=1", headers=headers).status_code == 200
    page = client.get("/admin/api-keys").text
    form = re.search(r'action="(/admin/api-keys/\d+/revoke)[^"]*"', page)
    assert form
    revoked = client.post(
        form.group(1), data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/practices?limit=1", headers=headers).status_code == 401
    assert "Revoked on" in client.get("/admin/api-keys").text


def test_a_bad_key_form_shows_the_problem_and_issues_nothing(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "admin", None)
    before = key_count(engine)
    status, html = issue(client, name="No scopes", organisation=ORGANISATION)
    assert status == 422
    assert 'id="scopes-error"' in html and "Scopes are read, write or both." in html
    status, html = issue(client, name="Nobody's", organisation="", scopes="read")
    assert status == 422
    assert 'id="organisation-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="Nobody&#39;s"' in html  # what was typed is kept
    assert key_count(engine) == before


def test_a_key_form_with_several_problems_shows_each_by_its_field(
    client: TestClient, engine: Engine
) -> None:
    """The form is validated as a whole: a blank name and no scope are both reported."""
    signed_in_client(client, engine, "admin", None)
    before = key_count(engine)
    status, html = issue(client, name=" ", organisation=ORGANISATION)
    assert status == 422
    assert 'id="name-error"' in html and "Give the key a name of at most 200 characters." in html
    assert 'id="scopes-error"' in html and "Scopes are read, write or both." in html
    assert key_count(engine) == before


def test_trusting_an_organisation_publishes_its_writes_at_once(
    client: TestClient, engine: Engine
) -> None:
    signed_in_client(client, engine, "admin", None)
    _status, html = issue(client, name="Trusted CRM", organisation=ORGANISATION, scopes="write")
    secret = re.search(r'<code class="secret">(il_[^<]+)</code>', html)
    assert secret
    page = client.get("/admin/api-keys").text

    def trust(value: str) -> None:
        response = client.post(
            "/admin/trusted-organisations",
            data={"csrf_token": csrf_from(page), "organisation": ORGANISATION, "trusted": value},
            follow_redirects=False,
        )
        assert response.status_code == 303

    trust("true")
    trusted = client.get("/admin/api-keys").text
    assert re.search(r"Trusted organisations.*Barcelona City Council", trusted, re.S)
    written = client.post("/api/v1/practices", json=practice_data(), headers=auth(secret.group(1)))
    assert written.json()["status"] == "published"

    trust("false")
    second = practice_data("Second story circle")
    written = client.post("/api/v1/practices", json=second, headers=auth(secret.group(1)))
    assert written.json()["status"] == "submitted"
    with Session(engine) as session:
        organisation = session.exec(
            select(Organisation).where(Organisation.slug == ORGANISATION)
        ).one()
        assert not organisation.trusted
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.target == ORGANISATION)
        ).all()
        assert actions.count("organisation.trust") == 2

    unknown = client.post(
        "/admin/trusted-organisations",
        data={"csrf_token": csrf_from(page), "organisation": "", "trusted": "true"},
    )
    assert unknown.status_code == 422
    assert 'id="trust_organisation-error"' in unknown.text
