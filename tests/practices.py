"""Practices made for the tests: written by a member, then published by a moderator."""

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.models.accounts import User
from app.permissions import viewer_for
from app.practices.input import PracticeIn
from app.practices.workflow import create_practice, publish
from app.practices.worklists import find_any_practice
from tests.accounts import new_user


def published_practice(engine: Engine, data: PracticeIn, organisation: str) -> str:
    """``data`` submitted by a new member of ``organisation`` and published by a new
    moderator; its slug."""
    with Session(engine) as session:
        author = session.exec(
            select(User).where(User.email == new_user(engine, "member", organisation))
        ).one()
        moderator = session.exec(
            select(User).where(User.email == new_user(engine, "moderator"))
        ).one()
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
