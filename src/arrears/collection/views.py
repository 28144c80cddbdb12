"""The collector's desk: the queue, the case workspace with its pre-call panel, the call record, reassignment.

Thin views: check the permission, call a query or one action, render. The queue's table updates in place
(htmx: a request with `HX-Request` gets only the rows). `now()` is the one clock of these pages.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arrears.accounts.models import User
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.access import PlacementFrozen, frozen_reason, placed_only
from arrears.arrangements.views import case_panel
from arrears.collection import exports, queries
from arrears.collection.allocation import collectors, do_allocate_cases, do_reassign_cases
from arrears.collection.calls import (
    MAX_PROMISE_YUAN,
    CadenceRefused,
    CallEntry,
    ContactRefused,
    IncompleteRecord,
    borrower_unreachable,
    cadence_refusal,
    do_record_call,
    propose_follow_up,
)
from arrears.collection.errors import CollectionError
from arrears.collection.letter_figures import loan_figures
from arrears.collection.models import (
    Attitude,
    CallOutcome,
    CallParty,
    CollectionCase,
    NextAction,
    Obstacle,
    Pool,
    Suggestion,
)
from arrears.compliance.actions import require
from arrears.compliance.contact import ALLOWED
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.masking import masked
from arrears.finance import format_money, from_fen
from arrears.home import export, inputs
from arrears.home.inputs import parse_id
from arrears.home.sorting import parse_sort
from arrears.legal.views_escalation import late_stage_panel
from arrears.notices.models import TemplatePurpose
from arrears.notices.template_queries import template_for
from arrears.notices.templating import paragraphs
from arrears.notices.templating import render as fill_in
from arrears.portfolio import queries as portfolio
from arrears.portfolio.models import DelinquencyClass
from arrears.portfolio.posting import account_terms
from arrears.portfolio.views_holds import HoldForm
from arrears.quality.queries import call_shown
from arrears.rules.queries import policy_on
from arrears.whatif.scripts import challenger_script

PAGE_SIZE = 25


def now():
    """The instant a call is made or checked (the contact rules' clock)."""
    return timezone.now()


def _filters(request: HttpRequest) -> queries.QueueFilter:
    get = request.GET
    return queries.QueueFilter(
        owner=get.get("owner", "me"),
        text=get.get("q", "").strip()[:40],
        delinquency_class=get.get("class", "") if get.get("class", "") in DelinquencyClass.values else "",
        pool=get.get("pool", "") if get.get("pool", "") in Pool.values else "",
        due=get.get("due", "") if get.get("due", "") == "now" else "",
        work=get.get("work", "") if get.get("work", "") in queries.WORK else "",
    )


def _without(request: HttpRequest, *names: str) -> str:
    """The request's query string less `names` (a link back to the default order keeps the filters)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _collectors() -> list[User]:
    return list(collectors().order_by("role_id", "username"))


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    """My cases (a supervisor: any collector's, the unowned, or all; an agency's user: those placed with their
    agency, Clause: LGL-2), in the order the work is due."""
    require(request.user, queries.case_permission(request.user))
    if not (has_perm(request.user, Perm.CALL) or queries.sees_every_case(request.user)):
        require(request.user, Perm.CALL)
    on = queries.today()
    filters = _filters(request)
    sort = parse_sort(request.GET.get("sort"), queries.QUEUE_SORTS)
    if export.wanted(request):  # the export lists the cases in the order the page shows them
        return exports.cases(request, queries.queue(request.user, on, filters, sort), filters)
    page = Paginator(queries.queue(request.user, on, filters, sort), PAGE_SIZE).get_page(request.GET.get("page"))
    # A row is marked when a call or follow-up of it is overdue since an earlier day (`queries.due_work`).
    held = queries.queue_holds({case.borrower_id for case in page}, on)  # one query for the page's holds
    rows = [
        (
            case,
            masked("name", case.borrower.name),
            queries.PRIORITY_LABELS[case.priority],
            case.late,
            held.get(case.borrower_id, []),
            queries.late_stage_words(case),  # in litigation, written off, an agency decided (annotated: no query)
        )
        for case in page
    ]
    context = {
        "sort": sort,
        "page": page,
        "rows": rows,
        "filters": filters,
        "on": on,
        "classes": DelinquencyClass.choices,
        "pools": Pool.choices,
        "supervisor": has_perm(request.user, Perm.REASSIGN),
        "collectors": _collectors() if has_perm(request.user, Perm.REASSIGN) else [],
        **_agency_desk(request.user, on),
        "query": request.GET.urlencode(),
        "work": queries.WORK_LABELS.get(filters.work, ""),
        "work_order_query": _without(request, "sort", "page"),
    }
    template = "collection/_queue_rows.html" if request.headers.get("HX-Request") else "collection/queue.html"
    return render(request, template, context)


def _agency_desk(user, on) -> dict:
    """For an agency's user (Clause: LGL-2, AGY-1): their agency, and why its placements are frozen today ("" when
    they are not); `bank` for the bank's own staff (the links to the borrower's pages, arrangements, late stage)."""
    if not placed_only(user):
        return {"agency": None, "frozen": "", "bank": True}
    return {"agency": user.agency, "frozen": frozen_reason(user, on), "bank": False}


def _case_or_404(request: HttpRequest, case_id: int, on) -> CollectionCase:
    """The case as its workspace shows it on the business date `on` (`queries.case_for`)."""
    try:
        return queries.case_for(request.user, case_id, on)
    except CollectionCase.DoesNotExist:
        raise Http404(_("No such case, or not one of yours")) from None


def _brief_or_404(request: HttpRequest, case_id: int) -> CollectionCase:
    """The case with its borrower and contact persons only (`queries.case_brief`): for the call form and actions."""
    try:
        return queries.case_brief(request.user, case_id)
    except CollectionCase.DoesNotExist:
        raise Http404(_("No such case, or not one of yours")) from None


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case workspace: the pre-call panel (CALL-1), loans and positions, history, promises, letters, tasks.
    An agency's user sees the minimum (Clause: PRV-1, LGL-2): no link to the borrower's or loans' pages, no other
    loans, plans or late-stage decisions; and while the agency is frozen (AGY-1), no call or letter."""
    require(request.user, queries.case_permission(request.user))
    on = queries.today()
    case = _case_or_404(request, case_id, on)
    desk = _agency_desk(request.user, on)
    bank = desk["bank"]
    borrower = case.borrower
    covered, other_loans = queries.split_loans(borrower.loans.all())
    loans = [_with_figures(loan, portfolio.loan_position(loan, on), on) for loan in covered]
    verdict = queries.contact_verdict(borrower.pk, now(), number=borrower.mobile, holds=borrower.holds.all())
    cadence = cadence_refusal(borrower.pk, today=on, dpd=case.dpd, calls=policy_on(on).calls)  # CALL-4, CLS-2
    can_hold = has_perm(request.user, Perm.MANAGE_HOLDS)
    context = {
        "cadence": cadence.message() if cadence else "",
        "cadence_clause": cadence.clause if cadence else "",
        "late_stage_words": queries.late_stage_words(case),
        "case": case,
        "borrower": borrower,
        "shown": portfolio.shown_fields(borrower),
        "loans": loans,
        "other_loans": other_loans,
        "on": on,
        "verdict": verdict,
        "refusal": queries.refusal(verdict),
        "calls": [(call, masked("phone", call.number), call_shown(call, request.user)) for call in case.calls.all()],
        "contacts": [(c, masked("name", c.name), masked("phone", c.phone)) for c in borrower.contacts.all()],
        "last_call": next(iter(case.calls.all()), None),
        "holds_in_force": [hold for hold in borrower.holds.all() if hold.in_force_on(on)],
        "can_manage_holds": can_hold,
        "hold_form": HoldForm(borrower, initial={"starts_on": on}, auto_id="hold-%s") if can_hold else None,
        "can_call": has_perm(request.user, Perm.CALL) and not desk["frozen"],
        "can_send_letter": has_perm(request.user, Perm.SEND_LETTER) and not desk["frozen"],
        "can_reassign": has_perm(request.user, Perm.REASSIGN),
        "can_listen": has_perm(request.user, Perm.LISTEN_RECORDINGS),  # QA-1: the recordings' players
        "collectors": _collectors() if has_perm(request.user, Perm.REASSIGN) else [],
        "letter_channels": policy_on(on).letters.channels,
        **desk,
        # Both from the loans loaded above, each replayed once (`posting.loan_account` keeps its answer).
        "arrangements": case_panel(request.user, case, on, borrower.loans.all()) if bank else {},
        "late_stage": late_stage_panel(request.user, case, on, borrower.loans.all()) if bank else {},  # LGL-1, AUTH-3
    }
    return render(request, "collection/case.html", context)


