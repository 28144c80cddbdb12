"""Role-aware navigation: a link appears only for a user whose role grants what the page needs (a permission, or
each of a tuple of them)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from arrears.accounts.permissions import Perm, has_perm

LINKS = (
    ("start", _("Today's work"), "signed_in"),
    ("policy-in-force", _("Policy"), None),
    ("collection:queue", _("Placed cases"), Perm.VIEW_AGENCY_CASES),  # an agency's user: their placed cases
    ("collection:queue", _("My cases"), Perm.CALL),
    ("collection:queue", _("Cases"), Perm.READ_ALL_CASES),  # legal and compliance: every case, read-only
    ("collection:reminders", _("Reminder calls"), (Perm.CALL, Perm.VIEW_PORTFOLIO)),  # the bank's own (REM-1)
    ("arrangements:queue", _("Approvals"), Perm.APPROVE),
    ("legal:escalations", _("Late stage"), Perm.DECIDE_ESCALATION),  # LGL-1, LGL-2, AUTH-3
    ("complaints:queue", _("Complaints"), Perm.HANDLE_COMPLAINTS),
    ("legal:litigations", _("Litigation"), Perm.VIEW_LITIGATION),
    ("agencies:list", _("Agencies"), Perm.DECIDE_ESCALATION),  # AGY-1
    # The agencies' commission statements (LGL-2, KPI-2): supervisors, readers of reports, an agency's own users.
    ("agencies:commissions", _("Commissions"), Perm.DECIDE_ESCALATION),
    ("agencies:commissions", _("Commissions"), Perm.VIEW_REPORTS),
    ("agencies:commissions", _("Commissions"), Perm.VIEW_AGENCY_CASES),
    ("agencies:audits", _("Agency audits"), Perm.AUDIT_AGENCIES),  # AGY-3
    ("quality:reviews", _("Call reviews"), Perm.REVIEW_CALLS),  # QA-1
    ("quality:scores", _("Quality scores"), Perm.VIEW_QUALITY),  # QA-2
    ("reports:dashboard", _("KPIs"), Perm.VIEW_REPORTS),  # KPI-1, KPI-2
    ("reports:scorecards", _("Scorecards"), Perm.VIEW_REPORTS),  # QA-2: collectors and agencies, month by month
    # The monthly review (REV-1): supervisors work the packs; readers of reports open the approved ones.
    ("reports:reviews", _("Monthly review"), Perm.REVIEW_MONTH),
    ("reports:reviews", _("Monthly review"), Perm.VIEW_REPORTS),
    # The month's collection cost (KPI-2): readers of reports; administrators, who enter the costs arrears cannot know.
    ("reports:costs", _("Collection costs"), Perm.VIEW_REPORTS),
    ("reports:costs", _("Collection costs"), Perm.ENTER_COSTS),
    ("whatif:whatifs", _("Policy what-if"), Perm.RUN_WHATIF),  # issue 23: past nights under a candidate policy
    ("experiments:experiments", _("Champion/challenger"), Perm.RUN_WHATIF),  # issue 23: experiments, outcomes
    ("notices:outbox", _("Notices outbox"), Perm.MANAGE_OUTBOX),
    ("portfolio:borrowers", _("Borrowers"), Perm.VIEW_PORTFOLIO),
    ("daily:runs", _("Nightly runs"), Perm.VIEW_RUNS),
    ("compliance:phrases", _("Prohibited phrases"), Perm.MANAGE_PHRASES),
    ("compliance:ledger", _("Ledger verification"), Perm.VERIFY_AUDIT),
    ("admin:index", _("Administration"), "staff"),
)


def navigation(request: HttpRequest) -> dict:
    """Context processor: `nav`, the links this user may follow."""
    user = getattr(request, "user", None)
    items, seen = [], set()
    for name, label, perm in LINKS:
        signed_in = bool(user and user.is_authenticated)
        if perm == "staff" and not (signed_in and user.is_staff):
            continue
        if perm == "signed_in" and not signed_in:
            continue
        if isinstance(perm, Perm) and not (signed_in and has_perm(user, perm)):
            continue
        if isinstance(perm, tuple) and not (signed_in and all(has_perm(user, p) for p in perm)):
            continue
        if name in seen:
            continue
        seen.add(name)
        url = reverse(name)
        items.append({"url": url, "label": label, "current": request.path == url})
    return {"nav": items}
