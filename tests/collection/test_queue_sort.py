"""The case queue sorted by a column the collector picks, and rows whose work is overdue marked (Issue 15 item 3)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from desk import AS_OF, open_desk
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.collection.models import CollectionCase, Task
from arrears.collection.queries import QUEUE_SORTS, queue
from arrears.home.sorting import Sort, parse_sort

pytestmark = pytest.mark.django_db

# (customer number, DPD, principal, risk): QC (DPD 50) owes two instalments, the others one each.
SPEC = [("QA", 30, "6000", "low"), ("QB", 10, "48000", "low"), ("QC", 50, "12000", "low"), ("QD", 20, "3000", "low")]


@pytest.fixture
def desk():
    desk = open_desk(SPEC, {"junior_collector": 1})
    desk["junior"] = desk["users"]["junior_collector"][0]
    return desk


def shown(response) -> list[str]:
    """The customer numbers of the queue's rows, in the order the page lists them."""
    ids = [int(n) for n in re.findall(r'data-case="(\d+)"', response.content.decode())]
    names = dict(CollectionCase.objects.filter(pk__in=ids).values_list("pk", "borrower__external_id"))
    return [names[i] for i in ids]


def test_each_column_sorts_both_ways(client, desk):
    """DPD, customer number and overdue amount, ascending and descending, with literal orders; the default is
    still the work order (nothing due: the highest DPD first)."""
    client.force_login(desk["junior"])
    assert shown(client.get("/cases/")) == ["QC", "QA", "QD", "QB"]
    assert shown(client.get("/cases/", {"sort": "dpd"})) == ["QB", "QD", "QA", "QC"]
    assert shown(client.get("/cases/", {"sort": "-dpd"})) == ["QC", "QA", "QD", "QB"]
    assert shown(client.get("/cases/", {"sort": "customer"})) == ["QA", "QB", "QC", "QD"]
    assert shown(client.get("/cases/", {"sort": "-customer"})) == ["QD", "QC", "QB", "QA"]
    assert shown(client.get("/cases/", {"sort": "-overdue"})) == ["QB", "QC", "QA", "QD"]
    assert shown(client.get("/cases/", {"sort": "overdue"})) == ["QD", "QA", "QC", "QB"]
    amounts = [c.overdue_fen for c in queue(desk["junior"], AS_OF, sort=Sort("overdue"))]
    assert amounts == sorted(amounts)
    assert len(set(amounts)) == 4


def test_ties_are_broken_by_case_number(client, desk):
    """No call made yet: every case has 0 attempts and the same class, so both directions list the cases by
    case number (a stable order: a page boundary never moves)."""
    by_number = [c.borrower.external_id for c in CollectionCase.objects.order_by("pk").select_related("borrower")]
    client.force_login(desk["junior"])
    assert shown(client.get("/cases/", {"sort": "attempts"})) == by_number
    assert shown(client.get("/cases/", {"sort": "-attempts"})) == by_number
    classes = [c.delinquency_class for c in queue(desk["junior"], AS_OF, sort=Sort("class", descending=True))]
    assert classes == ["moderate", "mild", "mild", "mild"]  # QC (DPD 50) first, the rest by case number


def test_headers_toggle_the_order_keep_the_filters_and_say_it(client, desk):
    """The sorted column's link reverses it; another column's starts it (amounts and DPD largest first); the
    filters stay, the page goes; aria-sort says the order; htmx gets the rows only, sorted."""
    client.force_login(desk["junior"])
    page = client.get("/cases/?q=Q&sort=dpd&page=1").content.decode()
    assert re.search(r'<th class="num" aria-sort="ascending"><a href="\?q=Q&amp;sort=-dpd"', page)
    assert re.search(r'aria-sort="none"><a href="\?q=Q&amp;sort=customer"', page)
    assert re.search(r'aria-sort="none"><a href="\?q=Q&amp;sort=-overdue"', page)
    assert 'hx-get="?q=Q&amp;sort=-dpd" hx-target="#queue-rows" hx-push-url="true"' in page
    assert '<input type="hidden" name="sort" value="dpd" form="queue-filter">' in page  # the filters keep it
    reversed_page = client.get("/cases/?q=Q&sort=-dpd").content.decode()
    assert re.search(r'aria-sort="descending"><a href="\?q=Q&amp;sort=dpd"', reversed_page)
    rows = client.get("/cases/", {"sort": "customer"}, HTTP_HX_REQUEST="true")
    assert "<html" not in rows.content.decode()
    assert shown(rows) == ["QA", "QB", "QC", "QD"]


@pytest.mark.parametrize("bad", ["bogus", "-", "--dpd", "dpd;drop table", "borrower__name", "-pk", " ", "ＤＰＤ"])
def test_an_unknown_sort_is_ignored(client, desk, bad):
    """A column that is not on the list, or a malformed value, leaves the work order (never an error)."""
    client.force_login(desk["junior"])
    response = client.get("/cases/", {"sort": bad})
    assert response.status_code == 200
    assert shown(response) == ["QC", "QA", "QD", "QB"]
    assert parse_sort(bad, QUEUE_SORTS) == Sort()


def test_rows_whose_work_is_overdue_are_marked_in_words(client, desk):
    """An open call of QA fell due two days before the business date: its row has the class and the word;
    the tasks due today (the other cases' first calls) are not overdue."""
    qa = desk["cases"]["QA"]
    Task.objects.create(
        key="call:test-late", kind="call", borrower=qa.borrower, case=qa, available_from=AS_OF - timedelta(days=2),
        due_on=AS_OF - timedelta(days=2), clause="CALL-4", created_on=AS_OF - timedelta(days=2),
    )  # fmt: skip
    client.force_login(desk["junior"])
    response = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    late = [row for row in response.context["rows"] if row[3]]
    assert [row[0].borrower.external_id for row in late] == ["QA"]
    assert page.count('class="overdue"') == 1
    assert re.search(rf'data-case="{qa.pk}" class="overdue">.*?已逾期', page, re.S)
    assert "已逾期" in client.get("/cases/", {"sort": "-overdue"}).content.decode()
    # The rows marked are the ones the start page counts as overdue and the `work=overdue` filter lists.
    assert shown(client.get("/cases/", {"work": "overdue"})) == ["QA"]


def test_the_sorted_queue_makes_a_fixed_number_of_queries(client):
    """The queue sorted by each column, for 3 cases and for 12, runs the same number of queries."""
    spec = [(f"A{i}", 10 + i, "9000", "low") for i in range(3)] + [(f"B{i}", 12 + i, "9000", "low") for i in range(9)]
    desk = open_desk(spec, {"supervisor": 1})
    supervisor = desk["users"]["supervisor"][0]
    client.force_login(supervisor)
    for key in QUEUE_SORTS:
        with CaptureQueriesContext(connection) as few:
            assert len(client.get("/cases/", {"q": "A", "owner": "all", "sort": f"-{key}"}).context["rows"]) == 3
        with CaptureQueriesContext(connection) as many:
            assert len(client.get("/cases/", {"owner": "all", "sort": key}).context["rows"]) == 12
        assert len(many) == len(few), (key, [q["sql"][:80] for q in many.captured_queries])
