"""A small demo-like book for the suite-wide web tests (the role × URL matrix, the leak scan, the bad-input fuzz):
borrowers with known, distinct personal data, the nightly run, one user per role, and one object of each kind a
page shows — a case with a contact, a proposed and an approved plan (its agreement PDF), a waiver, a letter by
post in a print batch (PDF and CSV manifest), a letter by email queued in the outbox, a lawsuit with two court
stages, a document and a cost, version 1 of its litigation file, an open agency audit with its report, and a
call's recording (S02's), and the monthly review's packs (January's approved, February's prepared).

`build_site()` needs the `approved_templates` fixture (letters are rendered from approved templates).

S01 is placed with the agency user's agency (eligible), so the agency user opens S01's pages and nothing else of
the book (LGL-2, PRV-1).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

for _folder in ("daily", "collection", "agencies"):
    _path = str(Path(__file__).parent / _folder)
    if _path not in sys.path:
        sys.path.insert(0, _path)

from desk import AS_OF, WORKING_HOURS, open_desk  # noqa: E402

from arrears.accounts.roles import RoleCode  # noqa: E402

# Each borrower's personal data, all distinct, so a leak of any one of them is found by plain text search.
PEOPLE = {
    "S01": {
        "name": "欧阳明远",
        "id_number": "110101198803074512",
        "mobile": "13912340001",
        "address": "北京市朝阳区建国路88号院3号楼1201",
        "employer": "北辰精密仪器有限公司",
        "email": "ouyang.mingyuan@example.com",
    },
    "S02": {
        "name": "司马静怡",
        "id_number": "31010419920511262X",
        "mobile": "13812340002",
        "address": "上海市徐汇区漕溪北路595号2栋",
        "employer": "东海远洋运输集团",
        "email": "sima.jingyi@example.net",
    },
    "S03": {
        "name": "诸葛文博",
        "id_number": "440305198512303318",
        "mobile": "13712340003",
        "address": "广东省深圳市南山区科技园南区6号",
        "employer": "南山云图信息技术有限公司",
        "email": "zhuge.wenbo@example.org",
    },
    # The late stage's cases (LGL-1, LGL-2): S04 severe with three failed calls today, S05 with a write-off proposed.
    "S04": {
        "name": "上官云舒",
        "id_number": "320102198907153021",
        "mobile": "13612340004",
        "address": "江苏省南京市玄武区中山路18号",
        "employer": "金陵智造装备有限公司",
        "email": "shangguan.yunshu@example.com",
    },
    "S05": {
        "name": "慕容海川",
        "id_number": "510104198110204417",
        "mobile": "13512340005",
        "address": "四川省成都市锦江区红星路二段70号",
        "employer": "蜀道物流股份有限公司",
        "email": "murong.haichuan@example.net",
    },
}
# The contact people of S01 (CALL-1 reads them; their names and phones are personal data too).
CONTACT = {"name": "欧阳春华", "phone": "13600009999", "relation": "spouse"}

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

ROLES = [r for r in RoleCode if r != RoleCode.SYSTEM]


@dataclass
class Site:
    users: dict[RoleCode, object]
    cases: dict[str, object]
    ids: dict[str, object] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        """`/cases/{case_id}/` → `/cases/7/`: the book's objects in a URL or a form value."""
        return text.format(**self.ids) if "{" in text else text

    def data(self, values: dict) -> dict:
        return {k: self.fill(v) if isinstance(v, str) else v for k, v in values.items()}


