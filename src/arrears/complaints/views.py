"""The complaint pages (Clause: CMP-1, CMP-2, CMP-3): take a complaint by phone or at a branch, the queue by the
nearest deadline with its warnings and breach counts, the triage queue, one complaint with its timeline. Thin:
each view checks the permission, reads a form, calls one action, renders."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm
from arrears.complaints import exports, queries
from arrears.complaints.actions import ComplaintError, do_file_complaint, do_match_complaint, do_record_response
from arrears.complaints.clocks import BEIJING
from arrears.complaints.models import Complaint
from arrears.complaints.outbox import do_send_acknowledgement
from arrears.complaints.queries import complaint_notices
from arrears.compliance.action_words import ACTION_WORDS
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.compliance.models import AuditEvent
from arrears.home import export
from arrears.portfolio.models import Borrower

TAKEN_BY = (("phone", gettext_lazy("phone (hotline)")), ("branch", gettext_lazy("branch")))


def _local(value: str) -> datetime | None:
    """A `datetime-local` field's value as a Beijing instant, or None."""
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=BEIJING) if parsed.tzinfo is None else None


@login_required
def complaint_queue(request: HttpRequest) -> HttpResponse:
    """Complaints not closed, nearest deadline first, with a warning before it and the breach counts."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    if export.wanted(request):
        return exports.complaint_queue(request)
    now = timezone.now()
    context = {"rows": queries.queue(now), "sla": queries.sla(now.astimezone(BEIJING).date())}
    return render(request, "complaints/queue.html", context)


@login_required
def triage_queue(request: HttpRequest) -> HttpResponse:
    """Complaints no borrower was found for, oldest first."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    return render(request, "complaints/triage.html", {"complaints": queries.triage()})


@login_required
def take_complaint(request: HttpRequest) -> HttpResponse:
    """Take a complaint at the hotline or a branch (Clause: CMP-1)."""
    require(request.user, Perm.FILE_COMPLAINT)
    values = {
        k: request.POST.get(k, "")
        for k in ("channel", "received_at", "mobile", "id_number", "contract_no", "complainant", "text")
    }
    if request.method == "POST":
        received_at = _local(values["received_at"])
        if values["channel"] not in dict(TAKEN_BY):
            messages.error(request, _("Choose how the complaint was taken: phone or branch."))
        elif received_at is None:
            messages.error(request, _("Give the date and time the complaint was received, e.g. 2026-09-30 16:00."))
        elif not (values["mobile"].strip() or values["id_number"].strip() or values["contract_no"].strip()):
            messages.error(
                request,
                _("Give the complainant's mobile, ID number or contract number, so the complaint can be matched."),
            )
        else:
            try:
                complaint = do_file_complaint(
                    channel=values["channel"],
                    received_at=received_at,
                    text=values["text"],
                    mobile=values["mobile"],
                    id_number=values["id_number"],
                    contract_no=values["contract_no"],
                    complainant=values["complainant"],
                    actor=request.user,
                    basis="staff form",
                )
            except ComplaintError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Complaint #%(id)s filed.") % {"id": complaint.pk})
                return redirect("complaints:complaint", complaint.pk)
    return render(
        request,
        "complaints/new.html",
        {"values": values, "channels": TAKEN_BY},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """One complaint: its clocks, its (masked) complainant, and its timeline from the ledger."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint.objects.select_related("borrower", "hold"), pk=complaint_id)
    events = AuditEvent.objects.filter(subject_type="complaints.complaint", subject_id=str(complaint.pk)).order_by("pk")
    timeline = [(event.at, ACTION_WORDS.get(event.action, event.action), event.actor_username) for event in events]
    contacts = {
        _("Complainant"): masked("name", complaint.complainant),
        _("Mobile"): masked("mobile", complaint.mobile),
        _("Email"): masked("email", complaint.email),
        _("National ID number"): masked("id_number", complaint.id_number),
        _("Contract number"): complaint.contract_no,
    }
    context = {
        "complaint": complaint,
        "timeline": timeline,
        "contacts": contacts,
        "now": timezone.now(),
        "notices": complaint_notices(complaint),
    }
    return render(request, "complaints/complaint.html", context)


@login_required
@require_POST
def match_complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Triage: the customer number of the complaint's borrower, and why."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    borrower = Borrower.objects.filter(external_id=request.POST.get("customer", "").strip()).first()
    if borrower is None:
        messages.error(request, _("No borrower has that customer number; check it and try again."))
    else:
        try:
            do_match_complaint(complaint, borrower, actor=request.user, reason=request.POST.get("reason", ""))
        except ComplaintError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The complaint is matched to the borrower."))
    return redirect("complaints:complaint", complaint.pk)


@login_required
@require_POST
def record_response(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """The first response: the call with the complainant, when, and what was said (Clause: CMP-2)."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    at = _local(request.POST.get("at", ""))
    if at is None:
        messages.error(request, _("Give the date and time of the call, e.g. 2026-09-30 16:00."))
    else:
        try:
            do_record_response(complaint, how="call", at=at, actor=request.user, note=request.POST.get("note", ""))
        except ComplaintError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The response is recorded."))
    return redirect("complaints:complaint", complaint.pk)


@login_required
@require_POST
def send_acknowledgement(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """The acknowledgement through the outbox, by SMS or email (Clause: CMP-2); the first response once sent."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint.objects.select_related("borrower"), pk=complaint_id)
    try:
        do_send_acknowledgement(complaint, channel=request.POST.get("channel", ""), actor=request.user)
    except ComplaintError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The acknowledgement is queued in the outbox; it is the first response once it has been sent.")
        )
    return redirect("complaints:complaint", complaint.pk)
