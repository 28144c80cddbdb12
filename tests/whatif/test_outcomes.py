"""Champion/challenger outcomes per arm (issue 23), worked by hand on the small book of `outcomes_book`."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from outcomes_book import SHARE, START, STOP, THROUGH, build_outcomes_book, experiment_row
from scipy import stats

from arrears.collection.models import CaseEvent
from arrears.whatif.arms import CHALLENGER, CHAMPION, arm_of
from arrears.whatif.outcomes import outcomes
from factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return build_outcomes_book()


def measure(result, key):
    return next(m for m in result.measures if m.key == key)


def test_each_arms_outcomes_worked_by_hand(book):
    """Clause: KPI-1 — cured within 30 days: champion 1 of 3 (46 days and still open fail), challenger 2 of 2;
    within 60 days: 2 of 2 each (the case opened 04-01 is too young); recovery within 30 days per case: champion
    0.6, 0.5, 0 (mean 0.3667, pooled 1,000 of 2,800 = 0.3571), challenger 1.0 and 0.25 (0.625, pooled 1,250 of
    2,000); promises kept 1 of 2 and 1 of 1; cases with a complaint 1 of 3 and 0 of 2."""
    result = outcomes(book)
    assert result.through == THROUGH
    assert result.cases == {CHAMPION: 3, CHALLENGER: 2}
    cured30 = measure(result, "cured_30")
    assert (cured30.champion.successes, cured30.champion.n, cured30.champion.value) == (1, 3, Decimal("0.3333"))
    assert (cured30.challenger.successes, cured30.challenger.n, cured30.challenger.value) == (2, 2, Decimal("1"))
    assert cured30.difference.estimate == Decimal("0.6667")
    cured60 = measure(result, "cured_60")
    assert (cured60.champion.successes, cured60.champion.n) == (2, 2)
    assert (cured60.challenger.successes, cured60.challenger.n) == (2, 2)
    assert cured60.difference.estimate == Decimal("0")
    recovery = measure(result, "recovery_rate")
    assert recovery.champion.value == Decimal("0.3667")
    assert recovery.champion.n == 3
    assert recovery.champion.extra == {"overdue_fen": 280_000, "recovered_fen": 100_000, "pooled": "0.3571"}
    assert recovery.challenger.value == Decimal("0.6250")
    assert recovery.challenger.n == 2
    assert recovery.challenger.extra == {"overdue_fen": 200_000, "recovered_fen": 125_000, "pooled": "0.6250"}
    assert recovery.difference.estimate == Decimal("0.2583")
    promises = measure(result, "promises_kept")
    assert (promises.champion.successes, promises.champion.n) == (1, 2)
    assert (promises.challenger.successes, promises.challenger.n) == (1, 1)
    complaints = measure(result, "complaints")
    assert (complaints.champion.successes, complaints.champion.n) == (1, 3)
    assert (complaints.challenger.successes, complaints.challenger.n) == (0, 2)
    assert not complaints.higher_is_better


def test_the_recovery_interval_is_welchs(book):
    """Clause: KPI-1 — the recovery rate's interval is Welch's for the two arms' per-case rates, worked here from
    the textbook formula: difference ± t(0.975, Welch–Satterthwaite df) × √(s₁²/n₁ + s₂²/n₂)."""
    recovery = measure(outcomes(book), "recovery_rate")
    a, b = [0.6, 0.5, 0.0], [1.0, 0.25]

    def var(xs):
        m = sum(xs) / len(xs)
        return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)

    va, vb = var(a) / len(a), var(b) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    diff = sum(b) / len(b) - sum(a) / len(a)
    assert recovery.difference.low == Decimal(f"{diff - half:.4f}")
    assert recovery.difference.high == Decimal(f"{diff + half:.4f}")
    assert not recovery.difference.excludes_zero  # two cases against three: nothing shown yet


def test_too_few_cases_is_said_per_measure(book):
    """Clause: KPI-1 — with a sample of 2 per arm asked, the promises (1 decided in the challenger's arm) are not
    enough, the cure rates are; the outcomes as a whole are not enough until every measure is."""
    result = outcomes(book)
    assert measure(result, "cured_60").enough
    assert not measure(result, "promises_kept").enough
    assert not result.enough
    book.min_sample = 1
    assert outcomes(book).enough


def test_the_arms_follow_the_seed(book):
    """Clause: AUTH-4 — the arms are recomputed from the seed: under another seed the same five cases fall as that
    seed says."""
    counted = CaseEvent.objects.filter(kind="opened", business_date__gte=START, business_date__lt=STOP)
    borrowers = list(counted.values_list("case__borrower_id", flat=True))
    assert len(borrowers) == 5
    book.seed = "another seed"
    expected = {arm: sum(arm_of("another seed", b, SHARE) == arm for b in borrowers) for arm in (CHAMPION, CHALLENGER)}
    assert outcomes(book).cases == expected


def test_nothing_to_follow_before_a_night_has_run():
    """Clause: KPI-1 — an experiment with no completed night yet has no cases and no difference, and says so."""
    boss = make_user("supervisor")
    experiment = experiment_row(boss, min_sample=5)
    result = outcomes(experiment)
    assert result.through is None
    assert result.cases == {CHAMPION: 0, CHALLENGER: 0}
    assert all(m.difference is None and not m.enough for m in result.measures)
    assert result.as_json()["measures"][0] == {
        "key": "cured_30",
        "champion": {"n": 0, "value": None, "successes": 0},
        "challenger": {"n": 0, "value": None, "successes": 0},
        "difference": None,
        "enough": False,
        "higher_is_better": True,
    }
