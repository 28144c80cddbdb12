"""`{% case_placements case %}`: the case page's placement block (Clause: LGL-2, AUTH-3, AGY-1) — the standing
placement (agency, period, in force or frozen), the placement history, the mandate; for supervisors the forms to
place the case with an eligible agency and to recall it. An agency's user sees only their own agency's
placements, and no forms."""

from __future__ import annotations

from django import template

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.models import Placement
from arrears.agencies.placement import placement_ref
from arrears.agencies.queries import agencies_on, eligibility_of
from arrears.agencies.views_placement import PlaceForm, RecallForm
from arrears.collection.models import CaseStatus
from arrears.collection.queries import today
from arrears.rules.queries import policy_on

register = template.Library()


@register.inclusion_tag("agencies/_case_placements.html", takes_context=True)
def case_placements(context, case) -> dict:
    user = context["request"].user
    on = context.get("on") or today()  # the page's business date when it gives one (a query less)
    supervisor = has_perm(user, Perm.DECIDE_ESCALATION)
    rows = Placement.objects.filter(case=case).select_related("agency", "placed_by").order_by("-placed_at", "-pk")
    if not supervisor:
        agency_id = getattr(user, "agency_id", None)
        rows = rows.filter(agency_id=agency_id) if agency_id is not None else rows.none()
    history = [{"p": p, "ref": placement_ref(p), "in_force": p.in_force_on(on)} for p in rows]
    standing = next((row for row in history if row["p"].ended_at is None), None)
    if standing is not None:
        standing["frozen"] = not eligibility_of(standing["p"].agency, on).eligible
    place_form, eligible = None, []
    if supervisor and standing is None and case.status == CaseStatus.OPEN:
        place_form = PlaceForm(initial={"days": policy_on(on).agency.placement_days})
        eligible = [row.agency.pk for row in agencies_on(on) if row.status.eligible]
        place_form.fields["agency"].queryset = place_form.fields["agency"].queryset.filter(pk__in=eligible)
    return {
        "case": case,
        "history": history,
        "standing": standing,
        "supervisor": supervisor,
        "place_form": place_form,
        "any_eligible": bool(eligible),  # from the list above: the template asks no query of its own
        "recall_form": RecallForm() if supervisor and standing else None,
        "max_days": policy_on(on).agency.placement_max_days,
    }
