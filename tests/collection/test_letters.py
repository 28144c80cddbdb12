"""The formal overdue notice: its figures, its PDF, sending by post and email, refusals, the follow-up call."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone, translation
from pypdf import PdfReader

from arrears.collection import letters, views_letters
from arrears.collection.errors import CollectionError
from arrears.collection.letter_figures import FiguresMismatch, loan_figures
from arrears.collection.letters import (
    do_send_letter,
    is_overdue,
    letter_content,
    letter_fonts,
    overdue_follow_ups,
    render_pdf,
)
from arrears.collection.models import CollectionCase, Letter, Task
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.daily.actions import do_run_daily
from arrears.finance import from_fen, penalty_interest
from arrears.notices.dispatch import Dispatcher, DispatchSettings
from arrears.portfolio.models import FeedLoad, Hold
from arrears.portfolio.posting import account_terms, allocate_payments, loan_account
from arrears.rules.models import PolicyVersion
from arrears.rules.queries import policy_on
from book import nightly_run
from factories import make_borrower, make_loan, make_payment, make_user
from net import free_port, use_smtp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("approved_templates")]

# Wednesday 30 September 2026, the eve of the National Day holiday (1–7 October; Saturday 10 October is a
# make-up working day): three working days later is Saturday 10 October, a week later a holiday.
TODAY = date(2026, 9, 30)
AT = datetime(2026, 9, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def late_loan(**borrower_fields):
    """12,000.00 at 4.35% over 12 months (等额本息) from 2026-06-20: instalment 1 (due 07-20) paid on time,
    2 (due 08-20: 983.77 + 39.95) and 3 (due 09-20: 987.34 + 36.38) unpaid — DPD 41 on 2026-09-30."""
    fields = {
        "external_id": "C-WANG",
        "name": "王小明",
        "address": "北京市海淀区中关村大街27号",
        "email": "wang@example.com",
    }
    borrower = make_borrower(**{**fields, **borrower_fields})
    loan = make_loan(borrower, external_id="HT2026-0620-001", principal="12000", rate="0.0435", start=date(2026, 6, 20))
    make_payment(loan, date(2026, 7, 20), "1023.72")
    return loan


def open_case(borrower, status="open") -> CollectionCase:
    return CollectionCase.objects.create(
        borrower=borrower,
        status=status,
        delinquency_class="moderate",
        pool="junior",
        opened_on=date(2026, 8, 21),
        updated_on=TODAY,
    )


@pytest.fixture
def case():
    loan = late_loan()
    allocate_payments([loan.pk], business_date=TODAY)
    return open_case(loan.borrower)


@pytest.fixture
def collector():
    return make_user("junior_collector")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def embedded_fonts(pdf: bytes) -> list[tuple[str, list[str]]]:
    """(base font, the FontFile keys of its descriptor) of every font the PDF uses."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                out.append((str(font["/BaseFont"]), sorted(k for k in descriptor if k.startswith("/FontFile"))))
    return out


def written() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Letter, Task, AuditEvent)}


