"""The month's scorecards of the collectors and the agencies (Clause: QA-2, KPI-1): what counts in their
appraisal, with the policy's weights — never the amount recovered alone.

Each card gathers the month's figures from where they are kept, and `scoring.card_score` scores it:

- **recovery** — the loans of the month's opening with the collector (or placed with the agency), their opening
  overdue amount and what was recovered of it (`kpi.recovery`, KPI-1);
- **promises kept** and **right-party contact** — through the collector who took the promise or made the call, and
  for an agency its agents (`indicators.promises_kept`, `indicators.contact_rate`);
- **quality** — the month's quality score and the calls inspected (`quality.scores.monthly_scores`);
- **substantiated complaints** — complaints received in the month (Beijing day of receipt, the day the violation
  register gives them) whose investigation found them substantiated, against the person or the agency found
  responsible (an agent's also count for their agency);
- **violations** — the violation register's entries dated in the month (quality reviews, agency audits, staff
  privacy violations) against the person and/or the agency; the entry a substantiated complaint adds is counted
  as the complaint, not a second time.

Who has a card: a collector with loans at the opening, a call in the month, a promise due in it, an inspected call,
a substantiated complaint or a violation; an agency likewise (its placed loans, its agents' calls, …). Like the
quality score, a month's card can still change while its calls are reviewed and its complaints investigated.

A month without opening figures raises `kpi.KpiUnavailable` with what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from arrears.accounts.models import Agency, User
from arrears.agencies.commissions import Month
from arrears.collection.models import Call
from arrears.complaints.clocks import BEIJING
from arrears.complaints.models import Investigation, Violation, ViolationSource
from arrears.quality.scores import monthly_scores
from arrears.reports.indicators import contact_rate, promises_kept
from arrears.reports.kpi import recovery
from arrears.reports.scoring import PARTS, NoScore, card_score, clean_record, quality_figure, share
from arrears.reports.summary import yuan
from arrears.rules.queries import policy_book

__all__ = ["Card", "as_data", "card_data", "scorecards"]


@dataclass(frozen=True)
class Card:
    """One collector's or agency's month: the raw figures, each part's figure (0..1, None: left out), the weights
    used and the score (None: `no_score` says why)."""

    key: int
    name: str
    loans: int = 0
    opening_overdue_fen: int = 0
    recovered_fen: int = 0
    promises_kept: int = 0
    promises_decided: int = 0
    calls_reached: int = 0
    calls_outbound: int = 0
    quality_score: Decimal | None = None
    calls_inspected: int = 0
    complaints: int = 0
    violations: int = 0
    parts: dict[str, Decimal | None] = field(default_factory=dict)
    weights: dict[str, Decimal | None] = field(default_factory=dict)
    score: Decimal | None = None
    no_score: NoScore | None = None

    @property
    def recovery_rate(self) -> Decimal | None:
        return share(self.recovered_fen, self.opening_overdue_fen)


def _month_instants(month: Month) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in Beijing."""
    return (
        datetime.combine(month.first, time.min, tzinfo=BEIJING),
        datetime.combine(month.next().first, time.min, tzinfo=BEIJING),
    )


def _tally(rows: list[tuple[int | None, int | None, int | None]]) -> tuple[dict[int, int], dict[int, int]]:
    """(per user, per agency) counts of (row id, user id, agency id) rows: a row counts once for its user and once
    for each agency it names or its user belongs to."""
    agency_of = dict(User.objects.filter(pk__in={u for _r, u, _a in rows if u}).values_list("pk", "agency_id"))
    users: dict[int, int] = {}
    agencies: dict[int, set[int]] = {}
    for row_id, user_id, agency_id in rows:
        if user_id:
            users[user_id] = users.get(user_id, 0) + 1
        for agency in {agency_id, agency_of.get(user_id)} - {None}:
            agencies.setdefault(agency, set()).add(row_id)
    return users, {agency: len(ids) for agency, ids in agencies.items()}


def _complaints(month: Month) -> tuple[dict[int, int], dict[int, int]]:
    start, end = _month_instants(month)
    rows = Investigation.objects.filter(
        substantiated=True, complaint__received_at__gte=start, complaint__received_at__lt=end
    ).values_list("pk", "responsible_user_id", "responsible_agency_id")
    return _tally(list(rows))


def _violations(month: Month) -> tuple[dict[int, int], dict[int, int]]:
    rows = (
        Violation.objects.filter(occurred_on__range=(month.first, month.last))
        .exclude(source=ViolationSource.COMPLAINT)
        .values_list("pk", "responsible_user_id", "responsible_agency_id")
    )
    return _tally(list(rows))


def _callers(month: Month) -> tuple[set[int], set[int]]:
    rows = Call.objects.filter(called_on__range=(month.first, month.last)).values_list(
        "collector_id", "collector__agency_id"
    )
    users, agencies = set(), set()
    for user_id, agency_id in rows.distinct():
        users.add(user_id)
        if agency_id:
            agencies.add(agency_id)
    return users, agencies


