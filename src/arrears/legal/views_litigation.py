"""The court stages' pages (Clause: LIT-2): the litigation queue by the nearest deadline (with its CSV), one
lawsuit with its facts, deadlines, stages and documents, costs and the forms for what may come next, and a court
document's download (an audited read). Thin: each view checks the permission, reads a form, calls one action or
query, answers.

Supervisors and legal officers see (`legal.view_litigation`); legal officers record (`legal.keep_litigation`).
"Today" is the calendar day in Beijing (`queries_litigation.court_today`): court dates are calendar dates, not the feed's business date.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.compliance.actions import require
from arrears.compliance.masking import masked
from arrears.home import export, inputs
from arrears.legal import exports_litigation, queries_litigation
from arrears.legal.court import (
    MAX_DOCUMENT_BYTES,
    MAX_NOTE,
    RECORDABLE,
    ClosedReason,
    Document,
    MediationResult,
    do_open_court_document,
    do_record_cost,
    do_record_stage,
    next_stages,
)
from arrears.legal.errors import LegalError
from arrears.legal.litigation_words import reason_label, result_label, shown
from arrears.legal.models import CostKind, CourtDocument, Litigation, Stage


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=[(s, Stage(s).label) for s in RECORDABLE])
    on = inputs.DateField(label=gettext_lazy("Date"))
    effective_on = inputs.DateField(label=gettext_lazy("Takes effect on"), required=False)
    court = forms.CharField(label=gettext_lazy("Competent court"), max_length=200, required=False)
    court_case_no = forms.CharField(label=gettext_lazy("Case number (案号)"), max_length=64, required=False)
    enforcement_case_no = forms.CharField(label=gettext_lazy("Enforcement case number"), max_length=64, required=False)
    claimed = forms.CharField(label=gettext_lazy("Amount claimed (yuan)"), max_length=32, required=False)
    court_fee = forms.CharField(label=gettext_lazy("Court fee (yuan)"), max_length=32, required=False)
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), max_length=32, required=False)
    result = forms.CharField(label=pgettext_lazy("mediation", "Result"), max_length=20, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=20, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CostKind.choices)
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), max_length=32)
    incurred_on = inputs.DateField(label=gettext_lazy("Incurred on"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


def _form_errors(form: forms.Form) -> str:
    """The form's errors, each with its field's label."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def _litigation(request: HttpRequest, litigation_id: int) -> Litigation:
    return get_object_or_404(
        queries_litigation.visible_litigations(request.user).select_related("case", "borrower"), pk=litigation_id
    )


@login_required
@require_GET
def litigation_queue(request: HttpRequest) -> HttpResponse:
    """Every open lawsuit, the nearest deadline first, with its warning or overdue mark (Clause: LIT-2)."""
    require(request.user, Perm.VIEW_LITIGATION)
    on = queries_litigation.court_today()
    if export.wanted(request):
        return exports_litigation.litigation_queue(request, on)
    rows = [(row, shown(row.next, on)) for row in queries_litigation.queue(request.user, on)]
    return render(request, "legal/litigation_queue.html", {"rows": rows, "on": on})


