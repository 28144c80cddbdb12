"""The monthly review on the workstation (Clause: REV-1). Thin: check, read a form, call one action, answer.

URL patterns (in `arrears.reports.urls`, app_name "reports", under /reports/):

    reviews/                                  the packs (supervisors: every pack and the form preparing one;
                                              readers of reports: the approved ones)
    reviews/prepare/                          POST: prepare or refresh a month's pack
    reviews/<month>/                          the pack: figures with arrows and targets met or missed, the charts,
                                              the proposed cases with choose/note, commentary, action items, the
                                              follow-up, approve; approved: read-only with the PDF and XLSX
    reviews/<month>/edit/                     POST: commentary and chosen cases with notes
    reviews/<month>/items/                    POST: add an action item
    reviews/<month>/items/<item_id>/          POST: follow an action item up
    reviews/<month>/approve/                  POST: approve (renders and keeps the PDF and XLSX)
    reviews/<month>.<kind>                    the approved pack's PDF or XLSX, as kept

Supervisors (`reports.review`) see and work every pack; readers of reports (`reports.view`: compliance officers,
analysts) open approved packs only, the chosen cases without a borrower (analysts) or with the name masked
(those who see the portfolio). A refused action answers with the page and its message, 400 or 409, nothing
written. A month written otherwise than YYYY-MM is answered 400.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm, has_perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.collection.queries import today
from arrears.compliance.actions import require
from arrears.home import inputs
from arrears.reports.actions_review import (
    MAX_COMMENTARY,
    MAX_ITEM,
    MAX_NOTE,
    CaseChoice,
    ReviewError,
    do_add_action_item,
    do_approve_review,
    do_edit_review,
    do_prepare_review,
    do_update_action_item,
)
from arrears.reports.models_review import ActionItem, ItemStatus, ReviewPack, ReviewStatus
from arrears.reports.queries_review import can_read, follow_up_items, owners, pack_context, visible_packs

log = logging.getLogger(__name__)
KINDS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _BadMonth(Exception):  # a month in the URL that is not YYYY-MM: answered 400
    def __init__(self, message: str) -> None:
        self.message = message


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except BadMonth as exc:
        raise _BadMonth(str(exc)) from None


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "home/bad_request.html", {"message": message}, status=400)


def _readable(request: HttpRequest, month: str) -> ReviewPack:
    """The pack of `month` if the user may open it (else 404: a reader does not learn a prepared pack exists)."""
    if not can_read(request.user):
        require(request.user, Perm.VIEW_REPORTS)  # refused and logged
    chosen = _month(month)
    return get_object_or_404(visible_packs(request.user), month=chosen.first)


def _working(request: HttpRequest, month: str) -> ReviewPack:
    require(request.user, Perm.REVIEW_MONTH)
    return get_object_or_404(ReviewPack, month=_month(month).first)


def _page(request: HttpRequest, pack: ReviewPack, *, error: str = "", status: int = 200, values=None) -> HttpResponse:
    from arrears.reports.review_charts import pack_charts

    user = request.user
    working = has_perm(user, Perm.REVIEW_MONTH) and pack.status == ReviewStatus.PREPARED
    context = {
        **pack_context(pack, user),
        "charts": pack_charts(pack.figures or {}),
        "working": working,
        "owners": owners() if working else [],
        "statuses": ItemStatus.choices,
        "error": error,
        "values": values or {},
        "max_commentary": MAX_COMMENTARY,
        "max_note": MAX_NOTE,
        "max_item": MAX_ITEM,
        "today": today(),
    }
    return render(request, "reports/review.html", context, status=status)


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """Clause: REV-1 — the monthly review packs this user may open, newest first."""
    if not can_read(request.user):
        require(request.user, Perm.VIEW_REPORTS)
    packs = visible_packs(request.user).select_related("approved_by")
    preparer = has_perm(request.user, Perm.PREPARE_REVIEW)
    return render(
        request,
        "reports/reviews.html",
        {"packs": packs, "preparer": preparer, "suggested": Month.of(today()).previous()},
    )


@login_required
@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    """Clause: REV-1 — prepare a closed month's pack, or refresh a prepared one."""
    require(request.user, Perm.PREPARE_REVIEW)
    try:
        month = _month(request.POST.get("month", "").strip())
        pack = do_prepare_review(month, actor=request.user, today=today())
    except _BadMonth as exc:
        return _bad(request, exc.message)
    except ReviewError as exc:
        return _bad(request, str(exc))
    if pack.status == ReviewStatus.APPROVED:
        messages.info(request, _("The review of %(month)s is approved; it no longer changes.") % {"month": month})
    else:
        messages.success(request, _("The review of %(month)s is prepared from the month's figures.") % {"month": month})
    return redirect("reports:review", month=str(month))


