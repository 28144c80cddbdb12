"""Formal notices on the workstation: send one from a case page, open a letter's PDF. Thin: check, call, answer.

URL patterns (in `arrears.collection.urls`, app_name "collection"):

    path("cases/<int:case_id>/letters/", views_letters.send_letter, name="send-letter"),
    path("letters/<int:letter_id>.pdf", views_letters.letter_pdf, name="letter-pdf"),
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm
from arrears.collection import views as desk
from arrears.collection.errors import CollectionError
from arrears.collection.letters import do_send_letter, email_waits_until
from arrears.collection.models import Letter, LetterChannel, Task
from arrears.collection.queries import case_permission, today, visible_cases
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.retention.views import purged_pdf


@login_required
@require_POST
def send_letter(request: HttpRequest, case_id: int) -> HttpResponse:
    """POST channel (email|post) and an optional addition: issue the notice, back to the case with a message."""
    require(request.user, Perm.SEND_LETTER)  # before the lookup: a refused user learns nothing about the case
    case = get_object_or_404(visible_cases(request.user).select_related("borrower"), pk=case_id)
    at = desk.now()
    try:
        letter = do_send_letter(
            case,
            channel=request.POST.get("channel", ""),
            actor=request.user,
            addition=request.POST.get("addition", ""),
            today=today(),
            at=at,
        )
    except (CollectionError, ProhibitedLanguage) as exc:
        messages.error(request, str(exc))
    else:
        follow_up = {"day": _follow_up_day(letter)}
        if letter.channel == LetterChannel.POST:
            messages.success(
                request,
                _(
                    "The notice is queued for the next print batch, which the print house prints and posts; confirm "
                    "delivery by phone by %(day)s."
                )
                % follow_up,
            )
        else:  # queued: the dispatcher sends it; "print and post instead" only once it failed for good
            messages.success(
                request, _queued_message(at) + " " + _("Confirm delivery by phone by %(day)s.") % follow_up
            )
    return redirect("collection:case", case_id=case.pk)


def _queued_message(at) -> str:
    """The notice waits in the outbox for the dispatcher (Clause: LTR-2): when it will go, and what follows if
    it cannot."""
    waits = email_waits_until(at, today())
    when = (
        _("It goes out at %(at)s, when the quiet hours end.") % {"at": f"{timezone.localtime(waits):%Y-%m-%d %H:%M}"}
        if waits
        else _("The dispatcher sends it shortly.")
    )
    return " ".join(
        (
            _("The notice is queued for email."),
            when,
            _("Should the email fail for good, the case page shows it and the notice can be printed and posted."),
        )
    )


def _follow_up_day(letter: Letter) -> str:
    due = Task.objects.filter(key=f"letter_follow_up:{letter.pk}").values_list("due_on", flat=True).first()
    return due.isoformat() if due else "—"


@login_required
@require_GET
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The PDF exactly as issued, shown inline, to whoever may open its case (an agency's user: the letters of
    the cases placed with their agency now, Clause: LGL-2). It carries the borrower's name and address unmasked,
    so each opening is an audited read (PRV-1)."""
    permission = case_permission(request.user)
    require(request.user, permission)
    letter = get_object_or_404(
        Letter.objects.only("pk", "pdf", "case_id", "pdf_sha256", "pdf_purged_on").filter(
            case__in=visible_cases(request.user)
        ),
        pk=letter_id,
    )
    if letter.pdf_purged_on is not None:  # past its retention period (LTR-1): the row and checksum stay
        return purged_pdf(letter.pdf_purged_on, letter.pdf_sha256)
    with audited(request.user, ActionCode.VIEW_LETTER, permission=permission, subject=letter, clause="PRV-1") as record:
        record.change("pdf", None, "opened")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="overdue-notice-{letter.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"  # the borrower's name and address are in it
    return response
