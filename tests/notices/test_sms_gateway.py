"""The SMS channel against a gateway on loopback: real HTTP, the real protocol, no mocks and no database."""

from __future__ import annotations

import json
import queue
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from arrears.notices.gateway_sim import LoopbackGateway
from arrears.notices.sms import (
    Accepted,
    Receipt,
    ReceiptError,
    SendFailed,
    SmsGateway,
    SmsMessage,
    sign,
    verify_receipt,
)

TOKEN = "test-token-7f3a"
SECRET = "receipt-secret"
KEY_1 = "0b6d7c1e-2f4a-4c39-8e55-0a9d3c2b1f01"
KEY_2 = "0b6d7c1e-2f4a-4c39-8e55-0a9d3c2b1f02"


def reminder(key: str = KEY_1, *, to: str = "13812345678", text: str = "您的贷款12月1日应还1,234.56元。") -> SmsMessage:
    return SmsMessage(reference="reminder:12:2026-12-01", idempotency_key=key, to=to, text=text)


@pytest.fixture
def sim():
    with LoopbackGateway(TOKEN, deliver_receipts=False) as gateway:
        yield gateway


@pytest.fixture
def sms(sim):
    return SmsGateway(sim.url, TOKEN, timeout=5)


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.received: queue.Queue[tuple[str, dict[str, str], bytes]] = queue.Queue()
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.put((self.path, dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def receiver():
    """A small receipt endpoint: what the gateway posts lands in `receiver.received`."""
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    server.url = f"http://{host}:{port}/sms/receipts"
    yield server
    server.shutdown()
    server.server_close()


# Sending ----------------------------------------------------------------------------------------------------------


def test_a_send_is_accepted_and_one_message_reaches_the_phone(sim):
    """A reminder handed to the adapter reaches the gateway once, as +86 E.164, with its text, reference and sender.

    Clause: REM-1
    """
    sms = SmsGateway(sim.url, TOKEN, sender="1069000012")

    accepted = sms.send(reminder())

    assert accepted.duplicate is False
    assert [(m.id, m.to, m.text, m.reference, m.sender, m.idempotency_key) for m in sim.messages] == [
        (
            accepted.provider_id,
            "+8613812345678",
            "您的贷款12月1日应还1,234.56元。",
            "reminder:12:2026-12-01",
            "1069000012",
            KEY_1,
        )
    ]


def test_a_repeat_with_the_same_key_is_the_same_message_and_not_sent_again(sms, sim):
    """The retry after a lost answer carries the same key: the gateway gives back the first id and sends nothing.

    Clause: REM-1
    """
    first = sms.send(reminder())
    again = sms.send(reminder())

    assert again == Accepted(provider_id=first.provider_id, duplicate=True)
    assert first.duplicate is False
    assert len(sim.messages) == 1


def test_concurrent_sends_with_one_key_reach_the_phone_once(sim):
    """Two workers racing on one notice (same key, same moment): one message, and both learn its id.

    Clause: REM-1
    """
    start = threading.Barrier(8)
    results: list[Accepted] = []

    def send() -> None:
        start.wait(timeout=5)
        results.append(SmsGateway(sim.url, TOKEN).send(reminder()))

    workers = [threading.Thread(target=send) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)

    assert len(sim.messages) == 1
    assert sorted(r.duplicate for r in results) == [False] + [True] * 7
    assert {r.provider_id for r in results} == {sim.messages[0].id}


def test_the_same_key_with_a_different_text_is_refused_for_good(sms, sim):
    """A key reused for another message is a bug upstream: 422, a permanent failure, and nothing more is sent."""
    sms.send(reminder())

    with pytest.raises(SendFailed, match=r"\(422\).*different message") as failed:
        sms.send(reminder(text="您的贷款12月1日应还9.99元。"))

    assert failed.value.permanent is True
    assert failed.value.status == 422
    assert [m.text for m in sim.messages] == ["您的贷款12月1日应还1,234.56元。"]


def test_a_gateway_that_ignores_keys_sends_a_repeat_again_so_reconciliation_must_look_first():
    """Without key support the gateway sends every POST: two messages reach the phone. This is why the
    dispatcher, after a crash or a lost answer, asks `lookup()` before sending again when keys are off."""
    with LoopbackGateway(TOKEN, honour_idempotency_keys=False, deliver_receipts=False) as sim:
        sms = SmsGateway(sim.url, TOKEN)
        first = sms.send(reminder())
        second = sms.send(reminder())

        assert second.duplicate is False
        assert first.provider_id != second.provider_id
        assert len(sim.messages) == 2
        assert sms.lookup("reminder:12:2026-12-01") == [
            Accepted(first.provider_id),
            Accepted(second.provider_id),
        ]


def test_an_adapter_without_keys_sends_no_idempotency_header(sim):
    """With `use_idempotency_keys=False` the request carries no Idempotency-Key (for gateways that reject it)."""
    with_keys = SmsGateway(sim.url, TOKEN)
    without_keys = SmsGateway(sim.url, TOKEN, use_idempotency_keys=False)

    with_keys.send(reminder(KEY_1))
    without_keys.send(reminder(KEY_2))

    posts = [r.headers for r in sim.request_log if r.method == "POST"]
    assert [h.get("idempotency-key") for h in posts] == [KEY_1, None]
    assert [h["authorization"] for h in posts] == [f"Bearer {TOKEN}", f"Bearer {TOKEN}"]
    assert [m.idempotency_key for m in sim.messages] == [KEY_1, ""]


def test_a_503_is_transient_and_the_next_send_goes_through(sms, sim):
    """A busy gateway: the send fails as transient, nothing is sent, and the retry with the same key succeeds."""
    sim.fail_next(1, status=503)

    with pytest.raises(SendFailed, match=r"\(503\)") as failed:
        sms.send(reminder())
    assert failed.value.permanent is False
    assert sim.messages == []

    accepted = sms.send(reminder())

    assert accepted.duplicate is False
    assert [m.id for m in sim.messages] == [accepted.provider_id]


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(500, False), (502, False), (503, False), (429, False), (408, False), (409, False), (400, True), (403, True)],
)
def test_a_refusal_is_permanent_only_when_retrying_cannot_help(sms, sim, status, permanent):
    """5xx, 408, 409 and 429 may pass; any other 4xx will be answered the same way every time."""
    sim.fail_next(1, status=status)

    with pytest.raises(SendFailed) as failed:
        sms.send(reminder())

    assert (failed.value.status, failed.value.permanent) == (status, permanent)


