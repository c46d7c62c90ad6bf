"""Who may do what: every write endpoint and every signed-in page, for anonymous visitors,
a member of the practice's organisation (A), a member of another organisation (B), a
moderator and an administrator. Runs on SQLite and PostgreSQL."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.accounts import AccountRequest, ApiKey, User
from app.models.places import Place, PlaceMatch
from app.models.practices import Practice
from app.permissions import viewer_for
from app.practices.workflow import create_practice, publish
from app.web import web_router
from tests.factories import (
    PASSWORD,
    csrf_from,
    new_key,
    new_user,
    practice_in,
    sign_in,
    user_id,
)
from tests.routes import flatten

PERSONAS = ("anonymous", "member A", "member B", "moderator", "admin")
# Forms anyone may post, so they are not in the matrix.
PUBLIC_FORMS = {"/login", "/logout", "/password/forgot", "/password/reset", "/account/request"}


@dataclass
class Case:
    method: str
    route: str
    expected: tuple[int, int, int, int, int]  # in the order of PERSONAS
    params: Callable[["World"], dict[str, Any]] = lambda world: {}  # fills the route
    data: Callable[["World"], dict[str, Any]] = lambda world: {}
    query: str = ""

    def path(self, world: "World") -> str:
        return self.route.format(**self.params(world)) + self.query


class World:
    """The practices and accounts the cases act on."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.member_a = new_user(engine, "member", "oslo-city-council")
        self.moderator = new_user(engine, "moderator")
        self.draft_a = self.practice("draft")
        self.published_a = self.practice("published")

    def practice(self, state: str) -> str:
        """A new practice of A's: a draft, submitted, or published."""
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.email == self.member_a)).one()
            data = practice_in(
                title="Matrix practice",
                summary="A practice for the permission tests.",
                place="oslo",
                aim="To test permissions.",
                terms={"target-group": ["whole-community"]},
            )
            practice = create_practice(
                session,
                user,
                viewer_for(session, user),
                data,
                submit=state != "draft",
                confirm_new=True,  # their titles look alike on purpose
            )
            if state == "published":
                moderator = session.exec(select(User).where(User.email == self.moderator)).one()
                publish(
                    session,
                    moderator,
                    viewer_for(session, moderator),
                    practice,
                    expected_version=practice.version,
                )
            return practice.slug

    def version(self, slug: str) -> int:
        with Session(self.engine) as session:
            return session.exec(select(Practice.version).where(Practice.slug == slug)).one()

    def new_key_id(self) -> int:
        token = new_key(self.engine, "read", organisation="oslo-city-council")
        with Session(self.engine) as session:
            return int(session.exec(select(ApiKey.id).where(ApiKey.prefix == token[:11])).one())

    def new_user_id(self) -> int:
        return user_id(self.engine, new_user(self.engine, "member", "oslo-city-council"))

    def _place_id(self, session: Session, slug: str) -> int:
        return int(session.exec(select(Place.id).where(Place.slug == slug)).one() or 0)

    def new_account_request_id(self) -> int:
        with Session(self.engine) as session:
            pending = AccountRequest(
                name="Matrix requester",
                job_title="Officer",
                email="matrix-request@example.org",
                place_id=self._place_id(session, "bilbao"),
                organisation_name="Matrix council",
                organisation_type="lra",
            )
            session.add(pending)
            session.commit()
            return int(pending.id or 0)

    def new_place_match_id(self) -> int:
        with Session(self.engine) as session:
            match = PlaceMatch(
                place_id=self._place_id(session, "kirklees"),
                geonames_id=1,
                name="Matrix town",
                country="GB",
                reason="a test",
            )
            session.add(match)
            session.commit()
            return int(match.id or 0)


def practice_form(world: World, slug: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Matrix edit",
        "place": "oslo",
        "visibility": "public",
        "original_language": "en",
        "action": "save",
    }
    if slug:
        data["version"] = world.version(slug)
        data["lead_organisation"] = "oslo-city-council"
    return data


REDIRECT, OK, FORBIDDEN, MISSING = 303, 200, 403, 404


def DRAFT(w: "World") -> dict[str, Any]:
    return {"slug": w.draft_a}


def PUBLISHED(w: "World") -> dict[str, Any]:
    return {"slug": w.published_a}


def SUBMITTED(w: "World") -> dict[str, Any]:
    """A new submitted practice each time (a decision uses it up)."""
    return {"slug": w.practice("submitted")}


