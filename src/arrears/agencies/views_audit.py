"""The agency audit pages (Clause: AGY-3, PRV-1): the schedule with the overdue audits and the form to open one,
one audit with its sample (borrowers masked), its report and the forms for verdicts, violations and closing, the
report's download (an audited read), and one agency's audits and violations with its suspension standing.

Supervisors and compliance officers (`agencies.audit`); never an agency's own users. Thin: each view checks the
permission, reads a form, calls one action, and answers — a form it cannot read or a refused action with the page
and its message, 400 (what was typed) or 409 (the audit's state), nothing written. "Today" is the calendar day in
Beijing: audits are the bank's office work, not the feed's business date.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import Agency, User
from arrears.accounts.permissions import Perm
from arrears.agencies import audit_queries, schedule
from arrears.agencies.audit_actions import (
    DEFAULT_SAMPLE,
    MAX_NOTE,
    MAX_REPORT_BYTES,
    MAX_SAMPLE,
    AuditConflict,
    AuditError,
    ReportFile,
    do_close_audit,
    do_enter_audit_violation,
    do_judge_contact,
    do_open_audit,
    do_open_report,
    do_upload_report,
)
from arrears.agencies.models_audit import AgencyAudit, AuditReport, AuditSample, Verdict
from arrears.agencies.suspension import suspension
from arrears.compliance.actions import require
from arrears.home import inputs
from arrears.home.inputs import parse_id
from arrears.rules.queries import policy_on


class OpenForm(forms.Form):
    agency = forms.CharField(label=gettext_lazy("Agency"), max_length=16)
    period_start = inputs.DateField(label=gettext_lazy("Audited period from"))
    period_end = inputs.DateField(label=gettext_lazy("Audited period to"))
    sample_size = inputs.IntegerField(label=gettext_lazy("Contacts to sample"), min_value=1, max_value=MAX_SAMPLE)


class ReportForm(forms.Form):
    report = forms.FileField(label=gettext_lazy("The agency's periodic report (PDF, JPEG or PNG)"))


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("Verdict"), choices=[(Verdict.OK, ""), (Verdict.VIOLATION, "")])
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)


class ViolationForm(forms.Form):
    sample = forms.CharField(label=gettext_lazy("Sampled contact"), max_length=20, required=False)
    agent = forms.CharField(label=gettext_lazy("Agent (user name)"), max_length=150, required=False)
    occurred_on = inputs.DateField(label=gettext_lazy("Day of the violation"), required=False)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=20_000)
    rectification = forms.CharField(label=gettext_lazy("What must be fixed"), max_length=20_000, required=False)
    rectification_due = inputs.DateField(label=gettext_lazy("Rectification due on"))


class CloseForm(forms.Form):
    findings = forms.CharField(label=pgettext_lazy("agency audit", "Findings"), max_length=20_000)


def _form_errors(form: forms.Form) -> str:
    """The form's errors, each with its field's label."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def _today():
    return timezone.localdate()


def _audit(audit_id: int) -> AgencyAudit:
    return get_object_or_404(AgencyAudit.objects.select_related("agency", "auditor", "closed_by"), pk=audit_id)


# -- the schedule and opening an audit ----------------------------------------------------------------------------


def _schedule_page(request: HttpRequest, *, error: str = "", status: int = 200, values=None) -> HttpResponse:
    on = _today()
    rows = schedule.audit_schedule(on)
    context = {
        "on": on,
        "rows": rows,
        "overdue": [row for row in rows if row.overdue],
        "interval": policy_on(on).agency.audit_interval_days,
        "agencies": Agency.objects.order_by("name"),
        "audits": audit_queries.recent_audits(),
        "values": values or {"sample_size": DEFAULT_SAMPLE},
        "max_sample": MAX_SAMPLE,
        "error": error,
    }
    return render(request, "agencies/audits.html", context, status=status)


@login_required
@require_GET
def audits(request: HttpRequest) -> HttpResponse:
    """Clause: AGY-3 — each agency's next audit due, the overdue ones flagged, the audits, the opening form."""
    require(request.user, Perm.AUDIT_AGENCIES)
    return _schedule_page(request)


