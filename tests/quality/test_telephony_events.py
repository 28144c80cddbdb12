"""The call platform's events (`POST /api/v1/telephony/events`) and the call record's duration from them.

Clause: CALL-3 — the duration of a call is recorded by the system: the call platform's, not the number typed.

The desk on 2026-03-20 (Shanghai): the junior collector calls P20's borrower from 09:50:00 to 09:53:05.6 (185.6
seconds: 186 rounded half up) and saves the record at 10:00, inside the 15 minutes of
`calls.telephony_match_minutes`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apicalls import bearer, events, post
from desk import SHANGHAI
from telephony_book import EVENTS, event, open_book, reached, record

from arrears.accounts.tokens import do_create_token
from arrears.collection.models import Call
from arrears.quality.models_recording import TelephonyCall, TelephonyEvent
from factories import make_user

pytestmark = pytest.mark.django_db

STARTED, ENDED = "2026-03-20T09:50:00+08:00", "2026-03-20T09:53:05.600000+08:00"


@pytest.fixture
def book():
    return open_book()


def _call(book, kind, at, **more):
    p20 = book.cases["P20"]
    body = {"number": p20.borrower.mobile, "agent": book.junior.username, **more}
    return book.send(**event(kind, at, **body))


def quality_rows() -> dict:
    return {
        "platform": list(TelephonyCall.objects.values()),
        "events": list(TelephonyEvent.objects.values_list("pk", flat=True)),
        "calls": list(Call.objects.values("pk", "duration_seconds")),
        "ledger": [e.action for e in events() if e.action != "api.call"],
    }


def test_a_record_saved_before_the_platforms_end_takes_the_measured_duration_when_it_arrives(book):
    """Clause: CALL-3 — the record saved at 10:00 with 60 seconds typed; the platform reports the call started at
    09:50 and ended at 09:53:05.6 (to +86 170-…, written with spaces and dashes): the end ties the call to the
    record (same collector, same number, saved within 15 minutes of the end) and the record's duration becomes
    186 seconds; the ledger has each event and the change of the record's duration, 60 → 186."""
    p20 = book.cases["P20"]
    saved = record(p20, book.junior, reached(duration=60))
    started = _call(book, "call.started", STARTED)
    assert started.status_code == 201, started.content
    assert started.json() == {
        "platform_call_id": "CTI-0001",
        "state": "started",
        "repeat": False,
        "started_at": "2026-03-20T01:50:00Z",
        "ended_at": None,
        "duration_seconds": None,
        "call": None,
        "tied": "",
    }
    spaced = f"+86 {p20.borrower.mobile[:3]}-{p20.borrower.mobile[3:7]} {p20.borrower.mobile[7:]}"
    ended = _call(book, "call.ended", ENDED, number=spaced)
    assert ended.status_code == 201, ended.content
    assert ended.json() == {
        "platform_call_id": "CTI-0001",
        "state": "ended",
        "repeat": False,
        "started_at": "2026-03-20T01:50:00Z",
        "ended_at": "2026-03-20T01:53:05.600Z",
        "duration_seconds": 186,
        "call": saved.pk,
        "tied": "matched",
    }
    assert Call.objects.get(pk=saved.pk).duration_seconds == 186
    tie = events("quality.tie_telephony_call")[0]
    assert (tie.actor, tie.subject_id, tie.basis["clause"]) == (book.platform, str(saved.pk), "CALL-3")
    assert tie.changes == {
        "duration_seconds": [60, 186],
        "platform_call_id": [None, "CTI-0001"],
        "tied": [None, "matched"],
    }
    received = events("quality.receive_telephony_event")
    assert [e.changes["event"][1] for e in received] == ["call.started", "call.ended"]
    assert all(book.cases["P20"].borrower.mobile not in str(e.changes) for e in received)  # no number in the ledger
    kept = TelephonyEvent.objects.get(kind="call.ended").payload
    assert kept == {
        "event": "call.ended",
        "platform_call_id": "CTI-0001",
        "at": ENDED,
        "agent": book.junior.username,
        "number": spaced,
    }


