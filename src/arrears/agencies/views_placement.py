"""Placing and recalling from the case page, the mandate, and the supervisors' list of placements (Clause: LGL-2,
AUTH-3, AGY-1, AGY-2).

* `POST /agencies/cases/<case>/place/` — the case page's form (agency, days, reason): a supervisor places the case
  (`agencies.placement.do_place_case`); a refusal is shown on the case page with its reason, nothing written.
* `POST /agencies/placements/<id>/recall/` — recall (reason, note).
* `GET /agencies/placements/<id>/mandate.pdf` — the mandate as placed, an A4 PDF with the CJK font embedded; for
  supervisors and for the agency's own users while the placement is in force. It names the case's contracts, so
  every opening is an audited read (PRV-1).
* `GET /agencies/placements/` — every standing placement (in force, frozen because the agency is no longer
  eligible, or past its period awaiting the nightly run) and those ended in the last 90 days, for supervisors.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.errors import PlacementError
from arrears.agencies.models import Placement
from arrears.agencies.placement import RECALL_REASONS, do_place_case, do_recall_placement, placement_ref
from arrears.agencies.queries import eligibility_of
from arrears.collection.letters import letter_fonts
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home import inputs
from arrears.legal.escalation_actions import MAX_REASON


class PlaceForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.order_by("name"), to_field_name="code"
    )
    days = inputs.IntegerField(label=gettext_lazy("Days"), required=False, min_value=1, max_value=730)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecallForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why"), choices=[(r.value, r.label) for r in RECALL_REASONS], initial=RECALL_REASONS[0]
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


def _form_errors(form: forms.Form) -> str:
    return " ".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())


@login_required
@require_POST
def place_case(request: HttpRequest, case_id: int) -> HttpResponse:
    require(request.user, Perm.DECIDE_ESCALATION)
    case = get_object_or_404(visible_cases(request.user), pk=case_id)
    form = PlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("collection:case", case_id=case.pk)
    try:
        placed = do_place_case(
            case,
            agency=form.cleaned_data["agency"],
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            today=today(),
        )
    except PlacementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Case %(case)s placed with %(agency)s from %(first)s to %(last)s (%(ref)s).")
            % {
                "case": case.pk,
                "agency": placed.agency.name,
                "first": placed.placed_on.isoformat(),
                "last": placed.last_day.isoformat(),
                "ref": placement_ref(placed),
            },
        )
    return redirect("collection:case", case_id=case.pk)


@login_required
@require_POST
def recall_placement(request: HttpRequest, placement_id: int) -> HttpResponse:
    require(request.user, Perm.DECIDE_ESCALATION)
    placement = get_object_or_404(Placement.objects.filter(case__in=visible_cases(request.user)), pk=placement_id)
    form = RecallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("collection:case", case_id=placement.case_id)
    try:
        do_recall_placement(
            placement,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=request.user,
            today=today(),
        )
    except PlacementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recalled: the agency no longer sees the case."))
    return redirect("collection:case", case_id=placement.case_id)


def _may_open_mandate(user, placement: Placement) -> bool:
    if has_perm(user, Perm.DECIDE_ESCALATION):
        return visible_cases(user).filter(pk=placement.case_id).exists()
    return (
        getattr(user, "agency_id", None) == placement.agency_id
        and has_perm(user, Perm.VIEW_AGENCY_CASES)
        and placement.in_force_on(today())
    )


def render_mandate(placement: Placement) -> bytes:
    """The mandate as placed, an A4 PDF with the CJK font embedded (always Chinese, like the template used)."""
    from weasyprint import HTML  # loads Pango and fontconfig, which only documents need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    html = render_to_string(
        "agencies/mandate_document.html",
        {
            "placement": placement,
            "reference": placement_ref(placement),
            "paragraphs": [p.strip() for p in placement.mandate.split("\n\n") if p.strip()],
            "font_regular": fonts.regular.resolve().as_uri(),
            "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
        },
    )
    return HTML(string=html).write_pdf()


@login_required
@require_GET
def mandate_pdf(request: HttpRequest, placement_id: int) -> HttpResponse:
    if not (has_perm(request.user, Perm.DECIDE_ESCALATION) or has_perm(request.user, Perm.VIEW_AGENCY_CASES)):
        require(request.user, Perm.DECIDE_ESCALATION)  # refused and logged
    placement = Placement.objects.select_related("agency").filter(pk=placement_id).first()
    if placement is None or not _may_open_mandate(request.user, placement):
        raise Http404(_("No such placement, or not one of yours"))
    basis = Perm.DECIDE_ESCALATION if has_perm(request.user, Perm.DECIDE_ESCALATION) else Perm.VIEW_AGENCY_CASES
    with audited(request.user, ActionCode.VIEW_MANDATE, permission=basis, subject=placement, clause="PRV-1") as rec:
        rec.change("mandate", None, "opened")
    response = HttpResponse(render_mandate(placement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mandate-{placement_ref(placement)}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def placement_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.DECIDE_ESCALATION)
    on = today()
    rows = (
        Placement.objects.select_related("agency", "case", "placed_by")
        .filter(case__in=visible_cases(request.user))
        .exclude(ended_on__lt=on - timedelta(days=90))
        .order_by("ended_at", "last_day", "pk")
    )
    eligible: dict[int, bool] = {}
    standing, ended = [], []
    for placement in rows:
        if placement.agency_id not in eligible:
            eligible[placement.agency_id] = eligibility_of(placement.agency, on).eligible
        item = {"p": placement, "ref": placement_ref(placement), "frozen": not eligible[placement.agency_id]}
        (standing if placement.ended_at is None else ended).append(item)
    return render(request, "agencies/placements.html", {"standing": standing, "ended": ended, "on": on})
