"""Every URL pattern of the site with who may use it — the role × URL matrix — and what it reads from a request.

One `Page` per URL pattern (the route exactly as `django.urls.get_resolver()` lists it). A new URL pattern
without a line here fails `tests/compliance/test_url_matrix.py`; adding one is one line, e.g.

    Page("holds/", MANAGE_HOLDS_ROLES, "/holds/", query=("page",)),

`roles`: the roles allowed (AUTH-1..4; the grants of `arrears.accounts.roles`, written out here so that a wrong
grant or a missing check in a view is caught, not copied). `url`: the pattern filled in with the demo site's
objects (`tests/demo_site.py`: `{case_id}` and the like). `method`: what the matrix sends ("GET" pages, "POST"
forms-only endpoints). `query`: the query parameters the view reads; `form`: the fields it reads from a POST with
a valid value each; `numbers`: those of them parsed as a number, a date or an id (the bad-input fuzz checks a bad
value there changes nothing); `json`: an API endpoint's body. What a page or file may show of personal data is
`ALLOWED` in tests/compliance/test_leak_scan.py (nothing, unless named there).
"""

from __future__ import annotations

import io
import wave

from site_roles import (  # noqa: F401 (re-exported: the tests import the role sets from here)
    ADMIN,
    AGENCY,
    AGENCY_REGISTRY,
    ANALYST,
    ANONYMOUS,
    AUDITORS,
    CASE_READERS,
    COLLECTORS,
    COMMISSIONS,
    COMPLAINTS,
    COMPLIANCE,
    EVERYONE,
    HOLDS,
    LEGAL,
    LISTENERS,
    LITIGATION,
    OUTBOX,
    PLACED_CASE_CALLERS,
    PLACED_CASE_READERS,
    PLATFORM,
    PORTFOLIO,
    PROPOSERS,
    PUBLIC,
    QA,
    QUALITY_SCORES,
    REVIEWERS,
    RUNS,
    SUP,
    TEL,
    TEMPLATES,
    J,
    Page,
    S,
)
from site_urls_reports import REPORT_PAGES

CALL_FORM = {
    "outcome": "no_answer",
    "duration_seconds": "0",
    "next_action": "call",
    "next_follow_up_on": "2026-03-25",
    "promise_amount": "",
    "promise_due_on": "",
    "note": "无人接听",
    "contact": "",
    "party": "borrower",
}
MEANS = {"income": "10000", "expenses": "3000", "debts": "500"}


class RecordingUpload(io.BytesIO):
    """A WAV of silence as a multipart file field, read whole each time the test client sends it (one object
    serves every role of the matrix)."""

    name = "call.wav"

    def read(self, size: int | None = -1) -> bytes:
        return self.getvalue() if size is None or size < 0 else super().read(size)


def _silence() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    return buffer.getvalue()


WAV = _silence()
# The call platform reports a call started on S01 (CALL-3); the demo's call platform account sends it.
TELEPHONY_EVENT = {
    "event": "call.started",
    "platform_call_id": "CTI-SITE-0001",
    "at": "2026-03-20T10:00:00+08:00",
    "agent": "site-junior_collector",
    "number": "13912340001",
    "case": "{case_id}",
}
# The API's call record: S01 is in the second stage (DPD 45), so a reached borrower hears the consequences and
# the obstacle is recorded, and the follow-up falls 5–7 days ahead (CALL-4).
CALL_JSON = {"outcome": "no_answer", "duration_seconds": 0, "next_action": "call", "next_follow_up_on": "2026-03-25"}
PROMISE_JSON = {
    "duration_seconds": 120,
    "greeted": True,
    "purpose_stated": True,
    "identity_verified": True,
    "facts_stated": True,
    "consequences_stated": True,
    "ability_asked": True,
    "suggestion": "full",
    "attitude": "cooperative",
    "obstacle": "none",
    "note": "承诺月底还款",
    "next_action": "call",
    "next_follow_up_on": "2026-03-26",
    "amount": "500.00",
    "due_on": "2026-03-25",
}


