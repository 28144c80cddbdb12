"""The formal overdue notice (逾期通知书, LTR-1), how it is sent (LTR-2), and its confirmation call (LTR-3).

How this works
--------------
* `letter_content` gathers what the notice says, as a frozen `LetterContent`: the bank and how to reach it,
  the borrower's name and address (the letter goes to the borrower, so nothing is masked; PRV-1 is kept by
  sending it only to the borrower's own registered email or address), and for each delinquent loan the
  figures of the finance core's replay on the as-of date (`arrears.finance.account.replay`, the same as the
  loan page and the nightly run) with the penalty calculation in detail.
* The calculation lines are the finance core's own (`arrears.finance.penalty.penalty_interest`) wherever an
  instalment's balance stayed as it was since its due date; where a payment after the due date changed it,
  each accrual period is printed, and what was paid and what a posted waiver settled (WVR-2) are subtracted;
  every amount is checked against the replay (`letter_figures`).
* The repayment deadline is the policy's `letters.repay_within_days` calendar days after the as-of date (LTR-1),
  moved to the next working day when that is a holiday or weekend.
* `render_pdf` renders `collection/letters/overdue_notice.html` with WeasyPrint, embedding a CJK font
  (`ARREARS_LETTER_FONT`, else found with fontconfig; Debian package fonts-noto-cjk).
* The notice's wording above and below the figures is the approved `letter_notice` template (LANG-2; the
  notice is always in Chinese, the legal language of the contract); without one no notice can be issued.
* `do_send_letter` is the action: it checks, renders, stores the letter and its PDF, queues it in the notices
  outbox (key `letter:<letter id>`: emailed by `arrears dispatch`, or printed in the day's print batch),
  creates the follow-up task (key `letter_follow_up:<letter id>`, as the nightly run names it, so the run adds
  none) and writes the audit event, in one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.agencies.access import ensure_may_contact
from arrears.collection.errors import CollectionError
from arrears.collection.letter_figures import LoanFigures, loan_figures
from arrears.collection.models import (
    CaseStatus,
    CollectionCase,
    Letter,
    LetterChannel,
    LetterStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from arrears.collection.queries import holds_in_force, refusal
from arrears.collection.urgency import refresh_urgency
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.contact import check_contact
from arrears.compliance.language_actions import ensure_clean
from arrears.finance import from_fen, to_fen
from arrears.finance.money import ZERO
from arrears.notices.content import letter_values
from arrears.notices.models import Language, Notice, NoticeKind, NoticeStatus, TemplatePurpose, letter_key
from arrears.notices.template_queries import template_for
from arrears.notices.templating import paragraphs, render, split_notice
from arrears.portfolio.models import Borrower, Hold, Loan, LoanStatus
from arrears.portfolio.posting import account_terms, loan_account, with_accounts
from arrears.rules.queries import calendar, policy_on
from arrears.workdays import UnknownYearError

__all__ = [
    "Bank",
    "LetterContent",
    "LetterFonts",
    "do_send_letter",
    "email_waits_until",
    "is_overdue",
    "letter_content",
    "letter_fonts",
    "overdue_follow_ups",
    "render_pdf",
]

log = logging.getLogger(__name__)

QUIET_HOURS = "quiet_hours"  # `check_contact`'s rule
MAX_ADDITION = 1000  # characters of the collector's addition (plain text, printed as written)
TEMPLATE = "collection/letters/overdue_notice.html"


# -- what the letter says ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bank:
    name: str
    hotline: str
    address: str
    email: str

    @classmethod
    def from_settings(cls) -> Bank:
        return cls(
            settings.ARREARS_BANK_NAME,
            settings.ARREARS_BANK_HOTLINE,
            settings.ARREARS_BANK_ADDRESS,
            settings.ARREARS_BANK_EMAIL,
        )


@dataclass(frozen=True)
class LetterContent:
    """Everything the notice prints (LTR-1). `reference` is given when the letter is issued."""

    bank: Bank
    as_of: date
    customer_number: str
    borrower_name: str
    borrower_address: str
    borrower_email: str
    loans: tuple[LoanFigures, ...]
    deadline: date
    addition: str = ""
    reference: str = ""
    # The approved wording (LANG-2): paragraphs above the figures and below them.
    intro: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((loan.total for loan in self.loans), ZERO)


def repayment_deadline(as_of: date, policy) -> date:
    """LTR-1: the policy's `letters.repay_within_days` calendar days after `as_of` (7: a week to arrange
    payment, a date a borrower can read without a calendar of holidays), moved to the next working day when
    it is not one, so the last day is one the bank's branches and hotline are open (printed, not enforced)."""
    return calendar().next_working_day(as_of + timedelta(days=policy.letters.repay_within_days))


