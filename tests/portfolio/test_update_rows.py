"""`update_rows(model, fields, rows)` (arrears.bulk): the nightly run updates the positions of loans that stay
delinquent by primary key, one statement for all of them; the rows must end as Django's `bulk_update` leaves
them, and the rows not named as they were."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears import bulk
from arrears.bulk import update_rows
from arrears.portfolio.models import LoanPosition
from factories import make_borrower, make_loan

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["statement per row", "copied table"])
def way(request, monkeypatch):
    """Both ways `update_rows` writes: a prepared statement run for every row, and (on PostgreSQL, from
    `COPY_ROWS` rows on) an UPDATE from a temporary table the rows are copied into — taken here for any size."""
    if request.param == "copied table":
        monkeypatch.setattr(bulk, "COPY_ROWS", 0)
    return request.param


FIELDS = ["borrower", "dpd", "delinquency_class", "earliest_unpaid_due", "penalty_fen", "as_of"]
COLUMNS = ("pk", "borrower_id", "dpd", "delinquency_class", "earliest_unpaid_due", "penalty_fen", "as_of")


def _positions() -> list[LoanPosition]:
    made = []
    for n in range(3):
        loan = make_loan(make_borrower(external_id=f"B{n}"), start=date(2026, 1, 15), principal="12000")
        made.append(
            LoanPosition.objects.create(
                loan=loan,
                borrower=loan.borrower,
                as_of=date(2026, 3, 20),
                dpd=5 + n,
                delinquency_class="mild",
                bucket="M1",
                earliest_unpaid_due=date(2026, 3, 15),
                overdue_principal_fen=98_378,
                overdue_interest_fen=3_994,
                penalty_fen=89,
                compound_fen=0,
            )
        )
    return made


def _stored(positions) -> list[tuple]:
    return list(LoanPosition.objects.filter(pk__in=[p.pk for p in positions]).order_by("pk").values_list(*COLUMNS))


def test_writes_what_bulk_update_writes_and_nothing_else(way):
    """Worked example: the next day's figures of the first two positions (DPD 5 → 36, moderate, a penalty beyond
    2^53 fen), written both ways and each rolled back, leave the same rows; the third is not named and stays."""
    positions = _positions()
    before = _stored(positions)
    first, second, _third = positions
    tomorrow = date(2026, 4, 20)
    values = [
        (first.pk, first.borrower_id, 36, "moderate", date(2026, 3, 15), 9_007_199_254_740_993, tomorrow),
        (second.pk, second.borrower_id, 37, "moderate", date(2026, 3, 14), 1_204, tomorrow),
    ]
    results = {}
    for writer in ("bulk_update", "update_rows"):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                if writer == "bulk_update":
                    changed = []
                    for position, (_key, borrower, dpd, klass, due, penalty, as_of) in zip(
                        (first, second), values, strict=True
                    ):
                        position.borrower_id, position.dpd, position.delinquency_class = borrower, dpd, klass
                        position.earliest_unpaid_due, position.penalty_fen, position.as_of = due, penalty, as_of
                        changed.append(position)
                    LoanPosition.objects.bulk_update(changed, FIELDS)
                else:
                    assert update_rows(LoanPosition, FIELDS, values) == 2
            if writer == "update_rows":
                # one UPDATE for every row (PostgreSQL: from a temporary table the rows are copied into)
                assert sum("UPDATE" in query["sql"] for query in queries) == 1
            results[writer] = _stored(positions)
            transaction.set_rollback(True)
    assert results["update_rows"] == results["bulk_update"]
    one, two, three = results["update_rows"]
    assert one[2:] == (36, "moderate", date(2026, 3, 15), 9_007_199_254_740_993, tomorrow)
    assert two[2:] == (37, "moderate", date(2026, 3, 14), 1_204, tomorrow)
    assert three == before[2]
    assert _stored(positions) == before  # both rolled back


def test_a_key_with_no_row_is_skipped(way):
    (position, *_others) = _positions()
    before = _stored(_others)
    assert update_rows(LoanPosition, ["dpd"], [(position.pk, 40), (10**12, 41)]) == 2
    assert LoanPosition.objects.get(pk=position.pk).dpd == 40
    assert _stored(_others) == before
    assert not LoanPosition.objects.filter(pk=10**12).exists()


def test_a_row_of_the_wrong_width_is_refused_before_anything_is_written():
    positions = _positions()
    before = _stored(positions)
    with pytest.raises(ValueError, match=r"a row of 2 values for 3 fields \['loan', 'dpd', 'bucket'\]"):
        update_rows(LoanPosition, ["dpd", "bucket"], [(positions[0].pk, 40, "M2"), (positions[1].pk, 41)])
    assert _stored(positions) == before


def test_no_rows_no_statement():
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(LoanPosition, ["dpd"], []) == 0
    assert len(queries) == 0


def test_a_refused_value_writes_nothing_and_the_next_update_works(way):
    """A negative DPD breaks the column's check: the whole update is refused (no row half-written), and an update
    after it, in the same connection, works (on PostgreSQL its temporary table went with the rollback)."""
    positions = _positions()
    before = _stored(positions)
    with pytest.raises(IntegrityError), transaction.atomic():
        update_rows(LoanPosition, ["dpd"], [(positions[0].pk, 40), (positions[1].pk, -1)])
    assert _stored(positions) == before
    assert update_rows(LoanPosition, ["dpd"], [(positions[0].pk, 40), (positions[1].pk, 41)]) == 2
    assert [row[2] for row in _stored(positions)] == [40, 41, 7]
