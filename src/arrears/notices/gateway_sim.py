"""A loopback SMS gateway that speaks the real protocol (docs/sms-gateway.md), for tests, the demo and the bench.

No carrier network exists on a development machine, so `LoopbackGateway` stands in for the bank's gateway on
127.0.0.1: it authenticates, validates, deduplicates by idempotency key, answers lookups and posts signed
delivery receipts, over real HTTP/1.1 with keep-alive. Its `messages` are what "reached a phone": a test
counts them to prove a notice went out exactly once.

Faults for tests: `fail_next(n, status)` answers the next n sends with an error, `down()` hangs up on every
request until `up()`, `stop()` leaves nothing listening (connection refused). `honour_idempotency_keys=False`
models a gateway that ignores the header and sends every POST again.

Receipts: with `deliver_receipts`, each accepted message is "delivered" after `receipt_delay` seconds and, when
it names a `callback_url`, a receipt signed with `receipt_secret` is posted there. A number ending in 0000
is an absent subscriber: its receipt says "failed".

    python -m arrears.notices.gateway_sim --port 8025 --token dev
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import http.client
import json
import queue
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from arrears.notices.sms import mask_number, sign

_E164 = re.compile(r"\+[1-9]\d{7,14}")
MAX_BODY = 64 * 1024
MAX_TEXT = 1000
MAX_FIELD = 255
ABSENT_SUBSCRIBER_SUFFIX = "0000"
ABSENT_SUBSCRIBER_ERROR = "absent subscriber"
_RECEIPT_ATTEMPTS = (0.0, 0.05, 0.25)  # pause before each attempt to post a receipt


@dataclass(frozen=True)
class SimMessage:
    """One message the gateway accepted, i.e. one SMS that reached a phone."""

    id: str
    to: str
    text: str
    reference: str
    sender: str
    idempotency_key: str
    callback_url: str
    received_at: datetime
    status: str = "accepted"  # then "delivered" or "failed", once its receipt is due
    error: str = ""


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as the gateway saw it (headers with lower-case names)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SimReceipt:
    """One receipt the gateway posted: the callback's HTTP status, or 0 when it could not be reached."""

    message_id: str
    url: str
    status: int