def letter_content(
    case_or_borrower: CollectionCase | Borrower,
    loans: Iterable[Loan] | None,
    as_of: date,
    policy,
    *,
    addition: str = "",
) -> LetterContent:
    """What the notice for this borrower says on `as_of` (Clause: LTR-1): the delinquent ones (DPD over 0)
    of `loans` (None: the borrower's active loans), each replayed by the finance core with `policy`."""
    borrower = case_or_borrower.borrower if isinstance(case_or_borrower, CollectionCase) else case_or_borrower
    if loans is None:
        chosen = Loan.objects.filter(borrower=borrower, status=LoanStatus.ACTIVE)
    else:
        chosen = Loan.objects.filter(pk__in=[loan.pk for loan in loans])
    figures = []
    for loan in with_accounts(chosen).order_by("start_date", "external_id"):
        position = loan_account(loan, as_of, policy)
        if position.dpd > 0:
            scheduled = {i.n: (from_fen(i.principal_fen), from_fen(i.interest_fen)) for i in loan.instalments.all()}
            terms = account_terms(loan, policy)
            figures.append(loan_figures(loan.external_id, loan.product, position, scheduled, terms))
    return LetterContent(
        bank=Bank.from_settings(),
        as_of=as_of,
        customer_number=borrower.external_id,
        borrower_name=borrower.name,
        borrower_address=borrower.address,
        borrower_email=borrower.email,
        loans=tuple(figures),
        deadline=repayment_deadline(as_of, policy),
        addition=addition,
    )


# -- the PDF ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterFonts:
    regular: Path
    bold: Path | None = None


NO_FONT = (
    "No CJK font for the overdue notice: install the Debian package fonts-noto-cjk "
    "(apt-get install fonts-noto-cjk), or set ARREARS_LETTER_FONT to a .otf/.ttf/.ttc font file with "
    "Chinese glyphs."
)


def _fontconfig_faces() -> list[tuple[str, str, int]]:
    """(file, family, weight) of the installed fonts that cover Simplified Chinese, by fontconfig."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    found = subprocess.run(  # noqa: S603 - fixed arguments, the program found on PATH
        [fc_list, "--format", "%{file}|%{family}|%{weight}\n", ":lang=zh-cn"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    faces = []
    for row in found.stdout.splitlines():
        file, _sep, rest = row.partition("|")
        family, _sep, weight = rest.rpartition("|")
        if file and weight.isdigit():
            faces.append((file, family.split(",")[0], int(weight)))
    return faces


def _preference(face: tuple[str, str, int]) -> tuple:
    file, family, _weight = face
    # Noto Sans CJK SC first (fonts-noto-cjk), then any other Noto CJK sans, serif, then anything else.
    return (
        "Noto Sans CJK SC" not in family,
        "Mono" in family,
        "Noto Sans CJK" not in family,
        "Noto" not in family,
        file,
    )


@functools.cache
def letter_fonts(configured: str = "") -> LetterFonts:
    """The font embedded in the notice: `configured` (the ARREARS_LETTER_FONT setting) if given, else the
    best fontconfig face for Simplified Chinese (regular, and its bold where installed). Raises
    ImproperlyConfigured naming the Debian package fonts-noto-cjk when there is none."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ImproperlyConfigured(f"ARREARS_LETTER_FONT={configured!r} is not a file. {NO_FONT}")
        return LetterFonts(path)
    faces = _fontconfig_faces()
    regular = sorted((f for f in faces if f[2] <= 100), key=_preference)
    if not regular:
        raise ImproperlyConfigured(NO_FONT)
    family = regular[0][1]
    bold = sorted((f for f in faces if f[1] == family and f[2] >= 180), key=_preference)
    return LetterFonts(Path(regular[0][0]), Path(bold[0][0]) if bold else None)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render_pdf(content: LetterContent) -> bytes:
    """The notice as an A4 PDF with the CJK font embedded (subset). The HTML is in Chinese (`lang="zh-CN"`,
    so the Noto CJK collection shows Simplified Chinese glyph forms)."""
    from weasyprint import HTML  # imported here: it loads Pango and fontconfig, which only letters need

    fonts = letter_fonts(getattr(settings, "ARREARS_LETTER_FONT", "") or "")
    html = render_to_string(
        TEMPLATE,
        {
            "c": content,
            "font_regular": fonts.regular.resolve().as_uri(),
            "font_bold": fonts.bold.resolve().as_uri() if fonts.bold else "",
            "issued": _cn_date(content.as_of),
            "deadline": _cn_date(content.deadline),
            "as_of": _cn_date(content.as_of),
        },
    )
    return HTML(string=html).write_pdf()


