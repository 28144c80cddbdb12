"""The people's review of inspected calls (Clause: QA-1, QA-2, PRV-1): the queue of calls to review (every flagged
call, and the sample of the others), one call's inspection with its transcript and the form giving a verdict on
each finding, and the monthly quality scores per collector and per agency.

Reviewers (`quality.review`: QA reviewers and compliance officers) review; the scores are for those who appraise
(`quality.view_scores`: supervisors, compliance officers, QA reviewers). Thin: each view checks the permission,
reads a form, calls one action and answers — a refused action with the page and its message, 400 or 409,
nothing written. Opening a call's review is an audited read (its transcript names the borrower).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.accounts.permissions import Perm
from arrears.agencies.commissions import BadMonth, Month
from arrears.compliance.actions import require
from arrears.home import inputs
from arrears.quality import labels
from arrears.quality.inspect import parse
from arrears.quality.models_inspection import Review, ReviewStatus
from arrears.quality.reviews import (
    MAX_REASON,
    QualityConflict,
    QualityError,
    Verdict,
    do_read_transcript,
    do_review,
)
from arrears.quality.scores import monthly_scores

QUEUE_ROWS = 200


def _today() -> date:
    return timezone.localdate()


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Clause: QA-1 — the calls waiting for a person's review, flagged ones first, oldest first; or the reviewed."""
    require(request.user, Perm.REVIEW_CALLS)
    done = request.GET.get("status") == ReviewStatus.DONE
    reviews = (
        Review.objects.filter(status=ReviewStatus.DONE if done else ReviewStatus.OPEN)
        .select_related("inspection__call__collector__agency", "reviewer")
        .order_by(*(("-reviewed_at", "-pk") if done else ("reason", "opened_at", "pk")))
    )
    rows = [
        {
            "review": review,
            "call": review.inspection.call,
            "findings": len(review.inspection.result.get("findings", [])),
            "satisfaction": labels.SATISFACTION.get(review.inspection.satisfaction, ""),
        }
        for review in reviews[:QUEUE_ROWS]
    ]
    waiting = Review.objects.filter(status=ReviewStatus.OPEN).count()
    return render(
        request, "quality/reviews.html", {"rows": rows, "done": done, "waiting": waiting, "limit": QUEUE_ROWS}
    )


def _review(review_id: int) -> Review:
    return get_object_or_404(
        Review.objects.select_related(
            "inspection__call__collector__agency", "inspection__transcript", "reviewer"
        ).prefetch_related("verdicts"),
        pk=review_id,
    )


def _review_page(
    request: HttpRequest, review: Review, *, error: str = "", status: int = 200, values=None
) -> HttpResponse:
    inspection = review.inspection
    result = inspection.result
    findings = result.get("findings", [])
    lines_found: dict[int, list[str]] = {}
    for finding in findings:
        if finding.get("line"):
            lines_found.setdefault(finding["line"], []).append(str(labels.RULES.get(finding["rule"], "")))
    transcript = parse(inspection.transcript.text)
    verdicts = {v.position: v for v in review.verdicts.all()}
    context = {
        "review": review,
        "inspection": inspection,
        "call": inspection.call,
        "steps": [{**step, "label": labels.step_label(step["step"])} for step in result.get("steps", [])],
        "findings": [
            {
                **finding,
                "position": n,
                "label": labels.RULES.get(finding["rule"], ""),
                "words": labels.detail_words(finding["rule"], finding.get("detail", [])),
                "verdict": verdicts.get(n),
            }
            for n, finding in enumerate(findings)
        ],
        "lines": [{"line": line, "found": lines_found.get(line.number, [])} for line in transcript.lines],
        "satisfaction": labels.SATISFACTION.get(result.get("satisfaction", {}).get("level", ""), ""),
        "reasons": [
            {**reason, "label": labels.CUES.get(reason["cue"], "")}
            for reason in result.get("satisfaction", {}).get("reasons", [])
        ],
        "values": values or {},
        "max_reason": MAX_REASON,
        "on": _today(),
        "error": error,
    }
    return render(request, "quality/review.html", context, status=status)


@login_required
@require_GET
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    """Clause: QA-1, PRV-1 — one call's inspection, its transcript (an audited read) and the verdict form."""
    require(request.user, Perm.REVIEW_CALLS)
    review = _review(review_id)
    do_read_transcript(review.inspection, actor=request.user)
    return _review_page(request, review)


@login_required
@require_POST
def submit_review(request: HttpRequest, review_id: int) -> HttpResponse:
    """Clause: QA-1, QA-2 — the verdict on each finding, with its reason; confirmed violations to the register."""
    require(request.user, Perm.REVIEW_CALLS)
    review = _review(review_id)
    findings = review.inspection.result.get("findings", [])
    values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    verdicts = []
    for position in range(len(findings)):
        choice = request.POST.get(f"verdict-{position}", "")
        if choice not in ("confirm", "override"):
            return _review_page(
                request,
                review,
                error=_("Confirm or override each finding, with your reason."),
                status=400,
                values=values,
            )
        verdicts.append(Verdict(position, choice == "confirm", request.POST.get(f"reason-{position}", "")))
    due = None
    if request.POST.get("rectification_due", "").strip():
        field = inputs.DateField(required=False)
        try:
            due = field.clean(request.POST["rectification_due"])
        except Exception:  # a ValidationError in the reader's language
            return _review_page(
                request,
                review,
                error=_("The rectification's due date is not a date; write it as YYYY-MM-DD."),
                status=400,
                values=values,
            )
    try:
        do_review(
            review,
            verdicts,
            actor=request.user,
            today=_today(),
            rectification_due=due,
            note=request.POST.get("note", ""),
        )
    except QualityError as exc:
        return _review_page(
            request, review, error=str(exc), status=409 if isinstance(exc, QualityConflict) else 400, values=values
        )
    messages.success(request, _("Review saved."))
    return redirect("quality:reviews")


@login_required
@require_GET
def scores(request: HttpRequest) -> HttpResponse:
    """Clause: QA-2 — the month's quality score per collector and per agency, from the reviewed findings."""
    require(request.user, Perm.VIEW_QUALITY)
    month, error = Month.of(_today()), ""
    asked = request.GET.get("month", "").strip()
    if asked:
        try:
            month = Month.parse(asked)
        except BadMonth as exc:
            error = str(exc)
    return render(
        request,
        "quality/scores.html",
        {"month": month, "scores": monthly_scores(month), "error": error},
        status=400 if error else 200,
    )
