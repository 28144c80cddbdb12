"""The investigation pages (Clause: CMP-3, CMP-4, PRV-1): one complaint's investigation with the contact history
it concerns and its forms (take, findings, rectification, telling the outcome, closing), and the violation
register with its CSV export, the repeated violations per person, and the form for a staff privacy violation.
Thin: each view checks the permission, reads a form, calls one action, renders."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.models import Agency, User
from arrears.accounts.permissions import Perm
from arrears.complaints import investigation_queries as iq
from arrears.complaints.clocks import BEIJING
from arrears.complaints.errors import ComplaintError
from arrears.complaints.investigation import (
    do_close_complaint,
    do_close_rectification,
    do_record_findings,
    do_record_violation,
    do_take_complaint,
    do_tell_outcome,
)
from arrears.complaints.models import Complaint, Investigation, Violation
from arrears.complaints.outbox import do_send_outcome
from arrears.compliance.actions import require
from arrears.home import export
from arrears.home.export import Column, export_csv


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _local(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=BEIJING) if parsed.tzinfo is None else None


def _responsible(request: HttpRequest) -> tuple[object | None, object | None, str]:
    """The person (by user name) or the agency (by name) the form names, or a message saying what is wrong."""
    username = request.POST.get("responsible_user", "").strip()
    agency_name = request.POST.get("responsible_agency", "").strip()
    user = agency = None
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            return None, None, _("No user has that user name; check it and try again.")
    if agency_name:
        agency = Agency.objects.filter(name=agency_name).first()
        if agency is None:
            return None, None, _("No agency has that name; check it and try again.")
    return user, agency, ""


@login_required
def investigation(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """One complaint's investigation: its state, the contact history it concerns, the forms of the next step."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint.objects.select_related("borrower", "hold"), pk=complaint_id)
    found = (
        Investigation.objects.select_related("taken_by", "responsible_user", "responsible_agency")
        .filter(complaint=complaint)
        .first()
    )
    violation = Violation.objects.select_related("rectification").filter(complaint=complaint).first()
    kinds = {"call": _("call"), "letter": _("letter"), "notice": _("notice")}
    context = {
        "complaint": complaint,
        "investigation": found,
        "violation": violation,
        "rectification": violation.rectification if violation else None,
        "contacts": iq.contact_history(complaint, kinds=kinds),
        "window": iq.CONTACT_WINDOW_DAYS,
        "agencies": Agency.objects.order_by("name"),
    }
    return render(request, "complaints/investigation.html", context)


def _step(request: HttpRequest, complaint: Complaint, action, done: str) -> HttpResponse:
    try:
        action()
    except ComplaintError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("complaints:investigation", complaint.pk)


@login_required
@require_POST
def take(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-3 — take the complaint for investigation."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    return _step(
        request,
        complaint,
        lambda: do_take_complaint(complaint, actor=request.user),
        _("You have taken the complaint for investigation."),
    )


