"""Writing practices: drafts, submission, moderation and revisions.

The live rows (``Practice`` and its terms, outcomes and lineage) hold what readers see. An
edit is a ``PracticeRevision`` holding the whole ``PracticeIn``: while it is a draft, is
submitted or was returned, readers keep seeing the published version; publishing applies it
to the live rows and gives it the next number. A practice that was never published has its
live row updated with every save too (nobody but its editors can see it), so lists of one's
own practices show current titles.

Every write checks ``expected_version`` against ``Practice.version`` in the same UPDATE that
bumps it, so two people who opened the same version cannot both save (the second gets
``EditConflict``), and records an audit event in the same transaction.

The HTML forms and the API's writes both call these functions with a ``PracticeIn``.
"""

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.audit import record
from app.i18n import gettext
from app.models.accounts import User
from app.models.base import utcnow
from app.models.places import Organisation
from app.models.practices import Practice, PracticeRevision, PracticeStatus, RevisionState
from app.opendata.changes import is_public, neighbours, note_change
from app.permissions import Viewer
from app.places.catalogue import enter_catalogue
from app.practices.checks import (
    InvalidPractice,
    check_note,
    check_references,
    check_submission,
    parse_input,
)
from app.practices.input import PracticeIn
from app.practices.revisions import open_revision
from app.practices.writing import apply_edit, claim_version


def create_practice(
    session: Session,
    user: User,
    viewer: Viewer,
    data: PracticeIn,
    *,
    submit: bool = False,
    confirm_new: bool = False,
    client: str | None = None,
) -> Practice:
    """A new practice, saved as a draft or submitted for review. Members lead with their
    own organisation unless they name it."""
    if data.lead_organisation is None and user.organisation_id is not None:
        slug = session.exec(
            select(Organisation.slug).where(Organisation.id == user.organisation_id)
        ).one()
        data = data.model_copy(update={"lead_organisation": slug})
    refs = check_references(session, data, user, viewer, None)
    if submit:
        check_submission(session, data, viewer, exclude_id=None, confirm_new=confirm_new)
    practice = Practice(
        slug="",  # apply_edit inserts it under a free slug
        title=data.title,
        summary=data.summary or "",
        place_id=refs.place_id,
        status=PracticeStatus.submitted if submit else PracticeStatus.draft,
        created_by_id=user.id,
    )
    apply_edit(session, practice, data, refs)
    now = utcnow()
    session.add(
        PracticeRevision(
            practice_id=practice.id,  # type: ignore[arg-type]
            data=data.model_dump(mode="json"),
            author_id=user.id,
            state=RevisionState.submitted if submit else RevisionState.draft,
            submitted_at=now if submit else None,
        )
    )
    record(session, user, "practice.create", practice.slug, client=client, submitted=submit)
    session.commit()
    session.refresh(practice)
    return practice


def save_practice(
    session: Session,
    user: User,
    viewer: Viewer,
    practice: Practice,
    data: PracticeIn,
    *,
    expected_version: int,
    note: str | None = None,
    submit: bool = False,
    confirm_new: bool = False,
    client: str | None = None,
) -> Practice:
    """Save an edit as a draft, or submit it for review. Nothing is written on errors."""
    refs = check_references(session, data, user, viewer, practice)
    if submit:
        check_submission(session, data, viewer, exclude_id=practice.id, confirm_new=confirm_new)
    check_note("note", note, 1000)
    unpublished = practice.status in (PracticeStatus.draft, PracticeStatus.submitted)
    claim_version(session, practice, expected_version, content=unpublished)
    current = open_revision(session, practice)
    if current is None:
        current = PracticeRevision(practice_id=practice.id)  # type: ignore[arg-type]
    current.data = data.model_dump(mode="json")
    current.author_id = user.id
    current.note = note or current.note
    current.updated_at = utcnow()
    current.state = RevisionState.submitted if submit else RevisionState.draft
    if submit:
        current.submitted_at = utcnow()
    session.add(current)
    if practice.status in (PracticeStatus.draft, PracticeStatus.submitted):
        apply_edit(session, practice, data, refs)
        practice.status = PracticeStatus.submitted if submit else PracticeStatus.draft
        session.add(practice)
    record(
        session,
        user,
        "practice.submit" if submit else "practice.save",
        practice.slug,
        client=client,
        version=practice.version,
    )
    session.commit()
    session.refresh(practice)
    return practice


