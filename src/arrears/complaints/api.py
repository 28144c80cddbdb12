"""The complaints endpoints of the REST API (`arrears.api.site`, under /api/v1/): file a complaint from the bank's
CRM or one forwarded by the regulator, and read its status (Clause: CMP-1, CMP-2, CMP-3).

* `POST /complaints` — `{"channel", "received_at" (ISO 8601 with its offset), "mobile" | "id_number" |
  "contract_no" (at least one), "text"}` → 201 `{"id", "borrower" (customer number or null: waits in triage),
  "response_due" (an instant with offset), "investigation_due" ("YYYY-MM-DD"), "hold" (a complaint hold was
  placed)}`. Needs `complaints.file` (compliance officers, supervisors, and tokens of their roles).
* `GET /complaints/{id}` — its status and clocks. Needs `complaints.handle`.
* Refusals in the API's error shape: 403 without the permission, 422 for a body that does not fit (no contact
  number, an instant without its offset, an empty or too long text, an unknown channel).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from arrears.accounts.permissions import Perm
from arrears.api.errors import REFUSALS
from arrears.api.schemas import Id
from arrears.complaints.actions import MAX_TEXT, do_file_complaint
from arrears.complaints.errors import ComplaintError
from arrears.complaints.models import Complaint
from arrears.compliance.actions import require

__all__ = ["router"]

router = Router(tags=["complaints"])


class ComplaintIn(Schema):
    channel: Literal["phone", "email", "regulator", "branch"]
    received_at: str = Field(max_length=40, description="ISO 8601 with its UTC offset, e.g. 2026-09-30T16:00:00+08:00")
    mobile: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    contract_no: str = Field("", max_length=32)
    text: str = Field(max_length=MAX_TEXT)
    complainant: str = Field("", max_length=100)
    email: str = Field(
        "", max_length=254, description="where to answer the complainant by email, if not the borrower's"
    )
    subject: str = Field("", max_length=200)


class FiledOut(Schema):
    id: int
    borrower: str | None = Field(description="the matched borrower's customer number, or null (triage)")
    response_due: str = Field(
        description="first response due (CMP-2), an ISO 8601 instant in UTC with its offset, e.g. "
        "2026-10-01T08:00:00+00:00"
    )
    investigation_due: date = Field(description="investigation due (CMP-3), a Beijing date")
    hold: bool = Field(description="a complaint hold was placed on the borrower")


class ComplaintOut(FiledOut):
    channel: str
    marker: str = Field(description="the channel's marker (CMP-1), 催收投诉")
    regulator: bool
    received_at: datetime
    status: str = Field(description="open | responded | investigating | closed")
    responded_at: datetime | None


def _filed_out(complaint: Complaint) -> dict:
    return {
        "id": complaint.pk,
        "borrower": complaint.borrower.external_id if complaint.borrower_id else None,
        "response_due": complaint.response_due.astimezone(UTC).isoformat(),
        "investigation_due": complaint.investigation_due,
        "hold": complaint.hold_id is not None,
    }


def _instant(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ComplaintError(_("received_at must be ISO 8601 with its UTC offset, e.g. 2026-09-30T16:00:00+08:00."))
    return at


@router.post("/complaints", response={201: FiledOut, **REFUSALS})
def file_complaint(request: HttpRequest, payload: ComplaintIn):
    """File a collection complaint (Clause: CMP-1, CMP-2, CMP-3): matched to a borrower by contract number, ID
    number or mobile; both clocks set; a complaint hold placed on the matched borrower (policy switch)."""
    require(request.user, Perm.FILE_COMPLAINT)
    if not (payload.mobile.strip() or payload.id_number.strip() or payload.contract_no.strip()):
        raise ComplaintError(
            _("Give the complainant's mobile, ID number or contract number, so the complaint can be matched.")
        )
    complaint = do_file_complaint(
        channel=payload.channel,
        received_at=_instant(payload.received_at),
        text=payload.text,
        mobile=payload.mobile,
        id_number=payload.id_number,
        contract_no=payload.contract_no,
        complainant=payload.complainant,
        email=payload.email,
        subject=payload.subject,
        actor=request.user,
        basis="api",
    )
    return Status(201, _filed_out(complaint))


@router.get("/complaints/{complaint_id}", response={200: ComplaintOut, **REFUSALS})
def get_complaint(request: HttpRequest, complaint_id: Id):
    """One complaint's status and clocks (Clause: CMP-2, CMP-3). Needs `complaints.handle`."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = Complaint.objects.select_related("borrower").filter(pk=complaint_id).first()
    if complaint is None:
        raise HttpError(404, _("No such complaint."))
    return {
        **_filed_out(complaint),
        "channel": complaint.channel,
        "marker": complaint.marker,
        "regulator": complaint.regulator,
        "received_at": complaint.received_at,
        "status": complaint.status,
        "responded_at": complaint.responded_at,
    }
