"""Follow-ups, so that the catalogue does not rot: which published practices need an update,
and confirming that one is still accurate.

A practice needs an update when it has no outcome ``follow_up_outcome_months`` after its
start (only the year is known, so its first day counts), or when nobody has confirmed it
for ``follow_up_verified_months``. Publishing an edit confirms it; so does the one-click
"still accurate". A practice loaded from the reports counts as confirmed when published.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, exists, func, or_
from sqlalchemy import select as sa_select  # sqlmodel's select types at most 4 columns
from sqlmodel import Session, col

from app.accounts.audit import record
from app.config import get_settings
from app.errors import Forbidden
from app.i18n import _
from app.models.accounts import User
from app.models.base import utcnow
from app.models.places import Place
from app.models.practices import Outcome, Practice, PracticeStatus
from app.opendata.changes import is_public, note_change
from app.permissions import may_edit_practice

# When the practice was last confirmed accurate.
LAST_VERIFIED: ColumnElement[datetime] = func.coalesce(
    col(Practice.verified_at), col(Practice.published_at)
)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def follow_up_settings() -> dict[str, int]:
    """The two periods, as the pages that list follow-ups name them."""
    settings = get_settings()
    return {
        "outcome_months": settings.follow_up_outcome_months,
        "verified_months": settings.follow_up_verified_months,
    }


@dataclass(frozen=True)
class FollowUp:
    practice: Practice
    place_name: str
    last_verified: datetime | None
    no_outcome: bool  # none recorded, long enough after its start
    unverified: bool  # not confirmed for too long

    def reasons(self) -> list[str]:
        """Why it needs an update, in the reader's words (the pages and the e-mail)."""
        months = follow_up_settings()
        found = []
        if self.no_outcome:
            found.append(
                _("no outcome %(months)s months after it started", months=months["outcome_months"])
            )
        if self.unverified:
            found.append(_("not verified for %(months)s months", months=months["verified_months"]))
        return found


def needing_update(
    session: Session, *, organisation_id: int | None = None, today: date | None = None
) -> list[FollowUp]:
    """The published practices that need an update (of one lead organisation, or all),
    those confirmed longest ago first."""
    settings = get_settings()
    today = today or date.today()
    latest_start = months_before(today, settings.follow_up_outcome_months).year
    cutoff = _midnight(months_before(today, settings.follow_up_verified_months))
    no_outcome = (col(Practice.start_year) <= latest_start) & ~exists().where(
        col(Outcome.practice_id) == Practice.id
    )
    unverified = or_(LAST_VERIFIED.is_(None), cutoff > LAST_VERIFIED)
    statement = (
        sa_select(Practice, col(Place.name), LAST_VERIFIED, no_outcome, unverified)
        .join(Place, col(Place.id) == Practice.place_id)
        .where(col(Practice.status) == PracticeStatus.published, or_(no_outcome, unverified))
        .order_by(LAST_VERIFIED, col(Practice.title))
    )
    if organisation_id is not None:
        statement = statement.where(col(Practice.lead_organisation_id) == organisation_id)
    return [
        FollowUp(practice, place, _aware(last), bool(missing), bool(old))
        for practice, place, last, missing, old in session.execute(statement).all()
    ]


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they are UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def verified_since(session: Session, months: int, today: date | None = None) -> list[int]:
    """The published practices confirmed accurate within the last ``months``."""
    cutoff = _midnight(months_before(today or date.today(), months))
    statement = sa_select(col(Practice.id)).where(
        col(Practice.status) == PracticeStatus.published, cutoff <= LAST_VERIFIED
    )
    return [int(i) for i in session.execute(statement).scalars()]


def confirm_accurate(
    session: Session, user: User, practice: Practice, *, client: str | None = None
) -> None:
    """Record that ``user`` confirmed the published ``practice`` is still accurate."""
    if practice.status != PracticeStatus.published or not may_edit_practice(
        session, user, practice
    ):
        raise Forbidden(_("only the practice's organisations and moderators can confirm it"))
    practice.verified_at = utcnow()
    practice.verified_by_id = user.id
    session.add(practice)
    note_change(session, practice, was_public=is_public(practice))
    record(session, user, "practice.verify", practice.slug, client=client)
    session.commit()