def test_worked_example_figures(case):
    """Clause: LTR-1 — the notice's figures are the finance core's, lines included: penalty rate 0.0435 × 1.5 =
    0.06525; instalment 2 (41 days) 983.77 → 7.31 and 39.95 → 0.30; instalment 3 (10 days) 987.34 → 1.79 and
    36.38 → 0.07; total 1,971.11 + 76.33 + 9.10 + 0.37 = 2,056.91; repay by 2026-10-08 (a week later is
    7 October, a holiday)."""
    content = letter_content(case, None, TODAY, policy_on(TODAY))
    (loan,) = content.loans
    assert (loan.contract, loan.earliest_unpaid_due, loan.dpd) == ("HT2026-0620-001", date(2026, 8, 20), 41)
    amounts = (loan.overdue_principal, loan.overdue_interest, loan.penalty_interest, loan.compound_interest)
    assert [str(a) for a in amounts] == ["1971.11", "76.33", "9.10", "0.37"]
    assert str(content.total) == "2056.91"
    assert content.deadline == date(2026, 10, 8)
    assert (content.borrower_name, content.borrower_address) == ("王小明", "北京市海淀区中关村大街27号")
    assert loan.lines == (
        "罚息年利率 = 合同年利率 0.0435 × (1 + 0.5) = 0.06525",
        "第 2 期，到期日 2026-08-20，逾期 41 天：",
        "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 41 天 = 7.31 元",
        "逾期利息 39.95 元 × 罚息日利率 0.06525/360 × 41 天 = 0.30 元",
        "第 3 期，到期日 2026-09-20，逾期 10 天：",
        "逾期本金 987.34 元 × 罚息日利率 0.06525/360 × 10 天 = 1.79 元",
        "逾期利息 36.38 元 × 罚息日利率 0.06525/360 × 10 天 = 0.07 元",
    )
    # The same lines the finance core prints for the instalment (`arrears calc penalty`).
    core = penalty_interest(
        overdue_principal="983.77",
        overdue_interest="39.95",
        annual_rate="0.0435",
        due_date=date(2026, 8, 20),
        as_of=TODAY,
        markup="0.5",
    )
    assert loan.lines[2:4] == tuple(core.lines[1:3])


def test_a_late_part_payment_prints_the_periods_the_replay_accrued(case):
    """Clause: LTR-1 — 500.00 paid on 2026-09-01 settles instalment 2's penalty 2.14 and compound 0.09 accrued
    over 12 days, its interest 39.95 and 457.82 of principal; from then 525.95 accrues: penalty
    983.77 × 0.06525 × 12/360 + 525.95 × 0.06525 × 29/360 = 2.1397 + 2.7645 → 4.90, less 2.14 paid = 2.76."""
    loan = case.borrower.loans.get()
    make_payment(loan, date(2026, 9, 1), "500.00")
    allocate_payments([loan.pk], business_date=TODAY)
    (figures,) = letter_content(case, None, TODAY, policy_on(TODAY)).loans
    second = figures.instalments[0]
    assert (str(second.principal), str(second.interest)) == ("525.95", "0.00")
    assert second.penalty.line == (
        "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 12 天（2026-08-21 至 2026-09-01） + "
        "525.95 元 × 罚息日利率 0.06525/360 × 29 天（2026-09-02 至 2026-09-30） − 已还 2.14 元 = 2.76 元"
    )
    assert second.compound.line == (
        "逾期利息 39.95 元 × 罚息日利率 0.06525/360 × 12 天（2026-08-21 至 2026-09-01） − 已还 0.09 元 = 0.00 元"
    )
    assert str(figures.penalty_interest) == str(second.penalty.amount + figures.instalments[1].penalty.amount)
    assert [str(a) for a in (figures.penalty_interest, figures.compound_interest)] == ["4.55", "0.07"]


def test_a_breakdown_that_disagrees_with_the_replay_is_refused(case):
    """Clause: LTR-1 — a printed amount must equal the finance core's to the fen; a fen off raises."""
    policy = policy_on(TODAY)
    loan = case.borrower.loans.prefetch_related("instalments", "payments").get()
    position = loan_account(loan, TODAY, policy)
    scheduled = {i.n: (from_fen(i.principal_fen), from_fen(i.interest_fen)) for i in loan.instalments.all()}
    terms = account_terms(loan, policy)
    assert str(loan_figures("X", "p", position, scheduled, terms).total) == "2056.91"
    states = list(position.instalments)
    states[1] = replace(states[1], penalty_interest=states[1].penalty_interest + Decimal("0.01"))
    with pytest.raises(FiguresMismatch, match="instalment 2"):
        loan_figures("X", "p", replace(position, instalments=tuple(states)), scheduled, terms)