def _with_figures(loan, position, on):
    """A loan, its position, and for an overdue one the penalty calculation line by line (as the notice prints
    it, from the same replay)."""
    if position.dpd <= 0:
        return loan, position, None
    scheduled = {i.n: (from_fen(i.principal_fen), from_fen(i.interest_fen)) for i in loan.instalments.all()}
    terms = account_terms(loan, policy_on(on))
    return loan, position, loan_figures(loan.external_id, loan.product, position, scheduled, terms)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CallForm(forms.Form):
    """The guided call record; its rules are `arrears.collection.calls.check_record`."""

    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=CallOutcome.choices)
    # The bound is the policy's largest allowed `calls.max_duration_seconds` (one day): beyond it the number
    # is refused here, before it can overflow a column; the policy's own bound is checked in `check_record`.
    duration_seconds = inputs.IntegerField(
        label=gettext_lazy("Duration (seconds)"), min_value=0, max_value=86_400, initial=0
    )
    greeted = forms.BooleanField(label=gettext_lazy("Greeted and said who is calling"), required=False)
    purpose_stated = forms.BooleanField(label=gettext_lazy("Stated the purpose"), required=False)
    identity_verified = forms.BooleanField(label=gettext_lazy("Verified the borrower's identity"), required=False)
    facts_stated = forms.BooleanField(label=gettext_lazy("Stated the overdue days and amount"), required=False)
    consequences_stated = forms.BooleanField(
        label=gettext_lazy("Explained the consequences (credit record, growing penalty)"), required=False
    )
    ability_asked = forms.BooleanField(label=gettext_lazy("Asked about the ability to repay"), required=False)
    suggestion = forms.ChoiceField(
        label=gettext_lazy("Suggestion offered"), choices=[("", "—"), *Suggestion.choices], required=False
    )
    attitude = forms.ChoiceField(label=gettext_lazy("Attitude"), choices=[("", "—"), *Attitude.choices], required=False)
    obstacle = forms.ChoiceField(label=gettext_lazy("Obstacle"), choices=[("", "—"), *Obstacle.choices], required=False)
    promise_amount = inputs.DecimalField(
        label=gettext_lazy("Promised amount (yuan)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PROMISE_YUAN,
        max_digits=14,
        decimal_places=2,
    )
    promise_due_on = inputs.DateField(label=gettext_lazy("Promised by"), required=False, widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_action = forms.ChoiceField(label=gettext_lazy("Next action"), choices=NextAction.choices)
    next_follow_up_on = inputs.DateField(label=gettext_lazy("Next follow-up"), required=False, widget=DATE)
    borrower_asked = forms.BooleanField(label=gettext_lazy("The borrower asked to be called sooner"), required=False)
    inbound = forms.BooleanField(
        label=gettext_lazy("The borrower called us (a contact they initiated)"), required=False
    )

    STEPS = ("greeted", "purpose_stated", "identity_verified", "facts_stated", "consequences_stated", "ability_asked")
    # The inbound form's wording: the borrower is calling the bank (WVR-1), the collector answers.
    INBOUND_LABELS = {
        "greeted": gettext_lazy("Answered, greeted the borrower and said who is speaking"),
        "purpose_stated": gettext_lazy("Said that the bank also wants to discuss the loan's repayment"),
        "borrower_asked": gettext_lazy("The borrower asked to be called back sooner"),
    }

    def __init__(self, *args, inbound: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if inbound:
            for name, label in self.INBOUND_LABELS.items():
                self.fields[name].label = label


def _entry(form: CallForm, party: str, contact_id: int | None) -> CallEntry:
    data = form.cleaned_data
    return CallEntry(
        party=party,
        contact_id=contact_id,
        **{name: data[name] for name in ("outcome", "duration_seconds", "note", *CallForm.STEPS)},
        suggestion=data["suggestion"] or "",
        attitude=data["attitude"] or "",
        obstacle=data["obstacle"] or "",
        promise_amount=data["promise_amount"],
        promise_due_on=data["promise_due_on"],
        next_action=data["next_action"],
        next_follow_up_on=data["next_follow_up_on"],
        borrower_asked=data["borrower_asked"],
        inbound=data["inbound"],
    )


def _caller(user) -> str:
    """Who the script says is calling: the collector, and for an agency's user also their agency (AGY-2: the
    agency collects in the bank's name under its mandate, and says who it is)."""
    name = user.get_full_name() or user.get_username()
    if getattr(user, "agency_id", None) is None:
        return name
    return _("%(name)s of %(agency)s") % {"name": name, "agency": user.agency.name}


# The approved script's opening steps (greeting, purpose) are the bank calling; an inbound call opens otherwise.
OUTBOUND_OPENING_STEPS = 2


def _approved_script(case: CollectionCase, collector, *, inbound: bool = False) -> dict:
    """The call script legal review approved (LANG-2), in the borrower's language, filled in for this call. For
    an inbound call (the borrower is calling) the outbound greeting and purpose give way to the inbound opening
    the page shows, and the script is shown from the identity check on."""
    # Issue 23: a champion/challenger experiment may give the challenger's cases another approved version.
    script = challenger_script(case, queries.today()) or template_for(
        TemplatePurpose.CALL_SCRIPT, case.borrower.language
    )
    if script is None:
        return {"script": None, "script_lines": []}
    values = {
        "name": masked("name", case.borrower.name),
        "dpd": str(case.dpd),
        "overdue_total": format_money(from_fen(case.overdue_fen), grouping=True),
        "bank_name": settings.ARREARS_BANK_NAME,
        "collector": _caller(collector),
    }
    lines = paragraphs(fill_in(script.body, values))
    if inbound and len(lines) > OUTBOUND_OPENING_STEPS:
        return {"script": script, "script_lines": lines[OUTBOUND_OPENING_STEPS:], "script_from_identity": True}
    return {"script": script, "script_lines": lines}


def _contact_id(request: HttpRequest) -> int | None:
    """The contact person named in the request, or None when none is; a value that is not a plain number of a
    row (`²`, `abc`, 10**30) is answered 404 like a contact that is not the case's."""
    raw = request.POST.get("contact") or request.GET.get("contact")
    if not raw:
        return None
    contact_id = parse_id(raw)
    if contact_id is None:
        raise Http404(_("No such contact person in this case"))
    return contact_id


@login_required
def record_call(request: HttpRequest, case_id: int) -> HttpResponse:
    """Before the call: the contact rules now (refused: which rule and when next allowed). After: the record."""
    require(request.user, Perm.CALL)
    on = queries.today()
    case = _brief_or_404(request, case_id)
    calls_policy = policy_on(on).calls
    party = request.POST.get("party") or request.GET.get("party") or CallParty.BORROWER
    party = party if party in CallParty.values else CallParty.BORROWER
    contact_id = _contact_id(request)
    contact = next((c for c in case.borrower.contacts.all() if c.pk == contact_id), None)
    if (contact_id is not None and contact is None) or (party == CallParty.CONTACT and contact is None):
        # A contact person who is not this case's borrower's (or none named): the form does not exist (PRV-1).
        raise Http404(_("No such contact person in this case"))
    number = contact.phone if contact else case.borrower.mobile
    # The borrower calling the bank (WVR-1's self-initiated contact) is recorded whatever the contact rules
    # say: they limit the bank's calls, not the borrower's.
    inbound = party == CallParty.BORROWER and (request.POST.get("inbound") or request.GET.get("inbound")) in (
        "1",
        "on",
    )
    frozen = _agency_desk(request.user, on)["frozen"]  # AGY-1: an agency not eligible today makes no contact
    verdict = ALLOWED if inbound else queries.contact_verdict(case.borrower_id, now(), number=number)
    cadence = None
    if not inbound and party == CallParty.BORROWER:
        cadence = cadence_refusal(case.borrower_id, today=on, dpd=case.dpd, calls=calls_policy)  # CALL-4, CLS-2
    context = {
        "case": case,
        "name": masked("name", case.borrower.name),
        "party": party,
        "contact": contact,
        "contact_name": masked("name", contact.name) if contact else "",
        "number": masked("phone", number),
        "verdict": verdict,
        "contact_blocked": party == CallParty.CONTACT and not borrower_unreachable(case),
        "steps": CallForm.STEPS,
        "inbound": inbound,
        "cadence": cadence.message() if cadence else "",
        "cadence_clause": cadence.clause if cadence else "",
        "frozen": frozen,
        **_approved_script(case, request.user, inbound=inbound),
    }
    if request.method == "POST" and verdict.allowed and not frozen:
        form = CallForm(request.POST, inbound=inbound)
        if form.is_valid():
            try:
                do_record_call(
                    case,
                    _entry(form, party, contact_id),
                    actor=request.user,
                    today=on,
                    dpd=case.dpd,
                    calls=calls_policy,
                    called_at=now(),
                )
            except IncompleteRecord as exc:
                for name, text in exc.errors.items():
                    form.add_error(name if name in form.fields else None, text)
            except ContactRefused as exc:
                context["verdict"] = exc.verdict
            except PlacementFrozen as exc:  # frozen since the page was drawn
                context["frozen"] = str(exc)
            except CadenceRefused as exc:
                form.add_error("borrower_asked", exc.refusal.message())
            except CollectionError as exc:
                form.add_error(None, str(exc))
            except ProhibitedLanguage as exc:
                form.add_error("note", str(exc))
            else:
                messages.success(request, _("Call recorded."))
                return redirect("collection:case", case_id=case.pk)
    else:
        form = CallForm(
            inbound=inbound,
            initial={
                "inbound": inbound,
                "next_action": NextAction.CALL,
                "next_follow_up_on": propose_follow_up(on, case.dpd, calls_policy),
            },
        )
    context["form"] = form
    context["refusal"] = queries.refusal(context["verdict"])
    status = 200 if context["verdict"].allowed and not context["frozen"] else 409
    return render(request, "collection/call.html", context, status=status)


def _target(request: HttpRequest) -> User | None:
    """The collector a supervisor gives cases to (`to`: a user id in ASCII digits), or None."""
    target_id = parse_id(request.POST.get("to", ""))
    return User.objects.filter(pk=target_id).first() if target_id else None


@login_required
@require_POST
def reassign_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A supervisor gives one case to another collector (TEAM-3, AUTH-3)."""
    require(request.user, Perm.REASSIGN)
    on = queries.today()
    case = _brief_or_404(request, case_id)
    target = _target(request)
    if target is None:
        messages.error(request, _("Choose the collector to give the case to."))
    else:
        try:
            do_reassign_cases([case], target, actor=request.user, reason=request.POST.get("reason", ""), as_of=on)
            messages.success(request, _("Case reassigned."))
        except CollectionError as exc:
            messages.error(request, str(exc))
    return redirect("collection:case", case_id=case.pk)


@login_required
@require_POST
def reassign_batch(request: HttpRequest) -> HttpResponse:
    """A supervisor gives every case the queue's current filter shows to one collector."""
    require(request.user, Perm.REASSIGN)
    on = queries.today()
    filters = _filters(request)
    target = _target(request)
    if target is None:
        messages.error(request, _("Choose the collector to give the cases to."))
    else:
        cases = list(
            queries.queue(request.user, on, filters).select_related(None).only("pk", "status", "pool", "owner_id")
        )
        try:
            moved = do_reassign_cases(
                cases, target, actor=request.user, reason=request.POST.get("reason", ""), as_of=on
            )
            messages.success(request, _("%(n)d case(s) reassigned.") % {"n": moved})
        except CollectionError as exc:
            messages.error(request, str(exc))
    return redirect(f"{request.path.rsplit('reassign/', 1)[0]}?{request.GET.urlencode()}")


@login_required
@require_POST
def allocate_now(request: HttpRequest) -> HttpResponse:
    """A supervisor runs the allocation now (it also runs every night)."""
    require(request.user, Perm.REASSIGN)
    result = do_allocate_cases(actor=request.user, as_of=queries.today())
    messages.success(
        request,
        _("%(n)d case(s) allocated; %(u)d still without a collector.")
        % {"n": result.total, "u": sum(result.unowned.values())},
    )
    return redirect("collection:queue")
