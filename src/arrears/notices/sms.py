"""The SMS channel: an adapter for the bank's HTTP SMS gateway (protocol in docs/sms-gateway.md).

Reminders (REM-1, REM-2) that go out by SMS are handed here one at a time by the dispatcher, which owns the
outbox, the retries and the record of every attempt. This module only speaks the gateway's protocol:

* `SmsGateway.send()` posts one message with the notice's idempotency key, so that a retry after a timeout
  or a crash reaches the gateway as the *same* message and no borrower gets it twice; the gateway answers a
  repeated key with the message it already has (`Accepted.duplicate`).
* `SmsGateway.lookup()` asks which messages the gateway holds for a notice's reference: reconciliation after a
  crash between the gateway's acceptance and our record of it, and the only protection where a gateway does
  not honour idempotency keys.
* `verify_receipt()` checks and parses a delivery receipt the gateway posts back (HMAC-SHA256 of the body).

Every failure is a `SendFailed` that says whether retrying can help (`permanent`). A POST whose answer was
lost is transient: the dispatcher retries with the same key, or reconciles first when keys are off. Messages
never carry a whole phone number (personal data): all but the last four digits are masked.

Standard library only; Django settings are read in `SmsGateway.from_settings()` and nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import select
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

__all__ = [
    "Accepted",
    "Receipt",
    "ReceiptError",
    "SendFailed",
    "SmsGateway",
    "SmsMessage",
    "e164",
    "mask_number",
    "sign",
    "verify_receipt",
]

# A mainland-China mobile number: 11 digits, 1 then 3–9 (the carriers' number ranges).
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
# Characters that show a number's shape without revealing it; anything else in a bad number is hidden too.
_SHAPE_CHARACTERS = frozenset("+-() .")
# Runs of digits long enough to be a phone number, scrubbed from text a gateway sends back.
_DIGIT_RUN = re.compile(r"\d{7,}")
_ERROR_TEXT_LIMIT = 200
_RETRYABLE_CLIENT_STATUSES = frozenset({408, 409, 429})
_RECEIPT_STATUSES = frozenset({"delivered", "failed"})


@dataclass(frozen=True)
class SmsMessage:
    reference: str  # the notice's unique key, e.g. "reminder:12:2026-12-01"
    idempotency_key: str  # a UUID string, identical on every attempt of the same notice
    to: str  # the borrower's mobile, 11 digits like "13812345678"
    text: str


@dataclass(frozen=True)
class Accepted:
    provider_id: str  # the gateway's message id
    duplicate: bool = False  # the gateway already had this idempotency key: nothing new was sent


class SendFailed(Exception):
    """The gateway did not take the message (or we cannot tell that it did).

    `permanent`: retrying the same request cannot help (a refused number, a bad token, a key reused with a
    different message). Otherwise the failure is transient (gateway down or busy, timeout, lost answer) and
    the dispatcher may retry with the same idempotency key. `status` is the gateway's HTTP status, if any.
    """

    def __init__(self, message: str, *, permanent: bool, status: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    reference: str
    delivered: bool
    at: datetime  # aware, UTC
    error: str = ""


class ReceiptError(ValueError):
    """A delivery receipt that must not be believed: bad signature or malformed body."""


def mask_number(value: str) -> str:
    """A number's shape with every digit but the last four masked: "+86 138-1234-5678" → "+** ***-****-5678"."""
    digits_seen = 0
    total_digits = sum(ch.isdigit() for ch in value)
    shown = []
    for ch in value:
        if ch.isdigit():
            digits_seen += 1
            shown.append(ch if digits_seen > total_digits - 4 else "*")
        else:
            shown.append(ch if ch in _SHAPE_CHARACTERS else "?")
    return "".join(shown)


def e164(number: str) -> str:
    """An 11-digit mainland mobile as the gateway takes it ("+86…"); anything else is a permanent failure."""
    if _MAINLAND_MOBILE.fullmatch(number):
        return "+86" + number
    if not number:
        raise SendFailed("the borrower has no mobile number; record one before sending an SMS", permanent=True)
    raise SendFailed(
        f"{mask_number(number)!r} ({len(number)} characters) is not an 11-digit mainland mobile number "
        "(1 then 10 digits, no prefix or separators); correct the borrower's mobile",
        permanent=True,
    )


