"""The monthly reminder: each member of an organisation whose practices need an update
(``follow_ups``) gets one e-mail a month listing them, with a one-click unsubscribe link
(RFC 8058) whose token unsubscribes that member and nobody else.

``interlocal send-reminders`` sends them; run it daily or monthly (cron, a scheduler): it
sends each member at most one a month, and records a reminder before sending it, so a
second run, or two at once, never sends one twice.
"""

import hashlib
import logging
import secrets
import smtplib
from collections import defaultdict
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.i18n import _
from app.mail import send
from app.models.accounts import FollowUpReminder, User
from app.models.places import Organisation
from app.practices.follow_ups import FollowUp, needing_update

UNSUBSCRIBE_PATH = "/reminders/unsubscribe"

log = logging.getLogger("interlocal.reminders")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _body(site: str, organisation: str, follow_ups: list[FollowUp], unsubscribe: str) -> str:
    lines = [
        _("These practices of %(organisation)s need an update:", organisation=organisation),
        "",
        *(
            f"- {f.practice.title} ({'; '.join(f.reasons())})\n  {site}/practices/{f.practice.slug}"
            for f in follow_ups
        ),
        "",
        _(
            "Record an outcome, edit what changed, or confirm that a practice is still "
            "accurate, from your dashboard: %(url)s",
            url=f"{site}/my/practices",
        ),
        "",
        _("You get this reminder once a month. To stop it: %(url)s", url=unsubscribe),
    ]
    return "\n".join(lines) + "\n"


def send_reminders(session: Session, site: str, today: date | None = None) -> int:
    """Send this month's reminders not yet sent; how many were sent."""
    today = today or date.today()
    month = today.strftime("%Y-%m")
    by_organisation: dict[int, list[FollowUp]] = defaultdict(list)
    for follow_up in needing_update(session, today=today):
        if follow_up.practice.lead_organisation_id is not None:
            by_organisation[follow_up.practice.lead_organisation_id].append(follow_up)
    sent = 0
    for organisation_id, follow_ups in by_organisation.items():
        organisation = session.get(Organisation, organisation_id)
        reminded = select(FollowUpReminder.user_id).where(FollowUpReminder.month == month)
        members = session.exec(
            select(User).where(
                User.organisation_id == organisation_id,
                col(User.is_active),
                col(User.reminders),
                col(User.id).not_in(reminded),
            )
        ).all()
        for member in members:
            token = secrets.token_urlsafe(32)
            reminder = FollowUpReminder(
                user_id=int(member.id or 0), month=month, token_hash=_hash(token)
            )
            session.add(reminder)
            try:
                session.commit()  # recorded first: another run finds it and sends nothing
            except IntegrityError:
                session.rollback()
                continue
            unsubscribe = f"{site}{UNSUBSCRIBE_PATH}?token={token}"
            try:
                send(
                    member.email,
                    _("Practices to update on Interlocal"),
                    _body(site, organisation.name if organisation else "", follow_ups, unsubscribe),
                    headers={
                        "List-Unsubscribe": f"<{unsubscribe}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                )
            except (OSError, smtplib.SMTPException):
                # Not sent: forget it, so that the next run tries again; go on with the others.
                log.exception("reminder to %s not sent", member.email)
                session.delete(reminder)
                session.commit()
                continue
            sent += 1
    return sent


def subscriber(session: Session, token: str) -> User | None:
    """The member a reminder's ``token`` was sent to, if it is one."""
    found = session.exec(
        select(User)
        .join(FollowUpReminder, col(FollowUpReminder.user_id) == User.id)
        .where(FollowUpReminder.token_hash == _hash(token))
    ).first()
    return found


def unsubscribe(session: Session, token: str) -> User | None:
    """Stop the reminders of the member ``token`` was sent to (None: no such token)."""
    user = subscriber(session, token)
    if user is not None:
        user.reminders = False
        session.add(user)
        session.commit()
    return user