@login_required
@require_GET
def litigation_page(request: HttpRequest, litigation_id: int) -> HttpResponse:
    """One lawsuit: its facts, deadlines, stages with documents, costs, and the forms for what may come next."""
    require(request.user, Perm.VIEW_LITIGATION)
    litigation = _litigation(request, litigation_id)
    on = queries_litigation.court_today()
    earliest = queries_litigation.earliest_unpaid_dues([litigation.borrower_id]).get(litigation.borrower_id)
    stages = queries_litigation.stages_of(litigation)
    sizes = queries_litigation.document_sizes(stages)
    timeline = [
        {
            "event": event,
            "result": result_label(event.details.get("result", "")) if event.details.get("result") else "",
            "reason": reason_label(event.details.get("reason", "")) if event.details.get("reason") else "",
            "documents": [(doc, sizes.get(doc.pk, 0)) for doc in event.documents.all()],
        }
        for event in stages
    ]
    can_keep = has_perm(request.user, Perm.KEEP_LITIGATION)
    context = {
        "litigation": litigation,
        "borrower_name": masked("name", litigation.borrower.name),
        "closed_reason": reason_label(litigation.closed_reason) if litigation.closed_reason else "",
        "earliest_unpaid_due": earliest,
        "deadlines": [shown(d, on) for d in queries_litigation.deadlines_for(litigation, earliest, on)],
        "timeline": timeline,
        "costs": queries_litigation.costs_of(litigation),
        "on": on,
        "can_keep": can_keep,
        "next_stages": [(s, Stage(s).label) for s in next_stages(litigation)] if can_keep else [],
        "mediation_results": MediationResult.choices,
        "closed_reasons": ClosedReason.choices,
        "cost_kinds": CostKind.choices,
        "max_mb": MAX_DOCUMENT_BYTES // 1024 // 1024,
    }
    return render(request, "legal/litigation_page.html", context)


def _documents(request: HttpRequest) -> list[Document] | str:
    """The uploaded documents, or what is wrong with them (a size known from the upload, before reading it)."""
    uploads = request.FILES.getlist("documents")
    for upload in uploads:
        if upload.size > MAX_DOCUMENT_BYTES:
            return _("%(name)s is %(mb).1f MB; upload documents of at most %(max)s MB each.") % {
                "name": upload.name,
                "mb": upload.size / 1024 / 1024,
                "max": MAX_DOCUMENT_BYTES // 1024 // 1024,
            }
    return [Document(upload.name or "", upload.read()) for upload in uploads]


@login_required
@require_POST
def record_stage(request: HttpRequest, litigation_id: int) -> HttpResponse:
    """POST a stage with its date, facts, note and documents (Clause: LIT-2)."""
    require(request.user, Perm.KEEP_LITIGATION)
    litigation = _litigation(request, litigation_id)
    form = StageForm(request.POST)
    documents = _documents(request)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    elif isinstance(documents, str):
        messages.error(request, documents)
    else:
        facts = dict(form.cleaned_data)
        stage, on = facts.pop("stage"), facts.pop("on")
        try:
            do_record_stage(
                litigation,
                stage,
                on=on,
                today=queries_litigation.court_today(),
                actor=request.user,
                documents=documents,
                **facts,
            )
        except LegalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("“%(stage)s” on %(on)s is recorded.") % {"stage": Stage(stage).label, "on": on.isoformat()}
            )
    return redirect("legal:litigation", litigation.pk)


@login_required
@require_POST
def record_cost(request: HttpRequest, litigation_id: int) -> HttpResponse:
    """POST a legal cost: kind, amount in yuan, the day incurred, a note (Clause: LIT-2, KPI-2)."""
    require(request.user, Perm.KEEP_LITIGATION)
    litigation = _litigation(request, litigation_id)
    form = CostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            do_record_cost(litigation, **form.cleaned_data, today=queries_litigation.court_today(), actor=request.user)
        except LegalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The cost is recorded."))
    return redirect("legal:litigation", litigation.pk)


@login_required
@require_GET
def court_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """A stage's document as a download; each opening is an audited read (Clause: LIT-2, PRV-1)."""
    require(request.user, Perm.VIEW_LITIGATION)
    document = (
        CourtDocument.objects.filter(
            stage_event__litigation__in=queries_litigation.visible_litigations(request.user), pk=document_id
        )
        .select_related("stage_event")
        .first()
    )
    if document is None:
        raise Http404(_("No such document"))
    do_open_court_document(document, actor=request.user)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(document.content_type, "bin")
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    # The stored name may be anything the uploader's machine called it: the download gets a plain one.
    response["Content-Disposition"] = f'attachment; filename="court-document-{document.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