def test_a_stopped_gateway_is_a_transient_failure(sim):
    """Nothing listening (connection refused) is transient: the notice waits for the gateway to come back."""
    sms = SmsGateway(sim.url, TOKEN, timeout=2)
    sim.stop()

    with pytest.raises(SendFailed, match="refused the connection") as failed:
        sms.send(reminder())

    assert failed.value.permanent is False
    assert failed.value.status is None


def test_a_gateway_that_hangs_up_is_a_transient_failure_that_may_have_been_accepted(sms, sim):
    """A connection closed without an answer is transient, and the message says the send may have gone out."""
    sim.down()

    with pytest.raises(SendFailed, match="may or may not have been accepted") as failed:
        sms.send(reminder())

    assert failed.value.permanent is False
    sim.up()
    assert sms.send(reminder()).duplicate is False
    assert len(sim.messages) == 1


def test_a_wrong_token_is_a_permanent_failure(sim):
    """A bad bearer token is a configuration fault: retrying cannot help."""
    sms = SmsGateway(sim.url, "not-the-token")

    with pytest.raises(SendFailed, match=r"\(401\)") as failed:
        sms.send(reminder())

    assert failed.value.permanent is True
    assert failed.value.status == 401
    assert sim.messages == []


@pytest.mark.parametrize(
    ("number", "shape"),
    [
        ("+8613812345678", "'+*********5678' (14 characters)"),
        ("138-1234-5678", "'***-****-5678' (13 characters)"),
        ("1381234567", "'******4567' (10 characters)"),
        ("23812345678", "'*******5678' (11 characters)"),
        ("010 8765 4321", "'*** **** 4321' (13 characters)"),
    ],
)
def test_a_number_that_is_not_a_mainland_mobile_is_refused_with_its_shape_masked(sms, sim, number, shape):
    """The adapter refuses before any request; the message names the shape and the last four digits only."""
    with pytest.raises(SendFailed) as failed:
        sms.send(reminder(to=number))

    message = str(failed.value)
    assert failed.value.permanent is True
    assert shape in message
    assert number not in message
    assert number.replace(" ", "").replace("-", "")[:-4] not in message
    assert sim.requests == 0


