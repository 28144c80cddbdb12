"""What each arm of a champion/challenger experiment achieved (issue 23), read from what happened, never stored.

The cases compared are those the experiment decided: each borrower's first case opened (or reopened) on a night
the experiment ran — from `started_on` up to the night before `stopped_on`, and no later than the newest completed
night. A borrower whose case stayed open from before the start is in neither arm (the nightly run keeps them with
the champion, `experiments.challengers`). The arm is recomputed from the seed (`arms.arm_of`), exactly as the
nightly run chose it. Each case is followed to the newest completed night, also after the experiment stopped:

- **cured within 30 / 60 days**: the case closed cured (its `closed` event) at most that many days after it opened;
  only cases opened at least that long ago are counted (a younger case cannot be judged yet);
- **recovery rate** (KPI-1 per case): what the borrower paid in the 30 days from the opening, up to what was
  overdue at the opening (principal and interest of the instalments due before it, less what payments made before
  it settled of them), divided by that overdue amount; over cases opened at least 30 days ago with something
  overdue. Compared as a difference of means (Welch); the pooled rate of each arm (Σ recovered ÷ Σ overdue) is shown
  beside it;
- **promises kept**: promises made on the arm's cases from their opening on that were kept, of those decided (kept
  or broken);
- **complaints**: cases about whose borrower a complaint was received while the case was open (lower is better).

Rates are differences of proportions with Newcombe's interval; every interval is at 95 %. Below the experiment's
`min_sample` in either arm the figures are marked as not enough to read yet. The windows (30 and 60 days, 30 days
for recovery) are the issue's definitions of the outcomes, the same for every experiment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.collection.models import CaseEvent, CaseEventKind, Promise, PromiseStatus
from arrears.complaints.models import Complaint
from arrears.daily.models import Run, RunStatus
from arrears.portfolio.models import Component, Instalment, Payment, PaymentAllocation
from arrears.whatif.arms import (
    CHALLENGER,
    CHAMPION,
    Difference,
    arms_of,
    enough,
    mean_difference,
    proportion_difference,
)
from arrears.whatif.models import Experiment

__all__ = ["ARMS", "CURE_DAYS", "RECOVERY_DAYS", "ArmFigure", "Measure", "Outcomes", "outcomes"]

ARMS = (CHAMPION, CHALLENGER)
CURE_DAYS = (30, 60)
RECOVERY_DAYS = 30
LEVEL = Decimal("0.95")
FOUR = Decimal("0.0001")


@dataclass(frozen=True)
class ArmFigure:
    n: int  # cases (or promises) counted
    value: Decimal | None  # the rate or mean, 4 places; None when nothing is counted
    successes: int | None = None  # for a rate
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    key: str
    words: Any  # lazy text
    higher_is_better: bool
    champion: ArmFigure
    challenger: ArmFigure
    difference: Difference | None  # challenger − champion; None when an arm has too few to compare
    enough: bool  # both arms have the experiment's min_sample

    def as_json(self) -> dict[str, Any]:
        def arm(figure: ArmFigure) -> dict[str, Any]:
            shown = {"n": figure.n, "value": None if figure.value is None else str(figure.value)}
            if figure.successes is not None:
                shown["successes"] = figure.successes
            return shown | figure.extra

        diff = self.difference
        return {
            "key": self.key,
            "champion": arm(self.champion),
            "challenger": arm(self.challenger),
            "difference": None
            if diff is None
            else {
                "estimate": str(diff.estimate),
                "low": str(diff.low),
                "high": str(diff.high),
                "level": str(diff.level),
            },
            "enough": self.enough,
            "higher_is_better": self.higher_is_better,
        }


@dataclass(frozen=True)
class Outcomes:
    experiment: Experiment
    through: date | None  # the newest completed night the cases are followed to
    cases: dict[str, int]  # cases per arm
    measures: list[Measure]

    @property
    def enough(self) -> bool:
        return all(m.enough for m in self.measures)

    def as_json(self) -> dict[str, Any]:
        return {
            "through": self.through.isoformat() if self.through else None,
            "cases": self.cases,
            "min_sample": self.experiment.min_sample,
            "measures": [m.as_json() for m in self.measures],
        }


def _newest_night() -> date | None:
    return (
        Run.objects.filter(status=RunStatus.DONE)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )


def _frame(rows, schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _openings(experiment: Experiment, through: date):
    """The cases opened or reopened on the nights the experiment ran, up to `through`."""
    last = through if experiment.stopped_on is None else min(through, experiment.stopped_on - timedelta(days=1))
    return CaseEvent.objects.filter(
        kind__in=[CaseEventKind.OPENED, CaseEventKind.REOPENED],
        business_date__gte=experiment.started_on,
        business_date__lte=last,
    )


def _cases(experiment: Experiment, openings) -> pl.DataFrame:
    """borrower_id, case_id, opened, closed (the first cure on or after the opening), arm."""
    opened = (
        _frame(
            openings.values_list("case__borrower_id", "case_id", "business_date"),
            {"borrower_id": pl.Int64, "case_id": pl.Int64, "opened": pl.Date},
        )
        .sort("opened")
        .unique("borrower_id", keep="first")
    )
    closes = _frame(
        CaseEvent.objects.filter(
            kind=CaseEventKind.CLOSED,
            business_date__gte=experiment.started_on,
            case_id__in=openings.values("case_id"),
        ).values_list("case_id", "business_date"),
        {"case_id": pl.Int64, "closed": pl.Date},
    )
    first_close = (
        opened.select("case_id", "opened")
        .join(closes, on="case_id")
        .filter(pl.col("closed") >= pl.col("opened"))
        .group_by("case_id")
        .agg(pl.col("closed").min())
    )
    arms = arms_of(experiment.seed, opened["borrower_id"].to_list(), experiment.share)
    return opened.join(first_close, on="case_id", how="left").with_columns(pl.Series("arm", arms, dtype=pl.String))


def _cured(cases: pl.DataFrame, days: int, through: date) -> dict[str, tuple[int, int]]:
    judged = cases.filter(pl.col("opened") + timedelta(days=days) <= through)
    cured = pl.col("closed").is_not_null() & (pl.col("closed") <= pl.col("opened") + timedelta(days=days))
    counts = judged.group_by("arm").agg(pl.len().alias("n"), cured.sum().alias("k"))
    found = {row["arm"]: (int(row["k"]), int(row["n"])) for row in counts.iter_rows(named=True)}
    return {arm: found.get(arm, (0, 0)) for arm in ARMS}


def _recovery(cases: pl.DataFrame, borrowers, through: date) -> pl.DataFrame:
    """arm, overdue_fen, recovered_fen per case opened at least RECOVERY_DAYS ago with something overdue."""
    judged = cases.filter(pl.col("opened") + timedelta(days=RECOVERY_DAYS) <= through).select(
        "borrower_id", "opened", "arm"
    )
    instalments = _frame(
        Instalment.objects.filter(loan__borrower_id__in=borrowers).values_list(
            "id", "loan__borrower_id", "due_date", "principal_fen", "interest_fen"
        ),
        {"instalment_id": pl.Int64, "borrower_id": pl.Int64, "due_date": pl.Date, "p": pl.Int64, "i": pl.Int64},
    )
    settled = _frame(
        PaymentAllocation.objects.filter(
            instalment__loan__borrower_id__in=borrowers, component__in=[Component.PRINCIPAL, Component.INTEREST]
        ).values_list("instalment_id", "payment__paid_on", "amount_fen"),
        {"instalment_id": pl.Int64, "paid_on": pl.Date, "amount_fen": pl.Int64},
    )
    payments = _frame(
        Payment.objects.filter(loan__borrower_id__in=borrowers).values_list(
            "loan__borrower_id", "paid_on", "amount_fen"
        ),
        {"borrower_id": pl.Int64, "paid_on": pl.Date, "amount_fen": pl.Int64},
    )
    due = judged.join(instalments, on="borrower_id").filter(pl.col("due_date") < pl.col("opened"))
    owed = due.group_by("borrower_id").agg((pl.col("p") + pl.col("i")).sum().alias("owed"))
    paid_before = (
        due.select("borrower_id", "opened", "instalment_id")
        .join(settled, on="instalment_id")
        .filter(pl.col("paid_on") < pl.col("opened"))
        .group_by("borrower_id")
        .agg(pl.col("amount_fen").sum().alias("settled"))
    )
    window = pl.col("opened") + timedelta(days=RECOVERY_DAYS)
    paid_after = (
        judged.join(payments, on="borrower_id")
        .filter((pl.col("paid_on") >= pl.col("opened")) & (pl.col("paid_on") < window))
        .group_by("borrower_id")
        .agg(pl.col("amount_fen").sum().alias("paid"))
    )
    return (
        judged.join(owed, on="borrower_id", how="left")
        .join(paid_before, on="borrower_id", how="left")
        .join(paid_after, on="borrower_id", how="left")
        .with_columns((pl.col("owed").fill_null(0) - pl.col("settled").fill_null(0)).alias("overdue_fen"))
        .filter(pl.col("overdue_fen") > 0)
        .with_columns(pl.min_horizontal(pl.col("paid").fill_null(0), pl.col("overdue_fen")).alias("recovered_fen"))
        .select("arm", "overdue_fen", "recovered_fen")
    )


def _promises(cases: pl.DataFrame, borrowers) -> dict[str, tuple[int, int]]:
    made = _frame(
        Promise.objects.filter(
            borrower_id__in=borrowers, status__in=[PromiseStatus.KEPT, PromiseStatus.BROKEN]
        ).values_list("borrower_id", "made_on", "status"),
        {"borrower_id": pl.Int64, "made_on": pl.Date, "status": pl.String},
    )
    counted = (
        cases.select("borrower_id", "opened", "arm")
        .join(made, on="borrower_id")
        .filter(pl.col("made_on") >= pl.col("opened"))
        .group_by("arm")
        .agg(pl.len().alias("n"), (pl.col("status") == PromiseStatus.KEPT).sum().alias("k"))
    )
    found = {row["arm"]: (int(row["k"]), int(row["n"])) for row in counted.iter_rows(named=True)}
    return {arm: found.get(arm, (0, 0)) for arm in ARMS}


def _complaints(cases: pl.DataFrame, borrowers, through: date) -> dict[str, tuple[int, int]]:
    received = _frame(
        (
            (borrower, timezone.localtime(at).date())
            for borrower, at in Complaint.objects.filter(borrower_id__in=borrowers).values_list(
                "borrower_id", "received_at"
            )
        ),
        {"borrower_id": pl.Int64, "received_on": pl.Date},
    )
    until = pl.col("closed").fill_null(through)
    with_one = (
        cases.join(received, on="borrower_id")
        .filter((pl.col("received_on") >= pl.col("opened")) & (pl.col("received_on") <= until))
        .select("borrower_id")
        .unique()
    )
    flagged = cases.with_columns(pl.col("borrower_id").is_in(with_one["borrower_id"].implode()).alias("complained"))
    counts = flagged.group_by("arm").agg(pl.len().alias("n"), pl.col("complained").sum().alias("k"))
    found = {row["arm"]: (int(row["k"]), int(row["n"])) for row in counts.iter_rows(named=True)}
    return {arm: found.get(arm, (0, 0)) for arm in ARMS}


def _ratio(k: int, n: int) -> Decimal | None:
    return (Decimal(k) / Decimal(n)).quantize(FOUR, ROUND_HALF_UP) if n else None


def _rate_measure(key: str, words, counts: dict[str, tuple[int, int]], minimum: int, higher: bool) -> Measure:
    (k_a, n_a), (k_b, n_b) = counts[CHAMPION], counts[CHALLENGER]
    diff = proportion_difference(k_a, n_a, k_b, n_b, LEVEL) if n_a and n_b else None
    return Measure(
        key,
        words,
        higher,
        ArmFigure(n_a, _ratio(k_a, n_a), k_a),
        ArmFigure(n_b, _ratio(k_b, n_b), k_b),
        diff,
        enough(n_a, n_b, minimum),
    )


def _recovery_measure(rows: pl.DataFrame, minimum: int) -> Measure:
    per_arm: dict[str, list[Decimal]] = {}
    figures = {}
    for arm in ARMS:
        mine = rows.filter(pl.col("arm") == arm)
        values = [Decimal(r) / Decimal(o) for o, r in mine.select("overdue_fen", "recovered_fen").iter_rows()]
        per_arm[arm] = values
        overdue, recovered = int(mine["overdue_fen"].sum()), int(mine["recovered_fen"].sum())
        mean = (sum(values, Decimal(0)) / len(values)).quantize(FOUR, ROUND_HALF_UP) if values else None
        pooled = _ratio(recovered, overdue)
        figures[arm] = ArmFigure(
            len(values),
            mean,
            extra={
                "overdue_fen": overdue,
                "recovered_fen": recovered,
                "pooled": None if pooled is None else str(pooled),
            },
        )
    a, b = per_arm[CHAMPION], per_arm[CHALLENGER]
    diff = mean_difference(a, b, LEVEL) if len(a) >= 2 and len(b) >= 2 else None
    return Measure(
        "recovery_rate",
        _("Recovery rate within %(d)s days (mean per case)") % {"d": RECOVERY_DAYS},
        True,
        figures[CHAMPION],
        figures[CHALLENGER],
        diff,
        enough(len(a), len(b), minimum),
    )


def outcomes(experiment: Experiment, through: date | None = None) -> Outcomes:
    """Each arm's outcomes, followed to `through` (the newest completed night unless given)."""
    through = through or _newest_night()
    empty = pl.DataFrame(
        schema={"borrower_id": pl.Int64, "case_id": pl.Int64, "opened": pl.Date, "closed": pl.Date, "arm": pl.String}
    )
    through_or_start = through or experiment.started_on
    openings = _openings(experiment, through_or_start)
    cases = empty if through is None or through < experiment.started_on else _cases(experiment, openings)
    borrowers = openings.values("case__borrower_id")  # a subquery: no list of ids in the statement
    minimum = experiment.min_sample
    measures = [
        _rate_measure(
            f"cured_{days}",
            _("Cured within %(d)s days") % {"d": days},
            _cured(cases, days, through_or_start),
            minimum,
            True,
        )
        for days in CURE_DAYS
    ]
    measures.append(_recovery_measure(_recovery(cases, borrowers, through_or_start), minimum))
    measures.append(_rate_measure("promises_kept", _("Promises kept"), _promises(cases, borrowers), minimum, True))
    measures.append(
        _rate_measure(
            "complaints",
            _("Cases with a complaint"),
            _complaints(cases, borrowers, through_or_start),
            minimum,
            False,
        )
    )
    counts = cases.group_by("arm").len()
    found = {row["arm"]: int(row["len"]) for row in counts.iter_rows(named=True)}
    return Outcomes(experiment, through, {arm: found.get(arm, 0) for arm in ARMS}, measures)
