"""Sending e-mail (password links, follow-up reminders). SMTP when configured; otherwise
each message is written to ``INTERLOCAL_MAIL_DIR`` as a file, or to the log, so a host
without a mail server can still hand links on."""

import logging
import smtplib
import uuid
from collections.abc import Mapping
from email.message import EmailMessage

from app.config import get_settings

log = logging.getLogger("interlocal.mail")


def send(to: str, subject: str, body: str, headers: Mapping[str, str] | None = None) -> None:
    """Send ``body`` as plain text; ``headers`` are added (e.g. List-Unsubscribe)."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    elif settings.mail_dir:
        settings.mail_dir.mkdir(parents=True, exist_ok=True)
        (settings.mail_dir / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
    else:
        log.warning("no mail server configured; message to %s:\n%s", to, body)