class LoopbackGateway:
    def __init__(
        self,
        token: str,
        *,
        honour_idempotency_keys: bool = True,
        receipt_secret: str = "",
        deliver_receipts: bool = True,
        receipt_delay: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ):
        self.token = token
        self.honour_idempotency_keys = honour_idempotency_keys
        self.receipt_secret = receipt_secret
        self.deliver_receipts = deliver_receipts
        self.receipt_delay = receipt_delay
        self._address = (host, port)
        self._log = log
        self._lock = threading.Lock()
        self._messages: list[SimMessage] = []
        self._by_key: dict[str, tuple[dict, str]] = {}  # idempotency key → (request body, message id)
        self._requests: list[SimRequest] = []
        self._receipts: list[SimReceipt] = []
        self._connections = 0
        self._fail_next: list[int] = []
        self._down = False
        self._sockets: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._receipt_thread: threading.Thread | None = None
        self._receipt_queue: queue.Queue[tuple[float, str] | None] = queue.Queue()
        self._stopping = threading.Event()
        self.url = ""

    # Life cycle --------------------------------------------------------------------------------------------

    def start(self) -> LoopbackGateway:
        if self._server is not None:
            raise RuntimeError("the loopback gateway is already running")
        self._server = _Server(self._address, _Handler, self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._stopping.clear()
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sms-gateway", daemon=True
        )
        self._serve_thread.start()
        self._receipt_thread = threading.Thread(target=self._post_receipts, name="sms-gateway-receipts", daemon=True)
        self._receipt_thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and hang up every open connection; receipts already due are posted, later ones not."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._hang_up_all()
        self._receipt_queue.put(None)
        for thread in (self._serve_thread, self._receipt_thread):
            if thread is not None:
                thread.join(timeout=5)
        self._server = self._serve_thread = self._receipt_thread = None

    def __enter__(self) -> LoopbackGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # What happened ------------------------------------------------------------------------------------------

    @property
    def messages(self) -> list[SimMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def requests(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def request_log(self) -> list[SimRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def receipts(self) -> list[SimReceipt]:
        with self._lock:
            return list(self._receipts)

    # Faults ---------------------------------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 503) -> None:
        """The next n sends (POST /messages) are answered with `status` and not accepted."""
        with self._lock:
            self._fail_next.extend([status] * n)

    def down(self) -> None:
        """Hang up on every request, without an answer, until `up()`."""
        with self._lock:
            self._down = True
        self._hang_up_all()

    def up(self) -> None:
        with self._lock:
            self._down = False

    # Protocol -------------------------------------------------------------------------------------------------

    def _authorised(self, header: str) -> bool:
        return hmac.compare_digest(header.encode("utf-8", "replace"), f"Bearer {self.token}".encode())

    def _accept(self, body: dict, key: str) -> tuple[int, dict]:
        """Validate a send and accept it (201), or find it again by key (200), under one lock: exactly once."""
        problem = _invalid(body)
        if problem:
            return 400, {"error": problem}
        if key and (len(key) > MAX_FIELD or not key.isprintable()):
            return 400, {"error": "the Idempotency-Key header is longer than 255 characters or not printable"}
        with self._lock:
            if self._fail_next:
                status = self._fail_next.pop(0)
                return status, {"error": "injected failure: the gateway is unavailable"}
            if key and self.honour_idempotency_keys and key in self._by_key:
                first_body, message_id = self._by_key[key]
                if first_body != body:
                    return 422, {"error": "this Idempotency-Key was used with a different message"}
                current = next(m for m in self._messages if m.id == message_id)
                return 200, {"id": message_id, "status": current.status, "duplicate": True}
            message = SimMessage(
                id=uuid.uuid4().hex,
                to=body["to"],
                text=body["text"],
                reference=body["reference"],
                sender=body.get("sender", ""),
                idempotency_key=key,
                callback_url=body.get("callback_url", ""),
                received_at=datetime.now(UTC),
            )
            self._messages.append(message)
            if key and self.honour_idempotency_keys:
                self._by_key[key] = (body, message.id)
        if self._log:
            self._log(f"accepted {message.id} to {mask_number(message.to)} reference {message.reference!r}")
        if self.deliver_receipts:
            self._receipt_queue.put((time.monotonic() + self.receipt_delay, message.id))
        return 201, {"id": message.id, "status": "accepted"}

    def _lookup(self, reference: str) -> dict:
        with self._lock:
            found = [m for m in self._messages if m.reference == reference]
        return {"messages": [{"id": m.id, "reference": m.reference, "status": m.status} for m in found]}

    # Receipts -------------------------------------------------------------------------------------------------

    def _post_receipts(self) -> None:
        while (item := self._receipt_queue.get()) is not None:
            due, message_id = item
            # Short sleeps rather than a timed `Event.wait`: Python's timed waits use sem_clockwait, which
            # libfaketime (the CI's fake clock) does not translate, so such a wait would not end on time.
            stopped = False
            while not stopped and (pause := due - time.monotonic()) > 0:
                stopped = self._stopping.is_set()
                time.sleep(0 if stopped else min(pause, 0.02))
            if stopped:
                continue  # stopped before this message was due
            message = self._settle(message_id)
            if message.callback_url:
                status = self._deliver_receipt(message)
                with self._lock:
                    self._receipts.append(SimReceipt(message.id, message.callback_url, status))

    def _settle(self, message_id: str) -> SimMessage:
        with self._lock:
            i = next(i for i, m in enumerate(self._messages) if m.id == message_id)
            absent = self._messages[i].to.endswith(ABSENT_SUBSCRIBER_SUFFIX)
            self._messages[i] = replace(
                self._messages[i],
                status="failed" if absent else "delivered",
                error=ABSENT_SUBSCRIBER_ERROR if absent else "",
            )
            return self._messages[i]

    def _deliver_receipt(self, message: SimMessage) -> int:
        body = json.dumps(
            {
                "id": message.id,
                "reference": message.reference,
                "status": message.status,
                "at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "error": message.error,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.receipt_secret:
            headers["X-Signature"] = sign(body, self.receipt_secret)
        parts = urlsplit(message.callback_url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        status = 0
        for pause in _RECEIPT_ATTEMPTS:  # a receiver that is briefly away gets the receipt a little later
            time.sleep(pause)
            connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=2)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                conn.close()
            if 200 <= status < 300:
                break
        return status

    # Connections ----------------------------------------------------------------------------------------------

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._connections += 1
            self._sockets.add(sock)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def _hang_up_all(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _invalid(body: dict) -> str:
    """What is wrong with a send's body, or ""."""
    to, text, reference = body.get("to"), body.get("text"), body.get("reference")
    if not isinstance(to, str) or not _E164.fullmatch(to):
        return "'to' must be an E.164 number: + then 8 to 15 digits"
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
        return f"'text' must be 1 to {MAX_TEXT} characters"
    if not isinstance(reference, str) or not 1 <= len(reference) <= MAX_FIELD:
        return f"'reference' must be 1 to {MAX_FIELD} characters"
    for name in ("sender", "callback_url"):
        if name in body and (not isinstance(body[name], str) or not 1 <= len(body[name]) <= MAX_FIELD):
            return f"'{name}', when given, must be 1 to {MAX_FIELD} characters"
    if "callback_url" in body and urlsplit(body["callback_url"]).scheme not in ("http", "https"):
        return "'callback_url' must be an http:// or https:// URL"
    unknown = sorted(set(body) - {"to", "text", "reference", "sender", "callback_url"})
    if unknown:
        return f"unknown fields: {', '.join(unknown)}"
    return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], gateway: LoopbackGateway):
        self.gateway = gateway
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 30  # an idle kept-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would hold the body for an ACK
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.gateway._opened(self.connection)

    def finish(self) -> None:
        self.server.gateway._closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the gateway's own log (accepted messages) is enough; never log numbers or texts here

    def do_POST(self) -> None:
        if not self._begin():
            return
        if urlsplit(self.path).path != "/messages":
            self._answer(404, {"error": "no such endpoint; messages are sent with POST /messages"})
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._answer(411, {"error": "Content-Length is required"})
            return
        if int(length) > MAX_BODY:
            self._answer(413, {"error": f"the body is larger than {MAX_BODY} bytes"})
            self.close_connection = True
            return
        raw = self.rfile.read(int(length))
        if not self._authorised():
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
            self._answer(415, {"error": "the body must be application/json"})
            return
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self._answer(400, {"error": "the body is not JSON"})
            return
        if not isinstance(body, dict):
            self._answer(400, {"error": "the body is not a JSON object"})
            return
        status, answer = self.server.gateway._accept(body, self.headers.get("Idempotency-Key", ""))
        self._answer(status, answer)

    def do_GET(self) -> None:
        if not self._begin():
            return
        parts = urlsplit(self.path)
        if parts.path != "/messages":
            self._answer(404, {"error": "no such endpoint; look messages up with GET /messages?reference=…"})
            return
        if not self._authorised():
            return
        references = parse_qs(parts.query).get("reference", [])
        if len(references) != 1 or not references[0]:
            self._answer(400, {"error": "give exactly one reference: GET /messages?reference=…"})
            return
        self._answer(200, self.server.gateway._lookup(references[0]))

    def _begin(self) -> bool:
        gateway = self.server.gateway
        with gateway._lock:
            gateway._requests.append(
                SimRequest(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            )
            down = gateway._down
        if down:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return False
        return True

    def _authorised(self) -> bool:
        if self.server.gateway._authorised(self.headers.get("Authorization", "")):
            return True
        self._answer(401, {"error": "missing or wrong bearer token"})
        return False

    def _answer(self, status: int, body: dict) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == 503:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(payload)


def serve(
    port: int,
    token: str,
    *,
    host: str = "127.0.0.1",
    honour_idempotency_keys: bool = True,
    receipt_secret: str = "",
    receipt_delay: float = 0.0,
    out: Callable[[str], None] | None = None,
) -> None:
    """Run a development gateway until Ctrl-C."""

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    out = out or write
    gateway = LoopbackGateway(
        token,
        honour_idempotency_keys=honour_idempotency_keys,
        receipt_secret=receipt_secret,
        receipt_delay=receipt_delay,
        host=host,
        port=port,
        log=out,
    )
    gateway.start()
    out(f"SMS gateway listening on {gateway.url} (Ctrl-C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        out("stopping")
    finally:
        gateway.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m arrears.notices.gateway_sim", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8025, help="port to listen on, 0 for any (default: 8025)")
    parser.add_argument("--token", required=True, help="the bearer token clients must send")
    parser.add_argument("--receipt-secret", default="", help="sign delivery receipts with this secret")
    parser.add_argument("--receipt-delay", type=float, default=0.0, help="seconds until a message is delivered")
    parser.add_argument(
        "--ignore-idempotency-keys", action="store_true", help="send every POST again, like a gateway without keys"
    )
    args = parser.parse_args(argv)
    # Ctrl-C and `kill` both stop it cleanly (a shell's background job starts with Ctrl-C ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        serve(
            args.port,
            args.token,
            host=args.host,
            honour_idempotency_keys=not args.ignore_idempotency_keys,
            receipt_secret=args.receipt_secret,
            receipt_delay=args.receipt_delay,
        )
    except OSError as exc:
        sys.stderr.write(f"cannot listen on {args.host}:{args.port}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