PAGES = [
    Page("", EVERYONE, "/"),  # the start page: anyone signed in; no one else (sent to sign in)
    Page("healthz", PUBLIC, "/healthz"),  # liveness and readiness (home/health.py): JSON, no personal data
    Page("readyz", PUBLIC, "/readyz"),
    Page("policy/", PUBLIC, "/policy/", query=("on",), numbers=("on",)),
    Page("login/", PUBLIC, "/login/", form={"username": "someone", "password": "wrong"}),
    Page("logout/", PUBLIC, "/logout/", method="POST"),
    Page("i18n/setlang/", PUBLIC, "/i18n/setlang/", method="POST", form={"language": "en", "next": "/"}),
    # The form: the search by name (the exact search by number when `number` is filled in instead).
    Page(
        "borrowers/",
        PORTFOLIO,
        "/borrowers/",
        query=("q", "sort", "page", "format"),
        form={"number": "", "name": "欧阳"},
    ),
    Page("borrowers/<str:external_id>/", PORTFOLIO, "/borrowers/{external_id}/"),
    Page(
        "borrowers/<str:external_id>/unmask/",
        frozenset({SUP, LEGAL, COMPLIANCE}),
        "/borrowers/{external_id}/unmask/",
        method="POST",
        form={"field": "mobile", "reason": "核实来电"},
    ),
    Page("loans/<str:external_id>/", PORTFOLIO, "/loans/{loan_external_id}/"),
    Page(
        "borrowers/<str:external_id>/holds/",
        HOLDS,
        "/borrowers/{external_id}/holds/",
        method="POST",
        form={"kind": "complaint", "loan": "", "starts_on": "2026-03-20", "ends_on": "", "reason": "投诉调查中"},
        numbers=("starts_on", "ends_on"),
    ),
    Page("holds/<int:hold_id>/lift/", HOLDS, "/holds/{hold_id}/lift/", method="POST", form={"reason": "争议已解决"}),
    Page(
        "holds/<int:hold_id>/extend/",
        HOLDS,
        "/holds/{ending_hold_id}/extend/",
        method="POST",
        form={"until": "2026-05-20", "reason": "投诉调查延期"},
        numbers=("until",),
    ),
    Page("password/", EVERYONE, "/password/"),
    Page("runs/", RUNS, "/runs/", query=("format",)),
    Page("runs/<str:business_date>/", RUNS, "/runs/{business_date}/"),
    Page("runs/jobs/", RUNS, "/runs/jobs/"),
    Page(
        "cases/",
        PLACED_CASE_READERS,
        "/cases/",
        query=("owner", "q", "class", "pool", "due", "work", "sort", "page", "format"),
    ),
    Page(
        "reminders/",
        COLLECTORS,
        "/reminders/",
        query=("sort", "format"),
        form={"task": "{task_id}", "duration_seconds": "30", "outcome": "no_answer", "note": ""},
        numbers=("task", "duration_seconds"),
    ),
    Page(
        "cases/reassign/",
        frozenset({SUP}),
        "/cases/reassign/?owner=none",
        method="POST",
        query=("owner", "q", "class", "pool", "due"),
        form={"to": "{junior_id}", "reason": "调整"},
        numbers=("to",),
    ),
    Page("cases/allocate/", frozenset({SUP}), "/cases/allocate/", method="POST"),
    Page("cases/<int:case_id>/", PLACED_CASE_READERS, "/cases/{case_id}/"),
    Page(
        "cases/<int:case_id>/call/",
        PLACED_CASE_CALLERS,
        "/cases/{case_id}/call/",
        query=("party", "contact", "inbound"),
        form=CALL_FORM,
        numbers=("duration_seconds", "promise_amount", "promise_due_on", "next_follow_up_on", "contact"),
    ),
    Page(
        "cases/<int:case_id>/reassign/",
        frozenset({SUP}),
        "/cases/{case_id}/reassign/",
        method="POST",
        form={"to": "{junior_id}", "reason": "调整"},
        numbers=("to",),
    ),
    Page(
        "cases/<int:case_id>/letters/",
        PLACED_CASE_CALLERS,
        "/cases/{case_id}/letters/",
        method="POST",
        form={"channel": "post", "addition": ""},
    ),
    Page(
        "letters/<int:letter_id>.pdf",
        PROPOSERS | {LEGAL, COMPLIANCE},  # on S03 (DPD 75): a senior pool's case, not a junior's (TEAM-3)
        "/letters/{letter_id}.pdf",
    ),
    Page("approvals/", frozenset({SUP}), "/approvals/", query=("format",)),
    Page(
        "cases/<int:case_id>/plan/",
        PROPOSERS,
        "/cases/{case_id}/plan/",
        form={**MEANS, "instalments": "6", "note": "收入稳定"},
        numbers=("income", "expenses", "debts", "instalments"),
    ),
    Page(
        "cases/<int:case_id>/waivers/",
        PROPOSERS,
        "/cases/{waiver_case_id}/waivers/",
        method="POST",
        form={"loan": "{waiver_loan_id}", "amount": "0.10", "note": "首次逾期"},
        numbers=("loan", "amount"),
    ),
    Page("plans/<int:plan_id>/", CASE_READERS, "/plans/{plan_id}/"),
    Page(
        "plans/<int:plan_id>/decide/",
        frozenset({SUP}),
        "/plans/{proposed_plan_id}/decide/",
        method="POST",
        form={"decision": "reject", "reason": "收入存疑"},
    ),
    Page(
        "plans/<int:plan_id>/sign/",
        PROPOSERS,
        "/plans/{plan_id}/sign/",
        method="POST",
        form={"signed_on": "2026-03-20"},
        numbers=("signed_on",),
    ),
    Page(
        "plans/<int:plan_id>/withdraw/",
        PROPOSERS,
        "/plans/{proposed_plan_id}/withdraw/",
        method="POST",
        form={"reason": "借款人撤回"},
    ),
    Page(
        "plans/<int:plan_id>/agreement.pdf",
        CASE_READERS,
        "/plans/{plan_id}/agreement.pdf",
    ),
    Page("plans/<int:plan_id>/signed", CASE_READERS, "/plans/{plan_id}/signed"),
    Page(
        "waivers/<int:waiver_id>/decide/",
        frozenset({SUP}),
        "/waivers/{waiver_id}/decide/",
        method="POST",
        form={"decision": "reject", "reason": "不符合条件"},
    ),
    Page(
        "compliance/phrases/",
        frozenset({COMPLIANCE}),
        "/compliance/phrases/",
        query=("try", "format"),
        form={
            "text": "上门 找你",
            "kind": "words",
            "category": "violence",
            "active": "on",
            "note": "",
            "reason": "新增",
        },
    ),
    Page("compliance/phrases/<int:pk>/", frozenset({COMPLIANCE}), "/compliance/phrases/{phrase_id}/"),
    Page(
        "compliance/phrases/<int:pk>/active/",
        frozenset({COMPLIANCE}),
        "/compliance/phrases/{phrase_id}/active/",
        method="POST",
        form={"active": "1"},
    ),
    Page("compliance/ledger/", frozenset({COMPLIANCE}), "/compliance/ledger/"),
    Page(
        "compliance/language-hits/",
        frozenset({COMPLIANCE}),
        "/compliance/language-hits/",
        query=("user", "page", "format"),
    ),
    Page("notices/", OUTBOX, "/notices/", query=("status", "page", "format")),
    Page(
        "notices/<int:pk>/decide/",
        OUTBOX,
        "/notices/{notice_id}/decide/",
        method="POST",
        form={"decision": "requeue", "reason": "重发", "status": "dead"},
    ),
    Page("notices/report/", OUTBOX | {ANALYST}, "/notices/report/", query=("on",), numbers=("on",)),
    Page("notices/print-batches/", OUTBOX, "/notices/print-batches/", query=("format",)),
    Page(
        "notices/print-batches/<int:pk>.<str:kind>",
        OUTBOX,
        "/notices/print-batches/{batch_id}.pdf",
    ),
    Page("notices/borrowers/<int:borrower_id>/", PORTFOLIO, "/notices/borrowers/{borrower_id}/", query=("format",)),
    # The gateway's receipt callback: no user signs in; without a configured secret every receipt is refused.
    Page("notices/sms/receipts/", frozenset(), "/notices/sms/receipts/", method="POST"),
    Page("notices/templates/", TEMPLATES, "/notices/templates/", query=("format",)),
    Page(
        "notices/templates/new/<str:purpose>/<str:language>/",
        frozenset({SUP, COMPLIANCE}),
        "/notices/templates/new/call_script/zh-hans/",
        form={"body": "您好，我是{{bank_name}}的{{collector}}。", "reason": "新版"},
    ),
    Page("notices/templates/<int:pk>/", TEMPLATES, "/notices/templates/{template_id}/"),
    Page(
        "notices/templates/<int:pk>/submit/",
        frozenset({SUP, COMPLIANCE}),
        "/notices/templates/{template_id}/submit/",
        method="POST",
        form={"reason": "送审"},
    ),
    Page(
        "notices/templates/<int:pk>/review/",
        frozenset({LEGAL, COMPLIANCE}),
        "/notices/templates/{template_id}/review/",
        method="POST",
        form={"decision": "reject", "note": "措辞", "reason": "措辞"},
    ),
    Page(
        "notices/templates/<int:pk>/retire/",
        frozenset({LEGAL, COMPLIANCE}),
        "/notices/templates/{template_id}/retire/",
        method="POST",
        form={"reason": "停用"},
    ),
    # The late stage (issue 18): the supervisors' escalation queue and decision (LGL-1, LGL-2, AUTH-3), write-offs
    # (maker–checker: S05's was proposed by another supervisor) and the recoveries after write-off.
    Page("legal/escalations/", frozenset({SUP}), "/legal/escalations/", query=("page", "format")),
    Page("agencies/", AGENCY_REGISTRY, "/agencies/"),
    # Placements (LGL-2, AUTH-3): supervisors place S04 (eligible under LGL-1) with the demo agency, recall S01's
    # placement, list them; the mandate opens for supervisors and for the placed agency's own users.
    Page("agencies/placements/", frozenset({SUP}), "/agencies/placements/"),
    Page(
        "agencies/cases/<int:case_id>/place/",
        frozenset({SUP}),
        "/agencies/cases/{escalation_case_id}/place/",
        method="POST",
        form={"agency": "{agency_code}", "days": "30", "reason": "三次联系未果"},
        numbers=("days",),
    ),
    Page(
        "agencies/placements/<int:placement_id>/recall/",
        frozenset({SUP}),
        "/agencies/placements/{placement_id}/recall/",
        method="POST",
        form={"reason": "supervisor", "note": "收回自办"},
    ),
    Page(
        "agencies/placements/<int:placement_id>/mandate.pdf",
        frozenset({SUP, AGENCY}),
        "/agencies/placements/{placement_id}/mandate.pdf",
    ),
    Page("agencies/commissions/", COMMISSIONS, "/agencies/commissions/"),
    Page(
        "agencies/<str:code>/commissions/<str:month>/",
        COMMISSIONS,
        "/agencies/{agency_code}/commissions/{commission_month}/",
    ),
    Page(
        "agencies/<str:code>/commissions/<str:month>.<str:kind>",
        COMMISSIONS,
        "/agencies/{agency_code}/commissions/{commission_month}.pdf",
    ),
    # AGY-3: the audits of agencies — the schedule, one audit, its forms and report, one agency's audits.
    Page("agencies/audits/", AUDITORS, "/agencies/audits/"),
    Page(
        "agencies/audits/open/",
        AUDITORS,
        "/agencies/audits/open/",
        method="POST",
        form={
            "agency": "{other_agency_code}",
            "period_start": "2026-02-20",
            "period_end": "2026-03-20",
            "sample_size": "20",
        },
        numbers=("period_start", "period_end", "sample_size"),
    ),
    Page("agencies/audits/<int:audit_id>/", AUDITORS, "/agencies/audits/{agency_audit_id}/"),
    Page(
        "agencies/audits/<int:audit_id>/report/", AUDITORS, "/agencies/audits/{agency_audit_id}/report/", method="POST"
    ),
    Page("agencies/audits/<int:audit_id>/report/file", AUDITORS, "/agencies/audits/{agency_audit_id}/report/file"),
    Page(
        "agencies/audits/<int:audit_id>/samples/<int:sample_id>/verdict/",
        AUDITORS,
        "/agencies/audits/{agency_audit_id}/samples/{audit_sample_id}/verdict/",
        method="POST",
        form={"verdict": "violation", "note": "催收语气不当"},
    ),
    Page(
        "agencies/audits/<int:audit_id>/violations/",
        AUDITORS,
        "/agencies/audits/{agency_audit_id}/violations/",
        method="POST",
        form={
            "sample": "{audit_sample_id}",
            "agent": "",
            "occurred_on": "",
            "description": "催收人员言语威胁",
            "rectification": "培训并复查录音",
            "rectification_due": "2099-12-31",
        },
        numbers=("sample", "occurred_on", "rectification_due"),
    ),
    Page(
        "agencies/audits/<int:audit_id>/close/",
        AUDITORS,
        "/agencies/audits/{agency_audit_id}/close/",
        method="POST",
        form={"findings": "抽查通话一次违规，已登记整改"},
    ),
    Page("agencies/<str:code>/audits/", AUDITORS, "/agencies/{agency_code}/audits/"),
    Page(
        "legal/cases/<int:case_id>/escalation/",
        frozenset({SUP}),
        "/legal/cases/{escalation_case_id}/escalation/",
        form={"decision": "continue", "reason": "借款人称下月有回款", "revisit_on": "2026-04-20"},
        numbers=("revisit_on",),
    ),
    Page("legal/write-offs/", frozenset({SUP}), "/legal/write-offs/", query=("page", "format")),
    Page(
        "legal/write-offs/<int:write_off_id>/decide/",
        frozenset({SUP}),
        "/legal/write-offs/{write_off_id}/decide/",
        method="POST",
        form={"decision": "reject", "note": "仍有还款可能"},
    ),
    Page("legal/write-offs/recoveries/", frozenset({SUP}), "/legal/write-offs/recoveries/", query=("page", "format")),
    # The REST API, version 1 (Issue 16). A service account's token of a role reaches exactly what the role's line
    # says, except the schema and the docs, which need a signed-in person (API_SESSION_ONLY;
    # tests/compliance/test_url_matrix.py checks the tokens too).
    Page("complaints/", COMPLAINTS, "/complaints/", query=("format",)),
    Page("complaints/triage/", COMPLAINTS, "/complaints/triage/"),
    Page("complaints/sla/", COMPLAINTS, "/complaints/sla/", query=("on", "format"), numbers=("on",)),
    Page(
        "complaints/new/",
        COMPLAINTS,
        "/complaints/new/",
        method="POST",
        form={
            "channel": "phone",
            "received_at": "2026-03-20T10:00",
            "mobile": "13900000000",
            "text": "催收人员态度恶劣",
        },
        numbers=("received_at",),
    ),
    Page("complaints/<int:complaint_id>/", COMPLAINTS, "/complaints/{complaint_id}/"),
    Page(
        "complaints/<int:complaint_id>/match/",
        COMPLAINTS,
        "/complaints/{unmatched_complaint_id}/match/",
        method="POST",
        form={"customer": "S02", "reason": "来电人核对了合同号"},
    ),
    Page(
        "complaints/<int:complaint_id>/respond/",
        COMPLAINTS,
        "/complaints/{complaint_id}/respond/",
        method="POST",
        form={"at": "2026-03-20T11:00", "note": "已回电致歉，正在调查"},
        numbers=("at",),
    ),
    Page(
        "complaints/<int:complaint_id>/acknowledge/",
        COMPLAINTS,
        "/complaints/{complaint_id}/acknowledge/",
        method="POST",
        form={"channel": "sms"},
    ),
    Page("complaints/violations/", COMPLAINTS, "/complaints/violations/", query=("format",)),
    Page(
        "complaints/violations/new/",
        COMPLAINTS,
        "/complaints/violations/new/",
        method="POST",
        form={
            "occurred_on": "2026-03-02",
            "responsible_user": "site-junior_collector",
            "description": "将借款人信息发至个人微信",
        },
        numbers=("occurred_on",),
    ),
    Page("complaints/<int:complaint_id>/investigation/", COMPLAINTS, "/complaints/{complaint_id}/investigation/"),
    Page(
        "complaints/<int:complaint_id>/investigation/take/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/take/",
        method="POST",
    ),
    Page(
        "complaints/<int:complaint_id>/investigation/findings/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/findings/",
        method="POST",
        form={"substantiated": "no", "findings": "录音核查未见违规"},
    ),
    Page(
        "complaints/<int:complaint_id>/investigation/rectification/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/rectification/",
        method="POST",
        form={"evidence": "已培训并调整外呼时段"},
    ),
    Page(
        "complaints/<int:complaint_id>/investigation/tell/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/tell/",
        method="POST",
        form={"at": "2026-03-20T15:00", "note": "已电话告知投诉人调查结果"},
        numbers=("at",),
    ),
    Page(
        "complaints/<int:complaint_id>/investigation/send-outcome/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/send-outcome/",
        method="POST",
        form={"channel": "email"},
    ),
    Page(
        "complaints/<int:complaint_id>/investigation/close/",
        COMPLAINTS,
        "/complaints/{complaint_id}/investigation/close/",
        method="POST",
    ),
    # The court stages (LIT-2): supervisors and legal officers see; legal officers record.
    Page("legal/litigations/", LITIGATION, "/legal/litigations/", query=("format",)),
    Page("legal/litigations/<int:litigation_id>/", LITIGATION, "/legal/litigations/{litigation_id}/"),
    Page(
        "legal/litigations/<int:litigation_id>/stages/",
        frozenset({LEGAL}),
        "/legal/litigations/{litigation_id}/stages/",
        method="POST",
        form={"stage": "hearing", "on": "2026-03-16", "note": "第一次开庭"},
        numbers=("on",),
    ),
    Page(
        "legal/litigations/<int:litigation_id>/costs/",
        frozenset({LEGAL}),
        "/legal/litigations/{litigation_id}/costs/",
        method="POST",
        form={"kind": "lawyer", "amount": "3000.00", "incurred_on": "2026-03-10", "note": "律师费"},
        numbers=("amount", "incurred_on"),
    ),
    Page("legal/court-documents/<int:document_id>/", LITIGATION, "/legal/court-documents/{court_document_id}/"),
    Page("api/v1/litigations/<litigation_id>", LITIGATION, "/api/v1/litigations/{litigation_id}"),
    Page(
        "api/v1/litigations/<litigation_id>/stages",
        frozenset({LEGAL}),
        "/api/v1/litigations/{litigation_id}/stages",
        method="POST",
        json={"stage": "hearing", "on": "2026-03-16", "note": "第一次开庭"},
        numbers=("on",),
    ),
    Page(
        "api/v1/litigations/<litigation_id>/costs",
        frozenset({LEGAL}),
        "/api/v1/litigations/{litigation_id}/costs",
        method="POST",
        json={"kind": "lawyer", "amount": "3000.00", "incurred_on": "2026-03-10", "note": "律师费"},
        numbers=("amount", "incurred_on"),
    ),
    Page(
        "api/v1/complaints",
        COMPLAINTS,
        "/api/v1/complaints",
        method="POST",
        json={
            "channel": "phone",
            "received_at": "2026-03-20T10:00:00+08:00",
            "mobile": "13900000000",
            "text": "态度恶劣",
        },
    ),
    Page("api/v1/complaints/<complaint_id>", COMPLAINTS, "/api/v1/complaints/{complaint_id}"),
    Page("api/v1/agencies", AGENCY_REGISTRY, "/api/v1/agencies"),
    Page(
        "api/v1/agencies/<code>/commissions",
        COMMISSIONS,
        "/api/v1/agencies/{agency_code}/commissions?month={commission_month}",
        query=("month",),
        numbers=("month",),
    ),
    Page("api/v1/agencies/<code>/audits", AUDITORS, "/api/v1/agencies/{agency_code}/audits"),
    Page("api/v1/complaints/sla", COMPLAINTS, "/api/v1/complaints/sla", query=("on",), numbers=("on",)),
    Page("api/v1/openapi.json", EVERYONE, "/api/v1/openapi.json"),
    Page("api/v1/docs", EVERYONE, "/api/v1/docs"),
    Page(
        "api/v1/cases",
        PLACED_CASE_READERS,
        "/api/v1/cases",
        query=("limit", "offset"),
        numbers=("limit", "offset"),
    ),
    Page("api/v1/cases/<case_id>", PLACED_CASE_READERS, "/api/v1/cases/{case_id}"),
    Page(
        "api/v1/cases/<case_id>/placement",
        frozenset({SUP}),
        "/api/v1/cases/{escalation_case_id}/placement",
        method="POST",
        json={"agency": "{agency_code}", "days": 30},
    ),
    Page("api/v1/cases/<case_id>/placements", PLACED_CASE_READERS, "/api/v1/cases/{case_id}/placements"),
    Page(
        "api/v1/tasks",
        CASE_READERS,
        "/api/v1/tasks",
        query=("limit", "offset", "kind"),
        numbers=("limit", "offset"),
    ),
    Page(
        "api/v1/cases/<case_id>/calls",
        PLACED_CASE_CALLERS,
        "/api/v1/cases/{case_id}/calls",
        method="POST",
        json=CALL_JSON,
        numbers=("duration_seconds", "next_follow_up_on"),
    ),
    Page(
        "api/v1/cases/<case_id>/promises",
        PLACED_CASE_CALLERS,
        "/api/v1/cases/{case_id}/promises",
        method="POST",
        json=PROMISE_JSON,
        numbers=("duration_seconds", "next_follow_up_on", "amount", "due_on"),
    ),
    Page(
        "api/v1/borrowers",
        PORTFOLIO,
        "/api/v1/borrowers",
        query=("limit", "offset", "q"),
        numbers=("limit", "offset"),
    ),
    Page("api/v1/borrowers/<borrower_id>", PORTFOLIO, "/api/v1/borrowers/{borrower_id}"),
    Page("api/v1/loans/<loan_id>", PORTFOLIO, "/api/v1/loans/{loan_id}"),
    Page(
        "api/v1/borrowers/<borrower_id>/holds",
        HOLDS,
        "/api/v1/borrowers/{borrower_id}/holds",
        method="POST",
        json={"kind": "complaint", "starts_on": "2026-03-20", "ends_on": "2026-04-30", "reason": "客户投诉处理中"},
        numbers=("starts_on", "ends_on"),
    ),
    Page(
        "api/v1/holds/<hold_id>/lift",
        HOLDS,
        "/api/v1/holds/{hold_id}/lift",
        method="POST",
        json={"reason": "争议已解决"},
    ),
    Page(
        "api/v1/holds/<hold_id>/extend",
        HOLDS,
        "/api/v1/holds/{ending_hold_id}/extend",
        method="POST",
        json={"until": "2026-05-20", "reason": "投诉调查延期"},
        numbers=("until",),
    ),
    Page(
        "api/v1/cases/<case_id>/plans/quote",
        PROPOSERS,
        "/api/v1/cases/{case_id}/plans/quote",
        method="POST",
        json=MEANS,
        numbers=("income", "expenses", "debts"),
    ),
    Page(
        "api/v1/cases/<case_id>/plans",
        PROPOSERS,
        "/api/v1/cases/{case_id}/plans",
        method="POST",
        json={**MEANS, "instalments": 6, "note": "收入稳定"},
        numbers=("income", "expenses", "debts", "instalments"),
    ),
    Page("api/v1/plans/pending", frozenset({SUP}), "/api/v1/plans/pending"),
    Page(
        "api/v1/plans/<plan_id>/approve",
        frozenset({SUP}),
        "/api/v1/plans/{proposed_plan_id}/approve",
        method="POST",
        json={"reason": "核实"},
    ),
    Page(
        "api/v1/plans/<plan_id>/reject",
        frozenset({SUP}),
        "/api/v1/plans/{proposed_plan_id}/reject",
        method="POST",
        json={"reason": "收入存疑"},
    ),
    Page(
        "api/v1/cases/<case_id>/waivers",
        PROPOSERS,
        "/api/v1/cases/{waiver_case_id}/waivers",
        method="POST",
        json={"loan": "{waiver_loan}", "amount": "0.10", "note": "首次逾期"},
        numbers=("amount",),
    ),
    Page("api/v1/waivers/pending", frozenset({SUP}), "/api/v1/waivers/pending"),
    Page(
        "api/v1/waivers/<waiver_id>/approve",
        frozenset({SUP}),
        "/api/v1/waivers/{waiver_id}/approve",
        method="POST",
        json={"reason": "核实"},
    ),
    Page(
        "api/v1/waivers/<waiver_id>/reject",
        frozenset({SUP}),
        "/api/v1/waivers/{waiver_id}/reject",
        method="POST",
        json={"reason": "不符合条件"},
    ),
    # The late stage (issue 18): a case's escalation facts (GET, for whoever may open the case) and the decision
    # (POST, supervisors only, AUTH-3): one URL pattern, so its line is the decision's; the facts' reach is tested in
    # tests/legal/test_escalation_api.py. S04: DPD 95, three failed calls today.
    Page(
        "api/v1/cases/<case_id>/escalation",
        frozenset({SUP}),
        "/api/v1/cases/{escalation_case_id}/escalation",
        method="POST",
        json={"decision": "continue", "reason": "借款人称下月有回款", "revisit_on": "2026-04-20"},
        numbers=("revisit_on",),
    ),
    Page("api/v1/write-offs/pending", frozenset({SUP}), "/api/v1/write-offs/pending"),
    Page(
        "api/v1/write-offs/<write_off_id>/approve",
        frozenset({SUP}),
        "/api/v1/write-offs/{write_off_id}/approve",
        method="POST",
        json={"note": "核实无误"},
    ),
    Page(
        "api/v1/write-offs/<write_off_id>/reject",
        frozenset({SUP}),
        "/api/v1/write-offs/{write_off_id}/reject",
        method="POST",
        json={"note": "仍有还款可能"},
    ),
    # The litigation file (LIT-1) of the demo site's lawsuit on S03: its page, the build form, a version's PDF or ZIP
    # (an audited read), and the newest PDF through the API.
    Page("legal/litigations/<int:litigation_id>/file/", LITIGATION, "/legal/litigations/{litigation_id}/file/"),
    Page(
        "legal/litigations/<int:litigation_id>/file/build/",
        frozenset({LEGAL}),
        "/legal/litigations/{litigation_id}/file/build/",
        method="POST",
        form={"as_of": "2026-03-20"},
        numbers=("as_of",),
    ),
    Page(
        "legal/litigations/<int:litigation_id>/file/v<int:version>.<str:kind>",
        LITIGATION,
        "/legal/litigations/{litigation_id}/file/v1.pdf",
    ),
    Page("api/v1/cases/<case_id>/litigation/file", LITIGATION, "/api/v1/cases/{litigation_case_id}/litigation/file"),
    # Call quality (QA-1, CALL-3): the call platform reports calls and uploads recordings (to S04's first failed
    # call, which has none); supervisors, compliance officers and QA reviewers play S02's call's recording.
    Page(
        "api/v1/telephony/events",
        PLATFORM,
        "/api/v1/telephony/events",
        method="POST",
        json=TELEPHONY_EVENT,
        numbers=("case",),
    ),
    Page(
        "api/v1/calls/<call_id>/recording",
        PLATFORM,
        "/api/v1/calls/{unrecorded_call_id}/recording",
        method="POST",
        form={"file": RecordingUpload(WAV)},
    ),
    Page("quality/calls/<int:call_id>/recording", LISTENERS, "/quality/calls/{recorded_call_id}/recording"),
    # The inspection (QA-1): the platform delivers a transcript (to S04's first failed call); the reviewers' queue,
    # S02's inspected call's review and its verdicts; the monthly quality scores (QA-2).
    Page(
        "api/v1/calls/<call_id>/transcript",
        PLATFORM,
        "/api/v1/calls/{unrecorded_call_id}/transcript",
        method="POST",
        json={"text": "坐席:您好，我是银行的小王，请问是本人吗？\n客户:是我。\n"},
    ),
    Page("api/v1/calls/<call_id>/inspection", REVIEWERS, "/api/v1/calls/{recorded_call_id}/inspection"),
    Page("api/v1/quality/scores", QUALITY_SCORES, "/api/v1/quality/scores", query=("month",)),
    Page("quality/reviews/", REVIEWERS, "/quality/reviews/", query=("status",)),
    Page("quality/reviews/<int:review_id>/", REVIEWERS, "/quality/reviews/{review_id}/"),
    Page(
        "quality/reviews/<int:review_id>/verdicts/",
        REVIEWERS,
        "/quality/reviews/{review_id}/verdicts/",
        method="POST",
        form={"verdict-0": "override", "reason-0": "识别有误，原话是提醒", "rectification_due": "", "note": ""},
    ),
    Page("quality/scores/", QUALITY_SCORES, "/quality/scores/", query=("month",)),
    Page("api/v1/", frozenset(), "/api/v1/"),  # the API's root: no page (404 for everyone)
    # Any other path under the API: 404 in the API's error shape, for everyone.
    Page("api/v1/^(?P<rest>.*)$", frozenset(), "/api/v1/nope"),
]