# -- holds and follow-ups ---------------------------------------------------------------------------------


def is_overdue(task: Task, on: date) -> bool:
    """An open task is overdue once its due date has passed (Clause: LTR-3: the confirmation call is due by
    the working day `due_on`, inclusive)."""
    return task.status == TaskStatus.OPEN and task.due_on < on


def overdue_follow_ups(on: date):
    """Letter confirmation calls missed by `on` (Clause: LTR-3)."""
    return Task.objects.filter(kind=TaskKind.LETTER_FOLLOW_UP, status=TaskStatus.OPEN, due_on__lt=on)


# -- the action -------------------------------------------------------------------------------------------


def _loans_for_letter(borrower: Borrower, loans: Iterable[Loan] | None, today: date) -> list[Loan]:
    """The loans the letter may cover: those given (each the borrower's own), or by default the borrower's
    active loans less any under a hold of its own (the nightly reminders leave those out too)."""
    if loans is not None:
        chosen = list(loans)
        for loan in chosen:
            if loan.borrower_id != borrower.pk:
                raise CollectionError(
                    _("Loan %(loan)s does not belong to this borrower; choose the borrower's own loans.")
                    % {"loan": loan.external_id}
                )
        return chosen
    active = list(Loan.objects.filter(borrower=borrower, status=LoanStatus.ACTIVE))
    held = {
        h.loan_id
        for h in Hold.objects.filter(borrower=borrower, loan__isnull=False, starts_on__lte=today)
        if h.in_force_on(today)
    }
    return [loan for loan in active if loan.pk not in held]


def _refuse_unless_sendable(case: CollectionCase, channel: str, policy, addition: str) -> None:
    borrower = case.borrower
    if case.status != CaseStatus.OPEN:
        raise CollectionError(
            _("Case %(case)s is closed; a notice is sent only on an open case. Reopen it or open the current case.")
            % {"case": case.pk}
        )
    if channel not in LetterChannel.values or channel not in policy.letters.channels:
        raise CollectionError(
            _("Channel %(channel)s is not allowed for notices by the policy in force; use one of: %(allowed)s.")
            % {
                "channel": dict(LetterChannel.choices).get(channel, channel or "—"),
                "allowed": ", ".join(str(dict(LetterChannel.choices).get(c, c)) for c in policy.letters.channels),
            }
        )
    if channel == LetterChannel.EMAIL and not borrower.email.strip():
        raise CollectionError(_("The borrower has no registered email address; send the notice by post instead."))
    if channel == LetterChannel.POST and not borrower.address.strip():
        raise CollectionError(
            _("The borrower has no address on record; send the notice by email, or correct the address first.")
        )
    if len(addition) > MAX_ADDITION:
        raise CollectionError(
            _("The addition is %(n)s characters long; shorten it to at most %(max)s.")
            % {"n": len(addition), "max": MAX_ADDITION}
        )


