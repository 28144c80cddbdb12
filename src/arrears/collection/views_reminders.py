"""The phone-reminder queue (REM-1): reminder calls due before an instalment falls due. Thin: permission, a
query, one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection import exports, queries, views
from arrears.collection.errors import CollectionError
from arrears.collection.models import CallOutcome, Task, TaskKind
from arrears.collection.reminder_calls import REMINDER_OUTCOMES, do_record_reminder_call, reminder_calls_due
from arrears.compliance.actions import require
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.masking import masked
from arrears.home import export
from arrears.home.inputs import parse_id


@login_required
def reminder_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CALL)
    on = queries.today()
    if request.method == "POST":
        # A reminder of a borrower outside one's pools is "not found", like their case (Issue 14 item 16).
        task = get_object_or_404(
            Task.objects.filter(borrower__in=queries.visible_borrowers(request.user)),
            pk=parse_id(request.POST.get("task")),
            kind=TaskKind.PHONE_REMINDER,
        )
        try:
            raw = (request.POST.get("duration_seconds") or "0").strip()
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
                raise ValueError(raw)  # ASCII digits only (int() takes full-width ones); the action checks the range
            duration = int(raw)
            do_record_reminder_call(
                task,
                outcome=request.POST.get("outcome", ""),
                duration_seconds=duration,
                note=request.POST.get("note", ""),
                actor=request.user,
                today=on,
                at=views.now(),
            )
        except ValueError as exc:  # CollectionError, ProhibitedLanguage, a duration that is not a number
            if not isinstance(exc, CollectionError | ProhibitedLanguage):
                exc = CollectionError(_("The duration must be a whole number of seconds."))
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Reminder call recorded."))
        return redirect("collection:reminders")
    if export.wanted(request):
        return exports.reminders(request)
    rows = [
        {
            "call": call,
            "name": masked("name", call.task.borrower.name),
            "mobile": masked("mobile", call.task.borrower.mobile),
        }
        for call in reminder_calls_due(on, borrowers=queries.visible_borrowers(request.user))
    ]
    outcomes = [(o, CallOutcome(o).label) for o in REMINDER_OUTCOMES]
    return render(request, "collection/reminders.html", {"rows": rows, "on": on, "outcomes": outcomes})
