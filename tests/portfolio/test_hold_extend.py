"""Every kind of hold is placed, extended and lifted with a reason, each change audited (Issue 17 item 1);
extending refuses an end in the past, an end not later than the current one, a lifted hold and an open-ended one
with a message, storing nothing; roles without `portfolio.manage_holds` change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.portfolio.actions import PortfolioError, do_extend_hold, do_lift_hold, do_place_hold
from arrears.portfolio.models import Hold, HoldKind
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 20)  # the business date


def ledger() -> list[tuple]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", "reason", "subject_id", "changes"))


def holds() -> list[dict]:
    return list(Hold.objects.order_by("pk").values())


def test_there_are_six_kinds_each_with_words():
    """The three of the collection policy and the three a bank also needs, in words on the pages."""
    assert [(k.value, str(k.label)) for k in HoldKind] == [
        ("dispute", "dispute"),
        ("complaint", "complaint under investigation"),
        ("legal", "legal hold"),
        ("deceased", "borrower deceased"),
        ("fraud_claim", "fraud claim"),
        ("bankruptcy", "bankruptcy"),
    ]


@pytest.mark.parametrize("kind", HoldKind.values)
def test_each_kind_is_placed_extended_and_lifted_with_its_reasons(kind):
    """Placed 1–30 November, extended to 31 December (the event records 30 November → 31 December), lifted on
    20 November: three events, each with its reason; in force through the lifting day only."""
    borrower = make_borrower()
    boss = make_user("supervisor")
    hold = do_place_hold(
        borrower, kind, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30), actor=boss, reason="opened: 1234"
    )
    extended = do_extend_hold(hold, until=date(2026, 12, 31), on=ON, actor=boss, reason="still open: 1234")
    assert (extended.kind, extended.ends_on, extended.in_force_on(date(2026, 12, 15))) == (
        kind,
        date(2026, 12, 31),
        True,
    )
    lifted = do_lift_hold(extended, on=ON, actor=boss, reason="closed: 1234")
    assert (lifted.in_force_on(ON), lifted.in_force_on(date(2026, 11, 21))) == (True, False)
    pk = str(hold.pk)
    assert ledger() == [
        (
            "portfolio.place_hold",
            "opened: 1234",
            pk,
            {
                "borrower": [None, borrower.external_id],
                "kind": [None, kind],
                "period": [None, ["2026-11-01", "2026-11-30"]],
            },
        ),
        ("portfolio.extend_hold", "still open: 1234", pk, {"ends_on": ["2026-11-30", "2026-12-31"]}),
        ("portfolio.release_hold", "closed: 1234", pk, {"released_on": [None, "2026-11-20"]}),
    ]


@pytest.mark.parametrize("role", ["junior_collector", "senior_collector", "analyst", "agency_user", "administrator"])
def test_a_role_without_the_permission_can_neither_place_nor_extend_nor_lift(role):
    """Refused before anything happens: the hold and the ledger unchanged."""
    boss = make_user("supervisor")
    borrower = make_borrower()
    hold = do_place_hold(
        borrower,
        "fraud_claim",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
        actor=boss,
        reason="借款人报案中",
    )
    before, events = holds(), ledger()
    someone = make_user(role)
    with pytest.raises(ActionDenied):
        do_place_hold(borrower, "deceased", starts_on=ON, ends_on=None, actor=someone, reason="家属告知身故")
    with pytest.raises(ActionDenied):
        do_extend_hold(hold, until=date(2026, 12, 31), on=ON, actor=someone, reason="still open")
    with pytest.raises(ActionDenied):
        do_lift_hold(hold, on=ON, actor=someone, reason="closed now")
    assert (holds(), ledger()) == (before, events)


def _hold(ends_on=date(2026, 11, 30)) -> Hold:
    return do_place_hold(
        make_borrower(),
        "bankruptcy",
        starts_on=date(2026, 11, 1),
        ends_on=ends_on,
        actor=make_user("legal_officer"),
        reason="破产申请已受理",
    )


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (date(2026, 11, 19), r"the new end \(2026-11-19\) is in the past \(the business date is 2026-11-20\)"),
        (date(2026, 11, 25), r"the new end \(2026-11-25\) must be later than the current end \(2026-11-30\)"),
        (date(2026, 11, 30), r"the new end \(2026-11-30\) must be later than the current end \(2026-11-30\)"),
    ],
)
def test_an_end_in_the_past_or_not_later_is_refused(until, message):
    hold = _hold()
    before, events = holds(), ledger()
    with pytest.raises(PortfolioError, match=message):
        do_extend_hold(hold, until=until, on=ON, actor=make_user("supervisor"), reason="extend it")
    assert (holds(), ledger()) == (before, events)


def test_a_lifted_or_open_ended_hold_is_not_extended_and_a_reason_is_required():
    boss = make_user("supervisor")
    lifted = do_lift_hold(_hold(), on=ON, actor=boss, reason="closed")
    open_ended = _hold(ends_on=None)
    ending = _hold()
    before, events = holds(), ledger()
    with pytest.raises(PortfolioError, match="this hold was lifted on 2026-11-20; place a new hold instead"):
        do_extend_hold(lifted, until=date(2026, 12, 31), on=ON, actor=boss, reason="extend it")
    with pytest.raises(PortfolioError, match="it holds until it is lifted, so there is nothing to extend"):
        do_extend_hold(open_ended, until=date(2026, 12, 31), on=ON, actor=boss, reason="extend it")
    with pytest.raises(PortfolioError, match="give a reason"):
        do_extend_hold(ending, until=date(2026, 12, 31), on=ON, actor=boss, reason="  ")
    assert (holds(), ledger()) == (before, events)


def test_a_hold_lifted_meanwhile_is_not_extended():
    """The caller's copy still shows it open; the conditional update finds it lifted: refused, nothing stored."""
    boss = make_user("supervisor")
    stale = _hold()
    do_lift_hold(Hold.objects.get(pk=stale.pk), on=ON, actor=boss, reason="closed")
    before, events = holds(), ledger()
    with pytest.raises(PortfolioError, match="changed meanwhile"):
        do_extend_hold(stale, until=date(2026, 12, 31), on=ON, actor=boss, reason="extend it")
    assert (holds(), ledger()) == (before, events)
