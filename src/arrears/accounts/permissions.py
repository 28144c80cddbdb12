"""Permissions as data: stable codes, what each lets a person do, and the one question `has_perm(user, perm)`.

A permission is a code like `portfolio.unmask`. Codes are stored in the database (a role's grants) and in the
audit ledger (the basis of every event, AUTH-4), so a code is never renamed: a new meaning is a new code.
Roles grant permissions (`arrears.accounts.roles` holds the defaults; administrators edit them in the admin);
a user has exactly the permissions of their role while active. Anything not granted is refused (deny by
default): no role, an inactive account, or a code the role lacks all answer False.

Django's own permission strings (`accounts.change_user`, used by the admin) are derived from these in
`arrears.accounts.backends`; Django groups, per-user permissions and `is_superuser` grant nothing here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arrears.accounts.models import User


class Perm(StrEnum):
    SIGN_IN = "accounts.sign_in"
    VIEW_PORTFOLIO = "portfolio.view"
    UNMASK = "portfolio.unmask"
    SEARCH_EXACT = "portfolio.search_exact"
    IMPORT_FEED = "portfolio.import_feed"
    MANAGE_HOLDS = "portfolio.manage_holds"
    VIEW_AGENCY_CASES = "portfolio.view_agency_cases"
    READ_ALL_CASES = "collection.read_all_cases"
    MANAGE_POLICY = "rules.manage_policy"
    MANAGE_CALENDAR = "rules.manage_calendar"
    VIEW_AUDIT = "compliance.view_audit"
    VERIFY_AUDIT = "compliance.verify_audit"
    MANAGE_PHRASES = "compliance.manage_phrases"
    MANAGE_USERS = "accounts.manage_users"
    VIEW_REPORTS = "reports.view"
    REVIEW_MONTH = "reports.review"
    PREPARE_REVIEW = "reports.prepare_review"
    ENTER_COSTS = "reports.enter_costs"
    RUN_WHATIF = "reports.whatif"
    RUN_EXPERIMENT = "reports.experiment"
    CALL = "collection.call"
    SEND_LETTER = "collection.send_letter"
    REASSIGN = "collection.reassign"
    PROPOSE_PLAN = "arrangements.propose_plan"
    PROPOSE_WAIVER = "arrangements.propose_waiver"
    APPROVE = "arrangements.approve"
    DECIDE_ESCALATION = "legal.decide_escalation"
    APPROVE_WRITE_OFF = "legal.approve_write_off"
    VIEW_LITIGATION = "legal.view_litigation"
    KEEP_LITIGATION = "legal.keep_litigation"
    RUN_DAILY = "engine.run_daily"
    VIEW_RUNS = "engine.view_runs"
    WRITE_TEMPLATES = "notices.write_templates"
    REVIEW_TEMPLATES = "notices.review_templates"
    DISPATCH = "notices.dispatch"
    MANAGE_OUTBOX = "notices.manage_outbox"
    PURGE_EXPIRED = "compliance.purge_expired"
    FILE_COMPLAINT = "complaints.file"
    HANDLE_COMPLAINTS = "complaints.handle"
    AUDIT_AGENCIES = "agencies.audit"
    TELEPHONY = "quality.telephony"
    LISTEN_RECORDINGS = "quality.listen"
    REVIEW_CALLS = "quality.review"
    VIEW_QUALITY = "quality.view_scores"

    @property
    def description(self) -> str:
        return PERM_TEXT[self][0]

    @property
    def label_zh(self) -> str:
        return PERM_TEXT[self][1]

    def text(self) -> str:
        """What the permission allows, in the active language (zh-Hans label, else the English description)."""
        from django.utils.translation import get_language

        return self.label_zh if (get_language() or "").startswith("zh") else self.description


# (English description, zh-Hans label) of each permission; shown in the role editor and in refusals.
PERM_TEXT: dict[Perm, tuple[str, str]] = {
    Perm.SIGN_IN: ("sign in to the workstation", "登录工作台"),
    Perm.VIEW_PORTFOLIO: ("see borrowers and loans, personal data masked", "查看借款人与贷款（脱敏）"),
    Perm.UNMASK: ("unmask one field of one borrower, with a reason (PRV-1)", "查看单个敏感字段原文（须填写原因）"),
    Perm.SEARCH_EXACT: ("search by a full phone or ID number", "按完整手机号或证件号查找"),
    Perm.IMPORT_FEED: ("import the core-banking feed", "导入核心系统数据"),
    Perm.MANAGE_HOLDS: ("place and release holds on collection", "设置与解除暂停催收"),
    Perm.VIEW_AGENCY_CASES: ("see only the cases placed with one's own agency", "查看本机构受托案件"),
    Perm.READ_ALL_CASES: (
        "read any collection case, read-only (complaints, litigation)",
        "查阅全部催收案件（只读，用于投诉调查与诉讼准备）",
    ),
    Perm.MANAGE_POLICY: ("add collection policy versions", "维护催收政策版本"),
    Perm.MANAGE_CALENDAR: ("add working-day calendar years", "维护工作日日历"),
    Perm.VIEW_AUDIT: ("read the audit ledger", "查阅审计日志"),
    Perm.VERIFY_AUDIT: ("verify the audit ledger's hash chain", "校验审计日志哈希链"),
    Perm.MANAGE_PHRASES: ("edit the list of prohibited phrases (LANG-1)", "维护禁用语清单"),
    Perm.MANAGE_USERS: ("manage users, roles, teams and agencies", "管理用户、角色、团队与委外机构"),
    Perm.VIEW_REPORTS: ("see reports and KPIs, no personal data", "查看报表与指标（不含个人信息）"),
    Perm.REVIEW_MONTH: (
        "edit the monthly review pack (commentary, typical cases, action items) and approve it (REV-1)",
        "编辑月度回顾材料（评述、典型案例、待办事项）并审批",
    ),
    Perm.PREPARE_REVIEW: (
        "prepare the monthly review pack's figures and proposed cases (REV-1)",
        "生成月度回顾材料的指标与建议案例",
    ),
    Perm.ENTER_COSTS: (
        "enter and import the collection costs arrears cannot know: staff, telephony, other (KPI-2)",
        "录入与导入系统无法获知的催收成本：人力、通讯及其他",
    ),
    Perm.RUN_WHATIF: (
        "replay past nights under a candidate policy beside the policy in force (what-if; counts, no personal data)",
        "以候选政策回放历史日终批处理并与现行政策对比（假设分析；仅统计数，不含个人信息）",
    ),
    Perm.RUN_EXPERIMENT: (
        "start and stop champion/challenger experiments (a strategy tried on a share of new cases)",
        "启动与停止冠军/挑战者试验（在一部分新案件上试行某一策略）",
    ),
    Perm.CALL: ("make and record collection calls (AUTH-1)", "拨打并记录催收电话"),
    Perm.SEND_LETTER: ("send formal overdue notices (AUTH-1)", "发送逾期通知书"),
    Perm.REASSIGN: ("reassign cases between collectors", "调配案件"),
    Perm.PROPOSE_PLAN: ("propose instalment plans (AUTH-2)", "提出分期还款方案"),
    Perm.PROPOSE_WAIVER: ("propose penalty waivers (AUTH-2)", "提出罚息减免"),
    Perm.APPROVE: ("approve plans and waivers (AUTH-2, AUTH-3)", "审批还款方案与减免"),
    Perm.DECIDE_ESCALATION: ("decide outsourcing to an agency or litigation (AUTH-3)", "决定委外或诉讼"),
    Perm.APPROVE_WRITE_OFF: (
        "approve a write-off another supervisor proposed (maker-checker)",
        "审批其他主管提出的核销申请",
    ),
    Perm.VIEW_LITIGATION: (
        "see litigation cases, their court stages and files (LIT-1, LIT-2)",
        "查看诉讼案件、诉讼阶段与诉讼材料",
    ),
    Perm.KEEP_LITIGATION: (
        "build litigation files, record court stages and legal costs (LIT-1, LIT-2)",
        "制作诉讼材料、登记诉讼阶段与法律费用",
    ),
    Perm.RUN_DAILY: ("run the nightly batch for a business date", "执行日终批处理"),
    Perm.VIEW_RUNS: ("see the nightly runs and their reports", "查看日终批处理记录与报告"),
    Perm.WRITE_TEMPLATES: ("write notice and script templates for legal review", "撰写通知与话术模板（送法务审核）"),
    Perm.REVIEW_TEMPLATES: ("approve or reject templates in legal review (LANG-2)", "审核通知与话术模板"),
    Perm.DISPATCH: ("send queued notices through the channels", "发送待发通知"),
    Perm.MANAGE_OUTBOX: (
        "retry failed notices, settle unconfirmed ones, make print batches",
        "处理失败与未确认通知、生成打印批次",
    ),
    Perm.PURGE_EXPIRED: (
        "delete or anonymise what is past its retention period (the daily purge)",
        "清理超过保存期限的资料（删除或匿名化）",
    ),
    Perm.FILE_COMPLAINT: ("file a collection complaint (CMP-1)", "登记催收投诉"),
    Perm.HANDLE_COMPLAINTS: (
        "see the complaint queues, match complaints to borrowers, record responses (CMP-2)",
        "查看投诉队列、匹配借款人、记录首次回复",
    ),
    Perm.AUDIT_AGENCIES: (
        "audit agencies' collection and reports, record their violations (AGY-3)",
        "审查委外机构的催收记录与报告、登记违规",
    ),
    Perm.TELEPHONY: (
        "report the call platform's call events and store call recordings (CALL-3, QA-1)",
        "上报话务平台的通话事件并存储通话录音",
    ),
    Perm.LISTEN_RECORDINGS: (
        "listen to call recordings, each play recorded (QA-1, PRV-1)",
        "收听通话录音（每次收听均留痕）",
    ),
    Perm.REVIEW_CALLS: (
        "review inspected calls: read their transcripts, confirm or override each finding (QA-1)",
        "复核自动质检的通话：查看通话文本，逐项确认或驳回质检发现",
    ),
    Perm.VIEW_QUALITY: (
        "see the monthly quality scores of collectors and agencies (QA-2)",
        "查看催收员与委外机构的月度质检得分",
    ),
}

# Django admin models and the permission that gives full model rights on them (each ModelAdmin may still
# refuse add/change/delete, e.g. the audit ledger is view-only). Apps that register admin models add theirs.
ADMIN_MODEL_GRANTS: dict[str, Perm] = {
    "accounts.user": Perm.MANAGE_USERS,
    "accounts.role": Perm.MANAGE_USERS,
    "accounts.team": Perm.MANAGE_USERS,
    "accounts.agency": Perm.MANAGE_USERS,
    "accounts.servicetoken": Perm.MANAGE_USERS,
    "axes.accessattempt": Perm.MANAGE_USERS,
    "axes.accessfailurelog": Perm.MANAGE_USERS,
    "axes.accesslog": Perm.MANAGE_USERS,
    "compliance.auditevent": Perm.VIEW_AUDIT,
    "compliance.changerecord": Perm.VIEW_AUDIT,
}

# A user whose role grants one of these may open the Django admin (`User.is_staff` is derived from it).
BACKOFFICE_PERMS: frozenset[Perm] = frozenset(
    {Perm.MANAGE_USERS, Perm.VIEW_AUDIT, Perm.MANAGE_POLICY, Perm.MANAGE_CALENDAR, *ADMIN_MODEL_GRANTS.values()}
)

# Separation of duties: a role that manages users and roles (the administrator) never also holds these. With
# them, whoever decides who may do what could also read borrowers' personal data or act on their debts — and
# could grant themselves the means to do it unseen. The set is every permission that opens the portfolio
# (masked or not, exact search, holds, agency cases), every collection and arrangement act on a borrower (calls,
# letters, reassigning, plans, waivers, approvals, escalation, reading all cases) and the notices that contact
# borrowers (dispatching, the outbox), and the call recordings (storing them, listening to them). Importing the
# feed stays with administrators: it loads data, it shows none.
USER_ADMIN_INCOMPATIBLE: frozenset[Perm] = frozenset(
    {
        Perm.VIEW_PORTFOLIO,
        Perm.UNMASK,
        Perm.SEARCH_EXACT,
        Perm.MANAGE_HOLDS,
        Perm.VIEW_AGENCY_CASES,
        Perm.READ_ALL_CASES,
        Perm.CALL,
        Perm.SEND_LETTER,
        Perm.REASSIGN,
        Perm.PROPOSE_PLAN,
        Perm.PROPOSE_WAIVER,
        Perm.APPROVE,
        Perm.DECIDE_ESCALATION,
        Perm.APPROVE_WRITE_OFF,
        Perm.VIEW_LITIGATION,
        Perm.KEEP_LITIGATION,
        Perm.AUDIT_AGENCIES,
        Perm.DISPATCH,
        Perm.MANAGE_OUTBOX,
        Perm.FILE_COMPLAINT,
        Perm.HANDLE_COMPLAINTS,
        Perm.TELEPHONY,
        Perm.LISTEN_RECORDINGS,
        Perm.REVIEW_CALLS,
    }
)

_GRANTS_CACHE = "_arrears_grants"


def granted_permissions(user: User | Any) -> frozenset[Perm]:
    """What this user may do now: their role's grants if the account is active, else nothing.

    One query per user object (cached on it, keyed by role): a request loads its user afresh, so a change of
    role or of a role's grants takes effect on the user's next request. Codes in the database that this
    version no longer knows are ignored (refused), never guessed.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    role_id = getattr(user, "role_id", None)
    if role_id is None:
        return frozenset()
    cached = getattr(user, _GRANTS_CACHE, None)
    if cached is not None and cached[0] == role_id:
        return cached[1]
    from arrears.accounts.models import RolePermission

    known = set(Perm)
    codes = RolePermission.objects.filter(role_id=role_id).values_list("code", flat=True)
    grants = frozenset(Perm(code) for code in codes if code in known)
    setattr(user, _GRANTS_CACHE, (role_id, grants))
    return grants


def forget_permissions(user: User | Any) -> None:
    """Drop the cached grants of this user object (after its role or its role's grants changed)."""
    if hasattr(user, _GRANTS_CACHE):
        delattr(user, _GRANTS_CACHE)


def has_perm(user: User | Any, perm: Perm | str) -> bool:
    """True when `user` is an active account whose role grants `perm`. An unknown code is a programming
    error (ValueError), not a refusal."""
    return Perm(perm) in granted_permissions(user)
