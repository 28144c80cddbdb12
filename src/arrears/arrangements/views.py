"""Arrangements on the workstation: the plan designer in the case workspace, the supervisors' approval queue,
a plan's page with its agreement and signature, penalty waivers. Thin views: check, call a query or one action,
answer; every change is an action in `actions.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.arrangements import exports, queries
from arrears.arrangements.actions import (
    MAX_SCAN_BYTES,
    SignedScan,
    do_decide_plan,
    do_decide_waiver,
    do_propose_plan,
    do_propose_waiver,
    do_sign_plan,
    do_withdraw_plan,
)
from arrears.arrangements.errors import ArrangementError
from arrears.arrangements.models import DOCUMENTS, Plan, PlanStatus, Waiver
from arrears.collection.models import CollectionCase
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.finance.errors import FinanceError
from arrears.home import export, inputs
from arrears.home.inputs import parse_id
from arrears.rules.queries import policy_on

REFUSALS = (ArrangementError, ProhibitedLanguage)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeansForm(forms.Form):
    """PLAN-1: the borrower's monthly means, in yuan."""

    income = inputs.DecimalField(
        label=gettext_lazy("Monthly income (yuan)"), min_value=Decimal(0), decimal_places=2, max_digits=14
    )
    expenses = inputs.DecimalField(
        label=gettext_lazy("Monthly expenses (yuan)"), min_value=Decimal(0), decimal_places=2, max_digits=14
    )
    debts = inputs.DecimalField(
        label=gettext_lazy("Monthly payments on other debts (yuan)"),
        min_value=Decimal(0),
        decimal_places=2,
        max_digits=14,
    )


def _case(request: HttpRequest, case_id: int) -> CollectionCase:
    return get_object_or_404(visible_cases(request.user).select_related("borrower"), pk=case_id)


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    return get_object_or_404(
        Plan.objects.select_related("case", "borrower", "proposed_by", "decided_by")
        .defer(*DOCUMENTS)
        .filter(case__in=visible_cases(request.user)),
        pk=plan_id,
    )


def case_panel(user, case: CollectionCase, on: date, loans=None) -> dict:
    """What the case workspace shows of arrangements: plans, waivers, each loan's waiver facts (WVR-1). `loans`:
    the borrower's loans as the page loaded them (`queries.case_debt`)."""
    can_waive = has_perm(user, Perm.PROPOSE_WAIVER)
    facts = []
    if can_waive and case.status == "open":
        policy = policy_on(on)
        debt = queries.case_debt(case, on, policy, loans)
        seen: dict = {}  # the borrower's earlier delinquency and call, read once per day a delinquency began
        facts = [queries.waiver_facts(d.loan, on, policy, d.position, seen) for d in debt.loans]
    return {
        "plans": case.plans.select_related("proposed_by", "decided_by").defer(*DOCUMENTS).order_by("-proposed_at"),
        "waivers": case.waivers.select_related("loan", "proposed_by", "decided_by").order_by("-proposed_at"),
        "waiver_facts": facts,
        "can_propose_plan": has_perm(user, Perm.PROPOSE_PLAN) and case.status == "open",
        "live_plan": queries.live_plan(case) if case.status == "open" else None,
        "can_propose_waiver": can_waive,
    }


def _instalments(raw: str) -> int:
    """The chosen number of instalments: ASCII digits (a ValueError, shown as the form's message, otherwise)."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise ValueError(_("Choose the number of instalments among the options shown."))
    return int(raw)


@login_required
def plan_designer(request: HttpRequest, case_id: int) -> HttpResponse:
    """The plan designer (PLAN-1..3): the borrower's means → the options; POST with `instalments` proposes."""
    require(request.user, Perm.PROPOSE_PLAN)
    case = _case(request, case_id)
    on = today()
    form = MeansForm(request.POST or None)
    offer, status = None, 200
    if request.method == "POST" and form.is_valid():
        means = form.cleaned_data
        if "instalments" in request.POST:
            try:
                plan = do_propose_plan(
                    case,
                    **means,
                    instalments=_instalments(request.POST["instalments"]),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                    today=on,
                )
            except (*REFUSALS, ValueError) as exc:
                messages.error(request, str(exc))
                status = 422
            else:
                messages.success(
                    request, _("Plan %(plan)s proposed; it awaits a supervisor's approval.") % {"plan": plan.pk}
                )
                return redirect("arrangements:plan", plan_id=plan.pk)
        try:
            offer = queries.quote(case, **means, as_of=on)
        except FinanceError as exc:
            form.add_error(None, str(exc))
            status = 422
    elif request.method == "POST":
        status = 422
    context = {"case": case, "form": form, "quote": offer, "on": on, "live": queries.live_plan(case)}
    if request.headers.get("HX-Request"):
        # htmx swaps only successful answers in: the options, or what was wrong with the figures.
        return render(request, "arrangements/_options.html", context)
    return render(request, "arrangements/designer.html", context, status=status)


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    plan = _plan(request, plan_id)
    user = request.user
    context = {
        "plan": plan,
        "instalments": plan.instalments.all(),
        "on": today(),
        "can_decide": has_perm(user, Perm.APPROVE)
        and plan.status == PlanStatus.PROPOSED
        and plan.proposed_by_id != user.pk,
        "can_sign": has_perm(user, Perm.PROPOSE_PLAN) and plan.status == PlanStatus.APPROVED,
        "can_withdraw": has_perm(user, Perm.PROPOSE_PLAN) and plan.status in (PlanStatus.PROPOSED, PlanStatus.APPROVED),
    }
    return render(request, "arrangements/plan.html", context)


