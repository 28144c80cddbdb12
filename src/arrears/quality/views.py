"""Playing a call recording (Clause: QA-1, PRV-1): the audio of one call record, streamed with its content type,
for the roles that may listen (`quality.listen`: supervisors, compliance officers, QA reviewers). Each request
that sends audio is an audited read (`recordings.do_play_recording`), with the byte range it sent.

HTTP Range (one range, RFC 9110) lets a browser's player seek: `bytes=first-last`, `bytes=first-` and
`bytes=-suffix` are answered 206 with Content-Range; a range outside the file 416; several ranges, or a header
that is not a byte range, are ignored and the whole file is sent (as the RFC allows). After the retention purge
the page says when the audio was deleted (410). Never cached: the answer is personal data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import IO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from arrears.accounts.permissions import Perm
from arrears.compliance.actions import require
from arrears.home.inputs import MAX_ID
from arrears.quality.models_recording import Recording
from arrears.quality.recordings import CHUNK, RecordingDeleted, do_play_recording

log = logging.getLogger(__name__)

_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")
UNSATISFIABLE = (-1, -1)


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) bytes asked for, both included; None for the whole file (no header, or one ignored);
    `UNSATISFIABLE` for a range that starts past the end."""
    match = _RANGE.fullmatch((header or "").strip())
    if match is None or size <= 0:
        return None
    start, end = match.groups()
    if not start and not end:
        return None
    if not start:  # the last `end` bytes
        suffix = int(end)
        return UNSATISFIABLE if suffix == 0 else (max(0, size - suffix), size - 1)
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size:
        return UNSATISFIABLE
    return None if last < first else (first, last)


def _chunks(stream: IO[bytes], first: int, length: int) -> Iterator[bytes]:
    try:
        stream.seek(first)
        left = length
        while left > 0 and (chunk := stream.read(min(CHUNK, left))):
            left -= len(chunk)
            yield chunk
    finally:
        stream.close()


def _problem(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "home/problem.html", {"title": title, "message": message}, status=status)


@login_required
@require_GET
def recording_audio(request: HttpRequest, call_id: int) -> HttpResponse:
    """Clause: QA-1, PRV-1 — the recording of call record `call_id`, for a listener; each answer an audited read."""
    require(request.user, Perm.LISTEN_RECORDINGS)  # before the lookup: a refused user learns nothing of the call
    recording = None
    if 0 < call_id <= MAX_ID:  # beyond a 64-bit key there is no call (and the database is not asked)
        recording = Recording.objects.select_related("call").filter(call_id=call_id).first()
    if recording is None:
        raise Http404(_("This call has no recording."))
    if recording.purged:
        return _problem(request, 410, _("Recording deleted"), str(RecordingDeleted(recording)))
    asked = byte_range(request.headers.get("Range"), recording.size)
    if asked == UNSATISFIABLE:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{recording.size}"
        return response
    first, last = asked or (0, recording.size - 1)
    try:
        stream = do_play_recording(recording, actor=request.user, first=first, last=last)
    except FileNotFoundError:
        log.error("the audio of recording %s (call %s) is missing from the storage", recording.pk, call_id)
        message = _("The recording's audio is missing from the storage; tell an administrator.")
        return _problem(request, 404, _("Not found"), message)
    length = last - first + 1
    response = StreamingHttpResponse(
        _chunks(stream, first, length), status=206 if asked else 200, content_type=recording.content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if asked:
        response["Content-Range"] = f"bytes {first}-{last}/{recording.size}"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
