"""An edit in progress as readers will see it once published.

A draft or a submission of a practice never published is held by the practice's live rows
(``workflow.save_practice`` writes them), so its page is the practice's page. An edit of a
published practice waits in its open revision; its page is made by applying the edit to
the live rows inside the request's transaction, reading the page, and rolling back.
"""

from pydantic import ValidationError
from sqlmodel import Session

from app.errors import InvalidInput
from app.models.accounts import User
from app.models.practices import Practice, PracticeStatus
from app.permissions import Viewer
from app.practices.checks import check_references
from app.practices.detail import practice_detail
from app.practices.input import PracticeIn
from app.practices.revisions import open_revision
from app.practices.schemas import PracticeDetail
from app.practices.writing import apply_edit


def previewed(
    session: Session, practice: Practice, user: User, viewer: Viewer
) -> PracticeDetail | None:
    """The page of ``practice`` with its edit in progress applied, as ``viewer`` would read
    it; None when the edit no longer applies (a place or a term it names has gone). The
    session's transaction is rolled back: nothing is written."""
    current = open_revision(session, practice)
    if current is None or practice.status in (PracticeStatus.draft, PracticeStatus.submitted):
        return practice_detail(session, practice, viewer)
    try:
        data = PracticeIn.model_validate(current.data)
        refs = check_references(session, data, user, viewer, practice)
    except (ValidationError, InvalidInput):  # InvalidPractice among them
        return None
    try:
        apply_edit(session, practice, data, refs)
        session.flush()
        return practice_detail(session, practice, viewer)
    finally:
        session.rollback()
