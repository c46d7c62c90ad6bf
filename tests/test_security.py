"""Sign-in security: throttling, no user enumeration, password links, cookie flags, CSRF."""

import itertools
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.config import get_settings
from app.models.accounts import User
from tests.factories import PASSWORD, csrf_from, new_user, sign_in

pytestmark = pytest.mark.writes  # every test here writes, on a copy of the catalogue

_addresses = itertools.count(1)


def fresh_client(client: TestClient, **options: object) -> TestClient:
    """Another browser, from its own address (so throttling one does not touch others)."""
    number = next(_addresses)  # the throttle's memory outlives each test's database
    address = f"10.{number // 250 % 250}.{number % 250}.7"
    return TestClient(client.app, client=(address, 50000), **options)  # type: ignore[arg-type]


def try_login(client: TestClient, email: str, password: str) -> tuple[int, str, dict[str, str]]:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    message = re.search(r'class="field-error"[^>]*>.*?</span>([^<]*)<', response.text)
    return response.status_code, message.group(1) if message else "", dict(response.headers)


def test_repeated_failures_pause_sign_in_for_that_account(
    client: TestClient, engine: Engine
) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    browser = fresh_client(client)
    for _ in range(get_settings().login_max_failures):
        status, message, _headers = try_login(browser, email, "wrong password!")
        assert (status, message) == (422, "The e-mail address or the password is wrong.")
    # Now even the right password is refused for a while, with a time to come back.
    status, message, headers = try_login(fresh_client(client), email, PASSWORD)
    assert status == 429 and "Too many failed attempts" in message
    assert 0 < int(headers["retry-after"]) <= get_settings().login_window_minutes * 60
    # Other accounts are not affected.
    other = new_user(engine, "member", "oslo-city-council")
    assert try_login(fresh_client(client), other, PASSWORD)[0] == 303


def test_repeated_failures_pause_sign_in_from_that_address(
    client: TestClient, engine: Engine
) -> None:
    browser = fresh_client(client)
    for attempt in range(get_settings().login_max_failures_per_client):
        try_login(browser, f"guess-{attempt}@example.org", "guessing")
    status, _message, headers = try_login(
        browser, new_user(engine, "member", "oslo-city-council"), PASSWORD
    )
    assert status == 429 and "retry-after" in headers


def test_sign_in_answers_alike_for_unknown_and_known_addresses(
    client: TestClient, engine: Engine
) -> None:
    known = new_user(engine, "member", "oslo-city-council")
    unknown = "nobody@example.org"
    assert (
        try_login(fresh_client(client), known, "wrong password!")[:2]
        == try_login(fresh_client(client), unknown, "wrong password!")[:2]
    )
    # ...also once throttled: the unknown address is paused just like a real one.
    for email in (known, unknown):
        browser = fresh_client(client)
        for _ in range(get_settings().login_max_failures):
            try_login(browser, email, "wrong password!")
    assert try_login(fresh_client(client), known, "x")[0] == 429
    assert try_login(fresh_client(client), unknown, "x")[0] == 429


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("INTERLOCAL_MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.delenv("INTERLOCAL_MAIL_DIR")
    get_settings.cache_clear()


def ask_for_link(client: TestClient, email: str) -> str:
    token = csrf_from(client.get("/password/forgot").text)
    response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    assert response.status_code == 200
    return response.text.replace(email, "ADDRESS")


def test_a_forgotten_password_is_reset_by_a_one_time_link(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    browser = fresh_client(client)
    sign_in(browser, email)  # a session that must end with the reset
    unknown = ask_for_link(fresh_client(client), "nobody@example.org")
    known = ask_for_link(fresh_client(client), email)
    assert _without_tokens(known) == _without_tokens(unknown)  # nothing tells them apart
    messages = [
        message_from_bytes(path.read_bytes(), policy=default) for path in mail_dir.glob("*.eml")
    ]
    assert len(messages) == 1 and messages[0]["To"] == email
    body = messages[0].get_body().get_content()  # type: ignore[union-attr]
    link = re.search(r"(/password/reset\?token=[\w-]+)", body).group(1)  # type: ignore[union-attr]

    reset = fresh_client(client)
    form = reset.get(link)
    assert form.status_code == 200
    token = link.split("token=")[1]
    short = reset.post(
        "/password/reset",
        data={
            "token": token,
            "password": "short",
            "confirm": "short",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    done = reset.post(
        "/password/reset",
        data={
            "token": token,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert reset.get(link).status_code == 400  # used up
    assert browser.get("/my/practices", follow_redirects=False).status_code == 303  # signed out
    assert try_login(fresh_client(client), email, PASSWORD)[0] == 422
    assert try_login(fresh_client(client), email, "a brand new passphrase")[0] == 303


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_session_cookies_are_httponly_lax_and_secure_over_https(
    client: TestClient, engine: Engine
) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        browser = fresh_client(client, base_url=base)
        token = csrf_from(browser.get("/login").text)
        response = browser.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        cookie = next(
            v
            for k, v in response.headers.multi_items()
            if k == "set-cookie" and v.startswith("interlocal_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure


def test_forms_from_another_site_are_refused(client: TestClient, engine: Engine) -> None:
    browser = fresh_client(client)
    email = new_user(engine, "member", "oslo-city-council")
    response = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 403
    sign_in(browser, email)
    forged = browser.post(
        "/practices/new",
        data={"title": "Forged", "place": "oslo", "action": "save", "csrf_token": "guess"},
    )
    assert forged.status_code == 403
    assert "came from another site" in forged.text


def test_an_admin_adds_an_account_and_its_owner_chooses_the_password(
    client: TestClient, engine: Engine
) -> None:
    admin = fresh_client(client)
    sign_in(admin, new_user(engine, "admin"))
    page = admin.get("/admin/users")
    email = "officer@example.org"
    refused = admin.post(
        "/admin/users",
        data={
            "email": email,
            "role": "member",
            "organisation": "",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert refused.status_code == 422
    assert re.search(r'id="organisation-error">.*A member belongs to an organisation', refused.text)
    created = admin.post(
        "/admin/users",
        data={
            "email": email,
            "name": "Oslo officer",
            "role": "member",
            "organisation": "oslo-city-council",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert created.status_code == 200 and email in created.text
    link = re.search(r"(/password/reset\?token=[\w-]+)", created.text).group(1)  # type: ignore[union-attr]
    assert try_login(fresh_client(client), email, "anything at all")[0] == 422  # no password yet

    owner = fresh_client(client)
    form = owner.get(link)
    owner.post(
        "/password/reset",
        data={
            "token": link.split("token=")[1],
            "password": "my own passphrase",
            "confirm": "my own passphrase",
            "csrf_token": csrf_from(form.text),
        },
    )
    sign_in(owner, email, "my own passphrase")
    assert owner.get("/my/practices").status_code == 200

    # Switching the account off ends its sessions at once.
    with Session(engine) as session:
        user_id = session.exec(select(User.id).where(User.email == email)).one()
    assert f"/admin/users/{user_id}/active" in admin.get("/admin/users").text
    admin.post(
        f"/admin/users/{user_id}/active",
        data={"active": "false", "csrf_token": csrf_from(page.text)},
    )
    assert owner.get("/my/practices", follow_redirects=False).status_code == 303
    assert try_login(fresh_client(client), email, "my own passphrase")[0] == 422
