"""The measuring sections of the policy: the KPI targets and unit costs (KPI-1, KPI-2) and the weights of the
collectors' and agencies' scorecards (QA-2).

The regulator's rule that a collector is never appraised on the amount recovered alone is a check here: a
scorecard whose weights would let recovery outweigh everything else is not a policy (see `Scorecard`).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import model_validator

from arrears.policy.base import Dec, Section, param


class Kpi(Section):
    """Clause: KPI-1, KPI-2. The targets, and what each notice costs (KPI-2's cost counts the notices and letters
    sent in a month at these unit costs, with the agencies' commissions, legal costs and the costs entered per
    team and month); and how many typical cases each of the monthly review's rules proposes (REV-1)."""

    recovery_target_mild: Dec = param(
        Decimal("0.80"), "KPI-1", "recovery-rate target for mild cases (above)", ge=0, le=1
    )
    recovery_target_severe: Dec = param(
        Decimal("0.50"), "KPI-1", "recovery-rate target for severe cases (above)", ge=0, le=1
    )
    cost_rate_max: Dec = param(Decimal("0.05"), "KPI-2", "cost rate target (below)", ge=0, le=1)
    cost_per_sms: Dec = param(Decimal("0.05"), "KPI-2", "collection cost of one SMS sent, in yuan", ge=0, le=1000)
    cost_per_email: Dec = param(Decimal("0.01"), "KPI-2", "collection cost of one email sent, in yuan", ge=0, le=1000)
    cost_per_letter: Dec = param(
        Decimal("6.00"), "KPI-2", "collection cost of one letter printed and posted, in yuan", ge=0, le=1000
    )
    review_cases_per_rule: int = param(
        5, "REV-1", "typical cases each rule proposes for the monthly review (the largest amounts first)", ge=1, le=50
    )


class Scorecard(Section):
    """Clause: QA-2. The weights of a collector's (and an agency's) monthly scorecard
    (`arrears.reports.scoring`): each part is a figure from 0 to 1 — the recovery rate (capped at 1), the share of
    promises kept, the right-party contact rate, the quality score ÷ 100, and for substantiated complaints and
    violations max(0, 1 − count ÷ the count that takes the part to 0); the score is 100 × the weighted sum. A part
    without its figure that month (no loans at the opening, no promise due, no outbound call, no call inspected) is
    left out and the other weights are scaled up to add up to 1. A card without any figure of the month's work
    (recovery, promises, contact, quality), or on which the recovery rate would then weigh as much as the other
    parts together, gets no score that month.

    Interpretation: "never appraised on the amount recovered alone" = the recovery weight is less than the sum of
    the other weights even when the quality part is left out, and the quality weight is above 0 (QA-2)."""

    weight_recovery: Dec = param(Decimal("0.30"), "QA-2", "weight of the recovery rate", ge=0, le=1)
    weight_promises_kept: Dec = param(Decimal("0.15"), "QA-2", "weight of the share of promises kept", ge=0, le=1)
    weight_contact: Dec = param(Decimal("0.15"), "QA-2", "weight of the right-party contact rate", ge=0, le=1)
    weight_quality: Dec = param(Decimal("0.25"), "QA-2", "weight of the month's call quality score", ge=0, le=1)
    weight_complaints: Dec = param(
        Decimal("0.10"), "QA-2", "weight of the part for substantiated complaints", ge=0, le=1
    )
    weight_violations: Dec = param(Decimal("0.05"), "QA-2", "weight of the part for recorded violations", ge=0, le=1)
    complaints_to_zero: int = param(
        2, "QA-2", "substantiated complaints in a month that take the complaints part to 0", ge=1, le=100
    )
    violations_to_zero: int = param(1, "QA-2", "violations in a month that take the violations part to 0", ge=1, le=100)

    def weights(self) -> dict[str, Decimal]:
        """The weights by part, in the scorecard's order."""
        return {
            "recovery": self.weight_recovery,
            "promises_kept": self.weight_promises_kept,
            "contact": self.weight_contact,
            "quality": self.weight_quality,
            "complaints": self.weight_complaints,
            "violations": self.weight_violations,
        }

    @model_validator(mode="after")
    def _check(self) -> Scorecard:
        """Every rule the weights break, in one message (an administrator fixes them all at once)."""
        weights = self.weights()
        total = sum(weights.values())
        problems = []
        if total != 1:
            problems.append(f"the scorecard's weights must add up to 1; they add up to {total.normalize():f}")
        if self.weight_quality <= 0:
            problems.append(
                "weight_quality must be above 0: call quality counts in every appraisal (QA-2), and a collector is "
                "never appraised on the amount recovered alone"
            )
        others = total - self.weight_recovery - self.weight_quality
        if self.weight_recovery >= others:
            problems.append(
                f"weight_recovery ({self.weight_recovery}) must be less than the other weights without quality "
                f"together ({others.normalize():f}): a collector is never appraised on the amount recovered alone"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self
