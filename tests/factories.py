"""What the tests make: accounts (and signing them in), API keys, organisations, practices
as input, as the API's JSON and as the HTML form posts them, and published practices.

Every test that writes has a database of its own (see ``tests/conftest.py``), so names
here are plain; a counter keeps the accounts of one test apart.
"""

import itertools
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts.api_keys import create_api_key
from app.accounts.users import create_user
from app.dilemmas.writes import decide, save_dilemma
from app.models.accounts import AccountRequest, User
from app.models.places import Organisation, Place
from app.permissions import viewer_for
from app.practices.input import PracticeIn
from app.practices.revisions import editing_data
from app.practices.translations import save_practice_translation, translation_input
from app.practices.workflow import create_practice, publish, save_practice
from app.practices.worklists import find_any_practice

PASSWORD = "a long enough password"

_accounts = itertools.count(1)


# --- Accounts ----------------------------------------------------------------------------


def new_user(
    engine: Engine, role: str, organisation: str | None = None, name: str | None = None
) -> str:
    """A new account of ``role`` (in ``organisation``); its e-mail address. The password
    is ``PASSWORD``."""
    email = f"{role}-{next(_accounts)}@example.org"
    with Session(engine) as session:
        create_user(session, email, PASSWORD, role, organisation, name=name)
    return email


