"""Roles and the permissions each one is granted by default.

These defaults are seeded into the database by a data migration (`accounts/migrations/0002_seed_roles.py`,
a frozen copy; a test checks the seeded grants equal this table, so a change here needs a new data migration).
Administrators may then edit a role's grants in the admin; every edit is an audited event. The reasoning, role
by role (least privilege: each role gets what its work in DESIGN.md needs and nothing "just in case"):

- **junior collector** (初级催收专员, AUTH-1: "phone reminders and letters only"): sees the portfolio masked,
  calls and sends letters. Also exact search by full phone/ID number: an inbound call from a borrower must be
  matched to a record, the result stays masked and every such search is audited (PRV-1). No unmask.
- **senior collector** (高级催收专员, AUTH-2): the junior's grants plus proposing plans and waivers, which a
  supervisor approves.
- **supervisor** (催收主管, AUTH-2/3): the senior's grants plus approving plans and waivers, reassigning cases,
  deciding agency placement (placing and recalling cases) or litigation, auditing agencies (AGY-3), listening to
  call recordings (QA-1), the monthly quality scores (QA-2) (and proposing a write-off, or approving another supervisor's:
  maker-checker), seeing litigation cases and their files, holds, unmasking one field with a reason (PRV-1), and reports;
  the monthly review (REV-1): prepares the pack again, edits its commentary and typical cases, keeps the meeting's
  action items and approves it (`reports.prepare_review`, `reports.review`); replays past nights under a
  candidate policy (`reports.whatif`, `arrears whatif`) and starts and stops champion/challenger experiments
  (`reports.experiment`); drafts notice and script templates for legal review (LANG-2) and looks after the
  notices outbox (failed and unconfirmed sends, print batches); files and handles complaints (CMP-1, CMP-2). That the approver is not the proposer (maker-checker) is the approval action's
  rule, not a missing grant.
- **legal officer**: litigation files need the debtor's identity and address, so view, exact search and unmask;
  reads any collection case, read-only (`collection.read_all_cases`: preparing litigation means reading the
  case's history; no call, letter or plan);
  places and releases (legal) holds; approves or rejects notice and script templates (LANG-2's legal review);
  keeps the litigation file and records the court stages and legal costs (LIT-1, LIT-2).
  Deciding litigation stays with supervisors (AUTH-3).
- **compliance officer**: reads and verifies the audit ledger; investigates complaints (CMP-*), hence view,
  exact search, unmask and holds (a complaint may pause collection), and reads any case read-only; quality and complaint reports; audits agencies and records their violations
  (AGY-3); listens to call recordings and reviews inspected calls (QA-1), sees the quality scores (QA-2); keeps the prohibited phrases (LANG-1), writes and reviews templates (never approving a version of their own), and
  looks after the notices outbox. Files complaints taken at the hotline or a branch and handles the complaint
  queues (CMP-1, CMP-2).
- **agency user** (external): only the cases placed with their own agency while the placement lasts (AGY-*,
  LGL-2), minimum personal data: not `portfolio.view`, which would open the whole book. Records calls and sends
  letters on those cases through the bank's forms (AGY-2: the same script, language check and contact limits).
- **analyst**: reports only, no personal data: not even masked borrower pages; and the policy what-if
  (`reports.whatif`: past nights replayed under a candidate policy, counts only).
- **administrator**: users, roles, teams and agencies; policy versions and the calendar; the core-banking
  import; reads the audit ledger (to answer "who changed what"); enters and imports the collection costs arrears
  cannot know by itself — staff, telephony, other, per team and month (KPI-2; figures, no borrower). No
  portfolio access: running the system does not need seeing borrowers — and the role editor refuses to add any
  of `USER_ADMIN_INCOMPATIBLE` to a role that manages users (separation of duties,
  `accounts.actions.validate_role_grants`).
- **QA reviewer** (质检员, QA-1): listens to call recordings (each play an audited read), reviews the inspected
  calls of the review queue (confirming or overriding each finding; reading a transcript is an audited read) and
  sees the monthly quality scores (QA-2). No portfolio access: a recording is reached from the call it belongs
  to, never by browsing borrowers.
- **call platform** (话务平台, CALL-3, QA-1): the role of the bank's telephony (CTI) service account, whose token
  reports calls started and ended (the duration the system measured) and uploads their recordings. Its
  `accounts.sign_in` is what lets its token in (`api.auth`); it opens nothing of the book.
- **system** (the nightly run, user `nightly-run`): imports the feed, runs the daily batch, places and releases
  holds the feed or the run decides, and dispatches the notices outbox (`arrears dispatch`); imports the call
  platform's recordings from a directory (`arrears qa import-recordings`); prepares the monthly review pack on the
  month's first working day (`reports.prepare_review`; approving it is a supervisor's); imports a file of
  collection costs (`arrears costs import`, e.g. a scheduled import of the payroll's and the telephone bills'
  figures, KPI-2); runs a policy what-if from the command line (`arrears whatif`, `reports.whatif`: it reads, never
  writes). It cannot sign in (no `accounts.sign_in`, unusable password).

Every human role has `accounts.sign_in`; a user without a role, or whose role lost it, cannot sign in, and a
session ends on its next request.
"""