@login_required
@require_GET
def review(request: HttpRequest, month: str) -> HttpResponse:
    """Clause: REV-1 — one month's pack."""
    try:
        pack = _readable(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    return _page(request, pack)


def _refused(request: HttpRequest, pack: ReviewPack, exc: ReviewError, values=None) -> HttpResponse:
    return _page(request, pack, error=str(exc), status=exc.status, values=values)


@login_required
@require_POST
def edit(request: HttpRequest, month: str) -> HttpResponse:
    """Clause: REV-1 — the commentary and the chosen cases, each with a note."""
    try:
        pack = _working(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    choices = {}
    for raw in request.POST.getlist("case"):
        case_id = inputs.parse_id(raw)
        if case_id is None:
            return _refused(request, pack, ReviewError(_("A case chosen is not one of this pack's; reload the page.")))
        choices[case_id] = CaseChoice(
            request.POST.get(f"chosen-{case_id}") == "on", request.POST.get(f"note-{case_id}", "")
        )
    try:
        do_edit_review(pack, commentary=request.POST.get("commentary", ""), cases=choices, actor=request.user)
    except ReviewError as exc:
        return _refused(request, pack, exc, values={"commentary": request.POST.get("commentary", "")})
    messages.success(request, _("The commentary and the chosen cases are saved."))
    return redirect("reports:review", month=pack.label)


@login_required
@require_POST
def add_item(request: HttpRequest, month: str) -> HttpResponse:
    """Clause: REV-1 — an action item of the meeting: what, who, by when."""
    try:
        pack = _working(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    values = {key: request.POST.get(key, "") for key in ("text", "owner", "due_on")}
    try:
        due_on = inputs.DateField().clean(values["due_on"])
    except Exception:  # a ValidationError in the reader's language
        return _refused(request, pack, ReviewError(_("Enter the due date as a date, e.g. 2026-03-31.")), values=values)
    try:
        do_add_action_item(
            pack,
            text=values["text"],
            owner=inputs.parse_id(values["owner"]),
            due_on=due_on,
            actor=request.user,
            today=today(),
        )
    except ReviewError as exc:
        return _refused(request, pack, exc, values=values)
    messages.success(request, _("The action item is added."))
    return redirect("reports:review", month=pack.label)


@login_required
@require_POST
def update_item(request: HttpRequest, month: str, item_id: int) -> HttpResponse:
    """Clause: REV-1 — follow an action item up: done, dropped or still open, with a note."""
    try:
        pack = _working(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    item = get_object_or_404(ActionItem, pk=item_id)
    if item.pack_id != pack.pk and item not in follow_up_items(pack):
        raise Http404("not an action item of this pack or its follow-up")
    try:
        do_update_action_item(
            item,
            pack=pack,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except ReviewError as exc:
        return _refused(request, pack, exc)
    messages.success(request, _("The action item is followed up."))
    return redirect("reports:review", month=pack.label)


@login_required
@require_POST
def approve(request: HttpRequest, month: str) -> HttpResponse:
    """Clause: REV-1 — approve the pack: its PDF and XLSX are kept, and it no longer changes."""
    try:
        pack = _working(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    try:
        do_approve_review(pack, actor=request.user)
    except ReviewError as exc:
        return _refused(request, pack, exc)
    messages.success(request, _("The review of %(month)s is approved; its PDF and XLSX are kept.") % {"month": month})
    return redirect("reports:review", month=pack.label)


@login_required
@require_GET
def download(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    """Clause: REV-1 — the approved pack's PDF (inline) or XLSX (attachment) as kept, checked against its SHA-256."""
    if kind not in KINDS:
        raise Http404("a review pack is downloaded as .pdf or .xlsx")
    try:
        pack = _readable(request, month)
    except _BadMonth as exc:
        return _bad(request, exc.message)
    if pack.status != ReviewStatus.APPROVED:
        raise Http404("a pack's documents are kept when it is approved")
    path, digest = (pack.pdf_path, pack.pdf_sha256) if kind == "pdf" else (pack.xlsx_path, pack.xlsx_sha256)
    try:
        with default_storage.open(path, "rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        content = b""
    if hashlib.sha256(content).hexdigest() != digest:
        log.error("review pack %s: the stored %s is missing or does not match its SHA-256 %s", pack.label, kind, digest)
        return render(
            request,
            "home/problem.html",
            {
                "title": _("The file cannot be shown"),
                "message": _(
                    "The stored file is missing or does not match the one kept at approval; tell the administrators."
                ),
            },
            status=409,
        )
    response = HttpResponse(content, content_type=KINDS[kind])
    disposition = "inline" if kind == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="review-{pack.label}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