CASES = [
    Case("GET", "/practices/new", (REDIRECT, OK, OK, OK, OK)),
    Case(
        "POST",
        "/practices/new",
        (REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        data=lambda w: practice_form(w),
    ),
    Case("GET", "/practices/{slug}/edit", (REDIRECT, OK, MISSING, OK, OK), DRAFT),
    Case(
        "POST",
        "/practices/{slug}/edit",
        (REDIRECT, REDIRECT, MISSING, REDIRECT, REDIRECT),
        DRAFT,
        lambda w: practice_form(w, w.draft_a),
    ),
    Case("GET", "/practices/{slug}/preview", (REDIRECT, OK, MISSING, OK, OK), DRAFT),
    Case("GET", "/practices/{slug}/edit", (REDIRECT, OK, FORBIDDEN, OK, OK), PUBLISHED),
    Case(
        "POST",
        "/practices/{slug}/edit",
        (REDIRECT, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT),
        PUBLISHED,
        lambda w: practice_form(w, w.published_a),
    ),
    Case("GET", "/practices/similar-titles", (REDIRECT, OK, OK, OK, OK), query="?title=x"),
    Case("GET", "/my/practices", (REDIRECT, OK, OK, OK, OK)),
    Case("GET", "/practices/{slug}/translate", (REDIRECT, OK, FORBIDDEN, OK, OK), PUBLISHED),
    Case(
        "POST",
        "/practices/{slug}/translate",
        (REDIRECT, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT),
        PUBLISHED,
        lambda w: {"language": "nl", "title": "OXLO", "summary": "Oslo.", "origin": "human"},
    ),
    Case(
        "GET",
        "/vocabularies/{code}/translate",
        (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK),
        lambda w: {"code": "goal"},
    ),
    Case(
        "POST",
        "/vocabularies/{code}/translate",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        lambda w: {"code": "goal"},
        lambda w: {"language": "nl"},
    ),
    Case("GET", "/moderation", (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK)),
    Case("GET", "/moderation/requests", (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK)),
    Case(
        "GET",
        "/moderation/requests/{request_id}",
        (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK),
        lambda w: {"request_id": w.new_account_request_id()},
    ),
    Case(
        "POST",
        "/moderation/requests/{request_id}",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        lambda w: {"request_id": w.new_account_request_id()},
        lambda w: {"action": "decline", "reason": "Matrix"},
    ),
    Case("GET", "/moderation/places", (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK)),
    Case(
        "POST",
        "/moderation/places/{match_id}",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        lambda w: {"match_id": w.new_place_match_id()},
        lambda w: {"action": "reject"},
    ),
    Case("GET", "/moderation/{slug}", (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK), SUBMITTED),
    Case(
        "POST",
        "/moderation/{slug}",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        SUBMITTED,
        lambda w: {"action": "publish"},
    ),
    Case("GET", "/admin/users", (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    Case(
        "POST",
        "/admin/users",
        (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
        data=lambda w: {"email": "new-moderator@example.org", "role": "moderator"},
    ),
    Case(
        "POST",
        "/admin/users/{user_id}/active",
        (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
        lambda w: {"user_id": w.new_user_id()},
        lambda w: {"active": "false"},
    ),
    Case("GET", "/admin/audit", (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    Case("GET", "/admin/api-keys", (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    Case(
        "POST",
        "/admin/api-keys",
        (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
        data=lambda w: {"name": "Matrix", "organisation": "oslo-city-council", "scopes": "read"},
    ),
    Case(
        "POST",
        "/admin/api-keys/{key_id}/revoke",
        (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
        lambda w: {"key_id": w.new_key_id()},
    ),
    Case(
        "POST",
        "/admin/trusted-organisations",
        (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
        data=lambda w: {"organisation": "oslo-city-council", "trusted": "false"},
    ),
]


def test_every_form_and_signed_in_page_is_in_the_matrix() -> None:
    def signed_in_only(route: APIRoute) -> bool:
        names = {getattr(d.call, "__name__", "") for d in route.dependant.dependencies}
        return bool(names & {"require_user", "require_moderator", "require_admin"})

    routes = {
        (method, path)
        for path, route in flatten(web_router.routes)
        for method in route.methods
        if method == "POST" or signed_in_only(route)
    }
    assert len(routes) > 10
    covered = {(case.method, case.route) for case in CASES}
    missing = {(m, path) for m, path in routes if path not in PUBLIC_FORMS} - covered
    assert not missing, missing


@pytest.mark.writes
def test_who_may_do_what(client: TestClient, engine: Engine) -> None:
    world = World(engine)
    accounts = {
        "member A": world.member_a,
        "member B": new_user(engine, "member", "barcelona-city-council"),
        "moderator": new_user(engine, "moderator"),
        "admin": new_user(engine, "admin"),
    }
    wrong = []
    for index, persona in enumerate(PERSONAS):
        client.cookies.clear()
        if persona in accounts:
            sign_in(client, accounts[persona], PASSWORD)
        token = csrf_from(client.get("/login").text)
        for case in CASES:
            path = case.path(world)
            if case.method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                data = {**case.data(world), "csrf_token": token}
                if path.startswith("/moderation/") and path.count("/") == 2:  # a practice
                    data["version"] = world.version(path.rsplit("/", 1)[1])
                response = client.post(path, data=data, follow_redirects=False)
            expected = case.expected[index]
            if response.status_code != expected:
                wrong.append(
                    f"{persona}: {case.method} {path} -> {response.status_code}, not {expected}"
                )
            elif expected == REDIRECT and persona == "anonymous":
                assert response.headers["location"].startswith("/login"), path
    client.cookies.clear()
    assert not wrong, "\n".join(wrong)
