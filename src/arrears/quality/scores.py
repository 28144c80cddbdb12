"""The monthly quality score per collector and per agency (Clause: QA-2): what counts in the appraisal.

For a calendar month, every inspected call made in it (by its business date) counts for the collector who made
it, and for their agency when they are an agency's agent:

- **score** — the mean of the calls' scores, each the reviewed score where a person reviewed the call (100 less
  the points of the findings they confirmed), or the machine's where nobody had to (nothing found and not drawn
  for the sample). A call still waiting for its review is left out, and counted as `pending`: an unconfirmed
  finding never counts against anyone. Rounded half-up to two places.
- **calls** inspected, **flagged** by the machine, **reviewed**, **pending**; **violations** confirmed by the
  reviewers (prohibited language, privacy — each also in the violation register); **dissatisfied** calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from arrears.agencies.commissions import Month
from arrears.quality.models_inspection import FindingVerdict, Inspection, ReviewStatus
from arrears.quality.reviews import REGISTERED

__all__ = ["Score", "monthly_scores"]


@dataclass
class Score:
    key: int  # the user's or the agency's id
    name: str
    calls: int = 0
    flagged: int = 0
    reviewed: int = 0
    pending: int = 0
    violations: int = 0
    dissatisfied: int = 0
    _total: int = 0
    _counted: int = 0

    @property
    def score(self) -> Decimal | None:
        if not self._counted:
            return None
        return (Decimal(self._total) / Decimal(self._counted)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def as_dict(self) -> dict:
        return {
            "id": self.key,
            "name": self.name,
            "score": None if self.score is None else str(self.score),
            "calls": self.calls,
            "flagged": self.flagged,
            "reviewed": self.reviewed,
            "pending": self.pending,
            "violations": self.violations,
            "dissatisfied": self.dissatisfied,
        }


def monthly_scores(month: Month) -> dict[str, list[Score]]:
    """{"collectors": [...], "agencies": [...]}, each sorted by name (module docstring)."""
    first, last = month.first, month.last
    inspections = (
        Inspection.objects.filter(called_on__range=(first, last))
        .select_related("call__collector__agency", "review")
        .order_by("pk")
    )
    confirmed: dict[int, int] = {}
    for inspection_id in FindingVerdict.objects.filter(
        review__inspection__called_on__range=(first, last), confirmed=True, rule__in=list(REGISTERED)
    ).values_list("review__inspection_id", flat=True):
        confirmed[inspection_id] = confirmed.get(inspection_id, 0) + 1
    collectors: dict[int, Score] = {}
    agencies: dict[int, Score] = {}
    for inspection in inspections:
        user = inspection.call.collector
        targets = [collectors.setdefault(user.pk, Score(user.pk, user.get_full_name() or user.username))]
        if getattr(user, "agency_id", None):
            targets.append(agencies.setdefault(user.agency_id, Score(user.agency_id, user.agency.name)))
        review = getattr(inspection, "review", None)
        for score in targets:
            score.calls += 1
            score.flagged += inspection.flagged
            score.dissatisfied += inspection.satisfaction == "dissatisfied"
            score.violations += confirmed.get(inspection.pk, 0)
            if review is None:
                score._total += inspection.score
                score._counted += 1
            elif review.status == ReviewStatus.DONE:
                score.reviewed += 1
                score._total += review.score
                score._counted += 1
            else:
                score.pending += 1
    return {
        "collectors": sorted(collectors.values(), key=lambda s: (s.name, s.key)),
        "agencies": sorted(agencies.values(), key=lambda s: (s.name, s.key)),
    }