def build_site() -> Site:
    """The book on AS_OF (2026-03-20, working hours): five late borrowers with open cases, every object kind."""
    from arrears.arrangements.actions import (
        SignedScan,
        do_decide_plan,
        do_propose_plan,
        do_propose_waiver,
        do_sign_plan,
    )
    from arrears.collection.letters import do_send_letter
    from arrears.collection.models import Call, Task
    from arrears.compliance.models import ProhibitedPhrase
    from arrears.notices.models import Notice, Template
    from arrears.notices.printing import do_make_print_batch
    from arrears.portfolio.actions import do_place_hold
    from arrears.portfolio.models import Borrower, ContactPerson
    from factories import make_user

    opened = open_desk(
        [
            ("S01", 45, "24000", "low"),
            ("S02", 20, "12000", "low"),
            ("S03", 75, "36000", "high"),
            ("S04", 95, "300000", "low"),
            ("S05", 120, "20000", "low"),
        ],
        {"senior_collector": 1},
    )
    for external_id, person in PEOPLE.items():
        Borrower.objects.filter(external_id=external_id).update(consent_email=True, **person)
    s01 = Borrower.objects.get(external_id="S01")
    ContactPerson.objects.create(borrower=s01, feed_date=AS_OF, **CONTACT)
    users = {role: make_user(role, username=f"site-{role}") for role in ROLES}
    users[RoleCode.SENIOR_COLLECTOR] = opened["users"]["senior_collector"][0]
    cases = {ext: case for ext, case in opened["cases"].items()}
    for case in cases.values():
        case.refresh_from_db()
    senior, boss = users[RoleCode.SENIOR_COLLECTOR], users[RoleCode.SUPERVISOR]
    means = {"income": "10000", "expenses": "3000", "debts": "500"}
    approved = do_propose_plan(cases["S01"], **means, instalments=6, actor=senior, today=AS_OF, at=WORKING_HOURS)
    do_decide_plan(approved, approve=True, reason="核实收入", actor=boss, today=AS_OF, at=WORKING_HOURS)
    # PLAN-4: the borrower signed the approved plan (a one-pixel PNG stands for the scan).
    do_sign_plan(approved, signed_on=AS_OF, scan=SignedScan("signed.png", PNG), actor=senior, today=AS_OF)
    proposed = do_propose_plan(cases["S02"], **means, instalments=6, actor=senior, today=AS_OF, at=WORKING_HOURS)
    # WVR-1: the borrower of S02 (DPD 20) rang the bank, so a waiver may be proposed.
    Call.objects.create(
        borrower_id=cases["S02"].borrower_id,
        case=cases["S02"],
        collector=senior,
        called_at=WORKING_HOURS,
        called_on=AS_OF,
        outcome="promised",
        inbound=True,
    )
    s02_loan = cases["S02"].borrower.loans.get()
    waiver = do_propose_waiver(
        cases["S02"], s02_loan, amount="0.50", note="首次逾期", actor=senior, today=AS_OF, at=WORKING_HOURS
    )
    junior = users[RoleCode.JUNIOR_COLLECTOR]
    posted = do_send_letter(cases["S03"], channel="post", actor=boss, today=AS_OF, at=WORKING_HOURS)
    emailed = do_send_letter(cases["S02"], channel="email", actor=boss, today=AS_OF, at=WORKING_HOURS)
    batch = do_make_print_batch(AS_OF, actor=boss, at=WORKING_HOURS)
    # A dispute hold on S03, placed after its letter went to the print batch (the case page shows it).
    hold = do_place_hold(
        cases["S03"].borrower, "dispute", starts_on=AS_OF, ends_on=None, actor=boss, reason="借款人对逾期金额有异议"
    )
    # And a complaint hold on S03 until 19 April, which may be extended.
    ending = do_place_hold(
        cases["S03"].borrower,
        "complaint",
        starts_on=AS_OF,
        ends_on=AS_OF + timedelta(days=30),
        actor=boss,
        reason="客户投诉调查中",
    )
    # A complaint about S03 (already on hold for a dispute), matched by its contract number; one not matched.
    from arrears.complaints.actions import do_file_complaint

    complaint = do_file_complaint(
        channel="phone",
        received_at=WORKING_HOURS,
        text="催收人员语气粗暴",
        contract_no=cases["S03"].borrower.loans.get().external_id,
        actor=boss,
    )
    unmatched = do_file_complaint(
        channel="branch", received_at=WORKING_HOURS, text="夜间来电", mobile="13000000009", actor=boss
    )
    litigation, court_document = _lawsuit(cases["S03"], boss, users[RoleCode.LEGAL_OFFICER])
    placement = _placement(cases["S01"], users[RoleCode.AGENCY_USER], boss)
    late = _late_stage(cases, boss)
    audit = _agency_audit(cases, users)
    recordings = _recordings(cases, users)
    ids = {
        "litigation_id": litigation.pk,
        "court_document_id": court_document.pk,
        **late,
        **audit,
        **recordings,
        "complaint_id": complaint.pk,
        "unmatched_complaint_id": unmatched.pk,
        "case_id": cases["S01"].pk,
        "plan_id": approved.pk,
        "waiver_id": waiver.pk,
        "letter_id": posted.pk,
        "borrower_id": s01.pk,
        "external_id": "S01",
        "business_date": AS_OF.isoformat(),
        "proposed_plan_id": proposed.pk,
        "emailed_letter_id": emailed.pk,
        "batch_id": batch.pk if batch else None,
        "notice_id": Notice.objects.order_by("pk").values_list("pk", flat=True).first(),
        "phrase_id": ProhibitedPhrase.objects.order_by("pk").values_list("pk", flat=True).first(),
        "template_id": Template.objects.order_by("pk").values_list("pk", flat=True).first(),
        "loan_external_id": s01.loans.get().external_id,
        "loan_id": s01.loans.get().pk,
        "task_id": Task.objects.order_by("pk").values_list("pk", flat=True).first() or 0,
        "junior_id": junior.pk,
        "placement_id": placement.pk,  # S01 with the agency user's agency (LGL-2)
        "hold_id": hold.pk,
        "ending_hold_id": ending.pk,
        "waiver_case_id": cases["S02"].pk,
        "waiver_loan_id": s02_loan.pk,
        "waiver_loan": s02_loan.external_id,
        # The agencies' commission statements (LGL-2): the demo agency user's own agency, the business month.
        "agency_code": users[RoleCode.AGENCY_USER].agency.code,
        "commission_month": f"{AS_OF:%Y-%m}",
    }
    ids.update(_reviews(users))
    ids["whatif_id"] = _whatif(users)
    ids.update(_experiment(users))
    site = Site(users=users, cases=cases, ids=ids)
    add_litigation_file(site)
    return site