from __future__ import annotations

from enum import StrEnum

from arrears.accounts.permissions import Perm


class RoleCode(StrEnum):
    JUNIOR_COLLECTOR = "junior_collector"
    SENIOR_COLLECTOR = "senior_collector"
    SUPERVISOR = "supervisor"
    LEGAL_OFFICER = "legal_officer"
    COMPLIANCE_OFFICER = "compliance_officer"
    AGENCY_USER = "agency_user"
    ANALYST = "analyst"
    ADMINISTRATOR = "administrator"
    QA_REVIEWER = "qa_reviewer"
    TELEPHONY = "telephony"
    SYSTEM = "system"


SYSTEM_USERNAME = "nightly-run"

_JUNIOR = frozenset({Perm.SIGN_IN, Perm.VIEW_PORTFOLIO, Perm.SEARCH_EXACT, Perm.CALL, Perm.SEND_LETTER})
_SENIOR = _JUNIOR | {Perm.PROPOSE_PLAN, Perm.PROPOSE_WAIVER}

ROLE_PERMISSIONS: dict[RoleCode, frozenset[Perm]] = {
    RoleCode.JUNIOR_COLLECTOR: _JUNIOR,
    RoleCode.SENIOR_COLLECTOR: _SENIOR,
    RoleCode.SUPERVISOR: _SENIOR
    | {
        Perm.APPROVE,
        Perm.REASSIGN,
        Perm.DECIDE_ESCALATION,
        Perm.APPROVE_WRITE_OFF,
        Perm.VIEW_LITIGATION,
        Perm.AUDIT_AGENCIES,
        Perm.MANAGE_HOLDS,
        Perm.UNMASK,
        Perm.VIEW_REPORTS,
        Perm.VIEW_RUNS,
        Perm.WRITE_TEMPLATES,
        Perm.MANAGE_OUTBOX,
        Perm.FILE_COMPLAINT,
        Perm.HANDLE_COMPLAINTS,
        Perm.LISTEN_RECORDINGS,
        Perm.VIEW_QUALITY,
        Perm.PREPARE_REVIEW,
        Perm.REVIEW_MONTH,
        Perm.RUN_WHATIF,
        Perm.RUN_EXPERIMENT,
    },
    RoleCode.LEGAL_OFFICER: frozenset(
        {
            Perm.SIGN_IN,
            Perm.VIEW_PORTFOLIO,
            Perm.SEARCH_EXACT,
            Perm.UNMASK,
            Perm.MANAGE_HOLDS,
            Perm.REVIEW_TEMPLATES,
            Perm.READ_ALL_CASES,
            Perm.VIEW_LITIGATION,
            Perm.KEEP_LITIGATION,
        }
    ),
    RoleCode.COMPLIANCE_OFFICER: frozenset(
        {
            Perm.SIGN_IN,
            Perm.VIEW_PORTFOLIO,
            Perm.SEARCH_EXACT,
            Perm.UNMASK,
            Perm.MANAGE_HOLDS,
            Perm.READ_ALL_CASES,
            Perm.VIEW_AUDIT,
            Perm.VERIFY_AUDIT,
            Perm.VIEW_REPORTS,
            Perm.MANAGE_PHRASES,
            Perm.WRITE_TEMPLATES,
            Perm.REVIEW_TEMPLATES,
            Perm.MANAGE_OUTBOX,
            Perm.FILE_COMPLAINT,
            Perm.HANDLE_COMPLAINTS,
            Perm.AUDIT_AGENCIES,
            Perm.LISTEN_RECORDINGS,
            Perm.REVIEW_CALLS,
            Perm.VIEW_QUALITY,
        }
    ),
    RoleCode.AGENCY_USER: frozenset({Perm.SIGN_IN, Perm.VIEW_AGENCY_CASES, Perm.CALL, Perm.SEND_LETTER}),
    RoleCode.ANALYST: frozenset({Perm.SIGN_IN, Perm.VIEW_REPORTS, Perm.RUN_WHATIF}),
    RoleCode.ADMINISTRATOR: frozenset(
        {
            Perm.SIGN_IN,
            Perm.MANAGE_USERS,
            Perm.MANAGE_POLICY,
            Perm.MANAGE_CALENDAR,
            Perm.IMPORT_FEED,
            Perm.VIEW_AUDIT,
            Perm.VIEW_RUNS,
            Perm.ENTER_COSTS,
        }
    ),
    RoleCode.QA_REVIEWER: frozenset({Perm.SIGN_IN, Perm.LISTEN_RECORDINGS, Perm.REVIEW_CALLS, Perm.VIEW_QUALITY}),
    RoleCode.TELEPHONY: frozenset({Perm.SIGN_IN, Perm.TELEPHONY}),
    RoleCode.SYSTEM: frozenset(
        {
            Perm.IMPORT_FEED,
            Perm.RUN_DAILY,
            Perm.MANAGE_HOLDS,
            Perm.DISPATCH,
            Perm.PURGE_EXPIRED,
            Perm.FILE_COMPLAINT,
            Perm.TELEPHONY,
            Perm.PREPARE_REVIEW,
            Perm.ENTER_COSTS,
            Perm.RUN_WHATIF,
        }
    ),
}