def _cards(side: str, figures: dict[str, Any], policy) -> list[Card]:
    opening = {row.key: row for row in figures["recovery"].rows if row.key is not None}
    kept, contacts, quality = figures["kept"], figures["contacts"], figures["quality"]
    complaints, violations = figures["complaints"], figures["violations"]
    keys = (set(opening) | set(kept) | set(contacts) | set(quality) | set(complaints) | set(violations)) - {None}
    keys |= figures["callers"]
    if side == "collectors":
        names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=keys)}
    else:
        names = dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))
    weights = policy.weights()
    cards = []
    for key in keys:
        row = opening.get(key)
        k, decided = kept.get(key, (0, 0))
        reached, outbound = contacts.get(key, (0, 0))
        score = quality.get(key)
        n_complaints, n_violations = complaints.get(key, 0), violations.get(key, 0)
        parts = {
            "recovery": share(row.recovered_fen, row.opening_overdue_fen) if row else None,
            "promises_kept": share(k, decided),
            "contact": share(reached, outbound),
            "quality": quality_figure(score.score if score else None),
            "complaints": clean_record(n_complaints, policy.complaints_to_zero),
            "violations": clean_record(n_violations, policy.violations_to_zero),
        }
        scored = card_score(parts, weights)
        cards.append(
            Card(
                key=key,
                name=names.get(key, str(key)),
                loans=row.loans if row else 0,
                opening_overdue_fen=row.opening_overdue_fen if row else 0,
                recovered_fen=row.recovered_fen if row else 0,
                promises_kept=k,
                promises_decided=decided,
                calls_reached=reached,
                calls_outbound=outbound,
                quality_score=score.score if score else None,
                calls_inspected=score.calls if score else 0,
                complaints=n_complaints,
                violations=n_violations,
                parts=parts,
                weights=scored.weights,
                score=scored.score,
                no_score=scored.no_score,
            )
        )
    return sorted(cards, key=lambda card: (card.name, card.key))


def scorecards(month: Month) -> dict[str, Any]:
    """Clause: QA-2 — {"month", "closed", "through", "policy" (the Scorecard section in force on the month's last
    day), "collectors": [Card], "agencies": [Card]}, the cards sorted by name (module docstring)."""
    by_collector = recovery(month, "collector")  # raises KpiUnavailable for a month without an opening
    by_agency = recovery(month, "agency")
    policy = policy_book().on(month.last).scorecard
    quality = monthly_scores(month)
    complaints, violations, callers = _complaints(month), _violations(month), _callers(month)
    sides = {}
    for index, (side, by, found) in enumerate(
        (("collectors", "collector", by_collector), ("agencies", "agency", by_agency))
    ):
        figures = {
            "recovery": found,
            "kept": promises_kept(month, by),
            "contacts": contact_rate(month, by),
            "quality": {score.key: score for score in quality[side]},
            "complaints": complaints[index],
            "violations": violations[index],
            "callers": callers[index],
        }
        sides[side] = _cards(side, figures, policy)
    return {
        "month": month,
        "closed": by_collector.closed,
        "through": by_collector.through,
        "policy": policy,
        **sides,
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def card_data(card: Card) -> dict[str, Any]:
    """A card as plain data: amounts yuan strings to the fen, rates and parts strings with 4 decimals, the score
    a string with 2 (null: no score, `no_score` the reason's code)."""
    return {
        "id": card.key,
        "name": card.name,
        "loans": card.loans,
        "opening_overdue": yuan(card.opening_overdue_fen),
        "recovered": yuan(card.recovered_fen),
        "recovery_rate": _text(card.recovery_rate),
        "promises_kept": card.promises_kept,
        "promises_decided": card.promises_decided,
        "calls_reached": card.calls_reached,
        "calls_outbound": card.calls_outbound,
        "quality_score": _text(card.quality_score),
        "calls_inspected": card.calls_inspected,
        "complaints": card.complaints,
        "violations": card.violations,
        "parts": {name: _text(card.parts[name]) for name in PARTS},
        "weights": {name: _text(card.weights[name]) for name in PARTS},
        "score": _text(card.score),
        "no_score": None if card.no_score is None else card.no_score.value,
    }


def as_data(found: dict[str, Any]) -> dict[str, Any]:
    """`scorecards(month)` as plain data: what `arrears scorecards --json` prints and the API returns."""
    policy = found["policy"]
    return {
        "month": str(found["month"]),
        "closed": found["closed"],
        "through": found["through"].isoformat(),
        "weights": {name: str(weight) for name, weight in policy.weights().items()},
        "complaints_to_zero": policy.complaints_to_zero,
        "violations_to_zero": policy.violations_to_zero,
        "collectors": [card_data(card) for card in found["collectors"]],
        "agencies": [card_data(card) for card in found["agencies"]],
    }