@login_required
@require_POST
def open_audit(request: HttpRequest) -> HttpResponse:
    """Clause: AGY-3 — open an audit of an agency for a period, its sample drawn."""
    require(request.user, Perm.AUDIT_AGENCIES)
    form = OpenForm(request.POST)
    values = {k: request.POST.get(k, "") for k in OpenForm.base_fields}
    if not form.is_valid():
        return _schedule_page(request, error=_form_errors(form), status=400, values=values)
    agency = Agency.objects.filter(code=form.cleaned_data["agency"].strip()).first()
    if agency is None:
        return _schedule_page(
            request, error=_("No agency has that code; choose one from the list."), status=400, values=values
        )
    try:
        audit = do_open_audit(
            agency,
            period_start=form.cleaned_data["period_start"],
            period_end=form.cleaned_data["period_end"],
            sample_size=form.cleaned_data["sample_size"],
            today=_today(),
            actor=request.user,
        )
    except AuditError as exc:
        return _schedule_page(request, error=str(exc), status=_status(exc), values=values)
    messages.success(
        request,
        _("Audit %(id)s opened: %(n)s of the agency's %(total)s contacts in the period sampled.")
        % {"id": audit.pk, "n": audit.samples.count(), "total": audit.contacts_in_period},
    )
    return redirect("agencies:audit", audit.pk)


def _status(exc: AuditError) -> int:
    return 409 if isinstance(exc, AuditConflict) else 400


# -- one audit ----------------------------------------------------------------------------------------------------


def _audit_page(request: HttpRequest, audit: AgencyAudit, *, error: str = "", status: int = 200) -> HttpResponse:
    on = _today()
    report = AuditReport.objects.defer("data").filter(audit=audit).select_related("uploaded_by").first()
    context = {
        "audit": audit,
        "report": report,
        "rows": audit_queries.sample_rows(audit),
        "found": audit.violations.select_related("violation__rectification", "violation__responsible_user"),
        "agents": User.objects.filter(agency_id=audit.agency_id).order_by("username"),
        "standing": suspension(audit.agency_id, on),
        "on": on,
        "max_mb": MAX_REPORT_BYTES // 1024 // 1024,
        "error": error,
    }
    return render(request, "agencies/audit.html", context, status=status)


def _answer(request: HttpRequest, audit: AgencyAudit, action, done: str) -> HttpResponse:
    """Run the action: on success back to the audit with `done`; refused, the audit page with the message."""
    try:
        action()
    except AuditError as exc:
        return _audit_page(request, audit, error=str(exc), status=_status(exc))
    messages.success(request, done)
    return redirect("agencies:audit", audit.pk)


@login_required
@require_GET
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Clause: AGY-3, PRV-1 — one audit: its period, sample (masked), report, violations and forms."""
    require(request.user, Perm.AUDIT_AGENCIES)
    return _audit_page(request, _audit(audit_id))


@login_required
@require_POST
def upload_report(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Clause: AGY-3 — upload the agency's periodic report (its size refused from the upload, before reading)."""
    require(request.user, Perm.AUDIT_AGENCIES)
    audit = _audit(audit_id)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _audit_page(request, audit, error=_form_errors(form), status=400)
    upload = form.cleaned_data["report"]
    if upload.size > MAX_REPORT_BYTES:
        message = _("%(name)s is %(mb).1f MB; upload a report of at most %(max)s MB.") % {
            "name": upload.name,
            "mb": upload.size / 1024 / 1024,
            "max": MAX_REPORT_BYTES // 1024 // 1024,
        }
        return _audit_page(request, audit, error=message, status=400)
    return _answer(
        request,
        audit,
        lambda: do_upload_report(audit, report=ReportFile(upload.name, upload.read()), actor=request.user),
        _("The agency's report is uploaded."),
    )


