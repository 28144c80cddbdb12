"""The nightly run pauses Python's cyclic garbage collector while it works, and leaves it as it found it
(`arrears.bulk.collector_paused`): a bulk job's tens of thousands of live rows are not walked again and again."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from arrears.bulk import collector_paused
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run, RunStatus
from arrears.engine.runner import decide
from book import nightly_run
from factories import make_borrower, make_loan

AS_OF = date(2026, 3, 20)


@pytest.fixture
def collector_on():
    """The collector enabled for the test, and enabled again after it whatever the test did."""
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_inside_and_enabled_again_after(collector_on):
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_enabled_again_when_the_block_fails(collector_on):
    with pytest.raises(ZeroDivisionError), collector_paused():
        _ = 1 / 0
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused_after(collector_on):
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.django_db
def test_the_run_decides_and_applies_with_the_collector_paused_and_enables_it_after(collector_on):
    make_loan(make_borrower(external_id="LATE"), start=date(2026, 1, 15), principal="12000")
    seen = []

    def watching(*args):
        seen.append(gc.isenabled())
        return decide(*args)

    (report,) = do_run_daily(AS_OF, actor=nightly_run(), decider=watching)
    assert report.status == RunStatus.DONE
    assert report.changes["cases_opened"] == 1  # the run did its work: instalment 2 unpaid since 2026-03-15
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.django_db
def test_a_failing_run_enables_the_collector_again(collector_on):
    make_loan(make_borrower(external_id="LATE"), start=date(2026, 1, 15), principal="12000")

    def failing(*args):
        raise RuntimeError("the engine stopped")

    with pytest.raises(RuntimeError, match="the engine stopped"):
        do_run_daily(AS_OF, actor=nightly_run(), decider=failing)
    assert Run.objects.get(business_date=AS_OF).status != RunStatus.DONE
    assert gc.isenabled()