@login_required
@require_POST
def plan_decide(request: HttpRequest, plan_id: int) -> HttpResponse:
    """POST decision=approve|reject and a reason (Clause: AUTH-2)."""
    require(request.user, Perm.APPROVE)
    plan = _plan(request, plan_id)
    approve = request.POST.get("decision") == "approve"
    try:
        do_decide_plan(plan, approve=approve, reason=request.POST.get("reason", ""), actor=request.user, today=today())
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Plan %(plan)s approved.") % {"plan": plan.pk}
            if approve
            else _("Plan %(plan)s rejected.") % {"plan": plan.pk},
        )
    if request.POST.get("back") == "queue":
        return redirect("arrangements:queue")
    return redirect("arrangements:plan", plan_id=plan.pk)


class SignForm(forms.Form):
    signed_on = inputs.DateField(label=gettext_lazy("Signed on"), widget=DATE)
    scan = forms.FileField(label=gettext_lazy("Scan of the signed agreement (PDF, JPEG or PNG)"))
    note = forms.CharField(label=gettext_lazy("Note (where and how it was signed)"), max_length=500, required=False)


@login_required
@require_POST
def plan_sign(request: HttpRequest, plan_id: int) -> HttpResponse:
    """POST signed_on and the scan: the plan takes effect (Clause: PLAN-4)."""
    require(request.user, Perm.PROPOSE_PLAN)
    plan = _plan(request, plan_id)
    form = SignForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("arrangements:plan", plan_id=plan.pk)
    upload = form.cleaned_data["scan"]
    if upload.size > MAX_SCAN_BYTES:  # known from the upload's headers: refused before the file is read
        messages.error(
            request,
            _("The scan is %(mb).1f MB; upload one of at most %(max)s MB.")
            % {"mb": upload.size / 1024 / 1024, "max": MAX_SCAN_BYTES // 1024 // 1024},
        )
        return redirect("arrangements:plan", plan_id=plan.pk)
    try:
        do_sign_plan(
            plan,
            signed_on=form.cleaned_data["signed_on"],
            scan=SignedScan(upload.name, upload.read()),
            actor=request.user,
            today=today(),
            calendar_day=timezone.localdate(),
            note=form.cleaned_data["note"],
        )
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The signed agreement is recorded; the plan is in force."))
    return redirect("arrangements:plan", plan_id=plan.pk)


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, plan_id: int) -> HttpResponse:
    require(request.user, Perm.PROPOSE_PLAN)
    plan = _plan(request, plan_id)
    try:
        do_withdraw_plan(plan, reason=request.POST.get("reason", ""), actor=request.user, today=today())
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Plan %(plan)s withdrawn.") % {"plan": plan.pk})
    return redirect("arrangements:plan", plan_id=plan.pk)


def _document(request: HttpRequest, plan: Plan, *, content: bytes, kind: str, filename: str, what: str):
    """A plan's document (it names the borrower): each opening is an audited read (PRV-1)."""
    if not content:
        raise Http404(_("No such document"))
    with audited(
        request.user, ActionCode.VIEW_AGREEMENT, permission=Perm.VIEW_PORTFOLIO, subject=plan, clause="PRV-1"
    ) as record:
        record.change(what, None, "opened")
    response = HttpResponse(bytes(content), content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def agreement_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    plan = _plan(request, plan_id)
    return _document(
        request,
        plan,
        content=plan.agreement_pdf,
        kind="application/pdf",
        filename=f"plan-{plan.pk}.pdf",
        what="agreement",
    )


@login_required
@require_GET
def signed_scan(request: HttpRequest, plan_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_PORTFOLIO)
    plan = _plan(request, plan_id)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(plan.signed_scan_type, "bin")
    return _document(
        request,
        plan,
        content=plan.signed_scan,
        kind=plan.signed_scan_type or "application/octet-stream",
        filename=f"plan-{plan.pk}-signed.{extension}",
        what="signed_scan",
    )


@login_required
def approval_queue(request: HttpRequest) -> HttpResponse:
    """The supervisors' queue: plans and waivers awaiting a decision, oldest first (Clause: AUTH-2)."""
    require(request.user, Perm.APPROVE)
    if export.wanted(request):
        return exports.approvals(request)
    context = {"plans": queries.pending_plans(), "waivers": queries.pending_waivers(), "on": today()}
    return render(request, "arrangements/queue.html", context)


@login_required
@require_POST
def waiver_propose(request: HttpRequest, case_id: int) -> HttpResponse:
    """POST loan (id), amount (yuan) and a note: propose a waiver (Clause: WVR-1, WVR-2)."""
    require(request.user, Perm.PROPOSE_WAIVER)
    case = _case(request, case_id)
    loan_id = request.POST.get("loan", "")
    loan = get_object_or_404(case.borrower.loans.all(), pk=parse_id(loan_id))
    try:
        waiver = do_propose_waiver(
            case,
            loan,
            amount=request.POST.get("amount", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
            today=today(),
        )
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Waiver %(w)s proposed; it awaits a supervisor's approval.") % {"w": waiver.pk})
    return redirect("collection:case", case_id=case.pk)


@login_required
@require_POST
def waiver_decide(request: HttpRequest, waiver_id: int) -> HttpResponse:
    """POST decision=approve|reject and a reason (Clause: AUTH-2, WVR-2)."""
    require(request.user, Perm.APPROVE)
    waiver = get_object_or_404(Waiver.objects.filter(case__in=visible_cases(request.user)), pk=waiver_id)
    approve = request.POST.get("decision") == "approve"
    try:
        do_decide_waiver(
            waiver, approve=approve, reason=request.POST.get("reason", ""), actor=request.user, today=today()
        )
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Waiver %(w)s approved and posted.") % {"w": waiver.pk}
            if approve
            else _("Waiver %(w)s rejected.") % {"w": waiver.pk},
        )
    return redirect("arrangements:queue")
