"""Account security under pressure: sign-in throttling that holds under concurrency
(audit finding 8), password e-mails that are limited and tell nothing by their timing (9),
reset links that all end with the first used (10), API keys' names kept from the public
history and a CSRF cookie renewed at sign-in and sign-out (16)."""

import contextlib
import itertools
import re
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import limiting
from app.accounts import sign_in as sign_in_module
from app.accounts.api_keys import create_api_key
from app.config import get_settings
from app.models.accounts import User
from app.web.csrf import COOKIE as CSRF_COOKIE
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    auth,
    csrf_from,
    new_user,
    practice_data,
    sign_in,
    trusted_organisation,
)

pytestmark = pytest.mark.writes

_addresses = itertools.count(1)


def browser(client: TestClient) -> TestClient:
    """A browser from an address of its own, so limits on one test's address touch no other."""
    number = next(_addresses)
    address = f"10.{200 + number // 250 % 50}.{number % 250}.9"
    return TestClient(client.app, client=(address, 50000))


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("INTERLOCAL_MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def ask_for_link(client: TestClient, email: str) -> tuple[int, str]:
    token = csrf_from(client.get("/password/forgot").text)
    response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    return response.status_code, response.text.replace(email, "ADDRESS")


def links(mail_dir: Path) -> list[str]:
    bodies = [
        message_from_bytes(p.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
        for p in mail_dir.glob("*.eml")
    ]
    return [m.group(1) for body in bodies if (m := re.search(r"token=([\w-]+)", body))]


# --- Finding 8 ---------------------------------------------------------------------------


def test_concurrent_wrong_passwords_check_no_more_than_the_limit(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    checked = itertools.count()
    real = sign_in_module.authenticate

    def counted(*args: Any) -> Any:
        next(checked)
        return real(*args)

    monkeypatch.setattr(sign_in_module, "authenticate", counted)
    start = threading.Barrier(30)
    outcomes: list[str] = []

    def attempt(number: int) -> None:
        start.wait()
        with Session(engine) as session:
            try:
                sign_in_module.sign_in(session, email, "wrong password!", f"10.9.9.{number}")
            except sign_in_module.TooManyAttempts:
                outcomes.append("throttled")
            else:
                outcomes.append("checked")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    limit = get_settings().login_max_failures
    assert outcomes.count("checked") <= limit and len(outcomes) == 30
    # Attempts refused in the rush do not count; later ones are checked until the limit
    # (never beyond it), and then the account is paused, even for the right password.
    with Session(engine) as session:
        for _ in range(limit):
            with contextlib.suppress(sign_in_module.TooManyAttempts):
                sign_in_module.sign_in(session, email, "wrong password!", "10.9.9.98")
        assert next(checked) == limit
        with pytest.raises(sign_in_module.TooManyAttempts):
            sign_in_module.sign_in(session, email, PASSWORD, "10.9.9.99")


def test_sign_ins_that_succeed_do_not_count_as_failures(client: TestClient, engine: Engine) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    limit = get_settings().login_max_failures
    with Session(engine) as session:
        for _ in range(limit - 1):
            assert sign_in_module.sign_in(session, email, "wrong password!", None) is None
        for _ in range(limit + 1):
            assert sign_in_module.sign_in(session, email, PASSWORD, None) is not None
        assert sign_in_module.sign_in(session, email, "wrong password!", None) is None
        with pytest.raises(sign_in_module.TooManyAttempts):
            sign_in_module.sign_in(session, email, PASSWORD, None)


@pytest.fixture
def standard_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The production argon2 parameters, where the suite uses the cheapest."""
    monkeypatch.setenv("INTERLOCAL_PASSWORD_HASHING", "rfc9106-low-memory")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_hash_made_with_other_parameters_is_made_again_at_sign_in(
    client: TestClient, engine: Engine, request: pytest.FixtureRequest
) -> None:
    email = new_user(engine, "member", "oslo-city-council")  # the suite's cheapest hashes
    request.getfixturevalue("standard_hashing")
    with Session(engine) as session:
        assert sign_in_module.sign_in(session, email, "wrong password!", None) is None
        user = session.exec(select(User).where(User.email == email)).one()
        assert "m=65536,t=3,p=4" not in user.password_hash  # a failure changes nothing
        assert sign_in_module.sign_in(session, email, PASSWORD, None) is not None
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert "m=65536,t=3,p=4" in user.password_hash
    sign_in(browser(client), email)  # the new hash holds the same password


# --- Findings 9 and 10 --------------------------------------------------------------------


def test_password_emails_are_limited_per_address_and_per_client(
    client: TestClient, engine: Engine, mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLOCAL_PASSWORD_RESET_RATE_LIMIT", "2/hour")
    monkeypatch.setenv("INTERLOCAL_PASSWORD_RESET_RATE_LIMIT_PER_CLIENT", "8/hour")
    get_settings.cache_clear()
    email = new_user(engine, "member", "oslo-city-council")
    answers = {ask_for_link(browser(client), email) for _ in range(5)}
    answers |= {ask_for_link(browser(client), "nobody-here@example.org") for _ in range(5)}
    assert len(answers) == 1 and next(iter(answers))[0] == 200  # one answer for all ten
    assert len(links(mail_dir)) == 2
    # One client asking for many addresses is stopped too, with a time to come back.
    same = browser(client)
    for number in range(8):
        assert ask_for_link(same, f"guess-{number}@example.org")[0] == 200
    token = csrf_from(same.get("/password/forgot").text)
    refused = same.post("/password/forgot", data={"email": email, "csrf_token": token})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in refused.text
    assert len(links(mail_dir)) == 2


def test_the_mail_goes_out_after_the_answer(
    live_server: LiveServer, mail_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.web import account

    email = new_user(live_server.engine, "member", "oslo-city-council")
    sent = threading.Event()

    def slow_send(*args: Any) -> None:
        time.sleep(1.5)  # a slow mail server
        sent.set()

    monkeypatch.setattr(account, "send", slow_send)
    with httpx.Client(base_url=live_server.url) as http:
        token = csrf_from(http.get("/password/forgot").text)
        started = time.monotonic()
        answer = http.post("/password/forgot", data={"email": email, "csrf_token": token})
        took = time.monotonic() - started
    assert answer.status_code == 200 and took < 1.0
    assert sent.wait(5)


def test_using_one_reset_link_ends_every_other(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    ask_for_link(browser(client), email)
    ask_for_link(browser(client), email)
    first, second = links(mail_dir)
    reset = browser(client)
    for token in (first, second):
        assert reset.get("/password/reset", params={"token": token}).status_code == 200
    form = reset.get("/password/reset", params={"token": first}).text
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    done = reset.post(
        "/password/reset",
        data={"token": first, "csrf_token": csrf_from(form), **new},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert reset.get("/password/reset", params={"token": second}).status_code == 400
    again = reset.post(
        "/password/reset", data={"token": second, "csrf_token": csrf_from(form), **new}
    )
    assert again.status_code == 400 and "expired or was already used" in again.text


# --- Finding 16 ---------------------------------------------------------------------------


def test_the_history_names_a_keys_organisation_not_the_key(
    client: TestClient, engine: Engine
) -> None:
    organisation = trusted_organisation(engine)
    with Session(engine) as session:
        _key, token = create_api_key(session, organisation, "Nightly sync ops-7", ["write"])
    written = client.post(
        "/api/v1/practices", json=practice_data("Kitchen table talks"), headers=auth(token)
    )
    assert written.status_code == 201, written.text
    slug = written.json()["slug"]
    client.cookies.clear()
    for path in (f"/practices/{slug}/history", f"/practices/{slug}/revisions/1"):
        page = client.get(path)
        assert page.status_code == 200
        assert "Nightly sync" not in page.text
        assert "a member of Partner network" in page.text
    sign_in(client, new_user(engine, "admin"))
    assert "Nightly sync ops-7" in client.get(f"/practices/{slug}/history").text
    client.cookies.clear()


def test_signing_in_and_out_renews_the_csrf_cookie(client: TestClient, engine: Engine) -> None:
    email = new_user(engine, "member", "oslo-city-council")
    visitor = browser(client)
    before = csrf_from(visitor.get("/login").text)
    assert visitor.cookies[CSRF_COOKIE] == before
    sign_in(visitor, email)
    after_sign_in = visitor.cookies[CSRF_COOKIE]
    assert after_sign_in != before
    page = visitor.get("/my/practices")
    form_token = csrf_from(page.text)
    assert form_token == after_sign_in
    visitor.post("/logout", data={"csrf_token": form_token}, follow_redirects=False)
    assert visitor.cookies[CSRF_COOKIE] not in (before, after_sign_in)


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    """Password-mail counts are kept outside the database; each test starts with none."""
    limiting.reset()
    yield
    limiting.reset()


def test_signing_in_leads_where_the_person_was_going_or_to_their_practices(
    client: TestClient, engine: Engine
) -> None:
    email = new_user(engine, "member", "oslo-city-council")

    def lands(next_page: str | None) -> str:
        client.cookies.clear()
        form = client.get("/login", params={"next": next_page} if next_page else {})
        data = {"email": email, "password": PASSWORD, "csrf_token": csrf_from(form.text)}
        if next_page is not None:
            data["next"] = next_page
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 303
        return response.headers["location"]

    assert lands("/practices?country=ES&lang=de") == "/practices?country=ES&lang=de"
    for nowhere in (None, "/", "/?lang=en", "https://evil.example/", "//evil.example", "/\\evil"):
        assert lands(nowhere).startswith("/my/practices"), nowhere
    # The header's link carries the page, with its query, to the form.
    client.cookies.clear()
    page = client.get("/practices", params={"country": "ES"}).text
    assert "next=%2Fpractices%3Fcountry%3DES" in page
