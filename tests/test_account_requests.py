"""Asking for an account from the sign-in page, and the moderators' decision: a request
becomes an organisation, a catalogued place and a member who sets a password by e-mail, or
is declined with a reason; bad input, forged forms and floods write nothing; nobody but
moderators sees a request."""

import itertools
import re
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import unescape
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.accounts.users import create_user
from app.config import get_settings
from app.models.accounts import AccountRequest, AuditEvent, User
from app.models.places import Organisation, Place
from tests.factories import csrf_from, new_user, sign_in

_addresses = itertools.count(1)

BILBAO = {
    "name": "Ane Etxeberria",
    "job_title": "Communications officer",
    "email": "ane@bilbao.example.eus",
    "place_q": "Bilbao",
    "organisation": "",
    "organisation_name": "Bilbao City Council",
    "organisation_type": "lra",
    "message": "We run a zqxanti campaign against rumours.",
}


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("INTERLOCAL_MAIL_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.delenv("INTERLOCAL_MAIL_DIR")
    get_settings.cache_clear()


def browser(client: TestClient) -> TestClient:
    """Another browser, from an address of its own."""
    number = next(_addresses)
    address = f"10.77.{number // 250 % 250}.{number % 250}"
    return TestClient(client.app, client=(address, 50000))


def ask(visitor: TestClient, lang: str = "en", **changes: str) -> httpx.Response:
    """Fill in and send the request form, as a browser without JavaScript would."""
    token = csrf_from(visitor.get("/account/request", params={"lang": lang}).text)
    data = {**BILBAO, **changes, "csrf_token": token}
    response: httpx.Response = visitor.post(
        f"/account/request?lang={lang}", data=data, follow_redirects=False
    )
    return response


def mails(mail_dir: Path) -> list[EmailMessage]:
    found = [message_from_bytes(p.read_bytes(), policy=default) for p in mail_dir.glob("*.eml")]
    return [m for m in found if isinstance(m, EmailMessage)]


def body(message: EmailMessage) -> str:
    return str(message.get_body().get_content())  # type: ignore[union-attr]


def mail_to(mail_dir: Path, email: str, subject: str) -> str:
    matching = [m for m in mails(mail_dir) if m["To"] == email and m["Subject"] == subject]
    assert len(matching) == 1, [(m["To"], m["Subject"]) for m in mails(mail_dir)]
    return body(matching[0])


def field_error(html: str, field: str) -> str:
    """The message shown next to ``field``."""
    match = re.search(rf'id="{field}-error"><span[^>]*>[^<]*</span>([^<]*)<', html)
    return unescape(match.group(1)) if match else ""


def rows(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            "requests": session.exec(select(func.count()).select_from(AccountRequest)).one(),
            "organisations": session.exec(select(func.count()).select_from(Organisation)).one(),
            "users": session.exec(select(func.count()).select_from(User)).one(),
            "events": session.exec(select(func.count()).select_from(AuditEvent)).one(),
        }


def the_request(engine: Engine, email: str = BILBAO["email"]) -> AccountRequest:
    with Session(engine) as session:
        return session.exec(select(AccountRequest).where(AccountRequest.email == email)).one()


def catalogued_in_spain(client: TestClient) -> set[str]:
    places = client.get("/api/v1/places", params={"country": "ES", "limit": 200}).json()
    return {place["slug"] for place in places["items"]}


def moderator_browser(client: TestClient, engine: Engine) -> TestClient:
    moderator = browser(client)
    sign_in(moderator, new_user(engine, "moderator"))
    return moderator


def decide(moderator: TestClient, request_id: int, **data: str) -> httpx.Response:
    page = moderator.get(f"/moderation/requests/{request_id}")
    assert page.status_code == 200
    response: httpx.Response = moderator.post(
        f"/moderation/requests/{request_id}",
        data={**data, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return response


def test_the_sign_in_page_offers_to_ask_for_an_account(client: TestClient) -> None:
    login = client.get("/login", params={"lang": "en"})
    assert 'href="/account/request?lang=en">Ask for an account for your authority' in login.text
    form = client.get("/account/request", params={"lang": "de"})
    assert form.status_code == 200 and "Ein Konto für Ihre Verwaltung anfragen" in form.text
    assert 'name="place_q"' in form.text and 'data-hx-get="/places/suggest' in form.text
    assert '<option value="barcelona-city-council">Barcelona City Council</option>' in form.text


@pytest.mark.writes
def test_an_approved_request_makes_the_account_and_sends_the_password_link(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    assert "bilbao" not in catalogued_in_spain(client)  # only in the gazetteer so far
    visitor = browser(client)
    sent = ask(visitor)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/account/request/sent")
    thanks = visitor.get(sent.headers["location"])
    assert "Thank you: we will write to you" in thanks.text
    assert "A moderator will read your request" in mail_to(
        mail_dir, BILBAO["email"], "We have your request for an Interlocal account"
    )
    request = the_request(engine)
    assert (request.status, request.organisation_name, request.job_title) == (
        "pending",
        "Bilbao City Council",
        "Communications officer",
    )

    moderator = moderator_browser(client, engine)
    assert "1 request is waiting" in moderator.get("/moderation").text
    listing = moderator.get("/moderation/requests").text
    assert "Ane Etxeberria" in listing and "Bilbao City Council" in listing
    detail = moderator.get(f"/moderation/requests/{request.id}").text
    assert "zqxanti campaign" in detail and "not yet in the catalogue" in detail
    approved = decide(moderator, request.id or 0, action="approve")
    assert approved.status_code == 303
    assert "Approved: the account is made" in moderator.get(approved.headers["location"]).text
    assert decide(moderator, request.id or 0, action="approve").status_code == 409  # done

    with Session(engine) as session:
        place = session.exec(select(Place).where(Place.slug == "bilbao")).one()
        organisation = session.exec(
            select(Organisation).where(Organisation.name == "Bilbao City Council")
        ).one()
        user = session.exec(select(User).where(User.email == BILBAO["email"])).one()
        decided = session.get(AccountRequest, request.id)
        assert place.catalogued
        assert (organisation.slug, organisation.type, organisation.place_id) == (
            "bilbao-city-council",
            "lra",
            place.id,
        )
        assert (user.role, user.organisation_id, user.name) == (
            "member",
            organisation.id,
            "Ane Etxeberria",
        )
        assert decided is not None and decided.status == "approved"
        assert (decided.user_id, decided.organisation_id) == (user.id, organisation.id)
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.target == BILBAO["email"])
        ).all()
        assert {"account-request.create", "account-request.approve", "user.create"} <= set(actions)

    text = mail_to(mail_dir, BILBAO["email"], "Your Interlocal account is ready")
    assert "Bilbao City Council" in text
    link = re.search(r"(/password/reset\?token=[\w-]+)", text).group(1)  # type: ignore[union-attr]
    owner = browser(client)
    form = owner.get(link)
    assert form.status_code == 200
    done = owner.post(
        "/password/reset",
        data={
            "token": link.split("token=")[1],
            "password": "bilbao passphrase",
            "confirm": "bilbao passphrase",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    sign_in(owner, BILBAO["email"], "bilbao passphrase")
    assert owner.get("/my/practices", follow_redirects=False).status_code == 200
    assert "bilbao" in catalogued_in_spain(client)  # in the catalogue now


@pytest.mark.writes
def test_a_member_can_join_an_organisation_already_listed(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    email = "officer@barcelona.example.cat"
    changes = {"place_q": "Barcelona", "organisation": "barcelona-city-council"}
    assert ask(browser(client), email=email, organisation_name="", **changes).status_code == 303
    before = rows(engine)["organisations"]
    moderator = moderator_browser(client, engine)
    approved = decide(moderator, the_request(engine, email).id or 0, action="approve")
    assert approved.status_code == 303
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        organisation = session.get(Organisation, user.organisation_id)
        assert organisation is not None and organisation.slug == "barcelona-city-council"
    assert rows(engine)["organisations"] == before


@pytest.mark.writes
def test_a_declined_request_sends_the_reason_and_makes_nothing(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    assert ask(browser(client), lang="es").status_code == 303
    request = the_request(engine)
    moderator = moderator_browser(client, engine)
    before = rows(engine)
    refused = decide(moderator, request.id or 0, action="decline", reason="  ")
    assert refused.status_code == 422
    assert field_error(refused.text, "reason") == "This field is required."
    assert the_request(engine).status == "pending"
    declined = decide(
        moderator,
        request.id or 0,
        action="decline",
        reason="Please ask with your address at the city council.",
    )
    assert declined.status_code == 303
    after = rows(engine)
    assert (after["organisations"], after["users"], after["requests"]) == (
        before["organisations"],
        before["users"],
        before["requests"],
    )
    request = the_request(engine)
    assert (request.status, request.reason) == (
        "declined",
        "Please ask with your address at the city council.",
    )
    with Session(engine) as session:
        assert not session.exec(select(Place).where(Place.slug == "bilbao")).one().catalogued
        assert session.exec(select(User).where(User.email == BILBAO["email"])).first() is None
    # Told in the language the request was made in.
    text = mail_to(mail_dir, BILBAO["email"], "Su solicitud de una cuenta de Interlocal")
    assert "Please ask with your address at the city council." in text
    assert "/account/request?lang=es" in text


BAD_INPUT = [
    ({"place_q": ""}, "place", "Choose a place."),
    ({"place_q": "Kirchberg"}, "place", "places are called 'Kirchberg': choose yours"),
    ({"place_q": "Bilb"}, "place", "Choose your place from the list."),
    ({"email": "not-an-address"}, "email", "'not-an-address' is not an e-mail address"),
    ({"email": ""}, "email", "This field is required."),
    ({"name": "   "}, "name", "This field is required."),
    ({"job_title": "<b>Boss</b>"}, "job_title", "HTML tags are not allowed."),
    ({"organisation_name": ""}, "organisation_name", "Give the name of your organisation"),
    ({"organisation_name": "barcelona city council"}, "organisation_name", "already in"),
    ({"organisation_type": "castle"}, "organisation_type", "Choose one of the listed values."),
    ({"organisation": "no-such-organisation"}, "organisation", "Choose one of the listed"),
    ({"message": "x" * 2001}, "message", "At most 2000 characters; this has 2001."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_the_field_and_writes_nothing(
    client: TestClient, engine: Engine, changes: dict[str, str], field: str, message: str
) -> None:
    # The catalogue is read-only here: any write would fail the request.
    before = rows(engine)
    response = ask(browser(client), **changes)
    assert response.status_code == 422
    assert message in field_error(response.text, field), response.text
    assert f'href="#{field}"' in response.text  # the summary links to the field
    assert rows(engine) == before
    if changes.get("place_q") in ("Kirchberg", "Bilb"):  # the form offers the places
        assert 'type="radio"' in response.text and 'name="place"' in response.text


def test_without_javascript_the_form_comes_back_with_the_places(client: TestClient) -> None:
    visitor = browser(client)
    token = csrf_from(visitor.get("/account/request").text)
    found = visitor.post(
        "/account/request",
        data={**BILBAO, "place_q": "Bilb", "action": "find-place", "csrf_token": token},
    )
    assert found.status_code == 200
    assert 'id="place-bilbao" name="place" value="bilbao"' in found.text
    assert "error-summary" not in found.text and not field_error(found.text, "name")
    assert 'value="Ane Etxeberria"' in found.text  # what was typed stays
    # The button finds the place even when the name is exact: it never sends the request
    # (this catalogue is read-only, so a write would fail the test).
    exact = visitor.post(
        "/account/request",
        data={**BILBAO, "place_q": "Bilbao", "action": "find-place", "csrf_token": token},
        follow_redirects=False,
    )
    assert exact.status_code == 200 and 'value="bilbao" checked' in exact.text


def test_a_form_without_its_token_is_refused(client: TestClient, engine: Engine) -> None:
    before = rows(engine)
    response = browser(client).post("/account/request", data=BILBAO)
    assert response.status_code == 403
    assert "came from another site" in response.text
    assert rows(engine) == before


@pytest.fixture
def two_an_hour(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTERLOCAL_ACCOUNT_REQUEST_RATE_LIMIT", "2/hour")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("INTERLOCAL_ACCOUNT_REQUEST_RATE_LIMIT")
    get_settings.cache_clear()


@pytest.mark.writes
def test_requests_from_one_address_are_limited(
    client: TestClient, engine: Engine, mail_dir: Path, two_an_hour: None
) -> None:
    visitor = browser(client)
    assert ask(visitor, email="not an address").status_code == 422  # not counted
    for number in range(2):
        assert ask(visitor, email=f"officer-{number}@example.org").status_code == 303
    refused = ask(visitor, email="officer-2@example.org")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "Too many requests from your address" in refused.text
    assert rows(engine)["requests"] == 2
    # Another address has its own allowance.
    assert ask(browser(client), email="officer-3@example.org").status_code == 303
    assert rows(engine)["requests"] == 3


@pytest.mark.writes
def test_the_same_page_whether_or_not_the_address_is_known(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    member = new_user(engine, "member", "oslo-city-council")
    answers = [
        ask(browser(client)),  # new
        ask(browser(client), name="Someone else"),  # a request from it is waiting
        ask(browser(client), email=member),  # has an account
    ]
    assert {(a.status_code, a.headers["location"]) for a in answers} == {
        (303, "/account/request/sent?lang=en")
    }
    assert rows(engine)["requests"] == 1 and the_request(engine).name == "Ane Etxeberria"
    assert "already waiting for a moderator" in mail_to(
        mail_dir, BILBAO["email"], "Your request for an Interlocal account is waiting"
    )
    text = mail_to(mail_dir, member, "You already have an Interlocal account")
    assert "/password/forgot" in text and "/login" in text


@pytest.mark.writes
def test_approval_is_refused_when_the_address_has_an_account_by_then(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    assert ask(browser(client)).status_code == 303
    request = the_request(engine)
    with Session(engine) as session:  # an administrator made it meanwhile
        create_user(session, BILBAO["email"], None, "member", "oslo-city-council")
    moderator = moderator_browser(client, engine)
    before = rows(engine)
    assert (
        "this address has an account already"
        in moderator.get(f"/moderation/requests/{request.id}").text
    )
    refused = decide(moderator, request.id or 0, action="approve")
    assert refused.status_code == 422 and "exists already" in refused.text
    after = rows(engine)
    assert (after["organisations"], after["users"]) == (before["organisations"], before["users"])
    assert the_request(engine).status == "pending"


def _public_addresses() -> list[str]:
    return [
        "/",
        "/practices?q=campaign+rumours",
        "/places?country=ES",
        "/api/v1/organisations?limit=100",
        "/api/v1/places?country=ES&limit=100",
        "/account/request",
        "/account/request/sent",
    ]


@pytest.mark.writes
def test_only_moderators_see_requests(client: TestClient, engine: Engine) -> None:
    assert ask(browser(client)).status_code == 303
    request_id = the_request(engine).id
    pages = ["/moderation/requests", f"/moderation/requests/{request_id}"]
    anonymous = browser(client)
    for page in pages:
        response = anonymous.get(page, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    token = csrf_from(anonymous.get("/login").text)
    post = anonymous.post(
        pages[1], data={"action": "approve", "csrf_token": token}, follow_redirects=False
    )
    assert post.status_code == 303 and post.headers["location"].startswith("/login")
    member = browser(client)
    sign_in(member, new_user(engine, "member", "oslo-city-council"))
    for page in pages:
        assert member.get(page).status_code == 403
    token = csrf_from(member.get("/login").text)
    assert member.post(pages[1], data={"action": "approve", "csrf_token": token}).status_code == 403
    assert the_request(engine).status == "pending"
    for viewer in (anonymous, member):
        for address in _public_addresses():
            text = viewer.get(address).text
            for secret in ("Etxeberria", "zqxanti", BILBAO["email"]):
                assert secret not in text, address


@pytest.mark.writes
def test_a_bad_action_on_a_request_that_does_not_exist_is_not_found(
    client: TestClient, engine: Engine
) -> None:
    moderator = moderator_browser(client, engine)
    token = csrf_from(moderator.get("/moderation/requests").text)
    for request_id in (999999, 2**40):
        response = moderator.post(
            f"/moderation/requests/{request_id}",
            data={"action": "zzz", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code in (404, 422), request_id
    assert moderator.get(f"/moderation/requests/{2**40}").status_code in (404, 422)
    assert moderator.get("/moderation/places").status_code == 200
    big = moderator.post(
        f"/moderation/places/{2**40}", data={"action": "reject", "csrf_token": token}
    )
    assert big.status_code in (404, 422)


@pytest.mark.writes
def test_two_requests_for_the_same_new_organisation_make_one(
    client: TestClient, engine: Engine, mail_dir: Path
) -> None:
    assert (
        ask(browser(client), email="one@zqorg.example", organisation_name="Zq Org").status_code
        == 303
    )
    assert (
        ask(browser(client), email="two@zqorg.example", organisation_name="zq org").status_code
        == 303
    )
    moderator = moderator_browser(client, engine)
    for email in ("one@zqorg.example", "two@zqorg.example"):
        assert (
            decide(moderator, the_request(engine, email).id or 0, action="approve").status_code
            == 303
        )
    with Session(engine) as session:
        users = session.exec(
            select(User).where(col(User.email).in_(["one@zqorg.example", "two@zqorg.example"]))
        ).all()
        assert len({u.organisation_id for u in users}) == 1