def add_litigation_file(site: Site) -> None:
    """Version 1 of the litigation file (LIT-1) of the lawsuit on S03, built by the legal officer as of the business
    date; its case is `litigation_case_id` (the API's path)."""
    from arrears.legal.litigation_file import do_build_litigation_file
    from arrears.legal.models import Litigation

    litigation = Litigation.objects.get(pk=site.ids["litigation_id"])
    do_build_litigation_file(litigation, as_of=AS_OF, actor=site.users[RoleCode.LEGAL_OFFICER], at=WORKING_HOURS)
    site.ids["litigation_case_id"] = litigation.case_id


def _lawsuit(case, boss, officer):
    """A lawsuit on S03 (made directly: the escalation decision is another action's work), filed on 2026-03-02
    with the court's receipt (a one-pixel PNG stands for the scan) and a court fee, accepted on 2026-03-09, with a
    lawyer's fee (LIT-2)."""
    from datetime import UTC, date, datetime

    from arrears.legal.court import Document, do_record_cost, do_record_stage
    from arrears.legal.models import CourtDocument, EscalationDecision, Litigation

    decision = EscalationDecision.objects.create(
        case=case,
        borrower=case.borrower,
        decision="litigation",
        eligible=True,
        route="litigation",
        facts={},
        reason="多次催收无果，借款人明确拒绝还款",
        business_date=date(2026, 2, 20),
        decided_by=boss,
        decided_at=datetime(2026, 2, 20, 2, 0, tzinfo=UTC),
    )
    litigation = Litigation.objects.create(
        case=case, borrower=case.borrower, decision=decision, opened_on=date(2026, 2, 20)
    )
    court = {"court": "北京市朝阳区人民法院", "claimed": "36500.00", "court_fee": "306.00"}
    receipt = [Document("立案回执.png", PNG)]
    do_record_stage(litigation, "filed", on=date(2026, 3, 2), today=AS_OF, actor=officer, documents=receipt, **court)
    number = "(2026)京0105民初1234号"
    do_record_stage(litigation, "accepted", on=date(2026, 3, 9), today=AS_OF, actor=officer, court_case_no=number)
    do_record_cost(
        litigation, kind="lawyer", amount="2000.00", incurred_on=date(2026, 3, 10), today=AS_OF, actor=officer
    )
    return litigation, CourtDocument.objects.get(stage_event__litigation=litigation)


def _placement(case, agency_user, boss):
    """S01 placed with the agency user's agency from 2026-03-16 for 30 days (LGL-2), the agency eligible under
    AGY-1 (its documents valid through 2030) — made directly: placing is another action's work. The agency user
    sees S01 (its case page, call form, letters, the API's case) and no other case, borrower or loan."""
    from placing import make_eligible, place

    make_eligible(agency_user.agency)
    return place(case, agency_user.agency, by=boss, placed_on=AS_OF - timedelta(days=4), days=30)