@login_required
@require_POST
def findings(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-3 — the findings; a substantiated complaint names who is responsible and the rectification."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    verdict = request.POST.get("substantiated", "")
    if verdict not in ("yes", "no"):
        messages.error(request, _("Say whether the complaint is substantiated."))
        return redirect("complaints:investigation", complaint.pk)
    user, agency, problem = _responsible(request)
    due_text = request.POST.get("rectification_due", "").strip()
    due = _day(due_text) if due_text else None
    if problem or (due_text and due is None):
        messages.error(request, problem or _("Give the rectification's due date as a date, e.g. 2026-03-31."))
        return redirect("complaints:investigation", complaint.pk)
    return _step(
        request,
        complaint,
        lambda: do_record_findings(
            complaint,
            substantiated=verdict == "yes",
            findings=request.POST.get("findings", ""),
            responsible_user=user,
            responsible_agency=agency,
            rectification=request.POST.get("rectification", ""),
            rectification_due=due,
            actor=request.user,
        ),
        _("The findings are recorded."),
    )


@login_required
@require_POST
def close_rectification(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-3 — close the complaint's rectification with its evidence."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    violation = Violation.objects.select_related("rectification").filter(complaint=complaint).first()
    if violation is None or violation.rectification is None:
        messages.error(request, _("This complaint has no rectification to close."))
        return redirect("complaints:investigation", complaint.pk)
    return _step(
        request,
        complaint,
        lambda: do_close_rectification(
            violation.rectification, evidence=request.POST.get("evidence", ""), actor=request.user
        ),
        _("The rectification is closed."),
    )


@login_required
@require_POST
def tell(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-4 — the call in which the complainant was told the outcome."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    at = _local(request.POST.get("at", ""))
    if at is None:
        messages.error(request, _("Give the date and time of the call, e.g. 2026-09-30 16:00."))
        return redirect("complaints:investigation", complaint.pk)
    return _step(
        request,
        complaint,
        lambda: do_tell_outcome(complaint, how="call", at=at, note=request.POST.get("note", ""), actor=request.user),
        _("The call telling the outcome is recorded."),
    )


@login_required
@require_POST
def send_outcome(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-4 — the outcome through the outbox, by SMS or email (told once it has been sent)."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint.objects.select_related("borrower"), pk=complaint_id)
    return _step(
        request,
        complaint,
        lambda: do_send_outcome(complaint, channel=request.POST.get("channel", ""), actor=request.user),
        _("The outcome is queued in the outbox; it counts as told once it has been sent."),
    )


@login_required
@require_POST
def close(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Clause: CMP-4 — close the complaint (refused until the findings and the outcome are recorded)."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    return _step(
        request,
        complaint,
        lambda: do_close_complaint(complaint, actor=request.user),
        _("The complaint is closed and its complaint hold lifted."),
    )


def _responsible_name(v: Violation) -> str:
    """The person, the agency, or both (an agency's agent found in an agency audit, AGY-3): "agent · agency"."""
    agency = v.responsible_agency.name if v.responsible_agency_id else ""
    if v.responsible_user_id:
        person = v.responsible_user.get_full_name() or v.responsible_user.username
        return f"{person} · {agency}" if agency else person
    return agency


COLUMNS = [
    Column("number", gettext_lazy("Violation"), lambda v: f"#{v.pk}"),
    Column("date", gettext_lazy("Date"), lambda v: v.occurred_on),
    Column("source", gettext_lazy("Source"), lambda v: v.get_source_display()),
    Column("responsible", gettext_lazy("Responsible"), _responsible_name),
    Column("complaint", gettext_lazy("Complaint"), lambda v: f"#{v.complaint_id}" if v.complaint_id else ""),
    Column(
        "rectification_due",
        gettext_lazy("Rectification due"),
        lambda v: v.rectification.due_on if v.rectification_id else "",
    ),
    Column("rectified", gettext_lazy("Rectified"), lambda v: bool(v.rectification_id and v.rectification.closed_at)),
]


@login_required
def violations(request: HttpRequest) -> HttpResponse:
    """Clause: PRV-1 — the violation register, the repeated violations per person, the privacy violation form."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    if export.wanted(request):
        return export_csv(request, "violations", Perm.HANDLE_COMPLAINTS, COLUMNS, iq.register, {})
    today = timezone.now().astimezone(BEIJING).date()
    rows = [(v, _responsible_name(v)) for v in iq.register()[: iq.MAX_ROWS]]
    context = {
        "rows": rows,
        "repeated": iq.repeated(today),
        "repeat_window": iq.repeat_rule(today)[0],
        "repeat_at": iq.repeat_rule(today)[1],
        "today": today,
    }
    return render(request, "complaints/violations.html", context)


@login_required
@require_POST
def record_violation(request: HttpRequest) -> HttpResponse:
    """Clause: PRV-1 — record a staff privacy violation directly."""
    require(request.user, Perm.HANDLE_COMPLAINTS)
    user, agency, problem = _responsible(request)
    occurred_on = _day(request.POST.get("occurred_on", ""))
    if problem or occurred_on is None:
        messages.error(request, problem or _("Give the date of the violation, e.g. 2026-03-02."))
        return redirect("complaints:violations")
    try:
        do_record_violation(
            occurred_on=occurred_on,
            description=request.POST.get("description", ""),
            responsible_user=user,
            responsible_agency=agency,
            actor=request.user,
        )
    except ComplaintError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The violation is recorded in the register."))
    return redirect("complaints:violations")