def _pending(session: Session, practice: Practice) -> PracticeRevision:
    current = open_revision(session, practice)
    if current is None or current.state != RevisionState.submitted:
        raise InvalidPractice({"comment": gettext("This practice is not waiting for review.")})
    return current


def publish(
    session: Session,
    moderator: User,
    viewer: Viewer,
    practice: Practice,
    *,
    expected_version: int,
    client: str | None = None,
) -> Practice:
    """Publish the submitted edit (or bring back an archived practice as it was)."""
    was_public = is_public(practice)
    if practice.status == PracticeStatus.archived and open_revision(session, practice) is None:
        claim_version(session, practice, expected_version)
        practice.status = PracticeStatus.published
        session.add(practice)
        if is_public(practice):  # a members-only practice must not reveal where it is
            enter_catalogue(session, practice.place_id)
        note_change(session, practice, was_public=was_public)
        record(session, moderator, "practice.restore", practice.slug, client=client)
        session.commit()
        return practice
    current = _pending(session, practice)
    data = parse_input(current.data)
    author = session.get(User, current.author_id) if current.author_id else moderator
    refs = check_references(session, data, author or moderator, viewer, practice)
    claim_version(session, practice, expected_version)
    linked_before = neighbours(session, int(practice.id or 0))
    apply_edit(session, practice, data, refs)
    now = utcnow()
    practice.status = PracticeStatus.published
    practice.published_at = practice.verified_at = now  # its authors vouch for it
    practice.verified_by_id = current.author_id
    session.add(practice)
    if is_public(practice):
        enter_catalogue(session, practice.place_id)
    note_change(session, practice, was_public=was_public, linked_before=linked_before)
    last = session.exec(
        select(func.max(PracticeRevision.number)).where(PracticeRevision.practice_id == practice.id)
    ).one()
    current.number = (last or 0) + 1
    current.state = RevisionState.published
    current.reviewer_id = moderator.id
    current.reviewed_at = now
    session.add(current)
    record(
        session,
        moderator,
        "practice.publish",
        practice.slug,
        client=client,
        revision=current.number,
    )
    session.commit()
    session.refresh(practice)
    return practice


def return_to_authors(
    session: Session,
    moderator: User,
    practice: Practice,
    *,
    expected_version: int,
    comment: str,
    client: str | None = None,
) -> Practice:
    """Send the submitted edit back with a comment; the authors edit and resubmit it."""
    comment = comment.strip()
    if not comment:
        raise InvalidPractice({"comment": gettext("Say what the authors should change.")})
    check_note("comment", comment, 2000)
    current = _pending(session, practice)
    unpublished = practice.status == PracticeStatus.submitted
    claim_version(session, practice, expected_version, content=unpublished)
    current.state = RevisionState.returned
    current.reviewer_id = moderator.id
    current.reviewed_at = utcnow()
    current.review_comment = comment
    current.returned_data = dict(current.data)
    session.add(current)
    if practice.status == PracticeStatus.submitted:
        practice.status = PracticeStatus.draft
        session.add(practice)
    record(session, moderator, "practice.return", practice.slug, client=client, comment=comment)
    session.commit()
    session.refresh(practice)
    return practice


def archive(
    session: Session,
    moderator: User,
    practice: Practice,
    *,
    expected_version: int,
    comment: str | None = None,
    client: str | None = None,
) -> Practice:
    """Take the practice out of the catalogue (it can be published again)."""
    was_public = is_public(practice)
    claim_version(session, practice, expected_version)
    current = open_revision(session, practice)
    if current is not None:
        current.state = RevisionState.withdrawn
        current.reviewer_id = moderator.id
        current.reviewed_at = utcnow()
        current.review_comment = (comment or "").strip()[:2000] or None
        session.add(current)
    practice.status = PracticeStatus.archived
    session.add(practice)
    note_change(session, practice, was_public=was_public)
    record(session, moderator, "practice.archive", practice.slug, client=client, comment=comment)
    session.commit()
    session.refresh(practice)
    return practice


def publish_if_trusted(
    session: Session, user: User, viewer: Viewer, practice: Practice
) -> Practice:
    """Publish what ``user`` just submitted if an administrator trusts its organisation
    (partners' API writes skip review then); otherwise leave it for a moderator."""
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    pending = open_revision(session, practice)
    if (
        organisation
        and organisation.trusted
        and pending
        and pending.state == RevisionState.submitted
    ):
        return publish(session, user, viewer, practice, expected_version=practice.version)
    return practice
