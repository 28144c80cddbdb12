"""What the litigation file says (Clause: LIT-1), gathered from what the system holds, as of the filing date.

How this works
--------------
`file_content(litigation, as_of, template)` reads, for the litigation's borrower, everything the four parts of
the file print, and returns it as a frozen `FileContent` (no I/O after that: `file_pdf` renders it, `file_csv`
writes its tables):

* **the statement of claim** (民事起诉状): the approved `litigation_complaint` template (LANG-2) filled in with the
  bank as plaintiff, the borrower as defendant, the claims and the facts (`complaint_values`);
* **the loan contracts**: each delinquent loan's terms (contract number, principal, rate, penalty rate, term,
  repayment method, start) and its schedule as contracted, every instalment with its principal, interest and due
  date;
* **the statement of account** (proof of the overdue debt): for each loan, the finance core's replay on the filing
  date (`portfolio.posting.loan_account`, the same as the loan page, the letters and the nightly run): every
  instalment with what is still owed of it, every payment and posted waiver with what it settled, and the
  penalty and compound interest calculation lines of the formal notice (`collection.letter_figures`, checked
  against the replay to the fen);
* **the collection record**: the borrower's calls with their outcomes, the formal notices with their delivery
  evidence (status, sent or printed, print batch, the confirmation call), the reminders and notices of the
  outbox, the promises to pay and the instalment plans — up to the filing date.

The claims are the sums of the loans' figures: overdue principal, overdue interest, penalty interest and compound
interest to the filing date; the total is their sum (the same four amounts the escalation's `overdue` adds up).
Loans not yet due are not accelerated: the file claims what is overdue on the filing date.

Personal data: the file goes to the court, so it carries the borrower's full name, national ID number and address
(and the call notes as written; phone numbers stay masked). Only supervisors and legal officers may open it
(`legal.view_litigation`), and each opening is an audited read (PRV-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone, translation

from arrears.arrangements.agreement import staff_name
from arrears.arrangements.models import DOCUMENTS, Plan
from arrears.collection.letter_figures import LoanFigures, loan_figures
from arrears.collection.letters import Bank, letter_reference
from arrears.collection.models import Call, Letter, LetterStatus, Promise, Task
from arrears.collection.templatetags.desk import plan_end
from arrears.compliance.masking import masked
from arrears.finance import format_money, from_fen
from arrears.finance.account import PAYMENT, AccountPosition
from arrears.finance.money import ZERO
from arrears.home.templatetags.money import percent
from arrears.legal.models import Litigation
from arrears.notices.content import bank_values, format_date
from arrears.notices.models import COMPLAINT_KINDS, Language, Notice, Template
from arrears.notices.templating import paragraphs, render
from arrears.portfolio.models import Component, Loan, LoanStatus
from arrears.portfolio.posting import account_terms, loan_account, with_accounts
from arrears.portfolio.queries import SCHEDULE_STATUS_LABELS

__all__ = ["Claims", "FileContent", "LoanAccount", "complaint_values", "file_content", "file_reference"]

NO_COURT = "＿＿＿＿＿＿人民法院"  # printed where the competent court is not recorded yet (a line to fill in)


def yuan(amount: Decimal) -> str:
    return format_money(amount, grouping=True)


def _local(at: datetime | None) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}" if at else ""


def file_reference(litigation: Litigation, version: int) -> str:
    """The number every page of a version carries: LIT-<litigation id>-v<version>."""
    return f"LIT-{litigation.pk:06d}-v{version}"


@dataclass(frozen=True)
class Claims:
    """What the statement of claim claims, to the filing date (each the sum of the loans' finance-core figures)."""

    principal: Decimal
    interest: Decimal
    penalty: Decimal
    compound: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.compound


@dataclass(frozen=True)
class ScheduledLine:
    n: int
    due_date: date
    principal: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class InstalmentLine:
    """One instalment on the filing date, by the replay: still owed of its principal and interest, its penalty
    and compound interest, its status in words."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    compound: Decimal
    status: str

    @property
    def owed(self) -> Decimal:
        return self.principal + self.interest + self.penalty + self.compound


@dataclass(frozen=True)
class ReceiptLine:
    """A payment or a posted penalty waiver as the replay applied it: (instalment, component code, component in
    words, amount) for each part it settled."""

    on: date
    key: str
    kind: str
    amount: Decimal
    allocations: tuple[tuple[int, str, str, Decimal], ...]
    unapplied: Decimal


@dataclass(frozen=True)
class LoanAccount:
    """One delinquent loan: its contract and schedule, and its account on the filing date."""

    contract: str
    product: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    method: str
    start_date: date
    schedule: tuple[ScheduledLine, ...]
    figures: LoanFigures
    instalments: tuple[InstalmentLine, ...]
    receipts: tuple[ReceiptLine, ...]
    not_yet_due: Decimal  # principal of instalments not due by the filing date (not claimed)

    @property
    def contracted_interest(self) -> Decimal:
        return sum((line.interest for line in self.schedule), ZERO)


@dataclass(frozen=True)
class CallLine:
    at: str
    party: str
    number: str
    outcome: str
    duration_seconds: int
    attitude: str
    obstacle: str
    note: str
    by: str


@dataclass(frozen=True)
class LetterLine:
    reference: str
    sent_on: date
    channel: str
    status: str
    overdue: Decimal
    deadline: date | None
    sent_at: str
    delivered_at: str
    print_batch: str
    confirmation: str
    sha256: str
    cancelled: bool  # never sent (its reason no longer held): not counted as a notice given


@dataclass(frozen=True)
class NoticeLine:
    queued_on: date
    kind: str
    channel: str
    status: str
    amount: Decimal
    sent_at: str
    delivered_at: str


@dataclass(frozen=True)
class PromiseLine:
    made_on: date
    amount: Decimal
    due_on: date
    status: str
    paid: Decimal


@dataclass(frozen=True)
class PlanLine:
    proposed_on: date
    status: str
    amount: Decimal
    instalments: int
    payment: Decimal
    approved_by: str
    signed_on: date | None
    effective_on: date | None
    ended_on: date | None
    end_reason: str


@dataclass(frozen=True)
class FileContent:
    """Everything one version of the file prints (LIT-1). Labels are already in Chinese (the court's language)."""

    reference: str
    version: int
    as_of: date
    built_by: str
    bank: Bank
    court: str
    case_id: int
    customer_number: str
    borrower_name: str
    id_number: str
    address: str
    loans: tuple[LoanAccount, ...]
    claims: Claims
    complaint: tuple[str, ...]
    template: str  # "litigation_complaint zh-hans v1": the version used, as the audit event records it
    template_version: int
    calls: tuple[CallLine, ...]
    letters: tuple[LetterLine, ...]
    notices: tuple[NoticeLine, ...]
    promises: tuple[PromiseLine, ...]
    plans: tuple[PlanLine, ...]

    @property
    def dpd(self) -> int:
        return max((loan.figures.dpd for loan in self.loans), default=0)

    @property
    def earliest_due(self) -> date | None:
        return min((loan.figures.earliest_unpaid_due for loan in self.loans), default=None)

    @property
    def contracts(self) -> str:
        return "、".join(loan.contract for loan in self.loans)


# -- the loans ------------------------------------------------------------------------------------------------


def delinquent_loans(borrower_id: int, as_of: date, policy) -> list[tuple[Loan, AccountPosition]]:
    """The borrower's loans (but closed ones) past due on `as_of` by the finance core, oldest contract first,
    each with its replayed position."""
    loans = Loan.objects.filter(borrower_id=borrower_id).exclude(status=LoanStatus.CLOSED)
    found = []
    for loan in with_accounts(loans).order_by("start_date", "external_id"):
        position = loan_account(loan, as_of, policy)
        if position.dpd > 0:
            found.append((loan, position))
    return found


def _receipt(payment, kind_words: dict[str, str]) -> ReceiptLine:
    components = dict(Component.choices)
    return ReceiptLine(
        on=payment.paid_on,
        key=payment.key,
        kind=kind_words[payment.kind],
        amount=payment.amount,
        allocations=tuple(
            (a.n, a.component, str(components.get(a.component, a.component)), a.amount) for a in payment.allocations
        ),
        unapplied=payment.unapplied,
    )


def loan_account_of(loan: Loan, position: AccountPosition, policy) -> LoanAccount:
    scheduled = {i.n: (from_fen(i.principal_fen), from_fen(i.interest_fen)) for i in loan.instalments.all()}
    figures = loan_figures(loan.external_id, loan.product, position, scheduled, account_terms(loan, policy))
    kind_words = {PAYMENT: translation.gettext("payment"), "waiver": translation.gettext("penalty waiver")}
    return LoanAccount(
        contract=loan.external_id,
        product=loan.product,
        principal=from_fen(loan.principal_fen),
        annual_rate=loan.annual_rate,
        term_months=loan.term_months,
        method=loan.get_method_display(),
        start_date=loan.start_date,
        schedule=tuple(
            ScheduledLine(i.n, i.due_date, from_fen(i.principal_fen), from_fen(i.interest_fen))
            for i in loan.instalments.all()
        ),
        figures=figures,
        instalments=tuple(
            InstalmentLine(
                s.n,
                s.due_date,
                s.principal,
                s.interest,
                s.penalty_interest,
                s.compound_interest,
                str(SCHEDULE_STATUS_LABELS[position.status_of(s)]),
            )
            for s in position.instalments
        ),
        receipts=tuple(_receipt(p, kind_words) for p in position.payments),
        not_yet_due=position.outstanding_principal - position.overdue_principal,
    )


# -- the collection record ------------------------------------------------------------------------------------


def _calls(borrower_id: int, as_of: date) -> tuple[CallLine, ...]:
    calls = (
        Call.objects.filter(borrower_id=borrower_id, called_on__lte=as_of)
        .select_related("collector", "contact")
        .order_by("called_at", "pk")
    )
    lines = []
    for call in calls:
        party = call.get_party_display()
        if call.contact_id:
            party = f"{party}（{call.contact.get_relation_display()}）"
        if call.inbound:
            party = f"{party} · {translation.gettext('the borrower called us')}"
        lines.append(
            CallLine(
                at=_local(call.called_at),
                party=party,
                number=masked("phone", call.number),
                outcome=call.get_outcome_display(),
                duration_seconds=call.duration_seconds,
                attitude=call.get_attitude_display() if call.attitude else "",
                obstacle=call.get_obstacle_display() if call.obstacle else "",
                note=call.note,
                by=staff_name(call.collector),
            )
        )
    return tuple(lines)


def _letters(borrower_id: int, as_of: date) -> tuple[LetterLine, ...]:
    letters = list(
        Letter.objects.filter(borrower_id=borrower_id, sent_on__lte=as_of)
        .defer("pdf")
        .select_related("notice__print_batch")
        .defer("notice__body", "notice__print_batch__pdf", "notice__print_batch__manifest")
        .order_by("sent_on", "pk")
    )
    follow_ups = {  # LTR-3: the call confirming delivery, its status and the working day it is due by
        task.ref_id: f"{task.get_status_display()}（{translation.gettext('due')} {task.due_on.isoformat()}）"
        for task in Task.objects.filter(key__in=[f"letter_follow_up:{letter.pk}" for letter in letters])
    }
    lines = []
    for letter in letters:
        notice = getattr(letter, "notice", None)
        batch = notice.print_batch if notice is not None and notice.print_batch_id else None
        lines.append(
            LetterLine(
                reference=letter_reference(letter),
                sent_on=letter.sent_on,
                channel=letter.get_channel_display(),
                status=letter.get_status_display(),
                overdue=from_fen(letter.overdue_fen),
                deadline=letter.deadline,
                sent_at=_local(notice.sent_at) if notice else "",
                delivered_at=_local(notice.delivered_at) if notice else "",
                print_batch=str(batch) if batch else "",
                confirmation=follow_ups.get(letter.pk, ""),
                sha256=letter.pdf_sha256,
                cancelled=letter.status == LetterStatus.CANCELLED,
            )
        )
    return tuple(lines)


def _notices(borrower_id: int, as_of: date) -> tuple[NoticeLine, ...]:
    notices = (
        Notice.objects.filter(borrower_id=borrower_id, queued_on__lte=as_of)
        .exclude(kind__in=COMPLAINT_KINDS)  # a complaint's own notices are not collection
        .defer("body")
        .order_by("queued_on", "pk")
    )
    return tuple(
        NoticeLine(
            queued_on=n.queued_on,
            kind=n.get_kind_display(),
            channel=n.get_channel_display(),
            status=n.get_status_display(),
            amount=from_fen(n.amount_fen),
            sent_at=_local(n.sent_at),
            delivered_at=_local(n.delivered_at),
        )
        for n in notices
    )


def _promises(borrower_id: int, as_of: date) -> tuple[PromiseLine, ...]:
    promises = Promise.objects.filter(borrower_id=borrower_id, made_on__lte=as_of).order_by("made_on", "pk")
    return tuple(
        PromiseLine(p.made_on, from_fen(p.amount_fen), p.due_on, p.get_status_display(), from_fen(p.paid_fen))
        for p in promises
    )


def _plans(borrower_id: int, as_of: date) -> tuple[PlanLine, ...]:
    plans = (
        Plan.objects.filter(borrower_id=borrower_id, starts_on__lte=as_of)
        .defer(*DOCUMENTS)
        .select_related("decided_by")
        .order_by("starts_on", "pk")
    )
    return tuple(
        PlanLine(
            proposed_on=p.starts_on,
            status=p.get_status_display(),
            amount=from_fen(p.amount_fen),
            instalments=p.instalment_count,
            payment=from_fen(p.payment_fen),
            approved_by=staff_name(p.decided_by) if p.status not in ("proposed", "rejected") else "",
            signed_on=p.signed_on,
            effective_on=p.effective_on,
            ended_on=p.ended_on,
            end_reason=plan_end(p.end_reason),
        )
        for p in plans
    )


# -- the statement of claim -----------------------------------------------------------------------------------


def _loan_terms(loans: Sequence[LoanAccount]) -> str:
    """The contracts' terms in words (Chinese: the court's language): one clause per contract, joined with "；",
    each led by its contract number where there is more than one."""
    clauses = []
    for loan in loans:
        terms = (
            f"借款本金{yuan(loan.principal)}元，年利率{percent(loan.annual_rate)}，期限{loan.term_months}个月，"
            f"还款方式为{loan.method}，起始日{format_date(loan.start_date, Language.ZH_HANS)}"
        )
        clauses.append(f"合同编号{loan.contract}：{terms}" if len(loans) > 1 else terms)
    return "；".join(clauses)


def complaint_values(content: FileContent, calls: int, letters: int) -> dict[str, str]:
    """The placeholders of the `litigation_complaint` template (LIT-1), in Chinese."""
    zh = Language.ZH_HANS
    return {
        **bank_values(content.bank),
        "name": content.borrower_name,
        "id_number": content.id_number,
        "address": content.address or "—",
        "principal": yuan(content.claims.principal),
        "interest": yuan(content.claims.interest),
        "penalty": yuan(content.claims.penalty),
        "compound": yuan(content.claims.compound),
        "total": yuan(content.claims.total),
        "filing_date": format_date(content.as_of, zh),
        "contracts": content.contracts,
        "loan_terms": _loan_terms(content.loans),
        "earliest_due": format_date(content.earliest_due, zh) if content.earliest_due else "—",
        "dpd": str(content.dpd),
        "calls": str(calls),
        "letters": str(letters),
        "court": content.court or NO_COURT,
    }


def file_content(
    litigation: Litigation, as_of: date, policy, template: Template, *, version: int, built_by
) -> FileContent:
    """What version `version` of the litigation's file prints, as of the filing date `as_of`, with `policy` (the
    one in force then) and the approved complaint `template`. The loans are those past due on `as_of`; the
    caller refuses a file without any."""
    borrower = litigation.borrower
    with translation.override("zh-hans"):
        accounts = tuple(
            loan_account_of(loan, pos, policy) for loan, pos in delinquent_loans(borrower.pk, as_of, policy)
        )
        claims = Claims(
            principal=sum((a.figures.overdue_principal for a in accounts), ZERO),
            interest=sum((a.figures.overdue_interest for a in accounts), ZERO),
            penalty=sum((a.figures.penalty_interest for a in accounts), ZERO),
            compound=sum((a.figures.compound_interest for a in accounts), ZERO),
        )
        letters = _letters(borrower.pk, as_of)
        content = FileContent(
            reference=file_reference(litigation, version),
            version=version,
            as_of=as_of,
            built_by=staff_name(built_by),
            bank=Bank.from_settings(),
            court=litigation.court,
            case_id=litigation.case_id,
            customer_number=borrower.external_id,
            borrower_name=borrower.name,
            id_number=borrower.id_number,
            address=borrower.address,
            loans=accounts,
            claims=claims,
            complaint=(),
            template=f"{template.purpose} {template.language} v{template.version}",
            template_version=template.version,
            calls=_calls(borrower.pk, as_of),
            letters=letters,
            notices=_notices(borrower.pk, as_of),
            promises=_promises(borrower.pk, as_of),
            plans=_plans(borrower.pk, as_of),
        )
    given = sum(1 for letter in letters if not letter.cancelled)
    values = complaint_values(content, len(content.calls), given)
    return replace(content, complaint=tuple(paragraphs(render(template.body, values))))
