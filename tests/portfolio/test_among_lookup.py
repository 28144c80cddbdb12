"""`field__among=values` (arrears.bulk): the rows `field__in=values` finds, with the values bound as one parameter;
the nightly run looks up thousands of keys with it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.portfolio.models import Borrower, Instalment, Loan
from factories import make_borrower, make_loan

pytestmark = pytest.mark.django_db


def test_ints_strings_and_dates_find_what_in_finds():
    """Worked example: ids with a duplicate and one that does not exist, external ids, and due dates."""
    first, second = make_borrower(), make_borrower()
    loan = make_loan(first, months=3, start=date(2026, 1, 15))
    make_loan(second, months=3, start=date(2026, 2, 20))
    missing = Borrower.objects.order_by("-pk").first().pk + 1000

    ids = [second.pk, second.pk, missing]
    assert list(Borrower.objects.filter(pk__among=ids)) == [second]
    external = [first.external_id, "C-none"]
    assert list(Borrower.objects.filter(external_id__among=external).values_list("pk", flat=True)) == [first.pk]
    dues = [date(2026, 2, 15), date(2026, 3, 20), date(2026, 5, 1)]
    found = Instalment.objects.filter(due_date__among=dues).order_by("due_date")
    assert [(i.loan_id, i.n, i.due_date) for i in found] == [
        (loan.pk, 1, date(2026, 2, 15)),
        (loan.pk + 1, 1, date(2026, 3, 20)),
    ]
    assert list(found) == list(Instalment.objects.filter(due_date__in=dues).order_by("due_date"))
    by_loan = Instalment.objects.filter(loan_id__among=[loan.pk]).values_list("n", flat=True)  # a relation
    assert sorted(by_loan) == [1, 2, 3]
    assert Instalment.objects.filter(loan__among=[loan.pk]).count() == 3


def test_an_empty_list_matches_nothing():
    make_loan(make_borrower(), months=2)
    assert not Loan.objects.filter(pk__among=[]).exists()
    assert Loan.objects.exclude(pk__among=[]).count() == 1


def test_many_values_are_one_parameter_in_an_update():
    """5,000 ids: one statement with one bound value (where `__in` binds 5,000), and every row found changes."""
    borrowers = [make_borrower() for _ in range(3)]
    ids = [b.pk for b in borrowers[:2]] + list(range(10**9, 10**9 + 4998))
    sql, params = Borrower.objects.filter(pk__among=ids).query.sql_with_params()
    assert len(params) == 1, sql
    assert len(Borrower.objects.filter(pk__in=ids).query.sql_with_params()[1]) == 5000
    with CaptureQueriesContext(connection) as queries:
        changed = Borrower.objects.filter(pk__among=ids).update(risk_level="high")
    assert changed == 2
    assert len(queries.captured_queries) == 1
    assert dict(Borrower.objects.values_list("pk", "risk_level")) == {
        borrowers[0].pk: "high",
        borrowers[1].pk: "high",
        borrowers[2].pk: "low",
    }
