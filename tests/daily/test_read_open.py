"""The night's read takes exactly the open instalments: on SQLite it is led by the instalments' own indexes
(`daily.read.SQLITE_OPEN_INSTALMENTS`), on PostgreSQL by the planner; both must give what the policy's words
define."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.django_db


def test_the_read_takes_every_instalment_open_on_the_date_and_due_by_the_horizon_and_no_other():
    """Clause: REM-1, CLS-1 — on 2026-06-20 (reminder horizon three days on): an unpaid instalment due by the
    horizon is read, and so is one paid only after the date (a night run late); one paid by the date, one due
    after the horizon and any of a loan no longer active are not."""
    from arrears.daily.read import read_inputs
    from arrears.engine.params import Terms
    from arrears.portfolio.models import Instalment
    from arrears.rules.queries import policy_on
    from factories import make_borrower, make_loan

    as_of = date(2026, 6, 20)
    terms = Terms.of(policy_on(as_of), as_of)
    assert terms.horizon == as_of + timedelta(days=3)
    active = make_loan(make_borrower(), start=date(2026, 1, 21), months=12)  # due on the 21st of each month
    closed = make_loan(make_borrower(), start=date(2026, 1, 21), months=12, status="closed")
    due = {i.n: i.due_date for i in Instalment.objects.filter(loan=active)}
    assert due[5] == date(2026, 6, 21)
    rows = Instalment.objects.filter(loan=active)
    rows.filter(n__in=[1, 2]).update(settled_on=as_of)  # paid by the date
    rows.filter(n=3).update(settled_on=as_of + timedelta(days=1))  # paid the day after: still open on the date
    # 4 and 5 unpaid (5 due tomorrow, inside the horizon); 6 and later after the horizon.
    Instalment.objects.filter(loan=closed).update(settled_on=None)

    frame = read_inputs(terms).instalments.collect()
    assert sorted(zip(frame["loan_id"].to_list(), frame["n"].to_list(), strict=True)) == [
        (active.pk, 3),
        (active.pk, 4),
        (active.pk, 5),
    ]
    assert frame.filter(frame["n"] == 5)["due_date"].to_list() == [date(2026, 6, 21)]
