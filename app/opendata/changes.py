"""The change feed: practices that entered, changed in or left the public catalogue.

Every write that can change what the public sees of a practice notes it here, in the
same transaction (publishing, archiving, translations, the seed and synthetic loads). A
partner that reads the feed from the start and fetches each practice it names holds an
exact copy of the public catalogue, removals included.
"""

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import and_, insert, or_
from sqlmodel import Session, col, select

from app.catalogue.pagination import CursorInteger, decode_cursor, encode_cursor
from app.models.base import utcnow
from app.models.catalogue import PracticeChange
from app.models.practices import Practice, PracticeLineage, PracticeStatus, Visibility
from app.opendata.schemas import ChangeOut, ChangesPage


def is_public(practice: Practice) -> bool:
    return practice.status == PracticeStatus.published and practice.visibility == Visibility.public


def neighbours(session: Session, practice_id: int) -> set[int]:
    """The practices linked to this one by lineage, either way: each shows the other."""
    rows = session.exec(
        select(PracticeLineage.practice_id, PracticeLineage.origin_id).where(
            or_(
                col(PracticeLineage.practice_id) == practice_id,
                col(PracticeLineage.origin_id) == practice_id,
            )
        )
    ).all()
    return {i for row in rows for i in row} - {practice_id}


def note_change(
    session: Session, practice: Practice, *, was_public: bool, linked_before: Iterable[int] = ()
) -> None:
    """Note that ``practice`` changed; ``was_public`` is whether the public saw it before.

    The public practices it is linked to by lineage (now, or in ``linked_before``, before an
    edit replaced its links) show its title and whether it is public, so they changed too.
    """
    now = is_public(practice)
    if was_public or now:
        practice_id = int(practice.id or 0)
        session.add(
            PracticeChange(
                practice_id=practice_id, slug=practice.slug, was_public=was_public, is_public=now
            )
        )
        linked = neighbours(session, practice_id) | set(linked_before)
        if linked:
            rows = session.exec(
                select(Practice.id, Practice.slug).where(
                    col(Practice.id).in_(linked),
                    Practice.status == PracticeStatus.published,
                    Practice.visibility == Visibility.public,
                )
            ).all()
            note_changes(session, [(int(i or 0), slug, True, True) for i, slug in rows])


def note_changes(session: Session, rows: Iterable[tuple[int, str, bool, bool]]) -> None:
    """The same for many practices at once: (id, slug, was public, is public)."""
    at = utcnow()
    values = [
        {"practice_id": i, "slug": slug, "was_public": was, "is_public": now, "at": at}
        for i, slug, was, now in rows
        if was or now
    ]
    if values:
        session.execute(insert(PracticeChange), values)


def _kind(change: PracticeChange) -> Literal["created", "updated", "removed"]:
    if change.was_public and change.is_public:
        return "updated"
    return "created" if change.is_public else "removed"


def list_changes(session: Session, since: str | None, limit: int) -> ChangesPage:
    """Changes after the cursor ``since`` (from the beginning without one), oldest first."""
    seq, ident = -1, 0
    if since:
        seq, ident = decode_cursor(since, CursorInteger)
    rows = session.exec(
        select(PracticeChange)
        .where(col(PracticeChange.seq).is_not(None))
        .where(
            or_(
                col(PracticeChange.seq) > seq,
                and_(col(PracticeChange.seq) == seq, col(PracticeChange.id) > ident),
            )
        )
        .order_by(col(PracticeChange.seq), col(PracticeChange.id))
        .limit(limit + 1)
    ).all()
    page = rows[:limit]
    last = page[-1] if page else None
    return ChangesPage(
        items=[
            ChangeOut(
                kind=_kind(c),
                practice=c.slug,
                at=c.at,
                api_url=f"/api/v1/practices/{c.slug}",
            )
            for c in page
        ],
        next_cursor=encode_cursor(last.seq, int(last.id or 0)) if last else since or "",
        has_more=len(rows) > limit,
    )