def do_send_letter(
    case: CollectionCase,
    *,
    channel: str,
    actor,
    addition: str = "",
    today: date,
    loans: Iterable[Loan] | None = None,
    at: datetime | None = None,
) -> Letter:
    """Issue the formal overdue notice on an open case (Clause: LTR-1, LTR-2, LTR-3, AUTH-1, AUTH-4).

    Needs Perm.SEND_LETTER. Refused with `CollectionError` (nothing written) when an agency's user sends it on a
    case not placed with their agency or while the agency is frozen (AGY-1), when the case is not open, the
    channel is not one the policy allows, email is chosen and the borrower has no email (or post and no
    address), a hold is in force (`check_contact`, channel "letter"), none of the loans is delinquent on
    `today`, no notice wording is approved (LANG-2), or a letter went out by the same channel to the borrower
    today. Quiet hours do not refuse it: issuing contacts no one — a letter by post waits for the print batch,
    an email for the dispatcher, which re-checks the contact rules and defers it to the end of quiet hours.

    In one transaction: the PDF is rendered with the approved wording and stored with its SHA-256 and figures,
    the letter is queued in the notices outbox (Clause: LTR-2; `arrears dispatch` emails it to the borrower's
    registered email with the PDF attached, re-checking at send time, or the day's print batch takes it for
    post), the confirmation-call task `letter_follow_up:<letter id>` is created (due
    `policy.letters.follow_up_working_days` working days after `today`, available from `today`), and the audit
    event records it all. The letter's status follows its notice: queued, then emailed / email_failed, or
    printed, or cancelled when its reason no longer held at send time.
    """
    require(actor, Perm.SEND_LETTER)
    ensure_may_contact(actor, case, today)  # an agency's user: placed with their agency, not frozen (AGY-1)
    at = at or timezone.now()
    policy = policy_on(today)
    borrower = case.borrower
    addition = (addition or "").strip()
    _refuse_unless_sendable(case, channel, policy, addition)
    if addition:
        # LANG-1: an addition with prohibited language is refused (ProhibitedLanguage); the hit stays recorded.
        ensure_clean(addition, actor=actor, where="letter_addition", subject=case)
    chosen = _loans_for_letter(borrower, loans, today)
    verdict = check_contact(
        at, policy.contact, channel="letter", holds=holds_in_force(borrower.pk, today, [loan.pk for loan in chosen])
    )
    if not verdict.allowed and verdict.rule != QUIET_HOURS:  # a hold (quiet hours: see the docstring)
        when = verdict.next_allowed_at
        raise CollectionError(
            _("No notice can be sent now: %(reason)s. %(then)s")
            % {
                "reason": refusal(verdict)["reason"],
                "then": _("Try again after %(at)s.") % {"at": f"{timezone.localtime(when):%Y-%m-%d %H:%M}"}
                if when
                else _("Send it once the hold is released."),
            }
        )
    try:
        content = letter_content(case, chosen, today, policy, addition=addition)
        content, wording = _wording(content)
        follow_up_on = calendar().add_working_days(today, policy.letters.follow_up_working_days)
    except UnknownYearError as exc:
        raise CollectionError(
            _(
                "The working-day calendar does not cover the dates this notice needs (%(error)s); an administrator "
                "adds the year in the admin."
            )
            % {"error": exc}
        ) from exc
    late = {figures.contract for figures in content.loans}
    if loans is not None and (current := [loan.external_id for loan in chosen if loan.external_id not in late]):
        raise CollectionError(
            _("Loan %(loans)s is not overdue on %(day)s; a notice covers only overdue loans.")
            % {"loans": ", ".join(current), "day": today.isoformat()}
        )
    if not content.loans:
        raise CollectionError(
            _("None of the borrower's loans is overdue on %(day)s; there is nothing to give notice of.")
            % {"day": today.isoformat()}
        )
    with audited(  # the collector's own addition is the event's reason (AUTH-4)
        actor, ActionCode.SEND_LETTER, permission=Perm.SEND_LETTER, subject=case, clause="LTR-1", reason=addition
    ) as record:
        # Locked, so two sends at once cannot both pass the checks below.
        locked = CollectionCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.OPEN:
            raise CollectionError(_("Case %(case)s was closed meanwhile; no notice was sent.") % {"case": case.pk})
        earlier = Letter.objects.filter(borrower=borrower, sent_on=today, channel=channel).values_list("pk", flat=True)
        if earlier:
            raise CollectionError(
                _(
                    "Letter %(letter)s already went to this borrower by %(channel)s today; open it instead of sending "
                    "another."
                )
                % {"letter": earlier[0], "channel": channel}
            )
        letter = Letter.objects.create(
            borrower=borrower,
            case=locked,
            loan=_only_loan(chosen, late),
            channel=channel,
            sent_on=today,
            status=LetterStatus.QUEUED,
            sent_by=actor,
            overdue_fen=to_fen(content.total),
            deadline=content.deadline,
            addition=addition,
            contracts="、".join(figures.contract for figures in content.loans),
            wording=wording,
        )
        content = replace(content, reference=letter_reference(letter))
        letter.pdf = render_pdf(content)
        letter.pdf_sha256 = hashlib.sha256(letter.pdf).hexdigest()
        letter.save(update_fields=["pdf", "pdf_sha256"])
        task = Task.objects.create(
            key=f"letter_follow_up:{letter.pk}",
            kind=TaskKind.LETTER_FOLLOW_UP,
            borrower=borrower,
            case=locked,
            available_from=today,
            due_on=follow_up_on,
            reason="confirm delivery",
            ref_id=letter.pk,
            clause="LTR-3",
            created_on=today,
        )
        notice = Notice.objects.create(
            key=letter_key(letter.pk),
            borrower=borrower,
            letter=letter,
            loan=letter.loan,
            kind=NoticeKind.LETTER,
            channel=channel,
            amount_fen=letter.overdue_fen,
            status=NoticeStatus.QUEUED,
            queued_on=today,
            clause="LTR-2",
        )
        record.set_subject(letter)
        for field, value in _recorded(letter, content, task).items():
            record.change(field, None, value)
        record.change("notice", None, notice.key)
        refresh_urgency(today, [borrower.pk])  # the letter's follow-up, once due, is a follow-up in the queue
    return letter