def user_id(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        return int(session.exec(select(User.id).where(User.email == email)).one() or 0)


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


# --- API keys and organisations ----------------------------------------------------------


def new_key(engine: Engine, *scopes: str, organisation: str = "barcelona-city-council") -> str:
    """A new API key of ``organisation`` with ``scopes``; its token."""
    with Session(engine) as session:
        _key, token = create_api_key(session, organisation, "Test system", list(scopes))
    return token


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def account_request(engine: Engine) -> int:
    """A request for an account from Bilbao City Council, waiting for review; its id."""
    with Session(engine) as session:
        bilbao = session.exec(select(Place).where(Place.slug == "bilbao")).one()
        assert bilbao.id is not None
        request = AccountRequest(
            name="Ane Etxeberria",
            job_title="Communications officer",
            email="ane@bilbao.example.eus",
            place_id=bilbao.id,
            organisation_name="Bilbao City Council",
            organisation_type="lra",
            message="We would like to share our anti-rumour work.",
        )
        session.add(request)
        session.commit()
        assert request.id is not None
        return request.id


def new_organisation(
    engine: Engine, slug: str, *, place: str | None = None, trusted: bool = False
) -> str:
    """A new organisation (an NGO, at ``place``); its slug."""
    with Session(engine) as session:
        place_id = None
        if place is not None:
            place_id = session.exec(select(Place.id).where(Place.slug == place)).one()
        name = slug.replace("-", " ").capitalize()
        session.add(
            Organisation(slug=slug, name=name, type="ngo", place_id=place_id, trusted=trusted)
        )
        session.commit()
    return slug


def trusted_organisation(engine: Engine) -> str:
    """A new organisation in Barcelona whose API keys publish without review."""
    return new_organisation(engine, "partner-network", place="barcelona", trusted=True)


# --- Practices ---------------------------------------------------------------------------


def practice_data(title: str = "Neighbourhood story circle", **more: Any) -> dict[str, Any]:
    """A valid practice as the API takes it (``PracticeIn``'s fields): in Barcelona."""
    return {
        "title": title,
        "summary": "Residents old and new tell each other where they come from.",
        "place": "barcelona",
        "terms": {"goal": ["improving-interaction"], "target-group": ["whole-community"]},
        **more,
    }


def practice_in(**fields: Any) -> PracticeIn:
    """A valid ``PracticeIn``: ``practice_data`` with ``fields`` changed."""
    return PracticeIn.model_validate(practice_data(**fields))


def practice_form(title: str, **more: Any) -> dict[str, Any]:
    """The fields the practice form posts for a practice ready to submit, led from Oslo."""
    return {
        "title": title,
        "summary": "Residents tell each other the stories of how they came to the city.",
        "place": "oslo",
        "lead_organisation": "oslo-city-council",
        "original_language": "en",
        "aim": "Build trust between long-standing and new residents.",
        "terms-target-group": "whole-community",
        "visibility": "public",
        **more,
    }


def published_practice(engine: Engine, data: PracticeIn, organisation: str) -> str:
    """``data`` submitted by a new member of ``organisation`` and published by a new
    moderator, through the workflow the site uses; its slug."""
    author_email = new_user(engine, "member", organisation)
    moderator_email = new_user(engine, "moderator")
    with Session(engine) as session:
        author = session.exec(select(User).where(User.email == author_email)).one()
        moderator = session.exec(select(User).where(User.email == moderator_email)).one()
        practice = create_practice(
            session, author, viewer_for(session, author), data, submit=True, confirm_new=True
        )
        publish(
            session,
            moderator,
            viewer_for(session, moderator),
            find_any_practice(session, practice.slug),
            expected_version=practice.version,
        )
        return practice.slug


def published_in_barcelona(engine: Engine, **fields: Any) -> str:
    """A practice (``practice_in`` with ``fields``) of Barcelona City Council, published;
    its slug."""
    return published_practice(engine, practice_in(**fields), "barcelona-city-council")


def published_edit(engine: Engine, slug: str, **changes: Any) -> None:
    """An edit of the practice ``slug`` (``changes`` to its ``PracticeIn`` fields), made and
    published by a new moderator: a new published revision."""
    email = new_user(engine, "moderator")
    with Session(engine) as session:
        moderator = session.exec(select(User).where(User.email == email)).one()
        viewer = viewer_for(session, moderator)
        practice = find_any_practice(session, slug)
        data = PracticeIn.model_validate({**editing_data(session, practice), **changes})
        practice = save_practice(
            session,
            moderator,
            viewer,
            practice,
            data,
            expected_version=practice.version,
            submit=True,
            confirm_new=True,
        )
        publish(session, moderator, viewer, practice, expected_version=practice.version)


def translated(engine: Engine, slug: str, language: str, title: str, summary: str) -> None:
    """A translation of the practice ``slug``'s title and summary, saved by a moderator."""
    email = new_user(engine, "moderator")
    with Session(engine) as session:
        moderator = session.exec(select(User).where(User.email == email)).one()
        practice = find_any_practice(session, slug)
        values = {"language": language, "origin": "human", "title": title, "summary": summary}
        save_practice_translation(session, practice, moderator, translation_input(practice, values))


# --- Dilemmas ---------------------------------------------------------------------------


def shared_dilemma(
    engine: Engine,
    organisation: str,
    cluster: str,
    visibility: str = "public",
    practice: str | None = None,
) -> int:
    """A dilemma of ``cluster`` recorded by a member of ``organisation`` (arising in its
    ``practice``, by slug), shared as ``visibility`` and published by a moderator (kept a
    draft when private); its id."""
    member = new_user(engine, "member", organisation)
    moderator = new_user(engine, "moderator")
    with Session(engine) as session:
        author = session.exec(select(User).where(User.email == member)).one()
        values = {
            "title": f"A dilemma of {cluster}",
            "cluster": cluster,
            "situation": "What we faced, in a sentence.",
            "visibility": visibility,
            "practice": practice,
        }
        dilemma = save_dilemma(session, author, values, action="submit")
        if visibility != "private":
            reviewer = session.exec(select(User).where(User.email == moderator)).one()
            decide(session, reviewer, dilemma, "publish")
        assert dilemma.id is not None
        return dilemma.id


# --- The gazetteer ------------------------------------------------------------------------


def named_place_with_two_matches(engine: Engine) -> str:
    """A place named "Salamanca" as the reports would name it, then the gazetteer (places of
    100,000 people or more) loaded: Spain has two Salamancas of about 145,000 people (the
    city and a district of Madrid), so two matches wait for a moderator. Its slug."""
    from app.loaders.gazetteer.loader import load_gazetteer

    with Session(engine) as session:
        session.add(
            Place(
                slug="salamanca-council",
                name="Salamanca",
                country="ES",
                level="municipality",
                search_names="|salamanca|",
            )
        )
        session.commit()
        load_gazetteer(session, 100000)
    return "salamanca-council"
