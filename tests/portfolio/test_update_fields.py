"""`update_fields(objects, fields)` (arrears.bulk): the nightly run writes the cases, promises and plans it changed
by primary key with one prepared UPDATE; the rows must end as Django's `bulk_update` leaves them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.bulk import update_fields
from arrears.collection.models import CaseStatus, CollectionCase
from factories import make_borrower, make_user

pytestmark = pytest.mark.django_db
FIELDS = ["status", "closed_on", "opened_on", "times_opened", "pool", "owner", "assigned_on", "overdue_fen"]
COLUMNS = ("pk", "status", "closed_on", "opened_on", "times_opened", "pool", "owner_id", "assigned_on", "overdue_fen")


def _cases(owner) -> list[CollectionCase]:
    made = []
    for pool in ("junior", "senior", "junior"):
        made.append(
            CollectionCase.objects.create(
                borrower=make_borrower(),
                status=CaseStatus.OPEN,
                delinquency_class="mild",
                pool=pool,
                opened_on=date(2026, 3, 2),
                updated_on=date(2026, 3, 2),
                owner=owner,
                assigned_on=date(2026, 3, 3),
                dpd=12,
                overdue_fen=1_234_56,
            )
        )
    return made


def _change(cases: list[CollectionCase]) -> list[CollectionCase]:
    """A close (a date set, the collector removed), a reopen (a count, a date), a large amount; the third case is
    not passed on, so it must stay as it was."""
    first, second, _third = (CollectionCase.objects.get(pk=case.pk) for case in cases)
    first.status, first.closed_on, first.pool, first.owner_id, first.assigned_on = (
        CaseStatus.CLOSED,
        date(2026, 4, 30),
        "",
        None,
        None,
    )
    second.opened_on, second.times_opened, second.overdue_fen = date(2026, 5, 4), 3, 9_000_000_000_000_00
    return [first, second]


def _stored(cases) -> list[tuple]:
    return list(CollectionCase.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk").values_list(*COLUMNS))


def test_writes_what_bulk_update_writes_and_nothing_else():
    """Worked example: the same changes written both ways (each rolled back) leave the same rows; the case not
    passed is unchanged; one statement is prepared and run for both rows."""
    owner = make_user("junior_collector")
    cases = _cases(owner)
    before = _stored(cases)
    results = {}
    for way in ("bulk_update", "update_fields"):
        with transaction.atomic():
            changed = _change(cases)
            with CaptureQueriesContext(connection) as queries:
                if way == "bulk_update":
                    CollectionCase.objects.bulk_update(changed, FIELDS)
                else:
                    assert update_fields(changed, FIELDS) == 2
            results[way] = _stored(cases)
            if way == "update_fields":
                assert len(queries) == 1
                assert queries[0]["sql"].startswith("2 times: UPDATE")
            transaction.set_rollback(True)
    assert results["update_fields"] == results["bulk_update"]
    first, second, third = results["update_fields"]
    assert first[1:] == ("closed", date(2026, 4, 30), date(2026, 3, 2), 1, "", None, None, 1_234_56)
    assert second[1:] == ("open", None, date(2026, 5, 4), 3, "senior", owner.pk, date(2026, 3, 3), 9_000_000_000_000_00)
    assert third == before[2]
    assert _stored(cases) == before  # both rolled back


def test_no_objects_no_statement():
    with CaptureQueriesContext(connection) as queries:
        assert update_fields([], ["status"]) == 0
    assert len(queries) == 0
