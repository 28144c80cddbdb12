"""The phone-reminder queue (REM-1): reminder calls due before an instalment falls due. Thin: permission, a
query, one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from arrears.accounts.permissions import Perm
from arrears.collection import exports, queries, views
from arrears.collection.errors import CollectionError
from arrears.collection.models import CallOutcome, Task, TaskKind
from arrears.collection.reminder_calls import (
    REMINDER_OUTCOMES,
    REMINDER_SORTS,
    do_record_reminder_call,
    reminder_calls_due,
    sorted_calls,
)
from arrears.compliance.actions import require
from arrears.compliance.language_actions import ProhibitedLanguage
from arrears.compliance.masking import masked
from arrears.home import export
from arrears.home.inputs import parse_id
from arrears.home.sorting import parse_sort


@login_required
def reminder_queue(request: HttpRequest) -> HttpResponse:
    # The reminders before a due date are the bank's own work (REM-1): its collectors', not an agency's, which
    # sees only the cases placed with it (LGL-2, PRV-1).
    require(request.user, Perm.VIEW_PORTFOLIO)
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
        # Back to the queue in the order it was shown (the form posts to the page's own URL, its sort with it).
        query = request.GET.urlencode()
        return redirect(f"{reverse('collection:reminders')}?{query}" if query else "collection:reminders")
    if export.wanted(request):
        return exports.reminders(request)
    sort = parse_sort(request.GET.get("sort"), REMINDER_SORTS)
    calls = sorted_calls(reminder_calls_due(on, borrowers=queries.visible_borrowers(request.user)), sort)
    rows = [
        {
            "call": call,
            "name": masked("name", call.task.borrower.name),
            "mobile": masked("mobile", call.task.borrower.mobile),
            "late": call.task.due_on < on,  # the reminder should have been made before the business date
        }
        for call in calls
    ]
    outcomes = [(o, CallOutcome(o).label) for o in REMINDER_OUTCOMES]
    context = {"rows": rows, "on": on, "outcomes": outcomes, "sort": sort}
    return render(request, "collection/reminders.html", context)
