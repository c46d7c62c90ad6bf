"""The audit log: who did what, when.

``record`` adds the event to the caller's session, so it is committed in the same
transaction as the write it describes: there is never a write without its event, nor an
event for a write that was rolled back.
"""

from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app.models.accounts import AuditEvent, User
from app.models.base import utcnow


def record(
    session: Session,
    user: User | None,
    action: str,
    target: str | None = None,
    *,
    client: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            user_id=user.id if user else None,
            action=action,
            target=target,
            detail={k: v for k, v in detail.items() if v is not None},
            client=client,
        )
    )


def seconds_until_below(
    session: Session, conditions: list[ColumnElement[bool]], limit: int, window: timedelta
) -> int:
    """Seconds until fewer than ``limit`` events matching ``conditions`` lie in the last
    ``window`` (0: already). Limits counted from the audit log hold in every worker alike."""
    times = session.exec(
        select(AuditEvent.at)
        .where(col(AuditEvent.at) > utcnow() - window, *conditions)
        .order_by(col(AuditEvent.at).desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return 0
    oldest = times[-1] if times[-1].tzinfo else times[-1].replace(tzinfo=UTC)
    return max(1, int((oldest + window - utcnow()).total_seconds()))
