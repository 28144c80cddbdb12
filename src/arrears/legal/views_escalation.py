"""The escalation pages (Clause: LGL-1, LGL-2, CLS-2, AUTH-3): the supervisors' queue of cases waiting for a
late-stage decision (with its CSV export), one case's facts, decisions and decision form, and the late stage's
section of the case page. Thin: each view checks the permission, reads a form, calls one query or action,
renders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm, has_perm
from arrears.collection.models import CaseStatus, CollectionCase
from arrears.collection.queries import today, visible_cases
from arrears.compliance.actions import require
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.masking import masked
from arrears.home import export, inputs
from arrears.home.export import Column, export_csv, yuan
from arrears.legal.errors import LegalError
from arrears.legal.escalation import Facts, facts_for, facts_of, grounds_words, route_words
from arrears.legal.escalation_actions import MAX_REASON, do_decide_escalation
from arrears.legal.escalation_queue import WAITING_LABELS, decisions_of, queue, standing_write_off, waiting
from arrears.legal.models import Decision
from arrears.portfolio.models import Loan

PAGE_SIZE = 25
REFUSED = (LegalError, ProhibitedLanguage)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _route_cell(row) -> str:
    return route_words(row[2].route)


QUEUE_COLUMNS = [
    Column("case", gettext_lazy("Case"), lambda row: f"#{row[0].pk}"),
    Column("customer", gettext_lazy("Customer number"), lambda row: row[0].borrower.external_id),
    Column("name", gettext_lazy("Name"), lambda row: masked("name", row[0].borrower.name)),
    Column("waiting_for", gettext_lazy("Waiting for"), lambda row: row[1]),
    Column("since", gettext_lazy("Since"), lambda row: row[0].waiting_since),
    Column("dpd", "DPD", lambda row: row[2].dpd),
    Column("failed_attempts", gettext_lazy("Failed attempts"), lambda row: row[2].failed_attempts),
    Column("refused", gettext_lazy("Refused"), lambda row: row[2].refused),
    Column("days_since_reached", gettext_lazy("Days since reached"), lambda row: row[2].days_since_reached),
    Column("overdue", gettext_lazy("Overdue (yuan)"), lambda row: yuan(row[2].overdue_fen)),
    Column("eligible", gettext_lazy("Eligible for legal action"), lambda row: row[2].eligible),
    Column("route", gettext_lazy("Route proposed"), _route_cell),
]


def _rows(cases: list[CollectionCase], on: date) -> list[tuple[CollectionCase, str, Facts, str]]:
    """(case, why it waits, its facts, the masked name) for the cases of one page: a fixed number of queries."""
    facts = facts_for(cases, on)
    return [
        (case, str(WAITING_LABELS.get(case.waiting_for, "")), facts[case.pk], masked("name", case.borrower.name))
        for case in cases
    ]


@login_required
def escalation_queue(request: HttpRequest) -> HttpResponse:
    """The cases waiting for a supervisor's late-stage decision, oldest first, with their facts and the route
    the policy proposes (Clause: LGL-1, LGL-2, CLS-2, AUTH-3)."""
    require(request.user, Perm.DECIDE_ESCALATION)
    on = today()
    cases = queue(request.user, on)
    if export.wanted(request):
        return export_csv(
            request,
            "escalations",
            Perm.DECIDE_ESCALATION,
            QUEUE_COLUMNS,
            lambda: _rows(list(cases), on),
            {"on": on},
        )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": _rows(list(page), on), "on": on}
    return render(request, "legal/escalation_queue.html", context)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text=gettext_lazy("Needed to keep collecting, for a write-off, and wherever you depart from the route."),
    )
    revisit_on = inputs.DateField(label=gettext_lazy("Revisit on (to keep collecting)"), required=False, widget=DATE)


def _case(request: HttpRequest, case_id: int) -> CollectionCase:
    return get_object_or_404(visible_cases(request.user).select_related("borrower", "owner"), pk=case_id)


@login_required
def case_escalation(request: HttpRequest, case_id: int) -> HttpResponse:
    """One case at the late stage: its facts, the route proposed, the decisions so far; POST decides (Clause:
    LGL-1, LGL-2, CLS-2, AUTH-3). Supervisors only."""
    require(request.user, Perm.DECIDE_ESCALATION)
    case = _case(request, case_id)
    on = today()
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decided = do_decide_escalation(
                    case,
                    decision=data["decision"],
                    reason=data["reason"],
                    revisit_on=data["revisit_on"],
                    actor=request.user,
                    today=on,
                )
            except REFUSED as exc:
                messages.error(request, str(exc))
                status = 422
            else:
                messages.success(
                    request,
                    _("Decision recorded: %(decision)s.") % {"decision": decided.get_decision_display()},
                )
                return redirect("collection:case", case_id=case.pk)
        else:
            status = 422
    context = {**late_stage_panel(request.user, case, on), "case": case, "form": form, "on": on}
    return render(request, "legal/escalation_case.html", context, status=status)


def late_stage_panel(user: Any, case: CollectionCase, on: date, loans: Iterable[Loan] | None = None) -> dict:
    """What the case page's late-stage section shows (`collection/case.html`): the facts and the route, the
    decisions so far, why the case waits, the write-off standing; the link to decide for supervisors. `loans`:
    the borrower's loans as the page loaded them (`legal.escalation.facts_for`)."""
    facts = facts_of(case, on, loans)
    return {
        "facts": facts,
        "facts_route": route_words(facts.route),
        "facts_grounds": grounds_words(facts),
        "decisions": list(decisions_of(case)),
        "waiting": str(WAITING_LABELS.get(waiting(case, on) or "", "")),
        "standing_write_off": standing_write_off(case),
        "can_decide": has_perm(user, Perm.DECIDE_ESCALATION) and case.status == CaseStatus.OPEN,
    }