def test_an_empty_number_is_refused_with_what_to_do(sms, sim):
    """No mobile on record: a permanent failure that says to record one."""
    with pytest.raises(SendFailed, match="has no mobile number; record one") as failed:
        sms.send(reminder(to=""))

    assert failed.value.permanent is True
    assert sim.requests == 0


# Reconciliation -------------------------------------------------------------------------------------------------


def test_lookup_returns_what_the_gateway_accepted_for_a_reference(sms, sim):
    """After a crash the dispatcher asks what the gateway has for a notice: exactly its accepted messages."""
    mine = sms.send(reminder(KEY_1))
    sms.send(SmsMessage("reminder:13:2026-12-01", KEY_2, "13912345678", "另一笔贷款的提醒。"))

    assert sms.lookup("reminder:12:2026-12-01") == [Accepted(mine.provider_id)]
    assert sms.lookup("reminder:99:2026-12-01") == []


def test_lookup_with_a_wrong_token_is_a_permanent_failure(sim):
    """Reconciliation fails loudly, not with an empty list that would look like "never sent"."""
    with pytest.raises(SendFailed, match=r"\(401\)") as failed:
        SmsGateway(sim.url, "not-the-token").lookup("reminder:12:2026-12-01")

    assert failed.value.permanent is True


# Connections ----------------------------------------------------------------------------------------------------


def test_a_batch_inside_with_uses_one_keep_alive_connection(sms, sim):
    """Fifty sends inside `with` share one connection; outside, each send opens its own."""
    with sms:
        results = [sms.send(reminder(f"0b6d7c1e-2f4a-4c39-8e55-{n:012d}", text=f"提醒 {n}")) for n in range(50)]

    assert sim.connections == 1
    assert len({r.provider_id for r in results}) == 50
    assert len(sim.messages) == 50

    sms.send(reminder(KEY_1, text="提醒 A"))
    sms.send(reminder(KEY_2, text="提醒 B"))

    assert sim.connections == 3


def test_a_batch_reconnects_when_the_gateway_closed_the_idle_connection(sms, sim):
    """The gateway may drop a kept-alive connection between sends; the next send opens a new one and goes out once."""
    with sms:
        sms.send(reminder(KEY_1))
        sim.down()
        sim.up()
        accepted = sms.send(reminder(KEY_2))

    assert accepted.duplicate is False
    assert len(sim.messages) == 2
    assert sim.connections == 2


# Receipts -------------------------------------------------------------------------------------------------------


def test_the_gateway_posts_a_signed_receipt_that_verifies(receiver):
    """A delivered message comes back as a receipt signed with the shared secret; `verify_receipt` parses it."""
    with LoopbackGateway(TOKEN, receipt_secret=SECRET) as sim:
        accepted = SmsGateway(sim.url, TOKEN, callback_url=receiver.url).send(reminder())
        path, headers, body = receiver.received.get(timeout=5)

    receipt = verify_receipt(body, headers["X-Signature"], SECRET)

    assert path == "/sms/receipts"
    assert receipt.provider_id == accepted.provider_id
    assert (receipt.reference, receipt.delivered, receipt.error) == ("reminder:12:2026-12-01", True, "")
    assert receipt.at.tzinfo == UTC
    assert [m.status for m in sim.messages] == ["delivered"]


def test_a_receipt_with_an_altered_body_or_the_wrong_secret_is_rejected(receiver):
    """A forged receipt must not mark a notice delivered: tampering or another secret fails the signature."""
    with LoopbackGateway(TOKEN, receipt_secret=SECRET) as sim:
        SmsGateway(sim.url, TOKEN, callback_url=receiver.url).send(reminder())
        _, headers, body = receiver.received.get(timeout=5)
    tampered = body.replace(b'"delivered"', b'"failed"')

    assert tampered != body
    with pytest.raises(ReceiptError, match="signature does not match"):
        verify_receipt(tampered, headers["X-Signature"], SECRET)
    with pytest.raises(ReceiptError, match="signature does not match"):
        verify_receipt(body, headers["X-Signature"], "another-secret")
    with pytest.raises(ReceiptError, match="no X-Signature"):
        verify_receipt(body, "", SECRET)
    with pytest.raises(ReceiptError, match="no receipt secret is configured"):
        verify_receipt(body, headers["X-Signature"], "")


