"""The audit log: who did what, when.

``record`` adds the event to the caller's session, so it is committed in the same
transaction as the write it describes: there is never a write without its event, nor an
event for a write that was rolled back.
"""

from typing import Any

from sqlmodel import Session

from app.models.accounts import AuditEvent, User


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