def _late_stage(cases: dict, boss) -> dict:
    """The late stage (LGL-1, LGL-2, AUTH-3): S04 (DPD 95, 300,000 loan) reached by no one in three calls today,
    so eligible for litigation, its severe review open; S05 (DPD 120) with a write-off proposed by a second
    supervisor (so the site's supervisor may approve or reject it)."""
    from arrears.collection.models import Call
    from arrears.legal.escalation_actions import do_decide_escalation
    from factories import make_user

    s04, s05 = cases["S04"], cases["S05"]
    for outcome in ("no_answer", "busy", "no_answer"):
        Call.objects.create(
            borrower_id=s04.borrower_id,
            case=s04,
            collector=boss,
            called_at=WORKING_HOURS,
            called_on=AS_OF,
            outcome=outcome,
            number=PEOPLE["S04"]["mobile"],
        )
    maker = make_user("supervisor", username="site-supervisor-maker")
    decided = do_decide_escalation(
        s05, decision="write_off", reason="借款人已无还款能力", actor=maker, today=AS_OF, at=WORKING_HOURS
    )
    return {
        "escalation_case_id": s04.pk,
        "write_off_case_id": s05.pk,
        "write_off_id": decided.write_off.pk,
    }


def _agency_audit(cases: dict, users: dict) -> dict:
    """An agency audit (AGY-3): the agency user's call on S05 today, an audit of the agency's last 30 days opened by
    the compliance officer with that call sampled and the agency's report uploaded (a one-pixel PNG stands for it);
    and a second agency, with nothing open, for the form that opens an audit."""
    from arrears.accounts.models import Agency
    from arrears.agencies.audit_actions import ReportFile, do_open_audit, do_upload_report
    from arrears.collection.models import Call

    agent, officer = users[RoleCode.AGENCY_USER], users[RoleCode.COMPLIANCE_OFFICER]
    s05 = cases["S05"]
    Call.objects.create(
        borrower_id=s05.borrower_id,
        case=s05,
        collector=agent,
        called_at=WORKING_HOURS,
        called_on=AS_OF,
        outcome="no_answer",
        number=PEOPLE["S05"]["mobile"],
        note="无人接听",
    )
    audit = do_open_audit(
        agent.agency,
        period_start=AS_OF - timedelta(days=29),
        period_end=AS_OF,
        sample_size=20,
        today=AS_OF,
        actor=officer,
    )
    do_upload_report(audit, report=ReportFile("机构报告.png", PNG), actor=officer)
    other = Agency.objects.create(code="AGY-DEMO2", name="远方资产管理有限公司")
    return {
        "agency_code": agent.agency.code,
        "other_agency_code": other.code,
        "agency_audit_id": audit.pk,
        "audit_sample_id": audit.samples.get().pk,
    }


def _recordings(cases: dict, users: dict) -> dict:
    """Call quality (QA-1): the recording of S02's inbound call (a WAV of silence), stored by the call platform's
    account; S04's first failed call has none (the upload's URL)."""
    import io

    from arrears.collection.models import Call
    from arrears.quality.models_recording import RecordingSource
    from arrears.quality.recordings import Audio, do_store_recording
    from arrears.quality.reviews import do_record_transcript
    from site_urls import WAV

    recorded = Call.objects.get(case=cases["S02"])
    unrecorded = Call.objects.filter(case=cases["S04"]).order_by("pk").first()
    audio = Audio(io.BytesIO(WAV), len(WAV))
    do_store_recording(recorded, audio, source=RecordingSource.UPLOAD, actor=users[RoleCode.TELEPHONY], today=AS_OF)
    # Its transcript, delivered by the platform: one line of prohibited language, so the call waits for review.
    inspection = do_record_transcript(
        recorded,
        "坐席:您好，我是东兴银行的小王，请问是本人吗？\n客户:是我。\n坐席:你再不还钱就起诉你家人。\n",
        source="platform",
        actor=users[RoleCode.TELEPHONY],
        today=AS_OF,
    )
    return {
        "recorded_call_id": recorded.pk,
        "unrecorded_call_id": unrecorded.pk,
        "review_id": inspection.review.pk,
    }


def _reviews(users: dict) -> dict:
    """The monthly review (REV-1): January's pack approved (with an action item for the junior collector, its PDF
    and XLSX kept), February's prepared with the commentary written and an item of its own; January's item comes
    up in February's follow-up. The months are closed directly (the demo's book begins in March)."""
    from datetime import UTC, date, datetime

    from arrears.agencies.commissions import Month
    from arrears.reports.actions_review import (
        do_add_action_item,
        do_approve_review,
        do_edit_review,
        do_prepare_review,
    )
    from arrears.reports.models import MonthClose

    for month in (Month(2025, 12), Month(2026, 1), Month(2026, 2)):
        MonthClose.objects.get_or_create(
            month=month.first,
            defaults={
                "closed_on": month.last,
                "closed_at": datetime(month.last.year, month.last.month, month.last.day, 15, tzinfo=UTC),
                "opening_loans": 0,
                "next_opening_loans": 0,
            },
        )
    boss, junior = users[RoleCode.SUPERVISOR], users[RoleCode.JUNIOR_COLLECTOR]
    january = do_prepare_review(Month(2026, 1), actor=boss, today=date(2026, 2, 2))
    do_add_action_item(
        january,
        text="一月待办：复核失联客户",
        owner=junior,
        due_on=date(2026, 2, 27),
        actor=boss,
        today=date(2026, 2, 2),
    )
    do_edit_review(january, commentary="一月评述", actor=boss)
    do_approve_review(january, actor=boss)
    february = do_prepare_review(Month(2026, 2), actor=boss, today=AS_OF)
    do_edit_review(february, commentary="二月评述", actor=boss)
    item = do_add_action_item(
        february, text="二月待办：核对分期方案", owner=junior, due_on=AS_OF, actor=boss, today=AS_OF
    )
    return {"review_month": "2026-01", "working_month": "2026-02", "action_item_id": item.pk}


