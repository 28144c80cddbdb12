"""The bank's complaint mailbox, read over IMAP: every message becomes one complaint on the email channel (CMP-1).

`fetch_new` reads the folder read-only (EXAMINE, then `BODY.PEEK[]`): nothing in the mailbox changes, no \\Seen
flag is set, so the bank's own mail client still shows what it has not read. That a message is filed once is the
Message-ID's job: `do_file_complaint` files a Message-ID already filed as nothing new (a message without one gets
`<sha256-…@mailbox.invalid>` from its bytes, so a re-read is still a no-op).

`parse_message` turns the raw bytes into a `MailComplaint`: the Date header (else the server's INTERNALDATE), the
sender, the subject, the plain-text body (an HTML-only message converted to text), the attachments with their
decoded file names (RFC 2231 and RFC 2047, GBK as well as UTF-8, also raw 8-bit names) and the contact keys found
in the subject and text — a mainland mobile number, an 18-character ID number whose GB 11643 check character
holds, a contract number (the demo bank's LN + 10 digits, or any number after 合同号/合同编号/contract no.).
GB2312 and GBK are read as GB18030 (their superset); a wrong or unknown charset is read with replacement
characters rather than refused.

`ingest_mailbox` reads the settings ARREARS_COMPLAINT_IMAP_* (arrears/settings.py) and files each message. It
remembers the folder's UIDVALIDITY and the highest UID below which every message was filed in
ARREARS_VAR/complaint-mailbox.json, so each run reads only new mail; a lost or stale file only means a full
re-read, which files nothing twice. A message that cannot be filed is counted and named in the report, the
others go on, and it is tried again at the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import imaplib
import json
import logging
import re
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from arrears.portfolio.demo.ids import id_check_char

log = logging.getLogger(__name__)

Attachment = tuple[str, str, bytes]  # (file name, content type, bytes)

_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "x-euc-cn", "csgb2312", "chinese"}
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_CONTRACT_LABELLED = re.compile(
    r"(?:合同(?:编号|号码|号)|借款合同号|贷款合同号|contract\s*(?:no\.?|number|#))\s*[:：#]?\s*([A-Za-z0-9][A-Za-z0-9\-]{3,31})",
    re.IGNORECASE,
)
_CONTRACT_DEMO = re.compile(r"(?<![0-9A-Za-z])LN\d{10}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class MailComplaint:
    message_id: str
    received_at: datetime  # aware
    sender: str  # the address
    sender_name: str
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    mobile: str = ""
    id_number: str = ""
    contract_no: str = ""

    def digests(self) -> list[tuple[str, str]]:
        """(file name, SHA-256 hex) of each attachment."""
        return [(name, hashlib.sha256(data).hexdigest()) for name, _type, data in self.attachments]


# -- decoding ---------------------------------------------------------------------------------------------------


def _codec(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    if not name or name in {"us-ascii", "ascii", "x-unknown"}:
        return "utf-8"
    return "gb18030" if name in _GB else name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; undeclared 8-bit text tried as UTF-8, then GB18030; never an exception."""
    codec = _codec(charset)
    if not charset:
        for guess in ("utf-8", "gb18030"):
            try:
                return data.decode(guess)
            except UnicodeDecodeError:
                continue
    try:
        return data.decode(codec, errors="replace")
    except LookupError:  # an unknown charset
        return data.decode("utf-8", errors="replace")


