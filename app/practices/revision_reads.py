"""Reading a practice's revisions: the open edit, the published ones."""

from typing import Any

from sqlmodel import Session, col, select

from app.models.practices import Practice, PracticeRevision, PracticeStatus, RevisionState
from app.practices.writing import snapshot

OPEN_STATES = (RevisionState.draft, RevisionState.submitted, RevisionState.returned)


def open_revision(session: Session, practice: Practice) -> PracticeRevision | None:
    """The edit in progress (draft, submitted or returned), if any."""
    return session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            col(PracticeRevision.state).in_(OPEN_STATES),
        )
    ).first()


def published_revisions(session: Session, practice: Practice) -> list[PracticeRevision]:
    """Published revisions, newest first."""
    return list(
        session.exec(
            select(PracticeRevision)
            .where(
                PracticeRevision.practice_id == practice.id,
                PracticeRevision.state == RevisionState.published,
            )
            .order_by(col(PracticeRevision.number).desc())
        )
    )


def revision(session: Session, practice: Practice, number: int) -> PracticeRevision | None:
    return session.exec(
        select(PracticeRevision).where(
            PracticeRevision.practice_id == practice.id,
            PracticeRevision.number == number,
            PracticeRevision.state == RevisionState.published,
        )
    ).first()


def editing_data(session: Session, practice: Practice) -> dict[str, Any]:
    """What the edit form starts from: the edit in progress, else the live practice."""
    current = open_revision(session, practice)
    return dict(current.data) if current else snapshot(session, practice)


def published_data(session: Session, practice: Practice) -> dict[str, Any] | None:
    """The last published state (what a moderator compares an edit with); None for a
    practice never published. Practices loaded before revisions existed fall back to their
    live rows."""
    latest = published_revisions(session, practice)
    if latest:
        return dict(latest[0].data)
    if practice.status in (PracticeStatus.published, PracticeStatus.archived):
        return snapshot(session, practice)
    return None


def record_import(session: Session, practice: Practice, note: str | None) -> None:
    """Revision 1 of a practice loaded from the seed reports."""
    session.add(
        PracticeRevision(
            practice_id=practice.id,  # type: ignore[arg-type]
            number=1,
            state=RevisionState.published,
            data=snapshot(session, practice),
            note=note,
            reviewed_at=practice.updated_at,
        )
    )