def sign(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of a raw body: the `X-Signature` of a delivery receipt."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_receipt(body: bytes, signature: str, secret: str) -> Receipt:
    """The receipt in `body` if `signature` is its HMAC with `secret`; `ReceiptError` saying why otherwise."""
    if not secret:
        raise ReceiptError("no receipt secret is configured; receipts cannot be verified, so none is accepted")
    if not signature:
        raise ReceiptError("the receipt has no X-Signature header")
    expected = sign(body, secret).encode("ascii")
    if not hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace")):
        raise ReceiptError("the receipt's signature does not match its body (wrong secret or altered body)")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReceiptError(f"the receipt's body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ReceiptError("the receipt's body is not a JSON object")
    provider_id = data.get("id")
    reference = data.get("reference")
    status = data.get("status")
    error = data.get("error", "")
    if not isinstance(provider_id, str) or not provider_id:
        raise ReceiptError("the receipt has no message id ('id')")
    if not isinstance(reference, str):
        raise ReceiptError("the receipt's 'reference' is missing or not a string")
    if status not in _RECEIPT_STATUSES:
        raise ReceiptError(f"the receipt's status {status!r} is neither 'delivered' nor 'failed'")
    if not isinstance(error, str):
        raise ReceiptError("the receipt's 'error' is not a string")
    return Receipt(
        provider_id=provider_id,
        reference=reference,
        delivered=status == "delivered",
        at=_parse_instant(data.get("at")),
        error=error,
    )


def _parse_instant(raw: object) -> datetime:
    if not isinstance(raw, str):
        raise ReceiptError("the receipt has no time ('at')")
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise ReceiptError(f"the receipt's time {raw!r} is not ISO 8601") from None
    if at.tzinfo is None:
        raise ReceiptError(f"the receipt's time {raw!r} has no UTC offset")
    return at.astimezone(UTC)


def _scrub(text: str) -> str:
    """Text from the gateway, shortened, with anything that looks like a phone number masked."""
    text = _DIGIT_RUN.sub(lambda m: mask_number(m.group()), text)
    return text if len(text) <= _ERROR_TEXT_LIMIT else text[:_ERROR_TEXT_LIMIT] + "…"


class SmsGateway:
    """One gateway endpoint. Outside `with`, each call uses its own connection; inside `with gateway:` one
    keep-alive connection serves the whole batch. An instance may be shared by threads (calls take turns)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        sender: str = "",
        use_idempotency_keys: bool = True,
        timeout: float = 10.0,
        callback_url: str = "",
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the SMS gateway URL {url!r} is not an http:// or https:// URL")
        if parts.query or parts.fragment:
            raise ValueError(f"the SMS gateway URL {url!r} must not have a query or fragment")
        if timeout <= 0:
            raise ValueError(f"the SMS gateway timeout must be positive, not {timeout!r}")
        self.url = url.rstrip("/")
        self.sender = sender
        self.use_idempotency_keys = use_idempotency_keys
        self.timeout = timeout
        self.callback_url = callback_url
        self._token = token
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path.rstrip("/") + "/messages"
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._conn: http.client.HTTPConnection | None = None

    @classmethod
    def from_settings(cls) -> SmsGateway:
        """The gateway the deployment configures (ARREARS_SMS_* settings; see docs/sms-gateway.md)."""
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        url = getattr(settings, "ARREARS_SMS_URL", "") or ""
        token = getattr(settings, "ARREARS_SMS_TOKEN", "") or ""
        if not url:
            raise ImproperlyConfigured(
                "ARREARS_SMS_URL is not set, so no SMS can be sent: set it to the SMS gateway's base URL "
                "(for development, run `python -m arrears.notices.gateway_sim` and use the URL it prints)"
            )
        if not token:
            raise ImproperlyConfigured("ARREARS_SMS_TOKEN is not set: set it to the bearer token of the SMS gateway")
        use_keys = getattr(settings, "ARREARS_SMS_IDEMPOTENCY", True)
        if not isinstance(use_keys, bool):
            raise ImproperlyConfigured(f"ARREARS_SMS_IDEMPOTENCY must be True or False, not {use_keys!r}")
        timeout = getattr(settings, "ARREARS_SMS_TIMEOUT", 10.0)
        try:
            return cls(
                url,
                token,
                sender=getattr(settings, "ARREARS_SMS_SENDER", "") or "",
                use_idempotency_keys=use_keys,
                timeout=float(timeout),
                callback_url=getattr(settings, "ARREARS_SMS_CALLBACK_URL", "") or "",
            )
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"the ARREARS_SMS_* settings are not usable: {exc}") from None

    def __enter__(self) -> SmsGateway:
        with self._lock:
            self._batch_depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._close()

    def __repr__(self) -> str:
        return f"<SmsGateway {self.url}>"  # never the token

    def send(self, message: SmsMessage) -> Accepted:
        """Hand one message to the gateway. Raises `SendFailed`; a transient one may be retried as is."""
        body: dict[str, str] = {"to": e164(message.to), "text": message.text, "reference": message.reference}
        if self.sender:
            body["sender"] = self.sender
        if self.callback_url:
            body["callback_url"] = self.callback_url
        headers = {"Content-Type": "application/json"}
        if self.use_idempotency_keys:
            if not message.idempotency_key:
                raise SendFailed("the message has no idempotency key", permanent=True)
            headers["Idempotency-Key"] = message.idempotency_key
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        status, data = self._request("POST", self._path, payload, headers, replay_safe=self.use_idempotency_keys)
        if status not in (200, 201):
            raise _refusal(status, data, "send")
        provider_id = data.get("id")
        if not isinstance(provider_id, str) or not provider_id:
            # Accepted, but without an id we cannot record it; a retry with the same key gets the id back.
            raise SendFailed(f"the SMS gateway answered {status} without a message id", permanent=False, status=status)
        return Accepted(provider_id=provider_id, duplicate=status == 200 or data.get("duplicate") is True)

    def lookup(self, reference: str) -> list[Accepted]:
        """Every message the gateway accepted with this reference, oldest first (reconciliation).

        The results carry `duplicate=False`: they are what the gateway holds, not answers to a repeated send.
        """
        path = f"{self._path}?reference={quote(reference, safe='')}"
        status, data = self._request("GET", path, None, {}, replay_safe=True)
        if status != 200:
            raise _refusal(status, data, "look up")
        items = data.get("messages")
        if not isinstance(items, list):
            raise SendFailed("the SMS gateway's lookup answer has no 'messages' list", permanent=False, status=status)
        found = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
                raise SendFailed("the SMS gateway's lookup answer has a message without an id", permanent=False)
            if item.get("reference") == reference:
                found.append(Accepted(provider_id=item["id"]))
        return found

    # The HTTP exchange ---------------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, payload: bytes | None, headers: dict[str, str], *, replay_safe: bool
    ) -> tuple[int, dict]:
        headers = {**headers, "Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        with self._lock:
            keep = self._batch_depth > 0
            if not keep:
                headers["Connection"] = "close"
            reused = self._conn is not None and not self._went_stale(self._conn)
            if self._conn is not None and not reused:
                self._close()
            try:
                return self._exchange(method, path, payload, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                # A kept-alive connection the gateway closed just as we wrote to it. Sending again is safe only
                # when the gateway deduplicates (idempotency key) or the request changes nothing (GET).
                self._close()
                if not (reused and replay_safe):
                    raise _lost(exc, method) from None
                try:
                    return self._exchange(method, path, payload, headers)
                except (OSError, http.client.HTTPException) as exc2:
                    self._close()
                    raise _lost(exc2, method) from None
            except (OSError, http.client.HTTPException) as exc:
                self._close()
                raise _lost(exc, method) from None
            finally:
                if not keep:
                    self._close()

    def _exchange(self, method: str, path: str, payload: bytes | None, headers: dict[str, str]) -> tuple[int, dict]:
        if self._conn is None:
            connection_class = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = connection_class(self._host, self._port, timeout=self.timeout)
        self._conn.request(method, path, body=payload, headers=headers)
        response = self._conn.getresponse()
        raw = response.read()  # read it all, so the connection can carry the next request
        if response.will_close:
            self._close()
        try:
            data = json.loads(raw) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = {"error": raw.decode("utf-8", "replace")}
        return response.status, data if isinstance(data, dict) else {}

    @staticmethod
    def _went_stale(conn: http.client.HTTPConnection) -> bool:
        """An idle keep-alive socket that is readable has been closed by the gateway (or holds garbage)."""
        if conn.sock is None:
            return True
        try:
            readable, _, _ = select.select([conn.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _refusal(status: int, data: dict, what: str) -> SendFailed:
    detail = data.get("error") if isinstance(data.get("error"), str) else ""
    permanent = 300 <= status < 500 and status not in _RETRYABLE_CLIENT_STATUSES
    message = f"the SMS gateway refused to {what} ({status})"
    if detail:
        message += f": {_scrub(detail)}"
    return SendFailed(message, permanent=permanent, status=status)


def _lost(exc: BaseException, method: str) -> SendFailed:
    if isinstance(exc, TimeoutError):
        reason = "timed out"
    elif isinstance(exc, ConnectionRefusedError):
        reason = "refused the connection"
    else:
        reason = f"failed ({type(exc).__name__}: {_scrub(str(exc))})" if str(exc) else f"failed ({type(exc).__name__})"
    outcome = "; the message may or may not have been accepted" if method == "POST" else ""
    return SendFailed(f"the SMS gateway {reason}{outcome}", permanent=False)
