"""Placing, extending and lifting holds, from the borrower page and the case page (Issue 14 item 17, Issue 17
item 1). Thin: permission, a form, one action.

A hold stops reminders and collection contact while a dispute, a complaint, a legal matter, the borrower's
death, a fraud claim or a bankruptcy is open; the nightly run, the dispatcher and the contact rules honour holds.
Supervisors, legal and compliance officers (`portfolio.manage_holds`) place, extend and lift them, always with a
reason; each is an audited action. A form posted from the case page carries `case` (its number) and goes back
there; otherwise back to the borrower page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm
from arrears.collection.queries import visible_borrowers, visible_cases
from arrears.compliance.actions import require
from arrears.home import inputs
from arrears.home.inputs import parse_id
from arrears.portfolio import queries
from arrears.portfolio.actions import PortfolioError, do_extend_hold, do_lift_hold, do_place_hold
from arrears.portfolio.models import Borrower, Hold, HoldKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def business_day():
    """The day holds start and are lifted on by default: the business date of the newest feed."""
    return queries.business_date() or timezone.localdate()


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=HoldKind.choices)
    loan = forms.ChoiceField(label=gettext_lazy("Applies to"), required=False)
    starts_on = inputs.DateField(label=gettext_lazy("From"), widget=DATE)
    ends_on = inputs.DateField(label=gettext_lazy("Until (empty: until lifted)"), widget=DATE, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), min_length=4, max_length=1000)

    def __init__(self, borrower: Borrower, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.borrower = borrower
        self.fields["loan"].choices = [
            ("", _("the borrower (all loans)")),
            *((loan.external_id, loan.external_id) for loan in borrower.loans.all()),
        ]

    def chosen_loan(self):
        external_id = self.cleaned_data.get("loan") or ""
        return next((loan for loan in self.borrower.loans.all() if loan.external_id == external_id), None)


class LiftForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), min_length=4, max_length=1000)


class ExtendForm(forms.Form):
    until = inputs.DateField(label=gettext_lazy("New end"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason (recorded)"), min_length=4, max_length=1000)


def _back(request: HttpRequest, borrower: Borrower) -> HttpResponse:
    """Back to the case page the form was posted from (`case`: one of the user's cases of this borrower), else to
    the borrower page."""
    case_id = parse_id(request.POST.get("case", ""))
    if case_id is not None and visible_cases(request.user).filter(pk=case_id, borrower=borrower).exists():
        return redirect("collection:case", case_id=case_id)
    return redirect("portfolio:borrower", external_id=borrower.external_id)


def _borrower(request: HttpRequest, external_id: str) -> Borrower:
    try:
        return queries.borrower_detail(external_id, within=visible_borrowers(request.user))
    except Borrower.DoesNotExist:
        raise Http404(_("No such borrower")) from None


def _errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errs)}".lstrip(": ")
        for name, errs in form.errors.items()
    )


@login_required
@require_POST
def place_hold(request: HttpRequest, external_id: str) -> HttpResponse:
    """POST kind, loan (empty: the whole borrower), starts_on, ends_on (optional) and reason."""
    require(request.user, Perm.MANAGE_HOLDS)  # before the lookup: a refused user learns nothing
    borrower = _borrower(request, external_id)
    form = HoldForm(borrower, request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return _back(request, borrower)
    try:
        do_place_hold(
            borrower,
            form.cleaned_data["kind"],
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            loan=form.chosen_loan(),
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except PortfolioError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The hold is placed: no reminder or collection contact while it is in force."))
    return _back(request, borrower)


def _hold(request: HttpRequest, hold_id: int) -> Hold:
    hold = (
        Hold.objects.select_related("borrower").filter(pk=hold_id, borrower__in=visible_borrowers(request.user)).first()
    )
    if hold is None:
        raise Http404(_("No such hold"))
    return hold


@login_required
@require_POST
def extend_hold(request: HttpRequest, hold_id: int) -> HttpResponse:
    """POST until and reason: the hold's end moves later."""
    require(request.user, Perm.MANAGE_HOLDS)
    hold = _hold(request, hold_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            do_extend_hold(
                hold,
                until=form.cleaned_data["until"],
                on=business_day(),
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except PortfolioError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The hold is extended until %(day)s.") % {"day": form.cleaned_data["until"].isoformat()}
            )
    return _back(request, hold.borrower)


@login_required
@require_POST
def lift_hold(request: HttpRequest, hold_id: int) -> HttpResponse:
    """POST reason: the hold is lifted on the business date."""
    require(request.user, Perm.MANAGE_HOLDS)
    hold = _hold(request, hold_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            do_lift_hold(hold, on=business_day(), actor=request.user, reason=form.cleaned_data["reason"])
        except PortfolioError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The hold is lifted."))
    return _back(request, hold.borrower)
