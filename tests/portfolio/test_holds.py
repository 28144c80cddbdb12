"""Holds stop contact while a dispute, complaint or legal matter is open."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions import PortfolioError, do_lift_hold, do_place_hold
from arrears.portfolio.models import Hold
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db


def test_place_and_release_a_complaint_hold():
    """A hold is in force from its start until released; both steps are audited."""
    borrower = make_borrower()
    supervisor = make_user("supervisor")
    hold = do_place_hold(
        borrower, "complaint", starts_on=date(2026, 11, 1), ends_on=None, actor=supervisor, reason="CMP ticket 17"
    )
    assert hold.in_force_on(date(2026, 11, 20))
    assert not hold.in_force_on(date(2026, 10, 31))
    released = do_lift_hold(hold, on=date(2026, 11, 20), actor=supervisor, reason="complaint closed")
    assert released.in_force_on(date(2026, 11, 20))
    assert not released.in_force_on(date(2026, 11, 21))
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "portfolio.place_hold",
        "portfolio.release_hold",
    ]
    with pytest.raises(PortfolioError, match="already released"):
        do_lift_hold(hold, on=date(2026, 11, 22), actor=supervisor, reason="again")
    assert AuditEvent.objects.count() == 2


def test_a_collector_cannot_place_a_hold():
    """A role without portfolio.manage_holds is refused; no hold, no event."""
    with pytest.raises(ActionDenied):
        do_place_hold(
            make_borrower(),
            "dispute",
            starts_on=date(2026, 11, 1),
            ends_on=None,
            actor=make_user("junior_collector"),
            reason="says it was paid",
        )
    assert (Hold.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_a_hold_cannot_end_before_it_starts():
    """The period is checked with a message."""
    with pytest.raises(PortfolioError, match=r"ends \(2026-10-01\) before it starts \(2026-11-01\)"):
        do_place_hold(
            make_borrower(),
            "legal",
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 10, 1),
            actor=make_user("supervisor"),
            reason="court order",
        )
    assert Hold.objects.count() == 0