def test_a_record_saved_after_the_platform_call_ended_takes_its_duration_when_saved(book, client):
    """Clause: CALL-3 — the platform's call ended at 09:53:05.6; the collector saves the record at 10:00 with
    nothing typed (0 seconds, which a reached call could not have): the record takes 186 seconds from the
    platform, and its `collection.record_call` event keeps what was typed and the platform's call; the case's
    API says the duration is the platform's."""
    _call(book, "call.started", STARTED)
    _call(book, "call.ended", ENDED)
    saved = record(book.cases["P20"], book.junior, reached(duration=0))
    assert saved.duration_seconds == 186
    row = TelephonyCall.objects.get()
    assert (row.call_id, row.linked) == (saved.pk, "matched")
    recorded = events("collection.record_call")[-1]
    assert recorded.changes["duration_seconds"] == [0, 186]
    assert recorded.changes["platform_call_id"] == [None, "CTI-0001"]
    client.force_login(book.junior)
    read = client.get(f"/api/v1/cases/{book.cases['P20'].pk}").json()["calls"]
    assert [(c["id"], c["duration_seconds"], c["duration_measured"]) for c in read] == [(saved.pk, 186, True)]


@pytest.mark.parametrize(
    ("what", "saved_at", "agent", "number"),
    [
        ("saved 16 minutes after the end", datetime(2026, 3, 20, 10, 9, 6, tzinfo=SHANGHAI), "junior", "same"),
        ("another collector's call", datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI), "other", "same"),
        ("another number", datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI), "junior", "13800000000"),
    ],
)
def test_a_platform_call_that_does_not_match_leaves_the_typed_duration(book, what, saved_at, agent, number):
    """Clause: CALL-3 — not tied (and the 60 seconds typed stand) when the record was saved more than 15 minutes
    after the platform's call ended, or the platform's call was another collector's, or to another number."""
    other = make_user("junior_collector", username="junior-other")
    p20 = book.cases["P20"]
    body = {
        "agent": (book.junior if agent == "junior" else other).username,
        "number": p20.borrower.mobile if number == "same" else number,
    }
    assert book.send(**event("call.started", STARTED, **body)).status_code == 201
    assert book.send(**event("call.ended", ENDED, **body)).status_code == 201
    saved = record(p20, book.junior, reached(duration=60), at=saved_at)
    assert Call.objects.get(pk=saved.pk).duration_seconds == 60, what
    assert TelephonyCall.objects.get().call_id is None, what


def test_the_platform_may_name_the_call_record(book):
    """Clause: CALL-3 — the end names the record (`call`): tied as named ("platform"), even 2 hours later; a second
    platform call naming the same record is refused (409) and changes nothing."""
    saved = record(book.cases["P20"], book.junior, reached(duration=60))
    late = {"at": "2026-03-20T12:00:00+08:00"}
    _call(book, "call.started", "2026-03-20T11:58:00+08:00")
    answer = _call(book, "call.ended", late["at"], call=saved.pk)
    assert answer.status_code == 201, answer.content
    assert (answer.json()["call"], answer.json()["tied"], answer.json()["duration_seconds"]) == (
        saved.pk,
        "platform",
        120,
    )
    assert Call.objects.get(pk=saved.pk).duration_seconds == 120
    before = quality_rows()
    second = _call(book, "call.started", STARTED, platform_call_id="CTI-0002", call=saved.pk)
    assert second.status_code == 409
    assert (
        second.json()["error"]["message"]
        == f"Call record {saved.pk} is tied to the call platform's call CTI-0001 already."
    )
    assert quality_rows() == before


def test_an_event_sent_again_changes_nothing_and_a_different_one_is_refused(book):
    """The platform retries: the same `call.started` again is answered 200 as a repeat and writes nothing (no
    event, no audit event but the token's `api.call`); a `call.started` of the same call at another instant, or
    with another agent, is 409 and changes nothing."""
    assert _call(book, "call.started", STARTED).status_code == 201
    before = quality_rows()
    again = _call(book, "call.started", STARTED)
    assert (again.status_code, again.json()["repeat"], again.json()["state"]) == (200, True, "started")
    assert quality_rows() == before
    other_instant = _call(book, "call.started", "2026-03-20T09:51:00+08:00")
    assert other_instant.status_code == 409
    assert "already reported call.started of call CTI-0001" in other_instant.json()["error"]["message"]
    other_agent = make_user("junior_collector", username="junior-other")
    moved = _call(book, "call.ended", ENDED, agent=other_agent.username)
    assert moved.status_code == 409
    assert moved.json()["error"]["message"] == (
        "Call CTI-0001 was reported with another agent before; the platform's events of one call agree."
    )
    assert quality_rows() == before


