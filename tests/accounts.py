"""Accounts and signed-in clients for the tests."""

import re
import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.accounts.users import create_user

PASSWORD = "a long enough password"


def new_user(
    engine: Engine, role: str, organisation: str | None = None, name: str | None = None
) -> str:
    """A new account (its e-mail address); the password is ``PASSWORD``."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    with Session(engine) as session:
        create_user(session, email, PASSWORD, role, organisation, name=name)
    return email


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def signed_in_client(client: TestClient, engine: Engine, role: str, org: str | None) -> str:
    """Sign ``client`` in as a new account; returns its e-mail address."""
    client.cookies.clear()
    email = new_user(engine, role, org)
    sign_in(client, email)
    return email
