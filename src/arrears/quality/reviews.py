"""Inspecting calls and reviewing the inspections (Clause: QA-1, QA-2, LANG-1, PRV-1): the only writers of
`Transcript`, `Inspection`, `Review` and `FindingVerdict`. Each action checks its permission and its input before
anything is written, and changes state and writes its audit event in one transaction: a refusal (`QualityError`,
or `QualityConflict` for the state) leaves nothing changed.

* `do_record_transcript` — a call's transcript (from the call platform, or a recogniser) is kept with its SHA-256
  and inspected at once under the policy in force; the inspection goes to review when it found anything, or when
  the call is drawn for the sample (`in_sample`: a hash of the call, below `quality.review_sample_share`). One
  transcript a call.
* `do_review` — a reviewer's verdict on each of the inspection's findings, each with its reason. Confirmed
  prohibited language (LANG-1) and privacy (PRV-1) findings enter the violation register (`complaints.register`,
  source `quality`) against the collector who made the call — and the agency, for an agency's agent — with what
  must be fixed by a due date; the reviewed score is 100 less the points of the confirmed findings (QA-2 counts
  it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.accounts.permissions import Perm
from arrears.collection.models import Call, CallParty
from arrears.complaints.models import ViolationSource
from arrears.complaints.register import enter_violation
from arrears.compliance.actions import audited, require
from arrears.compliance.codes import ActionCode
from arrears.quality.errors import QualityConflict, QualityError
from arrears.quality.inspect import TranscriptError
from arrears.quality.inspection import inspect_text
from arrears.quality.models_inspection import (
    FindingVerdict,
    Inspection,
    Review,
    ReviewReason,
    ReviewStatus,
    Transcript,
    TranscriptSource,
)
from arrears.rules.queries import policy_on

__all__ = [
    "MAX_REASON",
    "QualityConflict",
    "QualityError",
    "Verdict",
    "do_read_transcript",
    "do_record_transcript",
    "do_review",
    "in_sample",
]

MAX_REASON = 2_000
# The rules whose confirmed findings are breaches of the policy by a person, entered in the violation register.
REGISTERED = {"prohibited_language": "LANG-1", "privacy": "PRV-1"}


@dataclass(frozen=True)
class Verdict:
    """A reviewer's verdict on the finding at `position` of the inspection's findings."""

    position: int
    confirmed: bool
    reason: str


def in_sample(call_id: int, share: Decimal) -> bool:
    """Is the call drawn for the reviewed sample? A hash of its id read as a fraction of 1, below `share`: the same
    call is always in or out, and over many calls the share drawn approaches `share`."""
    digest = hashlib.sha256(f"arrears-quality-sample:{call_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64) < share


_PROBLEMS = {
    "empty": gettext_lazy(
        "The transcript has no lines; send one utterance a line, prefixed 坐席: / 客户: or Agent: / Customer:."
    ),
    "too_long": gettext_lazy("The transcript is too long to be one call."),
    "nul": gettext_lazy("The transcript holds a NUL byte; send UTF-8 text."),
    "prefix": gettext_lazy(
        "Line %(line)s does not start with 坐席: / 客户: or Agent: / Customer:; fix that line and send it again."
    ),
}


def _dpd_at(call: Call, today: date) -> int | None:
    """The case's days past due on the day of the call, from today's (the nightly run's) figure: the stage of the
    call, for CALL-4. None for a call outside a case."""
    if call.case_id is None:
        return None
    return max(0, call.case.dpd - max(0, (today - call.called_on).days))


def do_record_transcript(call: Call, text: str, *, source: str, actor: Any, today: date) -> Inspection:
    """Clause: QA-1 — keep the call's transcript and inspect it (module docstring)."""
    require(actor, Perm.TELEPHONY)
    if source not in TranscriptSource.values:
        raise QualityError(_("Unknown transcript source; send platform, funasr or pocketsphinx."))
    try:
        result = inspect_text(
            text,
            party="borrower" if call.party == CallParty.BORROWER else "third_party",
            dpd=_dpd_at(call, today),
            on=today,
        )
    except TranscriptError as problem:
        raise QualityError(str(_PROBLEMS[problem.problem]) % {"line": problem.line}) from None
    share = policy_on(today).quality.review_sample_share
    reason = ReviewReason.FLAGGED if result.flagged else (ReviewReason.SAMPLED if in_sample(call.pk, share) else None)
    now = timezone.now()
    with audited(
        actor, ActionCode.INSPECT_CALL, permission=Perm.TELEPHONY, subject=call, clause="QA-1", at=now
    ) as record:
        if Transcript.objects.filter(call=call).exists():
            raise QualityConflict(_("This call already has its transcript; a call is inspected once."))
        transcript = Transcript.objects.create(
            call=call,
            source=source,
            language=result.language,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            received_at=now,
        )
        inspection = Inspection.objects.create(
            call=call,
            transcript=transcript,
            inspected_at=now,
            called_on=call.called_on,
            score=result.score,
            flagged=result.flagged,
            satisfaction=result.satisfaction.level,
            result=result.as_dict(),
        )
        if reason is not None:
            Review.objects.create(inspection=inspection, reason=reason, opened_at=now)
        record.change("transcript_sha256", None, transcript.sha256)
        record.change("score", None, result.score)
        record.change("findings", None, [f.rule for f in result.findings])
        record.change("review", None, reason.value if reason else None)
    return inspection


def do_read_transcript(inspection: Inspection, *, actor: Any) -> Inspection:
    """Clause: PRV-1 — opening a call's transcript and inspection (for review, or through the API) is an audited
    read: what was said names the borrower and their debt."""
    require(actor, Perm.REVIEW_CALLS)
    with audited(
        actor, ActionCode.READ_TRANSCRIPT, permission=Perm.REVIEW_CALLS, subject=inspection.call, clause="PRV-1"
    ) as record:
        record.change("transcript_sha256", None, inspection.transcript.sha256)
    return inspection


def _reason(text: Any) -> str:
    value = str(text or "").strip()
    if "\x00" in value:
        raise QualityError(_("The reason holds a NUL character; write it as plain text."))
    if len(value) < 4:
        raise QualityError(_("Give a reason for each verdict (at least 4 characters)."))
    if len(value) > MAX_REASON:
        raise QualityError(_("A reason is at most 2,000 characters."))
    return value


def do_review(
    review: Review,
    verdicts: list[Verdict],
    *,
    actor: Any,
    today: date,
    rectification_due: date | None = None,
    note: str = "",
) -> Review:
    """Clause: QA-1, QA-2, LANG-1, PRV-1 — the reviewer's verdict on every finding (module docstring). A confirmed
    violation needs `rectification_due`, from `today` on."""
    require(actor, Perm.REVIEW_CALLS)
    findings = review.inspection.result["findings"]
    given = {v.position: v for v in verdicts}
    if len(given) != len(verdicts) or set(given) != set(range(len(findings))):
        raise QualityError(_("Give one verdict for each finding of the inspection, confirmed or overridden."))
    reasons = {p: _reason(v.reason) for p, v in given.items()}
    note = str(note or "").strip()
    if "\x00" in note or len(note) > MAX_REASON:
        raise QualityError(_("The note must be plain text of at most 2,000 characters."))
    registered = [p for p, v in given.items() if v.confirmed and findings[p]["rule"] in REGISTERED]
    if registered and (rectification_due is None or rectification_due < today):
        raise QualityError(_("A confirmed violation needs the day its rectification is due, from today on."))
    deductions = review.inspection.result.get("deductions", [])
    call = review.inspection.call
    now = timezone.now()
    with audited(
        actor, ActionCode.REVIEW_CALL, permission=Perm.REVIEW_CALLS, subject=call, clause="QA-1", at=now
    ) as record:
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != ReviewStatus.OPEN:
            raise QualityConflict(_("This call was reviewed already."))
        lost = 0
        for position, finding in enumerate(findings):
            verdict = given[position]
            if verdict.confirmed:
                lost += deductions[position]["points"] if position < len(deductions) else 0
            violation = None
            if position in registered:
                clause = REGISTERED[finding["rule"]]
                violation = enter_violation(
                    record,
                    source=ViolationSource.QUALITY,
                    occurred_on=call.called_on,
                    description=_("Call of %(day)s, line %(line)s (%(clause)s): %(evidence)s")
                    % {
                        "day": call.called_on.isoformat(),
                        "line": finding.get("line"),
                        "clause": clause,
                        "evidence": finding.get("evidence") or "",
                    },
                    rectification=reasons[position],
                    due_on=rectification_due,
                    actor=actor,
                    at=now,
                    responsible_user=call.collector,
                    responsible_agency=getattr(call.collector, "agency", None),
                )
            FindingVerdict.objects.create(
                review=locked,
                position=position,
                rule=finding["rule"],
                confirmed=verdict.confirmed,
                reason=reasons[position],
                violation=violation,
            )
        dissatisfied = [d["points"] for d in deductions[len(findings) :] if d["rule"] == "dissatisfied"]
        score = max(0, 100 - lost - sum(dissatisfied))
        Review.objects.filter(pk=locked.pk).update(
            status=ReviewStatus.DONE, reviewer=actor, reviewed_at=now, score=score, note=note
        )
        record.change("status", ReviewStatus.OPEN.value, ReviewStatus.DONE.value)
        record.change("score", review.inspection.score, score)
        record.change("confirmed", None, sorted(p for p, v in given.items() if v.confirmed))
        record.change("overridden", None, sorted(p for p, v in given.items() if not v.confirmed))
    locked.refresh_from_db()
    return locked
