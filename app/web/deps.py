"""What page routes depend on: the database session, the signed-in user and the viewer."""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts.sessions import SESSION_COOKIE, user_for_token
from app.db import get_session
from app.errors import Forbidden, LoginRequired
from app.i18n import gettext
from app.models.accounts import User
from app.permissions import Viewer, is_admin, is_moderator, viewer_for

# The same dependency as the API's SessionDep, so one request shares one session.
SessionDep = Annotated[Session, Depends(get_session)]


def current_user(request: Request, session: SessionDep) -> User | None:
    user = user_for_token(session, request.cookies.get(SESSION_COOKIE))
    request.state.user = user
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]


def require_user(user: CurrentUser) -> User:
    if user is None:
        raise LoginRequired(gettext("Please sign in to continue."))
    return user


SignedIn = Annotated[User, Depends(require_user)]


def require_moderator(user: SignedIn) -> User:
    if not is_moderator(user):
        raise Forbidden(gettext("Only moderators can do this."))
    return user


Moderator = Annotated[User, Depends(require_moderator)]


def require_admin(user: SignedIn) -> User:
    if not is_admin(user):
        raise Forbidden(gettext("Only administrators can do this."))
    return user


Admin = Annotated[User, Depends(require_admin)]


def current_viewer(session: SessionDep, user: CurrentUser) -> Viewer:
    return viewer_for(session, user)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
