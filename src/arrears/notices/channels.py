"""The channels a notice leaves by: email over SMTP (Django's mail backend) and SMS through the HTTP gateway.

Each channel sends one `Outgoing` and answers with the provider's id, or raises `SendFailed` saying whether a
retry can help. A channel is used as a context manager for a batch, so one SMTP session or one HTTP keep-alive
connection carries the batch.
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from arrears.notices.sms import SendFailed, SmsGateway, SmsMessage

__all__ = ["EmailChannel", "FileSmsChannel", "Outgoing", "SendFailed", "SmsChannel", "sms_channel"]


@dataclass(frozen=True)
class Outgoing:
    key: str
    idempotency_key: str
    recipient: str
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes, str], ...] = field(default=())


# SMTP reply codes that say the message will never be accepted as it is (RFC 5321: 5yz is a permanent failure).
def _permanent_smtp(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


class EmailChannel:
    """Email through the configured Django mail backend (SMTP in production and in the tests, files in the demo).
    The provider id is the message's Message-ID, which the notice's key also travels beside (X-Arrears-Notice)."""

    name = "email"

    def __init__(self, connection=None) -> None:
        self._given = connection
        self._connection = None

    def __enter__(self) -> EmailChannel:
        self._connection = self._given or get_connection(fail_silently=False)
        try:
            self._connection.open()
        except (OSError, smtplib.SMTPException):
            self._connection = None  # each send then tries on its own and records its failure
        return self

    def __exit__(self, *exc_info) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._connection.close()
        self._connection = None

    def send(self, out: Outgoing) -> str:
        connection = self._connection or get_connection(fail_silently=False)
        message_id = make_msgid(domain=settings.ARREARS_MAIL_DOMAIN)
        message = EmailMessage(
            subject=out.subject,
            body=out.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[out.recipient],
            headers={"Message-ID": message_id, "X-Arrears-Notice": out.key},
            connection=connection,
        )
        for name, content, mimetype in out.attachments:
            message.attach(name, content, mimetype)
        try:
            message.send(fail_silently=False)
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            # The session may be broken: drop it, the next send (or batch) opens a new one.
            self._connection = None
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=_permanent_smtp(exc)) from exc
        return message_id


class SmsChannel:
    """SMS through the HTTP gateway (`arrears.notices.sms`), with the notice's idempotency key."""

    name = "sms"

    def __init__(self, gateway: SmsGateway | None = None) -> None:
        self.gateway = gateway or SmsGateway.from_settings()

    def __enter__(self) -> SmsChannel:
        self.gateway.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self.gateway.__exit__(*exc_info)

    def send(self, out: Outgoing) -> str:
        accepted = self.gateway.send(SmsMessage(out.key, out.idempotency_key, out.recipient, out.body))
        return accepted.provider_id

    def lookup(self, key: str) -> list[str]:
        """The gateway's ids of messages it accepted for this notice (reconciliation)."""
        return [accepted.provider_id for accepted in self.gateway.lookup(key)]

    @property
    def idempotent(self) -> bool:
        return self.gateway.use_idempotency_keys


class FileSmsChannel:
    """Without a gateway (the demo), each SMS is written as a file under ARREARS_VAR/sms — as Django's file
    mail backend does for email — and nothing leaves the machine. Idempotent: the file is named by the key."""

    name = "sms"
    idempotent = True

    def __init__(self, directory=None) -> None:
        self.directory = Path(directory or settings.ARREARS_SMS_FILE_PATH)

    def __enter__(self) -> FileSmsChannel:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def send(self, out: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{out.idempotency_key}.txt"
        if not path.exists():
            path.write_text(f"To: {out.recipient}\nNotice: {out.key}\n\n{out.body}\n", encoding="utf-8")
        return f"file:{path.name}"

    def lookup(self, key: str) -> list[str]:
        return []


def sms_channel() -> SmsChannel | FileSmsChannel:
    """The HTTP gateway when ARREARS_SMS_URL is set, else files (the demo)."""
    return SmsChannel() if settings.ARREARS_SMS_URL else FileSmsChannel()