def post_waiver(loan, on: date, fen: int, key: str = "waiver:1") -> None:
    """A waiver as its approval posts it: the posting row, then the loan's allocations rewritten."""
    from arrears.portfolio.models import WaiverPosting

    WaiverPosting.objects.create(loan=loan, key=key, posted_on=on, amount_fen=fen)
    allocate_payments([loan.pk], business_date=on)


def test_a_posted_waiver_is_subtracted_in_the_line_and_the_total_is_the_replays(case, collector):
    """Clause: LTR-1, WVR-2 — 5.00 waived on 2026-09-25 settles instalment 2's penalty (6.42 accrued by then:
    983.77 × 0.06525 × 36/360 = 6.419…). The balance never changed, so the period is the whole 41 days, and
    the line subtracts the waiver: 7.31 − 5.00 = 2.31; compound interest 0.30 is printed as accrued.
    Instalment 3 keeps the finance core's own lines. The total is 2,056.91 − 5.00 = 2,051.91, the replay's,
    and the PDF prints the subtraction and the amount waived."""
    from arrears.portfolio.queries import loan_detail, loan_position

    loan = case.borrower.loans.get()
    post_waiver(loan, date(2026, 9, 25), 500)
    content = letter_content(case, None, TODAY, policy_on(TODAY))
    (figures,) = content.loans
    second, third = figures.instalments
    assert second.penalty.line == (
        "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 41 天（2026-08-21 至 2026-09-30） − 减免 5.00 元 = 2.31 元"
    )
    assert (
        second.compound.line
        == "逾期利息 39.95 元 × 罚息日利率 0.06525/360 × 41 天（2026-08-21 至 2026-09-30） = 0.30 元"
    )
    assert (str(second.penalty.waived), str(second.compound.waived), str(figures.waived)) == ("5.00", "0.00", "5.00")
    assert (third.penalty.line, third.compound.line) == (
        "逾期本金 987.34 元 × 罚息日利率 0.06525/360 × 10 天 = 1.79 元",
        "逾期利息 36.38 元 × 罚息日利率 0.06525/360 × 10 天 = 0.07 元",
    )
    assert [str(a) for a in (figures.penalty_interest, figures.compound_interest, content.total)] == [
        "4.10",
        "0.37",
        "2051.91",
    ]
    position = loan_position(loan_detail(loan.external_id), TODAY)
    assert (content.total, position.waived) == (position.overdue_total, Decimal("5.00"))
    letter = do_send_letter(case, channel="post", actor=collector, today=TODAY, at=AT)
    assert letter.overdue_fen == 205191
    text = pdf_text(bytes(letter.pdf))
    for expected in ("减免 5.00 元 = 2.31 元", "减免罚息", "5.00", "2,051.91"):
        assert expected in text, expected


def test_a_payment_and_a_waiver_are_both_subtracted(case):
    """Clause: LTR-1, WVR-2 — the worked part payment of 500.00 on 2026-09-01 (2.14 of penalty paid), then 2.00
    waived on 2026-09-25 (2.29 owed then: 983.77 × 0.06525 × 12/360 + 525.95 × 0.06525 × 24/360 = 4.4276 →
    4.43, less 2.14). The waiver starts no period: the two periods of the payment stay, and the line ends
    4.90 − 2.14 paid − 2.00 waived = 0.76."""
    loan = case.borrower.loans.get()
    make_payment(loan, date(2026, 9, 1), "500.00")
    allocate_payments([loan.pk], business_date=TODAY)
    post_waiver(loan, date(2026, 9, 25), 200)
    (figures,) = letter_content(case, None, TODAY, policy_on(TODAY)).loans
    second = figures.instalments[0]
    assert second.penalty.line == (
        "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 12 天（2026-08-21 至 2026-09-01） + "
        "525.95 元 × 罚息日利率 0.06525/360 × 29 天（2026-09-02 至 2026-09-30） − 已还 2.14 元 − 减免 2.00 元 = 0.76 元"
    )
    assert [str(a) for a in (figures.penalty_interest, figures.compound_interest, figures.waived)] == [
        "2.55",
        "0.07",
        "2.00",
    ]