def email_waits_until(at: datetime, today: date) -> datetime | None:
    """When an email queued at `at` may first leave: None when at once; in quiet hours their end, to which the
    dispatcher defers it (`check_contact`, channel "email"; Clause: LTR-2)."""
    verdict = check_contact(at, policy_on(today).contact, channel="email")
    return verdict.next_allowed_at if verdict.rule == QUIET_HOURS else None


def letter_reference(letter: Letter) -> str:
    """The number the notice and its email carry: LTR-<issue date>-<letter id>."""
    return f"LTR-{letter.sent_on:%Y%m%d}-{letter.pk:06d}"


def _wording(content: LetterContent) -> tuple[LetterContent, str]:
    """The approved notice wording (LANG-2) filled in for this letter, and which version it is; CollectionError
    when none is approved."""
    template = template_for(TemplatePurpose.LETTER_NOTICE, Language.ZH_HANS)
    if template is None or template.language != Language.ZH_HANS:
        raise CollectionError(
            _(
                "No approved wording for the overdue notice (LANG-2): a legal reviewer must approve the "
                "“overdue notice wording” template at Notices › Templates before notices can be issued."
            )
        )
    values = letter_values(
        name=content.borrower_name,
        reference=content.reference,
        total_fen=to_fen(content.total),
        deadline=content.deadline,
        contracts="、".join(figures.contract for figures in content.loans),
        as_of=content.as_of,
        language=Language.ZH_HANS,
        bank=content.bank,
    )
    above, below = split_notice(template.body)
    return replace(
        content,
        intro=tuple(paragraphs(render(above, values))),
        closing=tuple(paragraphs(render(below, values))),
    ), f"{template.purpose} {template.language} v{template.version}"


def _only_loan(chosen: Sequence[Loan], late: set[str]) -> Loan | None:
    covered = [loan for loan in chosen if loan.external_id in late]
    return covered[0] if len(covered) == 1 else None


def _recorded(letter: Letter, content: LetterContent, task: Task) -> dict[str, Any]:
    return {
        "reference": content.reference,
        "case": letter.case_id,
        "channel": letter.channel,
        "status": letter.status,
        "loans": [figures.contract for figures in content.loans],
        "overdue_fen": letter.overdue_fen,
        "deadline": letter.deadline.isoformat(),
        "addition": letter.addition,
        "pdf_sha256": letter.pdf_sha256,
        "follow_up": {"task": task.key, "due_on": task.due_on.isoformat(), "clause": task.clause},
    }