# Every pattern of Django's admin (its index, each model's list, add, change, history and delete pages, ...)
# follows the rule of its model: who may open each registered model's list (a new registration without a line
# here fails the matrix). The index opens for anyone who may open one of them.
ADMIN_MODELS = {
    "accounts.user": frozenset({ADMIN}),
    "accounts.role": frozenset({ADMIN}),
    "accounts.team": frozenset({ADMIN}),
    "accounts.agency": frozenset({ADMIN}),
    "accounts.servicetoken": frozenset({ADMIN}),  # API tokens of service accounts (Issue 16)
    "rules.policyversion": frozenset({ADMIN}),
    "rules.calendaryear": frozenset({ADMIN}),
    "compliance.auditevent": frozenset({COMPLIANCE, ADMIN}),  # compliance.view_audit: reading the ledger
    "compliance.changerecord": frozenset({COMPLIANCE, ADMIN}),  # the nightly run's sealed changes (AUTH-4)
    "axes.accessattempt": frozenset({ADMIN}),  # failed logins (lockouts), django-axes
    "axes.accessfailurelog": frozenset({ADMIN}),
    "axes.accesslog": frozenset({ADMIN}),
    "auth.group": frozenset(),  # Django's groups grant nothing here (roles do)
}
API_SESSION_ONLY = ("api/v1/openapi.json", "api/v1/docs")
ADMIN_INDEX = frozenset().union(*ADMIN_MODELS.values())
ADMIN_PREFIX = "admin/"
ADMIN_REDIRECTS = ("admin/login/", "admin/logout/")  # arrears' own audited login and logout views

PAGES += REPORT_PAGES


def page(route: str) -> Page:
    return next(p for p in PAGES if p.route == route)