def test_post_letter_pdf_task_and_audit(case, collector):
    """Clause: LTR-1, LTR-2, LTR-3, AUTH-1, AUTH-4 — a junior collector issues the notice by post: the PDF (CJK
    font embedded) states the overdue details, the calculation lines, the total, the deadline and the hotline;
    the confirmation call is due 3 working days later, Saturday 2026-10-10 (a make-up working day after the
    National Day holiday); the audit event records it all."""
    letter = do_send_letter(
        case, channel="post", actor=collector, addition="如已还款请忽略。\n欢迎来电协商。", today=TODAY, at=AT
    )
    letter.refresh_from_db()
    assert (letter.status, letter.sent_on, letter.deadline, letter.overdue_fen) == (
        "queued",  # for the day's print batch
        TODAY,
        date(2026, 10, 8),
        205691,
    )
    assert (letter.notice.channel, letter.notice.status, letter.notice.kind) == ("post", "queued", "letter")
    assert (letter.contracts, letter.wording) == ("HT2026-0620-001", "letter_notice zh-hans v1")
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF")
    assert letter.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    text = pdf_text(pdf)
    for expected in (
        "逾期通知书",
        f"LTR-20260930-{letter.pk:06d}",
        "王小明",
        "北京市海淀区中关村大街27号",
        "HT2026-0620-001",
        "2026-08-20",
        "1,971.11",
        "76.33",
        "9.10",
        "0.37",
        "2,056.91",
        "罚息年利率 = 合同年利率 0.0435 × (1 + 0.5) = 0.06525",
        "逾期本金 983.77 元 × 罚息日利率 0.06525/360 × 41 天 = 7.31 元",
        "逾期利息 39.95 元 × 罚息日利率 0.06525/360 × 41 天 = 0.30 元",
        "逾期本金 987.34 元 × 罚息日利率 0.06525/360 × 10 天 = 1.79 元",
        "逾期利息 36.38 元 × 罚息日利率 0.06525/360 × 10 天 = 0.07 元",
        "2026年10月8日",
        "400-800-0000",
        "征信",
        "欢迎来电协商",
    ):
        assert expected in text, expected
    # The letter's CJK font (regular and bold) is embedded as a subset: a FontFile, FontFile2 or FontFile3 each.
    fonts = embedded_fonts(pdf)
    assert {name.split("+")[1] for name, _files in fonts} == {"ArrearsLetter", "ArrearsLetter-Bold"}
    assert all(files in (["/FontFile"], ["/FontFile2"], ["/FontFile3"]) for _name, files in fonts), fonts
    task = Task.objects.get(key=f"letter_follow_up:{letter.pk}")
    assert (task.kind, task.available_from, task.due_on, task.ref_id, task.case_id, task.clause, task.status) == (
        "letter_follow_up",
        TODAY,
        date(2026, 10, 10),
        letter.pk,
        case.pk,
        "LTR-3",
        "open",
    )
    event = AuditEvent.objects.get(action="collection.send_letter")
    assert (event.actor_id, event.subject_type, event.subject_id) == (collector.pk, "collection.letter", str(letter.pk))
    assert event.basis == {"permission": "collection.send_letter", "clause": "LTR-1", "approval": None}
    changes = event.changes
    assert changes["overdue_fen"] == [None, 205691]
    assert changes["pdf_sha256"] == [None, letter.pdf_sha256]
    assert changes["follow_up"][1] == {"task": task.key, "due_on": "2026-10-10", "clause": "LTR-3"}


def test_the_follow_up_shows_overdue_once_its_day_has_passed(case, collector):
    """Clause: LTR-3 — due Saturday 2026-10-10 (inclusive): not overdue that day, overdue the day after."""
    letter = do_send_letter(case, channel="post", actor=collector, today=TODAY, at=AT)
    task = Task.objects.get(ref_id=letter.pk)
    assert not is_overdue(task, date(2026, 10, 10))
    assert not overdue_follow_ups(date(2026, 10, 10)).exists()
    assert is_overdue(task, date(2026, 10, 11))
    assert list(overdue_follow_ups(date(2026, 10, 11))) == [task]
    task.status = "done"
    assert not is_overdue(task, date(2026, 10, 11))


