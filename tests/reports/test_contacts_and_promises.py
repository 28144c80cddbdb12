"""Promises kept and the right-party contact rate, split by collector, team and agency (docs/kpi.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from arrears.accounts.models import Agency, Team
from arrears.agencies.commissions import Month
from arrears.collection.models import Call, Promise
from arrears.reports.indicators import contact_rate, promises_kept
from arrears.reports.kpi import Filters, KpiUnavailable
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)


def _call(collector, borrower, on: date, outcome: str, *, party: str = "borrower", inbound: bool = False) -> Call:
    return Call.objects.create(
        borrower=borrower,
        collector=collector,
        called_at=datetime(on.year, on.month, on.day, 2, 0, tzinfo=UTC),
        called_on=on,
        party=party,
        inbound=inbound,
        outcome=outcome,
    )


def _promise(call: Call, due: date, status: str) -> Promise:
    return Promise.objects.create(
        borrower=call.borrower, amount_fen=10_000, made_on=call.called_on, due_on=due, status=status, call=call
    )


@pytest.fixture
def people():
    east, west = Team.objects.create(name="华东组"), Team.objects.create(name="华西组")
    agency = Agency.objects.create(name="示例催收服务有限公司")
    return {
        "li": make_user("junior_collector", team=east),
        "wang": make_user("senior_collector", team=west),
        "agent": make_user("agency_user", agency=agency),
        "east": east,
        "west": west,
        "agency": agency,
    }


def test_contact_rate_counts_the_borrower_reached_among_outbound_calls(people):
    """Clause: CALL-3 — li: 4 outbound calls in November, 2 reached the borrower (a contact person reached and no
    answer do not count), an inbound call and an October call left out; wang 1 of 1; the agent 0 of 2."""
    borrower = make_borrower()
    li, wang, agent = people["li"], people["wang"], people["agent"]
    _call(li, borrower, date(2026, 11, 2), "promised")
    _call(li, borrower, date(2026, 11, 3), "refused")
    _call(li, borrower, date(2026, 11, 4), "reached_other", party="contact")
    _call(li, borrower, date(2026, 11, 5), "no_answer")
    _call(li, borrower, date(2026, 11, 6), "promised", inbound=True)
    _call(li, borrower, date(2026, 10, 31), "promised")
    _call(wang, borrower, date(2026, 11, 30), "needs_plan")
    _call(agent, borrower, date(2026, 11, 9), "busy")
    _call(agent, borrower, date(2026, 11, 9), "wrong_party")
    assert contact_rate(NOVEMBER) == {None: (3, 7)}
    assert contact_rate(NOVEMBER, "collector") == {li.pk: (2, 4), wang.pk: (1, 1), agent.pk: (0, 2)}
    assert contact_rate(NOVEMBER, "team") == {people["east"].pk: (2, 4), people["west"].pk: (1, 1), None: (0, 2)}
    assert contact_rate(NOVEMBER, "agency") == {None: (3, 5), people["agency"].pk: (0, 2)}
    assert contact_rate(NOVEMBER, where=Filters(team=people["east"].pk)) == {None: (2, 4)}


def test_promises_kept_among_the_decided_promises_due_in_the_month(people):
    """Clause: CALL-3 — li's promises due in November: 2 kept, 1 broken, 1 still open (not decided, left out);
    one due in December left out; wang's 1 broken."""
    borrower = make_borrower()
    li, wang = people["li"], people["wang"]
    for due, status in (
        (date(2026, 11, 10), "kept"),
        (date(2026, 11, 20), "kept"),
        (date(2026, 11, 25), "broken"),
        (date(2026, 11, 30), "open"),
        (date(2026, 12, 1), "kept"),
    ):
        _promise(_call(li, borrower, date(2026, 11, 1), "promised"), due, status)
    _promise(_call(wang, borrower, date(2026, 11, 1), "promised"), date(2026, 11, 15), "broken")
    assert promises_kept(NOVEMBER) == {None: (2, 4)}
    assert promises_kept(NOVEMBER, "collector") == {li.pk: (2, 3), wang.pk: (0, 1)}
    assert promises_kept(NOVEMBER, "team") == {people["east"].pk: (2, 3), people["west"].pk: (0, 1)}
    with pytest.raises(KpiUnavailable, match="split by one of"):
        promises_kept(NOVEMBER, "product")