def test_an_absent_subscriber_gets_a_failed_receipt(receiver):
    """A number ending in 0000 is an absent subscriber in the loopback gateway: its receipt says failed, and why."""
    with LoopbackGateway(TOKEN, receipt_secret=SECRET) as sim:
        accepted = SmsGateway(sim.url, TOKEN, callback_url=receiver.url).send(reminder(to="13800000000"))
        _, headers, body = receiver.received.get(timeout=5)

    receipt = verify_receipt(body, headers["X-Signature"], SECRET)

    assert (receipt.provider_id, receipt.delivered, receipt.error) == (accepted.provider_id, False, "absent subscriber")
    assert [(m.status, m.error) for m in sim.messages] == [("failed", "absent subscriber")]


def test_sign_is_hex_hmac_sha256():
    """The signature is the hex HMAC-SHA256 of the raw body (value computed independently with openssl)."""
    assert sign(b'{"id":"m1"}', "receipt-secret") == "1fbc2dedf688628f990c5b6d04e6010bb1311e7d4c7ed47002239a915edb307c"


def test_a_receipt_is_parsed_to_utc():
    """A receipt's time with an offset becomes the same instant in UTC; the signature may be upper-case hex."""
    body = json.dumps(
        {"id": "m1", "reference": "reminder:12:2026-12-01", "status": "delivered", "at": "2026-11-28T17:30:05+08:00"}
    ).encode()

    receipt = verify_receipt(body, sign(body, SECRET).upper(), SECRET)

    assert receipt == Receipt("m1", "reminder:12:2026-12-01", True, datetime(2026, 11, 28, 9, 30, 5, tzinfo=UTC))


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (b'{"reference": "r", "status": "delivered", "at": "2026-11-28T09:30:05Z"}', "no message id"),
        (b'{"id": "m1", "status": "delivered", "at": "2026-11-28T09:30:05Z"}', "'reference' is missing"),
        (b'{"id": "m1", "reference": "r", "status": "sent", "at": "2026-11-28T09:30:05Z"}', "neither 'delivered'"),
        (b'{"id": "m1", "reference": "r", "status": "failed"}', "no time"),
        (b'{"id": "m1", "reference": "r", "status": "failed", "at": "yesterday"}', "not ISO 8601"),
        (b'{"id": "m1", "reference": "r", "status": "failed", "at": "2026-11-28T09:30:05"}', "no UTC offset"),
    ],
)
def test_a_signed_but_malformed_receipt_is_rejected_with_what_was_wrong(body, complaint):
    """A correctly signed body that is not a receipt is refused, and the error names the problem."""
    with pytest.raises(ReceiptError, match=complaint):
        verify_receipt(body, sign(body, SECRET), SECRET)


# Settings -------------------------------------------------------------------------------------------------------


@override_settings(ARREARS_SMS_URL="")
def test_from_settings_without_a_url_says_what_to_set():
    """No gateway URL is a deployment error, raised loudly with the setting's name."""
    with pytest.raises(ImproperlyConfigured, match="ARREARS_SMS_URL is not set"):
        SmsGateway.from_settings()


@override_settings(
    ARREARS_SMS_URL="http://127.0.0.1:8025/",
    ARREARS_SMS_TOKEN="dev",
    ARREARS_SMS_SENDER="1069000012",
    ARREARS_SMS_IDEMPOTENCY=False,
    ARREARS_SMS_TIMEOUT=3,
    ARREARS_SMS_CALLBACK_URL="http://127.0.0.1:8000/sms/receipts",
)
def test_from_settings_reads_every_setting():
    """Each ARREARS_SMS_* setting reaches the adapter."""
    gateway = SmsGateway.from_settings()

    assert (gateway.url, gateway.sender, gateway.use_idempotency_keys, gateway.timeout, gateway.callback_url) == (
        "http://127.0.0.1:8025",
        "1069000012",
        False,
        3.0,
        "http://127.0.0.1:8000/sms/receipts",
    )