def test_an_end_that_comes_before_its_start_waits_for_it(book):
    """Out of order: the end first is kept (201, awaiting its start, no duration yet); the start then completes
    the call (186 seconds). A start after the end's instant is refused (409)."""
    first = _call(book, "call.ended", ENDED)
    assert first.status_code == 201
    assert (first.json()["state"], first.json()["duration_seconds"]) == ("awaiting_start", None)
    late_start = _call(book, "call.started", "2026-03-20T09:54:00+08:00")
    assert late_start.status_code == 409
    assert (
        "ended at 2026-03-20T01:53:05.600000+00:00, before the start reported now"
        in late_start.json()["error"]["message"]
    )
    then = _call(book, "call.started", STARTED)
    assert then.status_code == 201
    assert (then.json()["state"], then.json()["duration_seconds"]) == ("ended", 186)
    assert TelephonyCall.objects.get().ended_at == datetime(2026, 3, 20, 1, 53, 5, 600000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"at": "2026-03-20T09:50:00"}, 422, "at: give the instant in ISO 8601 with its offset from UTC"),
        ({"at": "2026-03-20T0９:50:00+08:00"}, 422, "at: give the instant in ISO 8601"),
        ({"at": "yesterday"}, 422, "at: give the instant in ISO 8601"),
        ({"event": "call.ringing"}, 422, 'event: send "call.started" or "call.ended".'),
        ({"number": "call me"}, 422, "number: give the number dialled, 3 to 20 digits 0–9"),
        ({"number": "１３９１２３４０００１"}, 422, "number: give the number dialled"),
        ({"agent": "nobody"}, 422, "agent: no collector has the user name nobody"),
        ({"agent": "cti"}, 422, "agent: no collector has the user name cti"),  # the service account itself
        ({"platform_call_id": "CTI 0001"}, 422, "platform_call_id: give the call platform's id of the call"),
        ({"platform_call_id": ""}, 422, "platform_call_id: give the call platform's id"),
        ({"case": "１２"}, 422, "The request does not match the schema"),
        ({"case": 10**30}, 422, "The request does not match the schema"),
        ({"case": 999999}, 422, "case: there is no collection case 999999."),
        ({"call": 999999}, 422, "call: there is no call record 999999."),
        ({"agent": "jun\u0000ior"}, 400, "NUL character"),
    ],
)
def test_bad_input_is_refused_with_what_was_wrong_and_nothing_is_stored(book, change, status, message):
    """Bad input never stores anything: an instant without its offset or in full-width digits, an unknown event,
    a number that is not digits, an agent who is not a collector, a platform id with a space or none, a case id in
    other digits or too large or unknown, an unknown call record, a NUL — 422 (400 for the NUL) with what was wrong."""
    p20 = book.cases["P20"]
    body = event("call.started", STARTED, number=p20.borrower.mobile, agent=book.junior.username) | change
    before = quality_rows()
    answer = post(bearer(book.token), EVENTS, body)
    assert answer.status_code == status, answer.content
    assert message in answer.json()["error"]["message"]
    assert quality_rows() == before


@pytest.mark.parametrize("role", ["junior_collector", "supervisor", "compliance_officer"])
def test_only_the_call_platform_reports_calls(book, role, client):
    """Clause: AUTH-1 — another role's token (a collector's, a supervisor's, a compliance officer's) and a
    supervisor's session are refused (403): nothing stored, no audit event but the token's `api.call`."""
    token = do_create_token(f"svc-{role}", role, actor=make_user("administrator"))[1]
    body = event("call.started", STARTED, number=book.cases["P20"].borrower.mobile, agent=book.junior.username)
    before = quality_rows()
    assert post(bearer(token), EVENTS, body).status_code == 403
    client.force_login(make_user("supervisor"))
    assert client.post(EVENTS, body, content_type="application/json").status_code == 403
    assert quality_rows() == before
