"""The call platform's endpoints (Clause: CALL-3, QA-1): its call events, and the recordings of call records.

* `POST /telephony/events` — `call.started` / `call.ended` of one platform call, as `quality.telephony` keeps them:
  201 when the event is new, 200 for a repeat of one already received (nothing changes); 409 when it contradicts
  what was received (another instant for the same event, another agent or number, an end before the start, a
  record tied elsewhere); 422 naming the field that is wrong. An end that comes before its start is kept (201,
  `state` "awaiting_start") and the call completes when the start arrives.
* `POST /calls/{id}/recording` — the call record's recording as a multipart upload (field `file`), WAV or MP3
  told by its bytes: 201 with its SHA-256 and `retain_until`; 409 when the record has one already; 413 over
  ARREARS_MAX_RECORDING_BYTES; 422 for an empty file or one that is not WAV or MP3; 404 for an id that is no call
  record. Both need `quality.telephony` (the call platform's service account), checked before anything is read:
  any other caller gets 403 and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from arrears.accounts.permissions import Perm
from arrears.api.errors import WRITE_REFUSALS, ErrorOut
from arrears.api.schemas import MAX_ID, Id
from arrears.collection.models import Call
from arrears.collection.queries import today
from arrears.compliance.actions import require
from arrears.quality.models_recording import RecordingSource
from arrears.quality.recordings import Audio, do_store_recording
from arrears.quality.telephony import PlatformEvent, Received, do_receive_telephony_event
from arrears.rules.queries import policy_on

__all__ = ["router"]

router = Router(tags=["telephony"])


class TelephonyEventIn(Schema):
    event: str = Field(max_length=32, description="call.started | call.ended")
    platform_call_id: str = Field(max_length=200, description="the call platform's id of the call")
    at: str = Field(max_length=64, description="when, ISO 8601 with the offset, e.g. 2026-03-20T10:05:00+08:00")
    agent: str = Field(max_length=150, description="the collector's user name in arrears")
    number: str = Field(max_length=40, description="the number dialled")
    case: int | None = Field(None, ge=1, le=MAX_ID, description="the collection case, when the platform knows it")
    call: int | None = Field(None, ge=1, le=MAX_ID, description="the call record, when the platform knows it")


class TelephonyCallOut(Schema):
    platform_call_id: str
    state: str = Field(description="started | ended | awaiting_start (the end came first)")
    repeat: bool = Field(description="this event was received before; nothing changed")
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None = Field(description="ended − started, whole seconds, once both are known")
    call: int | None = Field(description="the call record it is tied to (its duration is this one)")
    tied: str = Field(description='"platform" (named by the platform) | "matched" (agent, number, time) | ""')


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _call_out(received: Received) -> dict:
    row = received.telephony_call
    return {
        "platform_call_id": row.platform_call_id,
        "state": received.state,
        "repeat": received.repeat,
        "started_at": _utc(row.started_at),
        "ended_at": _utc(row.ended_at),
        "duration_seconds": row.duration_seconds,
        "call": row.call_id,
        "tied": row.linked,
    }


@router.post("/telephony/events", response={200: TelephonyCallOut, 201: TelephonyCallOut, **WRITE_REFUSALS})
def telephony_event(request: HttpRequest, payload: TelephonyEventIn):
    """One event of the call platform (Clause: CALL-3): kept as it came, idempotent, an end before its start
    kept until the start arrives; a call record tied to the platform call takes its duration."""
    require(request.user, Perm.TELEPHONY)
    raw = json.loads(request.body)  # the schema read it already: a JSON object
    event = PlatformEvent(
        kind=payload.event,
        platform_call_id=payload.platform_call_id,
        at=payload.at,
        agent=payload.agent,
        number=payload.number,
        case_id=payload.case,
        call_id=payload.call,
        payload=raw,
    )
    received = do_receive_telephony_event(event, actor=request.user, calls=policy_on(today()).calls)
    return Status(200 if received.repeat else 201, _call_out(received))


class RecordingOut(Schema):
    call: int
    sha256: str
    size: int
    content_type: str = Field(description="audio/wav | audio/mpeg")
    retain_until: date = Field(description="the audio is deleted after this day (retention.recordings_years)")
    stored_at: datetime


@router.post("/calls/{call_id}/recording", response={201: RecordingOut, 413: ErrorOut, **WRITE_REFUSALS})
def upload_recording(request: HttpRequest, call_id: Id, file: File[UploadedFile]):
    """Store the call record's recording (Clause: QA-1): WAV or MP3, told by its bytes; one a call."""
    require(request.user, Perm.TELEPHONY)  # before the lookup: a refused caller learns nothing of the call
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        raise HttpError(404, _("There is no call record %(id)s.") % {"id": call_id})
    row = do_store_recording(
        call, Audio(file, file.size or 0), source=RecordingSource.UPLOAD, actor=request.user, today=today()
    )
    return Status(
        201,
        {
            "call": call.pk,
            "sha256": row.sha256,
            "size": row.size,
            "content_type": row.content_type,
            "retain_until": row.retain_until,
            "stored_at": row.stored_at.astimezone(UTC),
        },
    )
