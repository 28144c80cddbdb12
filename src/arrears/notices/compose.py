"""What one notice says and from which template: the values of its placeholders, in the template's language, and
the template purpose its kind and channel call for (the dispatcher's step 2)."""

from __future__ import annotations

from arrears.collection.letters import Bank, letter_reference
from arrears.complaints import outbox as complaint_outbox
from arrears.notices.content import complaint_values, letter_values, reminder_values
from arrears.notices.models import COMPLAINT_KINDS, Notice, NoticeChannel, NoticeKind, TemplatePurpose

__all__ = ["notice_purpose", "notice_values"]


def notice_purpose(notice: Notice) -> str:
    if notice.kind in COMPLAINT_KINDS:
        return complaint_outbox.purpose_of(notice.kind, notice.channel)
    if notice.kind == NoticeKind.LETTER:
        return TemplatePurpose.LETTER_EMAIL
    return TemplatePurpose.REMINDER_SMS if notice.channel == NoticeChannel.SMS else TemplatePurpose.REMINDER_EMAIL


def notice_values(notice: Notice, language: str) -> dict[str, str]:
    """The placeholders' values for `notice` in `language` (REM-2 for reminders, LTR-1 for a letter's email,
    CMP-2 and CMP-4 for a complaint's acknowledgement and outcome)."""
    bank = Bank.from_settings()
    borrower = notice.borrower
    if notice.kind in COMPLAINT_KINDS:
        complaint = notice.complaint
        investigation = getattr(complaint, "investigation", None)
        told = notice.kind == NoticeKind.COMPLAINT_OUTCOME and investigation is not None
        return complaint_values(
            name=complaint_outbox.addressee(complaint, language),
            reference=complaint.reference,
            received_on=complaint.received_on,
            investigation_due=complaint.investigation_due,
            finding=complaint_outbox.finding_sentence(bool(investigation.substantiated), language) if told else "",
            language=language,
            bank=bank,
        )
    if notice.kind in (NoticeKind.REMINDER, NoticeKind.PLAN):
        return reminder_values(
            name=borrower.name,
            contract=notice.loan.external_id if notice.kind == NoticeKind.REMINDER else notice.plan.contracts,
            instalment=notice.instalment_n,
            amount_fen=notice.amount_fen,
            due_date=notice.due_date,
            language=language,
            bank=bank,
        )
    letter = notice.letter
    return letter_values(
        name=borrower.name,
        reference=letter_reference(letter),
        total_fen=letter.overdue_fen,
        deadline=letter.deadline,
        contracts=letter.contracts,
        as_of=letter.sent_on,
        language=language,
        bank=bank,
    )