def _raw8(value: str) -> str:
    """A header value the parser read as ASCII with surrogates (raw 8-bit bytes): decoded as UTF-8 or GB18030."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode_bytes(value.encode("ascii", errors="surrogateescape"), None)


def header_text(value: Any) -> str:
    """An RFC 2047 header (or a raw 8-bit one) as text."""
    if value is None:
        return ""
    parts = []
    for chunk, charset in decode_header(value if isinstance(value, Header) else _raw8(str(value))):
        if isinstance(chunk, bytes):  # raw 8-bit bytes come back as charset "unknown-8bit": guessed
            parts.append(decode_bytes(chunk, None if charset in (None, "unknown-8bit") else charset))
        else:
            parts.append(_raw8(chunk))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


class _Text(HTMLParser):
    _BLOCK = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "pre",
            "table",
            "section",
            "article",
            "hr",
        ]
    )
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in "".join(parser.out).split("\n"))
    return html.unescape(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())


def _filename(part: Message) -> str:
    name = part.get_filename()  # RFC 2231 parameters collapsed by the parser
    if name is None:
        name = part.get_param("name", header="content-type")
        if isinstance(name, tuple):  # RFC 2231 in the Content-Type
            name = decode_bytes(name[2].encode("latin-1", errors="replace"), name[0])
    return header_text(name) if name else ""


def _body(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    return decode_bytes(data, part.get_content_charset())


def _is_attachment(part: Message) -> bool:
    return part.get_content_disposition() == "attachment" or bool(part.get_filename() or part.get_param("name"))


def _walk(message: Message, plain: list[str], markup: list[str], attachments: list[Attachment]) -> None:
    for part in message.get_payload() if message.is_multipart() else [message]:
        content_type = part.get_content_type()
        if part.is_multipart() and content_type != "message/rfc822":
            _walk(part, plain, markup, attachments)
        elif content_type == "message/rfc822":  # a forwarded message is kept whole
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else part.as_bytes()
            attachments.append((_filename(part) or "forwarded.eml", content_type, data))
        elif _is_attachment(part):
            data = part.get_payload(decode=True) or b""
            attachments.append((_filename(part) or f"attachment-{len(attachments) + 1}", content_type, data))
        elif content_type == "text/plain":
            plain.append(_body(part))
        elif content_type == "text/html":
            markup.append(_body(part))


# -- contact keys -----------------------------------------------------------------------------------------------


def id_number_valid(value: str) -> bool:
    """GB 11643: 17 digits and their check character (the project's one check, arrears.portfolio.demo.ids)."""
    value = value.upper()
    return bool(re.fullmatch(r"\d{17}[0-9X]", value)) and id_check_char(value[:17]) == value[17]


def contact_keys(text: str) -> tuple[str, str, str]:
    """(mobile, ID number, contract number) first found in the text, each "" when none is."""
    ids = [m.group(0).upper() for m in _ID_NUMBER.finditer(text) if id_number_valid(m.group(0))]
    mobile = _MOBILE.search(text)
    labelled = _CONTRACT_LABELLED.search(text)
    contract = labelled.group(1) if labelled else ""
    if not contract:
        demo = _CONTRACT_DEMO.search(text)
        contract = demo.group(0) if demo else ""
    return (mobile.group(0) if mobile else ""), (ids[0] if ids else ""), contract


# -- one message ------------------------------------------------------------------------------------------------


def _received(message: Message, internaldate: datetime | None) -> datetime:
    raw = message.get("Date")
    if raw:
        try:
            when = parsedate_to_datetime(str(raw))
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when if when.tzinfo else when.replace(tzinfo=UTC)  # "-0000": UTC, RFC 5322
    if internaldate is not None:
        return internaldate
    return datetime.now(UTC)


def parse_message(raw: bytes, internaldate: datetime | None = None) -> MailComplaint:
    """One raw RFC 5322 message as a complaint's fields (never raises on a badly encoded message)."""
    message = message_from_bytes(raw)
    plain: list[str] = []
    markup: list[str] = []
    attachments: list[Attachment] = []
    _walk(message, plain, markup, attachments)
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if not text and markup:
        text = "\n\n".join(html_to_text(m) for m in markup if m.strip())
    subject = header_text(message.get("Subject"))
    addresses = getaddresses([header_text(message.get("From"))])
    name, address = addresses[0] if addresses else ("", "")
    message_id = header_text(message.get("Message-ID"))
    if not message_id:
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@mailbox.invalid>"
    mobile, id_number, contract_no = contact_keys(f"{subject}\n{text}")
    return MailComplaint(
        message_id=message_id,
        received_at=_received(message, internaldate),
        sender=address,
        sender_name=name,
        subject=subject,
        text=text,
        attachments=attachments,
        mobile=mobile,
        id_number=id_number,
        contract_no=contract_no,
    )


# -- the IMAP server --------------------------------------------------------------------------------------------

_FETCH_ITEMS = re.compile(rb"UID (\d+)|INTERNALDATE \"([^\"]+)\"")
_BATCH = 50


def _internaldate(value: bytes | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value.decode("ascii").strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None


def _check(typ: str, data: Any, doing: str) -> Any:
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{doing}: {typ} {data!r}")
    return data


def connect(host: str, port: int, user: str, password: str, *, security: str = "ssl", timeout: int = 30):
    """A logged-in IMAP connection; security "ssl" (IMAPS), "starttls" or "none" (certificates verified)."""
    if security == "ssl":
        conn = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        conn = imaplib.IMAP4(host, port, timeout=timeout)
        if security == "starttls":
            conn.starttls(ssl.create_default_context())
        elif security != "none":
            raise ValueError(f"security must be ssl, starttls or none, not {security!r}")
    conn.login(user, password)
    return conn


def fetch_new(
    host: str,
    port: int,
    user: str,
    password: str,
    *,
    folder: str = "INBOX",
    security: str = "ssl",
    since_uid: int | None = None,
    uidvalidity: list[int] | None = None,
) -> list[tuple[int, bytes, datetime | None]]:
    """(UID, raw bytes, INTERNALDATE) of the folder's messages with a UID above since_uid, oldest first.

    Read-only: the folder is EXAMINEd and bodies fetched with BODY.PEEK[], so no flag changes. Pass a list as
    `uidvalidity` to receive the folder's UIDVALIDITY (UIDs only compare within one UIDVALIDITY).
    """
    conn = connect(host, port, user, password, security=security)
    try:
        _check(*conn.select(_quote(folder), readonly=True), f"examine {folder}")
        if uidvalidity is not None:
            _typ, answer = conn.response("UIDVALIDITY")
            if answer and answer[0]:
                uidvalidity.append(int(answer[0]))
        wanted = f"{since_uid + 1}:*" if since_uid else "1:*"
        found = _check(*conn.uid("SEARCH", None, "UID", wanted), "search")
        uids = sorted(int(u) for u in (found[0] or b"").split() if int(u) > (since_uid or 0))
        messages = []
        for start in range(0, len(uids), _BATCH):
            chunk = ",".join(str(u) for u in uids[start : start + _BATCH])
            data = _check(*conn.uid("FETCH", chunk, "(UID INTERNALDATE BODY.PEEK[])"), "fetch")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid, when = None, None
                for m in _FETCH_ITEMS.finditer(item[0]):
                    if m.group(1):
                        uid = int(m.group(1))
                    else:
                        when = _internaldate(m.group(2))
                if uid is not None:
                    messages.append((uid, item[1], when))
        return sorted(messages, key=lambda m: m[0])
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- filing -----------------------------------------------------------------------------------------------------


@dataclass
class IngestReport:
    read: int = 0
    filed: int = 0
    already_filed: int = 0
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (UID, Message-ID, what went wrong)

    def describe(self) -> str:
        text = f"complaint mailbox: {self.read} read, {self.filed} filed, {self.already_filed} already filed"
        if self.failed:
            text += f", {len(self.failed)} failed (" + "; ".join(f"UID {u} {m}: {e}" for u, m, e in self.failed) + ")"
        return text


def _state_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "complaint-mailbox.json"


def _load_state(key: str) -> dict[str, int]:
    try:
        state = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entry = state.get(key) if isinstance(state, dict) else None
    return entry if isinstance(entry, dict) else {}


def _save_state(key: str, entry: dict[str, int]) -> None:
    path = _state_path()
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        state = state if isinstance(state, dict) else {}
    except (OSError, ValueError):
        state = {}
    state[key] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def file_message(mail: MailComplaint, *, actor: Any, basis: str, raw: bytes = b"") -> bool:
    """File one parsed message; True when it was new, False when its Message-ID was filed before.

    The complaint's limits are kept, so a long mail is still filed: a subject or sender name cut to length, a text
    over the limit cut with a note and the whole message attached as message.eml, a mail with no text filed with
    its subject (or a note) as the text, NUL characters dropped.
    """
    from arrears.complaints import actions
    from arrears.complaints.models import Complaint

    limits = getattr(actions, "FIELD_LIMITS", {})
    max_text = getattr(actions, "MAX_TEXT", 20_000)
    attachments = list(mail.attachments)
    text = (mail.text or mail.subject or "(the message has no text; see its attachments)").replace("\x00", "")
    if len(text) > max_text:
        note = "\n… (cut here: the whole message is attached as message.eml)"
        text = text[: max_text - len(note)] + note
        if raw:
            attachments.append(("message.eml", "message/rfc822", raw))
    message_id = mail.message_id if len(mail.message_id) <= limits.get("message_id", 255) else ""
    if not message_id:  # a Message-ID too long to keep: the message's digest stands for it
        message_id = f"<sha256-{hashlib.sha256(raw or mail.message_id.encode()).hexdigest()}@mailbox.invalid>"

    def cut(name: str, value: str) -> str:
        value = value.replace("\x00", "")
        return value[: limits[name]] if name in limits else value

    known = Complaint.objects.filter(message_id=message_id).exists()
    actions.do_file_complaint(
        channel="email",
        received_at=mail.received_at,
        text=text,
        mobile=mail.mobile,
        id_number=mail.id_number,
        contract_no=cut("contract_no", mail.contract_no),
        subject=cut("subject", mail.subject),
        complainant=cut("complainant", mail.sender_name),
        email=_answerable(mail.sender),
        message_id=message_id,
        attachments=attachments,
        actor=actor,
        basis=basis,
    )
    return not known


def _answerable(address: str) -> str:
    """The sender's address if the acknowledgement and the outcome can be sent to it, else "" (the mail is filed
    all the same; the complainant is then answered by phone or on the borrower's address)."""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def ingest_mailbox(*, actor: Any) -> IngestReport:
    """Read the configured complaint mailbox and file every new message (ARREARS_COMPLAINT_IMAP_*)."""
    from django.conf import settings

    host, port = settings.ARREARS_COMPLAINT_IMAP_HOST, settings.ARREARS_COMPLAINT_IMAP_PORT
    user, folder = settings.ARREARS_COMPLAINT_IMAP_USER, settings.ARREARS_COMPLAINT_IMAP_FOLDER
    if not host:
        raise RuntimeError("no complaint mailbox is configured: set ARREARS_COMPLAINT_IMAP_HOST")
    key = f"{user}@{host}:{port}/{folder}"
    state = _load_state(key)
    validity: list[int] = []
    messages = fetch_new(
        host,
        port,
        user,
        settings.ARREARS_COMPLAINT_IMAP_PASSWORD,
        folder=folder,
        security=settings.ARREARS_COMPLAINT_IMAP_SSL,
        since_uid=state.get("uid") or None,
        uidvalidity=validity,
    )
    if validity and state.get("uidvalidity") not in (None, validity[0]):  # the folder was rebuilt: read it all
        messages = fetch_new(
            host, port, user, settings.ARREARS_COMPLAINT_IMAP_PASSWORD, folder=folder,
            security=settings.ARREARS_COMPLAINT_IMAP_SSL,
        )  # fmt: skip
    report = IngestReport(read=len(messages))
    done_up_to, blocked = (state.get("uid", 0) if validity and state.get("uidvalidity") == validity[0] else 0), False
    for uid, raw, internaldate in messages:
        message_id = ""
        try:
            mail = parse_message(raw, internaldate)
            message_id = mail.message_id
            basis = f"read from the complaint mailbox {folder}, UID {uid}"
            new = file_message(mail, actor=actor, basis=basis, raw=raw)
        except Exception as exc:  # one bad message is reported; the others are still filed
            log.exception("complaint mail UID %s (%s) could not be filed", uid, message_id)
            report.failed.append((uid, message_id, f"{type(exc).__name__}: {exc}"))
            blocked = True
            continue
        if new:
            report.filed += 1
        else:
            report.already_filed += 1
        if not blocked:
            done_up_to = uid
    if validity:
        _save_state(key, {"uidvalidity": validity[0], "uid": done_up_to})
    return report
