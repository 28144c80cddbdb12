"""Outbox pages: the outbox by status (dead letters with their error, unconfirmed sends to settle), the daily
dispatch report, print batches, a borrower's delivery history; and the gateway's receipt callback. Thin: check
permission, call a query or one action, render."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.accounts.roles import SYSTEM_USERNAME
from arrears.collection.queries import visible_borrowers
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.home import export
from arrears.notices import exports, queries
from arrears.notices.actions import OutboxError, do_record_receipt, do_requeue_notice, do_settle_unconfirmed
from arrears.notices.models import AttemptOutcome, Notice, NoticeChannel, NoticeStatus, PrintBatch
from arrears.notices.printing import do_make_print_batch
from arrears.notices.shown import shown_recipient, shown_status
from arrears.notices.sms import ReceiptError, verify_receipt
from arrears.retention.views import purged_pdf

PAGE_SIZE = 50
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(request: HttpRequest, name: str, problems: list[str]) -> date | None:
    """The ISO date in the query parameter `name`, or None (left out, or wrong: then a message in `problems`)."""
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    if ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    problems.append(_("“%(text)s” is not a date; write it YYYY-MM-DD, e.g. 2026-12-01.") % {"text": text[:20]})
    return None


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox, filtered by status (every status by default) and by the day queued (from, to)."""
    require(request.user, Perm.MANAGE_OUTBOX)
    problems: list[str] = []
    status = request.GET.get("status", "")
    statuses = []  # a letter in a print batch is shown apart from the sent ones, right after them
    for value, label in NoticeStatus.choices:
        statuses.append((value, label))
        if value == NoticeStatus.SENT:
            statuses.append((queries.IN_PRINT_BATCH, _("in a print batch")))
    if status and status not in dict(statuses):
        problems.append(_("There is no status “%(status)s”; every status is shown.") % {"status": status[:20]})
        status = ""
    since, until = _day(request, "from", problems), _day(request, "to", problems)
    if since and until and since > until:
        problems.append(_("The first day comes after the last; both are left out."))
        since = until = None
    if export.wanted(request):
        return exports.outbox(request, queries.outbox(status or None, since=since, until=until), status, since, until)
    page = Paginator(queries.outbox(status or None, since=since, until=until), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for notice in page.object_list:
        notice.shown_to = shown_recipient(notice)
        notice.shown_status = shown_status(notice, now)
        notice.shown_sent_at = None if notice.print_batch_id else notice.sent_at
    counts = queries.status_counts(since=since, until=until, printed_apart=True)
    dates = {k: v.isoformat() for k, v in (("from", since), ("to", until)) if v}
    context = {
        "page": page,
        "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in statuses],
        "total": sum(counts.values()),
        "since": since,
        "until": until,
        "problems": problems,
        "dates": urlencode(dates),
        "filters": urlencode({"status": status, **dates} if status else dates),
        "reasons": queries.REASON_LABELS,
    }
    return render(request, "notices/outbox.html", context)


@login_required
@require_POST
def notice_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed or unconfirmed notice again, or record an unconfirmed one as sent."""
    require(request.user, Perm.MANAGE_OUTBOX)
    notice = get_object_or_404(Notice, pk=pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "confirm":
            do_settle_unconfirmed(notice, actor=request.user, reason=reason)
            messages.success(request, _("Notice %(key)s recorded as sent.") % {"key": notice.key})
        else:
            do_requeue_notice(notice, actor=request.user, reason=reason)
            messages.success(request, _("Notice %(key)s will be sent again.") % {"key": notice.key})
    except OutboxError as exc:
        messages.error(request, str(exc))
    back = request.POST.get("status", "")
    return redirect(f"{reverse('notices:outbox')}?status={back}" if back in NoticeStatus.values else "notices:outbox")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    if not (has_perm(request.user, Perm.VIEW_REPORTS) or has_perm(request.user, Perm.MANAGE_OUTBOX)):
        require(request.user, Perm.VIEW_REPORTS)
    try:
        day = date.fromisoformat(request.GET["on"]) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        return HttpResponseBadRequest(_("The date must be written YYYY-MM-DD, e.g. 2026-12-01."))
    data = queries.dispatch_report(day)
    words = {
        "reasons": queries.REASON_LABELS,
        "channels": dict(NoticeChannel.choices),
        "outcomes": dict(AttemptOutcome.choices),
        "statuses": {**dict(NoticeStatus.choices), queries.IN_PRINT_BATCH: _("in a print batch")},
    }
    return render(request, "notices/report.html", {"report": data, **words})


@login_required
def print_batches(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE_OUTBOX)
    if request.method == "POST":
        batch = do_make_print_batch(timezone.localdate(), actor=request.user)
        if batch is None:
            messages.info(request, _("No letter is waiting for the print house."))
        else:
            messages.success(request, _("%(batch)s made: %(n)s letters.") % {"batch": batch, "n": batch.letters})
        return redirect("notices:print-batches")
    if export.wanted(request):
        return exports.print_batches(request)
    batches = PrintBatch.objects.defer("pdf", "manifest").order_by("-business_date", "-number")[:100]
    waiting = Notice.objects.filter(status=NoticeStatus.QUEUED, channel=NoticeChannel.POST).count()
    return render(request, "notices/print_batches.html", {"batches": batches, "waiting": waiting})


@login_required
def print_batch_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A print batch's PDF or CSV manifest, as an attachment. Both carry the borrowers' full names and addresses,
    so each download is an audited read (Clause: PRV-1), like opening a letter's PDF, and is never cached."""
    require(request.user, Perm.MANAGE_OUTBOX)  # before the lookup and the event: a refused user leaves no trace
    if kind not in ("pdf", "csv"):
        raise Http404("a print batch is downloaded as .pdf or .csv")
    batch = get_object_or_404(PrintBatch, pk=pk)
    if batch.pdf_purged_on is not None:  # past its retention period (LTR-1)
        return purged_pdf(batch.pdf_purged_on, batch.pdf_sha256)
    with audited(
        request.user, ActionCode.DOWNLOAD_PRINT_BATCH, permission=Perm.MANAGE_OUTBOX, subject=batch, clause="PRV-1"
    ) as record:
        record.change("download", None, kind)
        record.change("letters", None, batch.letters)
    name = f"print-batch-{batch.business_date:%Y%m%d}-{batch.number}"
    if kind == "pdf":
        response = HttpResponse(bytes(batch.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        response = HttpResponse(batch.manifest.encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "private, no-store"  # full names and addresses
    return response


@login_required
def history(request: HttpRequest, borrower_id: int) -> HttpResponse:
    """A borrower's delivery history: every notice, its status and each attempt (recipients masked)."""
    require(request.user, Perm.VIEW_PORTFOLIO)
    # Outside one's pools a borrower is "not found", as on the borrower page (Issue 14 item 16).
    borrower = get_object_or_404(visible_borrowers(request.user), pk=borrower_id)
    if export.wanted(request):
        return exports.history(request, borrower)
    notices = list(queries.delivery_history(borrower.pk)[:200])
    now = timezone.now()
    for notice in notices:
        notice.shown_to = shown_recipient(notice)
        notice.shown_status = shown_status(notice, now)
        notice.shown_sent_at = None if notice.print_batch_id else notice.sent_at
    context = {"borrower": borrower, "notices": notices, "reasons": queries.REASON_LABELS}
    return render(request, "notices/history.html", context)


@csrf_exempt
@require_POST
def sms_receipt(request: HttpRequest) -> HttpResponse:
    """The gateway's delivery receipt (docs/sms-gateway.md), signed with the shared secret; recorded by the
    system user. Refused (403) without a configured secret or with a bad signature; nothing changes then."""
    secret = settings.ARREARS_SMS_CALLBACK_SECRET
    if not secret:
        raise PermissionDenied("receipts are not accepted: ARREARS_SMS_CALLBACK_SECRET is not set")
    try:
        receipt = verify_receipt(request.body, request.headers.get("X-Signature", ""), secret)
    except ReceiptError as exc:
        return JsonResponse({"error": str(exc)}, status=403 if "signature" in str(exc).lower() else 400)
    from django.contrib.auth import get_user_model

    system = get_user_model().objects.get(username=SYSTEM_USERNAME)
    notice = do_record_receipt(
        provider_id=receipt.provider_id,
        reference=receipt.reference,
        delivered=receipt.delivered,
        at=receipt.at,
        error=receipt.error,
        actor=system,
    )
    if notice is None:
        return JsonResponse({"error": "unknown message"}, status=404)
    return JsonResponse({"status": notice.status})
