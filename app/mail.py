"""Sending e-mail (password links). SMTP when configured; otherwise each message is
written to ``INTERLOCAL_MAIL_DIR`` as a file, or to the log, so a host without a mail
server can still hand links on."""

import logging
import smtplib
import uuid
from email.message import EmailMessage

from app.config import get_settings

log = logging.getLogger("interlocal.mail")


def send(to: str, subject: str, body: str) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
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