def _whatif(users: dict) -> int:
    """A policy what-if (issue 23) of the business date, asked for by the supervisor and replayed as the worker would."""
    from arrears.whatif.requests import do_complete_whatif, do_request_whatif
    from book import nightly_run

    text = 'effective_from = 2027-01-01\nname = "五天前提醒"\n[reminders]\nadvance_days = 5\n'
    report = do_request_whatif(text, AS_OF, AS_OF, actor=users[RoleCode.SUPERVISOR])
    return do_complete_whatif(report.pk, actor=nightly_run()).pk


def _experiment(users: dict) -> dict[str, int]:
    """A champion/challenger experiment (issue 23) started by the supervisor on the business date and stopped the
    same day (so the site's later nights are the policy's alone, whatever ids its borrowers have), and its
    challenger proposed as the policy by another supervisor: the supervisor may approve or reject it."""
    from arrears.whatif.experiments import do_start_experiment, do_stop_experiment
    from arrears.whatif.promotions import do_propose_promotion
    from factories import make_user

    boss = users[RoleCode.SUPERVISOR]
    experiment = do_start_experiment(
        "五天前提醒", "[reminders]\nadvance_days = 5\n", "0.5", 50, actor=boss, today=AS_OF
    )
    experiment = do_stop_experiment(experiment, actor=boss, today=AS_OF, reason="演示")
    maker = make_user("supervisor", username="site-supervisor-proposer")
    proposal = do_propose_promotion(experiment, AS_OF + timedelta(days=30), "回收率更高", actor=maker, today=AS_OF)
    return {"experiment_id": experiment.pk, "promotion_id": proposal.pk}


def add_reminder_and_hit(site: Site) -> None:
    """What the lists of reminder calls and of language hits need to show a row (the exports' tests and the
    leak scan): a phone reminder for S01's next instalment (REM-1), and a call note stopped by a prohibited
    phrase (LANG-1) written by the junior collector."""
    from arrears.collection.models import Task
    from arrears.compliance.language_actions import do_save_phrase, screen_text

    loan = site.cases["S01"].borrower.loans.get()
    due = loan.instalments.filter(due_date__gt=AS_OF).order_by("due_date").values_list("due_date", flat=True)[0]
    Task.objects.create(
        key=f"phone_reminder:{loan.pk}:{due.isoformat()}",
        kind="phone_reminder",
        borrower=loan.borrower,
        loan=loan,
        available_from=AS_OF,
        due_on=due,
        clause="REM-1",
        created_on=AS_OF,
    )
    officer = site.users[RoleCode.COMPLIANCE_OFFICER]
    do_save_phrase(None, text="砸 家门", kind="words", category="violence", active=True, note="", actor=officer)
    screen_text("再不还就砸你家门", actor=site.users[RoleCode.JUNIOR_COLLECTOR], where="call_note")


def object_pages(site: Site) -> list[tuple[str, str]]:
    """(route of the matrix line whose roles apply, URL): each demo case's own pages — the case, its call form and
    plan designer, its borrower, loan and delivery history — for the suite-wide walks over every page."""
    views = []
    for external_id, case in site.cases.items():
        borrower = case.borrower
        views += [
            ("cases/<int:case_id>/", f"/cases/{case.pk}/"),
            ("cases/<int:case_id>/call/", f"/cases/{case.pk}/call/"),
            ("cases/<int:case_id>/plan/", f"/cases/{case.pk}/plan/"),
            ("borrowers/<str:external_id>/", f"/borrowers/{external_id}/"),
            ("loans/<str:external_id>/", f"/loans/{borrower.loans.get().external_id}/"),
            ("notices/borrowers/<int:borrower_id>/", f"/notices/borrowers/{borrower.pk}/"),
        ]
    return views
