"""The call-quality API (Clause: QA-1, QA-2, PRV-1).

* `POST /calls/{id}/transcript` — the call platform (its token's role has `quality.telephony`) delivers what was
  said in a call, one utterance a line (`坐席:` / `客户:`); it is kept and inspected at once: 201 with the
  inspection. 409 when the call has its transcript already; 422 for a transcript that cannot be read (the line to
  fix named); 404 for an id that is not a call.
* `GET /calls/{id}/inspection` — the inspection of a call with its review (`quality.review`), an audited read.
* `GET /quality/scores?month=YYYY-MM` — the month's quality score per collector and per agency
  (`quality.view_scores`), as on the page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.api.errors import REFUSALS, WRITE_REFUSALS
from arrears.collection.models import Call
from arrears.compliance.actions import require
from arrears.quality.models_inspection import Inspection
from arrears.quality.reviews import QualityConflict, QualityError, do_read_transcript, do_record_transcript
from arrears.quality.scores import monthly_scores

router = Router(tags=["quality"])

MAX_TRANSCRIPT = 500_000


class TranscriptIn(Schema):
    text: str = Field(
        max_length=MAX_TRANSCRIPT, description="one utterance a line, prefixed 坐席: / 客户: (or Agent: / Customer:)"
    )
    source: Literal["platform", "funasr", "pocketsphinx"] = Field(
        "platform", description="who wrote it: the call platform, or a recogniser"
    )


class ReviewOut(Schema):
    reason: str = Field(description="flagged | sampled")
    status: str = Field(description="open | done")
    score: int | None = Field(description="the reviewed score (100 less the confirmed findings), once done")
    reviewed_at: datetime | None


class InspectionOut(Schema):
    call: int
    score: int = Field(description="100 less the policy's points per finding (quality.points_*)")
    flagged: bool
    satisfaction: str = Field(description="satisfied | neutral | dissatisfied")
    steps: list[dict[str, Any]] = Field(description="[{step, present, evidence, line, in_order}], the seven steps")
    findings: list[dict[str, Any]] = Field(description="[{rule, evidence, line, detail}]")
    transcript_sha256: str
    inspected_at: datetime
    review: ReviewOut | None = Field(description="null when the call goes to no person's review")


class ScoreOut(Schema):
    id: int
    name: str
    score: str | None = Field(description="mean call score, 2 places; null when no call counts yet")
    calls: int
    flagged: int
    reviewed: int
    pending: int
    violations: int
    dissatisfied: int


class ScoresOut(Schema):
    month: str
    collectors: list[ScoreOut]
    agencies: list[ScoreOut]


def _call(call_id: int) -> Call:
    call = Call.objects.select_related("case").filter(pk=call_id).first() if 0 < call_id < 2**63 else None
    if call is None:
        raise HttpError(404, _("No call has that id."))
    return call


def _out(inspection: Inspection) -> dict[str, Any]:
    review = getattr(inspection, "review", None)
    return {
        "call": inspection.call_id,
        "score": inspection.score,
        "flagged": inspection.flagged,
        "satisfaction": inspection.satisfaction,
        "steps": inspection.result["steps"],
        "findings": inspection.result["findings"],
        "transcript_sha256": inspection.transcript.sha256,
        "inspected_at": inspection.inspected_at,
        "review": None
        if review is None
        else {
            "reason": review.reason,
            "status": review.status,
            "score": review.score,
            "reviewed_at": review.reviewed_at,
        },
    }


@router.post("/calls/{call_id}/transcript", response={201: InspectionOut, **WRITE_REFUSALS})
def post_transcript(request: HttpRequest, call_id: int, body: TranscriptIn):
    """The call platform delivers a call's transcript; it is kept and inspected at once (Clause: QA-1)."""
    require(request.user, Perm.TELEPHONY)
    call = _call(call_id)
    try:
        inspection = do_record_transcript(
            call, body.text, source=body.source, actor=request.user, today=timezone.localdate()
        )
    except QualityConflict as exc:
        raise HttpError(409, str(exc)) from None
    except QualityError as exc:
        raise HttpError(422, str(exc)) from None
    return Status(201, _out(inspection))


@router.get("/calls/{call_id}/inspection", response={200: InspectionOut, **REFUSALS})
def get_inspection(request: HttpRequest, call_id: int):
    """A call's inspection and its review (Clause: QA-1); reading it is an audited read (PRV-1)."""
    require(request.user, Perm.REVIEW_CALLS)
    inspection = Inspection.objects.select_related("transcript", "review").filter(call_id=_call(call_id).pk).first()
    if inspection is None:
        raise HttpError(404, _("This call has no transcript inspected yet."))
    do_read_transcript(inspection, actor=request.user)
    return _out(inspection)


@router.get("/quality/scores", response={200: ScoresOut, **REFUSALS})
def scores(request: HttpRequest, month: str | None = None):
    """The month's quality score per collector and per agency (Clause: QA-2); the month defaults to this one."""
    require(request.user, Perm.VIEW_QUALITY)
    try:
        chosen = Month.parse(month) if month else Month.of(timezone.localdate())
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None
    found = monthly_scores(chosen)
    return {
        "month": str(chosen),
        "collectors": [s.as_dict() for s in found["collectors"]],
        "agencies": [s.as_dict() for s in found["agencies"]],
    }
