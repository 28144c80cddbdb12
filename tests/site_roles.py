"""The roles of the role × URL matrix (`site_urls.py`) and the sets of them that may use a page, written out here
so that a wrong grant or a missing check in a view is caught, not copied; and the `Page` a matrix line is."""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.accounts.roles import RoleCode

J, S, SUP = RoleCode.JUNIOR_COLLECTOR, RoleCode.SENIOR_COLLECTOR, RoleCode.SUPERVISOR
LEGAL, COMPLIANCE = RoleCode.LEGAL_OFFICER, RoleCode.COMPLIANCE_OFFICER
AGENCY, ANALYST, ADMIN = RoleCode.AGENCY_USER, RoleCode.ANALYST, RoleCode.ADMINISTRATOR
QA, TEL = RoleCode.QA_REVIEWER, RoleCode.TELEPHONY
ANONYMOUS = "anonymous"

EVERYONE = frozenset({J, S, SUP, LEGAL, COMPLIANCE, AGENCY, ANALYST, ADMIN, QA, TEL})
PUBLIC = EVERYONE | {ANONYMOUS}
PORTFOLIO = frozenset({J, S, SUP, LEGAL, COMPLIANCE})  # portfolio.view
COLLECTORS = frozenset({J, S, SUP})  # collection.call (a junior: the cases of their pool, TEAM-3)
PROPOSERS = frozenset({S, SUP})  # arrangements.propose_plan / propose_waiver
OUTBOX = frozenset({SUP, COMPLIANCE})  # notices.manage_outbox
RUNS = frozenset({SUP, ADMIN})  # engine.view_runs
TEMPLATES = frozenset({SUP, LEGAL, COMPLIANCE})  # notices.write_templates or review_templates
HOLDS = frozenset({SUP, LEGAL, COMPLIANCE})  # portfolio.manage_holds
COMPLAINTS = frozenset({SUP, COMPLIANCE})  # complaints.file and complaints.handle
AGENCY_REGISTRY = frozenset({SUP, ADMIN})  # the agencies and their eligibility (AGY-1): placing and keeping
# The agencies' commission statements (LGL-2, KPI-2): supervisors (masked borrowers), readers of reports (analysts,
# compliance: figures only) and an agency's own users (their agency only: the demo site's agency user's own code).
COMMISSIONS = frozenset({SUP, COMPLIANCE, ANALYST, AGENCY})
AUDITORS = frozenset({SUP, COMPLIANCE})  # agencies.audit (AGY-3): never an agency's own users
LITIGATION = frozenset({SUP, LEGAL})  # legal.view_litigation (legal officers also keep it: legal.keep_litigation)
LISTENERS = frozenset({SUP, COMPLIANCE, QA})  # quality.listen (QA-1): never collectors nor agencies
PLATFORM = frozenset({TEL})  # quality.telephony: the call platform's (CTI) service account
REVIEWERS = frozenset({COMPLIANCE, QA})  # quality.review (QA-1): they read transcripts, confirm or override
QUALITY_SCORES = frozenset({SUP, COMPLIANCE, QA})  # quality.view_scores (QA-2)
# The demo site's case S01 (DPD 45, moderate) is in the junior pool: every collector may open it; legal and
# compliance officers read every case, read-only (collection.read_all_cases: they investigate complaints and
# prepare litigation).
CASE_READERS = COLLECTORS | {LEGAL, COMPLIANCE}
# S01 is also placed with the agency user's agency (LGL-2): the agency user opens its case page and the queue of
# placed cases, records calls (web and API) and sends letters on it — and nothing else of the book.
PLACED_CASE_READERS = CASE_READERS | {AGENCY}
PLACED_CASE_CALLERS = COLLECTORS | {AGENCY}


@dataclass(frozen=True)
class Page:
    route: str
    roles: frozenset
    url: str
    method: str = "GET"
    query: tuple[str, ...] = ()
    form: dict[str, str] = field(default_factory=dict)
    numbers: tuple[str, ...] = ()
    json: dict | None = None
