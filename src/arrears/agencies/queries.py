"""Reads: every agency with its eligibility on a day (Clause: AGY-1), in one query whatever their number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.accounts.models import Agency
from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.eligibility import Eligibility, Problem, eligibility
from arrears.rules.queries import policy_on

PROBLEM_WORDS = {
    Problem.BUSINESS_LICENCE_MISSING: _("no business licence on file"),
    Problem.BUSINESS_LICENCE_EXPIRED: _("business licence expired"),
    Problem.COLLECTION_LICENCE_MISSING: _("no collection licence on file"),
    Problem.COLLECTION_LICENCE_EXPIRED: _("collection licence expired"),
    Problem.CONFIDENTIALITY_MISSING: _("no signed confidentiality agreement"),
}


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    status: Eligibility

    @property
    def problems(self) -> list[str]:
        return problem_words(self.status)


def may_see_agencies(user: Any) -> bool:
    """Supervisors (who will place cases, AUTH-3) and administrators (who keep the registry)."""
    return has_perm(user, Perm.DECIDE_ESCALATION) or has_perm(user, Perm.MANAGE_USERS)


def problem_words(status: Eligibility) -> list[str]:
    """What makes an agency ineligible, in words."""
    return [str(PROBLEM_WORDS[code]) for code in status.problems]


def _status(agency: Agency, on: date, policy) -> Eligibility:
    return eligibility(
        business_licence_no=agency.business_licence_no,
        business_licence_expires=agency.business_licence_expires,
        collection_licence_no=agency.collection_licence_no,
        collection_licence_expires=agency.collection_licence_expires,
        confidentiality_signed_on=agency.confidentiality_signed_on,
        on=on,
        required_documents=policy.required_documents,
        warning_days=policy.expiry_warning_days,
    )


def eligibility_of(agency: Agency, on: date) -> Eligibility:
    """One agency's eligibility on `on` under the policy then (Clause: AGY-1)."""
    return _status(agency, on, policy_on(on).agency)


def agencies_on(on: date | None = None) -> list[AgencyRow]:
    """Every agency by name, with its eligibility on `on` (default today in Beijing) under the policy then."""
    on = on or timezone.localdate()
    policy = policy_on(on).agency
    return [AgencyRow(agency, _status(agency, on, policy)) for agency in Agency.objects.order_by("name")]


def agency_alerts(on: date) -> dict:
    """What the start page warns supervisors and auditors of (Clause: AGY-1, AGY-3): agencies whose licence expires
    within `agency.expiry_warning_days`, standing placements with an agency not eligible today (frozen), the
    placements standing, and the audits overdue."""
    from arrears.agencies.models import Placement
    from arrears.agencies.schedule import overdue_audits

    rows = agencies_on(on)
    ineligible = [row.agency.pk for row in rows if not row.status.eligible]
    standing = Placement.objects.filter(ended_at__isnull=True)
    return {
        "expiring": sum(1 for row in rows if row.status.expiring_soon),
        "warning_days": policy_on(on).agency.expiry_warning_days,
        "standing": standing.count(),
        "frozen": standing.filter(agency_id__in=ineligible).count(),
        "audits_overdue": len(overdue_audits(on)),
    }