# Display names (zh-Hans, the interface's first language); administrators may rename roles in the admin.
ROLE_NAMES: dict[RoleCode, str] = {
    RoleCode.JUNIOR_COLLECTOR: "初级催收专员",
    RoleCode.SENIOR_COLLECTOR: "高级催收专员",
    RoleCode.SUPERVISOR: "催收主管",
    RoleCode.LEGAL_OFFICER: "法务专员",
    RoleCode.COMPLIANCE_OFFICER: "合规专员",
    RoleCode.AGENCY_USER: "委外机构用户",
    RoleCode.ANALYST: "数据分析员",
    RoleCode.ADMINISTRATOR: "系统管理员",
    RoleCode.QA_REVIEWER: "质检员",
    RoleCode.TELEPHONY: "话务平台（系统）",
    RoleCode.SYSTEM: "日终批处理（系统）",
}
ROLE_NAMES_EN: dict[RoleCode, str] = {
    RoleCode.JUNIOR_COLLECTOR: "junior collector",
    RoleCode.SENIOR_COLLECTOR: "senior collector",
    RoleCode.SUPERVISOR: "supervisor",
    RoleCode.LEGAL_OFFICER: "legal officer",
    RoleCode.COMPLIANCE_OFFICER: "compliance officer",
    RoleCode.AGENCY_USER: "agency user",
    RoleCode.ANALYST: "analyst",
    RoleCode.ADMINISTRATOR: "administrator",
    RoleCode.QA_REVIEWER: "QA reviewer",
    RoleCode.TELEPHONY: "call platform (system)",
    RoleCode.SYSTEM: "nightly run (system)",
}


def role_label(code: str) -> str:
    """A role's name in the active language (pages never show the code); a code this version does not know is
    shown as it is."""
    from django.utils.translation import get_language

    names = ROLE_NAMES if (get_language() or "").startswith("zh") else ROLE_NAMES_EN
    return names.get(code, code)  # type: ignore[call-overload]
