"""A practice's history shows each reader only what that reader could have read at the time:
a revision published for members only stays members-only after the practice goes public,
diffs never show its text, and revisions never name practices the reader may not see.
Runs on SQLite and PostgreSQL."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.accounts import User
from app.permissions import viewer_for
from app.practices.input import PracticeIn
from app.practices.revisions import editing_data
from app.practices.workflow import create_practice, publish, save_practice
from app.practices.worklists import find_any_practice
from tests.factories import new_user, sign_in

pytestmark = pytest.mark.writes

LEAD = "birmingham-city-council"  # Birmingham is in the Inclusive Cities network
INSIDER = "glasgow-city-council"  # so is Glasgow
LESSON = "The qwyxtorplan leaflets reached nobody."
TERMS = {"target-group": ["whole-community"], "goal": ["informing-communities"]}


class Desk:
    """A member of Birmingham's council who writes, and a moderator who publishes (two
    accounts for the whole test: hashing passwords is slow)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.author = new_user(engine, "member", LEAD)
        self.moderator = new_user(engine, "moderator")

    def _user(self, session: Session, email: str) -> User:
        return session.exec(select(User).where(User.email == email)).one()

    def publish_new(self, **fields: Any) -> str:
        with Session(self.engine) as session:
            author = self._user(session, self.author)
            data = PracticeIn.model_validate({"place": "birmingham", "terms": TERMS, **fields})
            practice = create_practice(
                session, author, viewer_for(session, author), data, submit=True, confirm_new=True
            )
            return self._publish(session, practice.slug)

    def publish_edit(self, slug: str, **changes: Any) -> None:
        with Session(self.engine) as session:
            author = self._user(session, self.author)
            practice = find_any_practice(session, slug)
            data = PracticeIn.model_validate({**editing_data(session, practice), **changes})
            save_practice(
                session,
                author,
                viewer_for(session, author),
                practice,
                data,
                expected_version=practice.version,
                submit=True,
                confirm_new=True,
            )
            self._publish(session, slug)

    def _publish(self, session: Session, slug: str) -> str:
        moderator = self._user(session, self.moderator)
        practice = find_any_practice(session, slug)
        publish(
            session,
            moderator,
            viewer_for(session, moderator),
            practice,
            expected_version=practice.version,
        )
        return slug


def test_a_members_only_revision_stays_members_only(client: TestClient, engine: Engine) -> None:
    """Published members-only with a candid lesson (revision 1), then made public without
    it (revision 2)."""
    desk = Desk(engine)
    slug = desk.publish_new(
        title="Leaflets for new arrivals",
        summary="Leaflets in twelve languages.",
        visibility="network",
        what_did_not_work=LESSON,
    )
    desk.publish_edit(slug, visibility="public", what_did_not_work=None)
    client.cookies.clear()
    assert client.get(f"/practices/{slug}").status_code == 200  # public now
    assert client.get(f"/practices/{slug}/revisions/1").status_code == 404
    second = client.get(f"/practices/{slug}/revisions/2")
    assert second.status_code == 200
    assert "qwyxtorplan" not in second.text  # not even as removed text
    history = client.get(f"/practices/{slug}/history").text
    assert f"/practices/{slug}/revisions/2" in history
    assert f"/practices/{slug}/revisions/1" not in history

    sign_in(client, new_user(engine, "member", INSIDER))  # a member of its network
    assert LESSON in client.get(f"/practices/{slug}/revisions/1").text
    assert "qwyxtorplan" in client.get(f"/practices/{slug}/revisions/2").text  # the diff
    assert f"/practices/{slug}/revisions/1" in client.get(f"/practices/{slug}/history").text
    client.cookies.clear()


def test_revisions_name_only_the_origins_a_reader_may_see(
    client: TestClient, engine: Engine
) -> None:
    desk = Desk(engine)
    origin = desk.publish_new(
        title="Zorblaxian listening circles", summary="Members only.", visibility="network"
    )
    slug = desk.publish_new(
        title="Open doors weekends",
        summary="For everyone.",
        lineage=[{"practice": origin, "kind": "adapted-from"}],
    )
    desk.publish_edit(slug, summary="For everyone, now weekly.")
    client.cookies.clear()
    for page in ("revisions/1", "revisions/2", "history"):
        response = client.get(f"/practices/{slug}/{page}")
        assert response.status_code == 200
        assert "Zorblaxian" not in response.text, page
    sign_in(client, new_user(engine, "member", INSIDER))
    assert "Zorblaxian" in client.get(f"/practices/{slug}/revisions/1").text
    client.cookies.clear()
