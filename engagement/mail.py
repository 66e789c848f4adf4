"""Outgoing mail through an outbox table: queued with the action, sent after commit, retried."""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engagement.models import OutboxMail
from engagement.settings import Settings, get_settings
from engagement.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def enqueue(session: Session, *, to: str | None, subject: str, body: str) -> None:
    """Queues a mail if SMTP is configured and there is an address; a no-op otherwise."""
    if not to or not get_settings().smtp_host:
        return
    session.add(OutboxMail(to=to, subject=subject[:200], body=body[:10000]))
    session.info["outbox"] = True


def deliver_pending(session: Session, settings: Settings | None = None, limit: int = 50) -> int:
    """Sends what is due; a failure is logged and retried later with a growing delay."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        return 0
    now = utcnow()
    due = session.scalars(
        select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.attempts < MAX_ATTEMPTS,
            OutboxMail.next_attempt_at <= now,
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    sent = 0
    for mail in due:
        mail.attempts += 1
        try:
            _send(mail, settings)
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = str(exc)[:500]
            mail.next_attempt_at = now + timedelta(minutes=2**mail.attempts)
            log.warning(
                "mail %s to %s failed (attempt %s): %s", mail.id, mail.to, mail.attempts, exc
            )
        else:
            mail.sent_at = utcnow()
            sent += 1
        session.commit()
    return sent


def _send(mail: OutboxMail, settings: Settings) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_tls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def deliver_in_background(factory: sessionmaker[Session]) -> None:
    """Sends after the response, on a thread of its own, with a session of its own."""

    def run() -> None:
        with factory() as session:
            try:
                deliver_pending(session)
            except Exception:  # the next trigger or `engagement mail deliver` retries
                log.exception("mail delivery failed")

    threading.Thread(target=run, name="mail-delivery", daemon=True).start()