def test_the_nightly_run_adds_no_second_follow_up(collector):
    """Clause: LTR-3 — the run that opened the case; the letter; the next night's run finds its follow-up task
    already there (same key, same due date as the run's own rule) and adds none."""
    loan = late_loan()
    allocate_payments([loan.pk], business_date=TODAY)
    do_run_daily(TODAY, actor=nightly_run())
    case = CollectionCase.objects.get(borrower=loan.borrower, status="open")
    letter = do_send_letter(case, channel="post", actor=collector, today=TODAY, at=AT)
    do_run_daily(TODAY + timedelta(days=1), actor=nightly_run())
    follow_ups = Task.objects.filter(kind="letter_follow_up")
    assert list(follow_ups.values_list("key", "due_on")) == [(f"letter_follow_up:{letter.pk}", date(2026, 10, 10))]


def test_email_reaches_the_borrower_with_the_pdf(case, collector, smtp_server):
    """Clause: LTR-2, REM-2, PRV-1 — queued in the outbox with the letter; the dispatcher emails it to the
    borrower's registered email only; the attachment is the stored PDF (same SHA-256); the body (the approved
    letter_email template) states the amount, the deadline, the hotline and the reference."""
    letter = do_send_letter(case, channel="email", actor=collector, today=TODAY, at=AT)
    assert (letter.status, letter.notice.key, letter.notice.status) == ("queued", f"letter:{letter.pk}", "queued")
    assert smtp_server.envelopes == []  # nothing leaves with the action itself
    Dispatcher(nightly_run(), clock=lambda: AT).run_once()
    letter.refresh_from_db()
    assert (letter.status, letter.error) == ("emailed", "")
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["wang@example.com"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"逾期通知书-LTR-20260930-{letter.pk:06d}.pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == letter.pdf_sha256
    body = message.get_body(preferencelist=("plain",)).get_content()
    for expected in ("王小明", "2,056.91", "2026年10月8日", "400-800-0000", f"LTR-20260930-{letter.pk:06d}"):
        assert expected in body, expected


def test_smtp_down_keeps_the_letter_and_says_why(case, collector, settings):
    """Clause: LTR-2, LTR-3 — nothing listens on the port: the dispatcher retries with backoff and after the
    last attempt the letter is email_failed with the error; its PDF and its follow-up task stay."""
    use_smtp(settings, free_port())
    letter = do_send_letter(case, channel="email", actor=collector, today=TODAY, at=AT)
    config = DispatchSettings(max_attempts=2, backoff=timedelta(seconds=30))
    Dispatcher(nightly_run(), clock=lambda: AT, config=config).run_once()
    assert Letter.objects.get(pk=letter.pk).status == "queued"  # one failure: it waits for the retry
    Dispatcher(nightly_run(), clock=lambda: AT + timedelta(seconds=30), config=config).run_once()
    stored = Letter.objects.get(pk=letter.pk)
    assert stored.status == "email_failed"
    assert "ConnectionRefusedError" in stored.error
    assert bytes(stored.pdf).startswith(b"%PDF")
    assert Task.objects.filter(key=f"letter_follow_up:{letter.pk}").exists()
    outcomes = AuditEvent.objects.filter(action="notices.send_notice", subject_id=str(letter.notice.pk))
    assert [e.changes["status"] for e in outcomes.order_by("id")] == [["sending", "queued"], ["sending", "dead"]]


def _post_only_policy():
    PolicyVersion.objects.create(
        effective_from=date(2026, 1, 1),
        name="post only",
        text='effective_from = 2026-01-01\nname = "post only"\n[letters]\nchannels = ["post"]\n',
        added_by=make_user("administrator"),
        added_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("situation", "channel", "message"),
    [
        ("complaint hold", "post", r"hold is in force \(complaint under investigation\)"),  # the kind in words
        ("no email", "email", "no registered email"),
        ("case closed", "post", "is closed"),
        ("unknown channel", "fax", "Channel fax is not allowed"),
        ("policy allows post only", "email", "Channel email is not allowed"),
        ("paid up", "post", "nothing to give notice of"),
        ("sent today", "post", "already went to this borrower by post today"),
    ],
)
def test_refusals_write_nothing(case, collector, situation, channel, message):
    """Clause: LTR-1, LTR-2 — each refusal says what was wrong and what to do, and leaves no letter, no task
    and no audit event behind."""
    at = AT
    borrower = case.borrower
    if situation == "complaint hold":
        Hold.objects.create(
            borrower=borrower, kind="complaint", reason="投诉调查中", starts_on=TODAY, placed_by=make_user("supervisor")
        )
    elif situation == "no email":
        borrower.email = ""
        borrower.save(update_fields=["email"])
    elif situation == "case closed":
        case.status = "closed"
        case.save(update_fields=["status"])
    elif situation == "policy allows post only":
        _post_only_policy()
    elif situation == "paid up":
        loan = borrower.loans.get()
        make_payment(loan, date(2026, 9, 29), "2100.00")
        allocate_payments([loan.pk], business_date=TODAY)
    elif situation == "sent today":
        do_send_letter(case, channel="post", actor=collector, today=TODAY, at=AT)
    before = written()
    with translation.override("en"), pytest.raises(CollectionError, match=message):
        do_send_letter(case, channel=channel, actor=collector, today=TODAY, at=at)
    assert written() == before


@pytest.mark.parametrize("role", ["analyst", "administrator", None])
def test_only_a_role_that_sends_letters_may(case, role):
    """Clause: AUTH-1, AUTH-4 — a role without collection.send_letter is refused before anything is written."""
    before = written()
    with pytest.raises(ActionDenied, match=r"collection\.send_letter"):
        do_send_letter(case, channel="post", actor=make_user(role), today=TODAY, at=AT)
    assert written() == before


def test_an_agency_user_sends_no_letter_on_a_case_not_placed_with_their_agency(case):
    """Clause: LGL-2, AUTH-4 — an agency's user holds collection.send_letter, for the cases placed with their
    agency only: on any other case the action refuses before anything is written."""
    before = written()
    with translation.override("en"), pytest.raises(CollectionError, match="not placed with your agency"):
        do_send_letter(case, channel="post", actor=make_user("agency_user"), today=TODAY, at=AT)
    assert written() == before


def test_a_loan_under_its_own_hold_is_left_out_and_refused_when_named(collector):
    """Clause: LTR-1 — a hold on one loan keeps that loan out of the notice; naming it is refused."""
    loan = late_loan()
    other = make_loan(loan.borrower, external_id="HT-OTHER", principal="6000", start=date(2026, 6, 25))
    allocate_payments([loan.pk, other.pk], business_date=TODAY)
    case = open_case(loan.borrower)
    Hold.objects.create(
        borrower=loan.borrower, loan=other, kind="dispute", reason="争议", starts_on=TODAY, placed_by=collector
    )
    letter = do_send_letter(case, channel="post", actor=collector, today=TODAY, at=AT)
    assert letter.loan_id == loan.pk
    assert "HT-OTHER" not in pdf_text(bytes(letter.pdf))
    with pytest.raises(CollectionError, match="hold is in force"):
        do_send_letter(case, channel="email", actor=collector, today=TODAY, at=AT, loans=[other])


def test_no_cjk_font_names_the_package(settings):
    """Clause: LTR-1 — without a CJK font the notice is not rendered, and the error says what to install."""
    letter_fonts.cache_clear()
    settings.ARREARS_LETTER_FONT = "/nonexistent/font.ttc"
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"):
            render_pdf(letters.LetterContent(*[None] * 6, loans=(), deadline=TODAY))
    finally:
        letter_fonts.cache_clear()


def test_fontconfig_finds_no_font_names_the_package(monkeypatch):
    monkeypatch.setattr(letters, "_fontconfig_faces", list)
    letter_fonts.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-noto-cjk"):
            letter_fonts()
    finally:
        letter_fonts.cache_clear()


# -- the views ----------------------------------------------------------------------------------------------


def _case_page(request, case_id):
    return HttpResponse(f"case {case_id}")


urlpatterns = [
    path(
        "",
        include(
            (
                [
                    path("cases/<int:case_id>/", _case_page, name="case"),
                    path("cases/<int:case_id>/letters/", views_letters.send_letter, name="send-letter"),
                    path("letters/<int:letter_id>.pdf", views_letters.letter_pdf, name="letter-pdf"),
                ],
                "collection",
            )
        ),
    ),
    path("", include("arrears.accounts.urls")),
]


@pytest.fixture
def business_day(monkeypatch):
    """The book's business date is TODAY and the clock reads 10:00 local time on it."""
    FeedLoad.objects.create(
        business_date=TODAY, digest="0" * 64, started_at=AT, status="done", imported_by=make_user("administrator")
    )
    monkeypatch.setattr(timezone, "now", lambda: AT)


@pytest.mark.urls(__name__)
def test_send_from_the_case_page_and_open_the_pdf(client, case, collector, business_day):
    """Clause: LTR-1, LTR-2 — the POST issues the notice and returns to the case page with a message; the PDF
    opens inline for someone who may see the portfolio, and is refused to an analyst."""
    client.force_login(collector)
    response = client.post(
        f"/cases/{case.pk}/letters/", {"channel": "post", "addition": "请尽快联系我行。"}, follow=True
    )
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    letter = Letter.objects.get()
    assert (letter.sent_on, letter.addition) == (TODAY, "请尽快联系我行。")
    pdf = client.get(f"/letters/{letter.pk}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert pdf.content == bytes(letter.pdf)
    client.force_login(make_user("analyst"))
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 403
    assert client.post(f"/cases/{case.pk}/letters/", {"channel": "post"}).status_code == 403


@pytest.mark.urls(__name__)
def test_a_refused_send_comes_back_with_the_reason(client, case, collector, business_day):
    """Clause: LTR-2 — email to a borrower without one: back to the case page, nothing stored."""
    case.borrower.email = ""
    case.borrower.save(update_fields=["email"])
    client.force_login(collector)
    response = client.post(f"/cases/{case.pk}/letters/", {"channel": "email"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.pk}/")
    assert not Letter.objects.exists()
    (message,) = get_messages(response.wsgi_request)
    assert (message.level_tag, "email" in str(message)) == ("error", True)


@pytest.mark.urls(__name__)
def test_an_addition_with_prohibited_language_is_refused_and_recorded(client, case, collector, business_day):
    """Clause: LANG-1 — the policy's example as the collector's addition: no letter, no task, the hit recorded
    against the collector; opening an issued letter's PDF is itself recorded (PRV-1)."""
    from arrears.compliance.models import LanguageHit

    client.force_login(collector)
    before = written()
    response = client.post(f"/cases/{case.pk}/letters/", {"channel": "post", "addition": "不还钱就起诉你家人"})
    assert response.status_code == 302
    (message,) = get_messages(response.wsgi_request)
    assert "LANG-1" in str(message)
    assert {k: v for k, v in written().items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }
    hit = LanguageHit.objects.get()
    assert (hit.user_id, hit.where) == (collector.pk, "letter_addition")
    client.post(f"/cases/{case.pk}/letters/", {"channel": "post"})
    letter = Letter.objects.get()
    assert client.get(f"/letters/{letter.pk}.pdf").status_code == 200
    assert AuditEvent.objects.filter(action="collection.view_letter", subject_id=str(letter.pk)).count() == 1