@login_required
@require_GET
def report_file(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Clause: AGY-3, PRV-1 — the agency's report as a download; each opening is an audited read."""
    require(request.user, Perm.AUDIT_AGENCIES)
    audit = _audit(audit_id)
    try:
        report = do_open_report(audit, actor=request.user)
    except AuditError:
        raise Http404(_("No report is uploaded for this audit yet.")) from None
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(report.content_type, "bin")
    response = HttpResponse(bytes(report.data), content_type=report.content_type)
    # The stored name is whatever the agency called it: the download gets a plain one.
    response["Content-Disposition"] = f'attachment; filename="agency-audit-{audit.pk}-report.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def judge(request: HttpRequest, audit_id: int, sample_id: int) -> HttpResponse:
    """Clause: AGY-3 — the verdict on one sampled contact."""
    require(request.user, Perm.AUDIT_AGENCIES)
    audit = _audit(audit_id)
    sample = get_object_or_404(AuditSample.objects.select_related("audit"), pk=sample_id, audit=audit)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        message = _("Choose the verdict: compliant or a violation.") if "verdict" in form.errors else _form_errors(form)
        return _audit_page(request, audit, error=message, status=400)
    return _answer(
        request,
        audit,
        lambda: do_judge_contact(
            sample, verdict=form.cleaned_data["verdict"], note=form.cleaned_data["note"], actor=request.user
        ),
        _("The verdict is recorded."),
    )


@login_required
@require_POST
def enter_violation(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Clause: AGY-3, PRV-1 — a violation into the register against the agency and its agent."""
    require(request.user, Perm.AUDIT_AGENCIES)
    audit = _audit(audit_id)
    form = ViolationForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, error=_form_errors(form), status=400)
    data = form.cleaned_data
    sample = agent = None
    if data["sample"].strip():
        sample_id = parse_id(data["sample"])
        sample = AuditSample.objects.filter(pk=sample_id, audit=audit).first() if sample_id else None
        if sample is None:
            return _audit_page(
                request, audit, error=_("Choose one of this audit's sampled contacts, or none."), status=400
            )
    if data["agent"].strip():
        agent = User.objects.filter(username=data["agent"].strip(), agency_id=audit.agency_id).first()
        if agent is None:
            return _audit_page(
                request,
                audit,
                error=_("The agent named is not a user of this agency; choose one of its users or none."),
                status=400,
            )
    if sample is not None and data["occurred_on"] and data["occurred_on"] != sample.contact_on:
        return _audit_page(
            request,
            audit,
            error=_("A sampled contact's violation is dated on the contact's day (%(day)s); leave the day empty.")
            % {"day": sample.contact_on.isoformat()},
            status=400,
        )
    if sample is None and data["occurred_on"] is None:
        return _audit_page(
            request, audit, error=_("Give the day of the violation, or choose the sampled contact."), status=400
        )
    return _answer(
        request,
        audit,
        lambda: do_enter_audit_violation(
            audit,
            description=data["description"],
            rectification=data["rectification"],
            rectification_due=data["rectification_due"],
            occurred_on=data["occurred_on"],
            sample=sample,
            agent=agent,
            today=_today(),
            actor=request.user,
        ),
        _("The violation is entered in the register against the agency."),
    )


@login_required
@require_POST
def close_audit(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Clause: AGY-3 — the findings; the audit is closed."""
    require(request.user, Perm.AUDIT_AGENCIES)
    audit = _audit(audit_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _audit_page(request, audit, error=_form_errors(form), status=400)
    return _answer(
        request,
        audit,
        lambda: do_close_audit(audit, findings=form.cleaned_data["findings"], actor=request.user),
        _("The audit is closed with its findings."),
    )


# -- one agency -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def agency_audits(request: HttpRequest, code: str) -> HttpResponse:
    """Clause: AGY-3 — one agency's audits, its violations in the register and whether it is suspended."""
    require(request.user, Perm.AUDIT_AGENCIES)
    agency = get_object_or_404(Agency, code=code)
    on = _today()
    context = {
        "agency": agency,
        "audits": list(audit_queries.audits_with_counts(agency.audits.order_by("-period_end", "-pk"))),
        "violations": audit_queries.agency_violations(agency.pk),
        "standing": suspension(agency.pk, on),
        "due_on": schedule.due_date(agency.pk, on),
        "on": on,
    }
    return render(request, "agencies/agency_audits.html", context)
