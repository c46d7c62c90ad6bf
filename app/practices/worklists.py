"""Lists for the people who write and review, and finding a practice to edit."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import Forbidden, NotFound
from app.i18n import _, gettext
from app.models.accounts import User
from app.models.places import Place
from app.models.practices import Practice, PracticeRevision, RevisionState
from app.permissions import Viewer, may_edit_practice
from app.practices.detail import find_practice
from app.practices.revisions import OPEN_STATES


@dataclass
class WorkItem:
    practice: Practice
    revision: PracticeRevision | None
    place_name: str
    author: str | None = None


def _work_items(
    session: Session, rows: Iterable[tuple[Practice, PracticeRevision | None, str]]
) -> list[WorkItem]:
    items = [WorkItem(p, r, name) for p, r, name in rows]
    author_ids = {i.revision.author_id for i in items if i.revision and i.revision.author_id}
    authors = {
        u.id: u.name or u.email
        for u in session.exec(select(User).where(col(User.id).in_(author_ids)))
    }
    for item in items:
        if item.revision and item.revision.author_id:
            item.author = authors.get(item.revision.author_id)
    return items


def organisation_practices(session: Session, user: User) -> list[WorkItem]:
    """Every practice the user's organisation leads, in any state, with its open edit."""
    if user.organisation_id is None:
        return []
    rows = session.exec(
        select(Practice, PracticeRevision, Place.name)
        .join(Place, col(Place.id) == Practice.place_id)
        .outerjoin(
            PracticeRevision,
            (col(PracticeRevision.practice_id) == Practice.id)
            & col(PracticeRevision.state).in_(OPEN_STATES),
        )
        .where(Practice.lead_organisation_id == user.organisation_id)
        .order_by(col(Practice.updated_at).desc())
    ).all()
    return _work_items(session, rows)


def review_queue(session: Session) -> list[WorkItem]:
    """Submitted edits, oldest first."""
    rows = session.exec(
        select(Practice, PracticeRevision, Place.name)
        .join(PracticeRevision, col(PracticeRevision.practice_id) == Practice.id)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(PracticeRevision.state == RevisionState.submitted)
        .order_by(col(PracticeRevision.submitted_at))
    ).all()
    return _work_items(session, rows)


def editable_practice(
    session: Session, user: User, viewer: Viewer, slug: str, refusal: str | None = None
) -> Practice:
    """The practice in any state, if ``user`` may edit it: 404 when they may not even see
    it, the same 404 as for a practice that does not exist (so that hidden ones do not
    show); else 403 with ``refusal``, or a message that they may not edit it."""
    practice = session.exec(select(Practice).where(Practice.slug == slug)).first()
    if practice is not None and may_edit_practice(session, user, practice):
        return practice
    find_practice(session, slug, viewer)  # 404 unless visible
    raise Forbidden(
        refusal or gettext("Only the practice's organisations and moderators can edit it.")
    )


def find_any_practice(session: Session, slug: str) -> Practice:
    """The practice ``slug`` in any state (callers check who may see or edit it)."""
    practice = session.exec(select(Practice).where(Practice.slug == slug)).first()
    if practice is None:
        raise NotFound(_("no practice %(slug)r", slug=slug))
    return practice
