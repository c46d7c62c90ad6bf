"""Who may do what: every write endpoint and every signed-in page, for anonymous visitors,
a member of the practice's organisation (A), a member of another organisation (B), a
moderator and an administrator. Runs on SQLite and PostgreSQL."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, select

from app.dilemmas.writes import save_dilemma
from app.models.accounts import AccountRequest, ApiKey, User
from app.models.places import Membership, Network, Organisation, Place, PlaceMatch
from app.models.practices import Practice, PracticePartner
from app.permissions import viewer_for
from app.places.member_lists import member_tag
from app.practices.workflow import create_practice, publish
from app.web import web_router
from tests.factories import (
    PASSWORD,
    auth,
    csrf_from,
    new_key,
    new_user,
    practice_in,
    sign_in,
    trusted_organisation,
    user_id,
)
from tests.routes import flatten

PERSONAS = ("anonymous", "member A", "member B", "moderator", "admin")
DILEMMA = {
    "title": "Matrix dilemma",
    "cluster": "motivation",
    "situation": "A dilemma for the permission tests.",
    "visibility": "private",
}
# Forms anyone may post, so they are not in the matrix.
PUBLIC_FORMS = {
    "/login",
    "/logout",
    "/password/forgot",
    "/password/reset",
    "/account/request",
    "/reminders/unsubscribe",  # the link's token is the proof (tests/test_reminders.py)
}


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

    def new_invitation_id(self) -> int:
        """A new invitation of A's organisation to a network; its tag is kept for the
        answer (each answer uses one up)."""
        with Session(self.engine) as session:
            network = session.exec(select(Network).where(Network.slug == "eurocities")).one()
            organisation = session.exec(
                select(Organisation).where(Organisation.slug == "oslo-city-council")
            ).one()
            session.exec(  # type: ignore[call-overload]
                delete(Membership).where(
                    col(Membership.network_id) == network.id,
                    col(Membership.organisation_id) == organisation.id,
                )
            )
            invitation = Membership(
                network_id=int(network.id or 0),
                organisation_id=organisation.id,
                status="invited",
            )
            session.add(invitation)
            session.commit()
            self.invitation_tag = member_tag(invitation)
            return int(invitation.id or 0)

    def new_dilemma_id(self, **fields: str) -> int:
        """A new dilemma of A's organisation (private, unless ``fields`` say otherwise)."""
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.email == self.member_a)).one()
            values = {**DILEMMA, **fields}
            action = "submit" if values.get("visibility", "private") != "private" else "save"
            return int(save_dilemma(session, user, values, action=action).id or 0)

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
    Case("GET", "/my/networks", (REDIRECT, OK, OK, OK, OK)),
    Case(
        "POST",
        "/my/networks/{membership_id}",
        (REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        lambda w: {"membership_id": w.new_invitation_id()},
        lambda w: {"action": "accept", "tag": w.invitation_tag},
    ),
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
    Case("GET", "/dilemmas/new", (REDIRECT, OK, OK, FORBIDDEN, FORBIDDEN)),
    Case(
        "POST",
        "/dilemmas/new",
        (REDIRECT, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN),
        data=lambda w: DILEMMA,
    ),
    Case(
        "GET",
        "/dilemmas/{dilemma_id}/edit",
        (REDIRECT, OK, MISSING, MISSING, MISSING),
        lambda w: {"dilemma_id": w.new_dilemma_id()},
    ),
    Case(
        "POST",
        "/dilemmas/{dilemma_id}/edit",
        (REDIRECT, REDIRECT, MISSING, MISSING, MISSING),
        lambda w: {"dilemma_id": w.new_dilemma_id()},
        lambda w: DILEMMA,
    ),
    Case(
        "POST",
        "/dilemmas/{dilemma_id}/review",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        lambda w: {"dilemma_id": w.new_dilemma_id(visibility="public")},
        lambda w: {"action": "publish"},
    ),
    Case(
        "GET",
        "/vocabularies/{code}/terms/new",
        (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK),
        lambda w: {"code": "dilemma"},
    ),
    Case(
        "POST",
        "/vocabularies/{code}/terms/new",
        (REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
        lambda w: {"code": "dilemma"},
        lambda w: {"label": "Matrix cluster"},
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
    Case("GET", "/moderation/follow-ups", (REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK)),
    Case(
        "POST",
        "/practices/{slug}/verify",
        (REDIRECT, REDIRECT, FORBIDDEN, REDIRECT, REDIRECT),
        PUBLISHED,
        lambda w: {"back": "practice"},
    ),
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


@pytest.mark.writes
def test_a_partner_cannot_take_a_practice_over(client: TestClient, engine: Engine) -> None:
    """A trusted partner's key (its writes publish at once) edits the practice it partners
    in, but naming itself the lead is refused: the lead decides who edits."""
    world = World(engine)
    partner = trusted_organisation(engine)
    with Session(engine) as session:
        practice = session.exec(select(Practice).where(Practice.slug == world.published_a)).one()
        organisation = session.exec(select(Organisation).where(Organisation.slug == partner)).one()
        session.add(
            PracticePartner(practice_id=int(practice.id or 0), organisation_id=organisation.id)
        )
        session.commit()
    key = auth(new_key(engine, "write", organisation=partner))
    url = f"/api/v1/practices/{world.published_a}"
    taken = client.patch(
        url,
        json={"lead_organisation": partner},
        headers={**key, "If-Match": client.get(url).headers["ETag"]},
    )
    assert taken.status_code == 422, taken.text
    assert taken.json()["errors"][0]["param"] == "lead_organisation"
    assert "moderator" in taken.json()["errors"][0]["message"]
    assert client.get(url).json()["lead_organisation"]["slug"] == "oslo-city-council"
    edited = client.patch(
        url,
        json={"summary": "Edited by a partner."},
        headers={**key, "If-Match": client.get(url).headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text


@pytest.mark.writes
def test_hidden_and_missing_practices_answer_alike(client: TestClient, engine: Engine) -> None:
    """Someone who may not see a practice learns nothing from trying to edit it: a draft of
    another organisation answers exactly as a practice that does not exist."""
    world = World(engine)
    key = auth(new_key(engine, "write", organisation="barcelona-city-council"))
    client.cookies.clear()
    sign_in(client, new_user(engine, "member", "barcelona-city-council"))

    def answers(slug: str) -> list[tuple[int, str]]:
        patched = client.patch(
            f"/api/v1/practices/{slug}", json={"summary": "x"}, headers={**key, "If-Match": "*"}
        )
        seen = [(patched.status_code, patched.json()["detail"].replace(slug, "SLUG"))]
        for page in ("edit", "preview"):
            response = client.get(f"/practices/{slug}/{page}")
            lead = re.search(r'<p class="lead">(.*?)</p>', response.text, re.S)
            detail = lead.group(1) if lead else response.text
            seen.append((response.status_code, detail.replace(slug, "SLUG")))
        return seen

    hidden, missing = answers(world.draft_a), answers("matrix-practice-nowhere")
    client.cookies.clear()
    assert [status for status, _text in hidden] == [404, 404, 404]
    assert hidden == missing
