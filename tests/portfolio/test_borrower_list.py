"""The borrower list: loans, highest DPD, overdue total and the open case from what the nightly run stored, in
one query; sortable; and the search by the beginning of a name — POSTed, masked, audited by a keyed hash
(Issue 15 item 3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

for _folder in ("daily", "collection"):
    _path = str(Path(__file__).parent.parent / _folder)
    if _path not in sys.path:
        sys.path.insert(0, _path)

from desk import open_desk  # noqa: E402

from arrears.cli import main  # noqa: E402
from arrears.collection.models import CollectionCase  # noqa: E402
from arrears.compliance.actions import ActionDenied  # noqa: E402
from arrears.compliance.models import AuditEvent  # noqa: E402
from arrears.portfolio import actions  # noqa: E402
from arrears.portfolio.models import Borrower, LoanPosition  # noqa: E402
from factories import make_borrower, make_loan, make_user  # noqa: E402

pytestmark = pytest.mark.django_db

NAMES = {"N1": "欧阳明远", "N2": "欧阳静怡", "N3": "欧阳文博", "N4": "司马光"}


@pytest.fixture
def book():
    """N1 (DPD 45) and N2 (DPD 20) in the junior pool, N3 (DPD 75, high risk) in the senior pool, N4 current
    (its first instalment falls due after the business date): no position, no case."""
    desk = open_desk(
        [("N1", 45, "24000", "low"), ("N2", 20, "12000", "low"), ("N3", 75, "36000", "high")],
        {"junior_collector": 1, "supervisor": 1},
    )
    make_loan(make_borrower(external_id="N4"), start=date(2026, 3, 1))
    for external_id, name in NAMES.items():
        Borrower.objects.filter(external_id=external_id).update(name=name)
    return {
        "cases": desk["cases"],
        "junior": desk["users"]["junior_collector"][0],
        "sup": desk["users"]["supervisor"][0],
    }


def listed(response) -> list[str]:
    return re.findall(r'<tr data-borrower="([^"]+)"', response.content.decode())


def row(response, external_id: str) -> str:
    html = response.content.decode()
    return re.search(rf'<tr data-borrower="{external_id}">(.*?)</tr>', html, re.S).group(1)


def expected_hmac(text: str) -> str:
    key = hashlib.sha256((settings.ARREARS_SEARCH_HASH_SALT + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def ledger_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


def test_each_row_has_loans_highest_dpd_overdue_total_and_the_open_case(client, book):
    """The figures are the nightly run's (the positions it stored, as on the case); N4 has none and no case.
    N2's one missed instalment of 1,023.72 with 20 days of penalty and compound interest: 1,027.43 元."""
    client.force_login(book["sup"])
    response = client.get("/borrowers/")
    assert listed(response) == ["N1", "N2", "N3", "N4"]
    for external_id in ("N1", "N2", "N3"):
        case = book["cases"][external_id]
        html = row(response, external_id)
        assert f'<a href="/cases/{case.pk}/">#{case.pk}</a>' in html
        cells = re.findall(r'<td class="num">([^<]*)</td>', html)
        assert cells == ["1", str(case.dpd), f"{case.overdue_fen / 100:,.2f}"], external_id
    assert re.findall(r'<td class="num">([^<]*)</td>', row(response, "N2")) == ["1", "20", "1,027.43"]
    positions = LoanPosition.objects.filter(borrower__external_id="N2").get()
    total = positions.overdue_principal_fen + positions.overdue_interest_fen + positions.penalty_fen
    assert total + positions.compound_fen == 102_743
    assert re.findall(r'<td class="num">([^<]*)</td>', row(response, "N4")) == ["1", "0", "0.00"]
    assert row(response, "N4").endswith("<td>—</td>")


def test_a_junior_sees_the_borrowers_and_case_links_of_their_pools_only(client, book):
    """Clause: TEAM-3 — N3 is high risk in the senior pool: not listed for a junior collector."""
    client.force_login(book["junior"])
    response = client.get("/borrowers/")
    assert listed(response) == ["N1", "N2", "N4"]
    assert f"/cases/{book['cases']['N1'].pk}/" in row(response, "N1")


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("dpd", ["N4", "N2", "N1", "N3"]),
        ("-dpd", ["N3", "N1", "N2", "N4"]),
        ("-overdue", ["N3", "N1", "N2", "N4"]),
        ("overdue", ["N4", "N2", "N1", "N3"]),
        ("-customer", ["N4", "N3", "N2", "N1"]),
        ("customer", ["N1", "N2", "N3", "N4"]),
        ("bogus", ["N1", "N2", "N3", "N4"]),  # unknown: the default order, no error
        ("-name", ["N1", "N2", "N3", "N4"]),  # not a sortable column (and personal data)
    ],
)
def test_the_list_sorts_by_customer_dpd_and_overdue_amount(client, book, sort, order):
    client.force_login(book["sup"])
    response = client.get("/borrowers/", {"sort": sort})
    assert response.status_code == 200
    assert listed(response) == order


def test_the_headers_toggle_and_keep_the_search(client, book):
    client.force_login(book["sup"])
    html = client.get("/borrowers/?q=N&sort=-dpd&page=1").content.decode()
    assert re.search(r'aria-sort="descending"><a href="\?q=N&amp;sort=dpd"', html)
    assert re.search(r'aria-sort="none"><a href="\?q=N&amp;sort=-overdue"', html)
    assert '<input type="hidden" name="sort" value="-dpd">' in html  # a new search keeps the order


def test_the_list_costs_the_same_queries_for_1_or_12_rows(client):
    """One query for the rows (figures and case links included) whatever the page size."""
    spec = [(f"A{i}", 10 + i, "9000", "low") for i in range(1)] + [(f"B{i}", 12 + i, "9000", "low") for i in range(11)]
    desk = open_desk(spec, {"supervisor": 1})
    client.force_login(desk["users"]["supervisor"][0])
    for sort in ("", "-dpd", "overdue"):
        with CaptureQueriesContext(connection) as few:
            assert len(client.get("/borrowers/", {"q": "A", "sort": sort}).context["rows"]) == 1
        with CaptureQueriesContext(connection) as many:
            assert len(client.get("/borrowers/", {"sort": sort}).context["rows"]) == 12
        assert len(many) == len(few), [q["sql"][:100] for q in many.captured_queries]


def test_a_name_search_finds_by_the_beginning_masked_and_is_audited_by_hash(client, book):
    """Clause: PRV-1, AUTH-4 — "欧阳" finds N1, N2, N3 (a supervisor sees all), masked, with their figures; the
    event holds the keyed hash of the name and the customer numbers found, and no name is in the ledger."""
    client.force_login(book["sup"])
    response = client.post("/borrowers/", {"name": " 欧阳 "})
    html = response.content.decode()
    assert listed(response) == ["N1", "N2", "N3"]
    assert all(name not in html for name in NAMES.values())
    assert '<td class="masked">欧阳**</td>' in html
    assert f"/cases/{book['cases']['N1'].pk}/" in row(response, "N1")
    event = AuditEvent.objects.get(action="portfolio.search_name")
    assert event.actor_id == book["sup"].pk
    assert event.changes == {"name_hmac": [None, expected_hmac("欧阳")], "matches": [None, ["N1", "N2", "N3"]]}
    text = ledger_text()
    assert "欧阳" not in text
    assert all(name not in text for name in NAMES.values())


def test_compliance_asks_whether_a_name_was_searched(client, book, capsys):
    """Clause: PRV-1 — `arrears audit searched --name 欧阳` finds the search (by hashing the text again); the
    same text asked as a number, or another name, was never searched."""
    client.force_login(book["sup"])
    client.post("/borrowers/", {"name": "欧阳"})
    event = AuditEvent.objects.get(action="portfolio.search_name")
    assert main(["audit", "searched", "--name", "欧阳", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["hmac"] == expected_hmac("欧阳")
    assert [(s["id"], s["actor"]) for s in body["searches"]] == [(event.pk, book["sup"].username)]
    assert main(["audit", "searched", "欧阳"]) == 1
    assert main(["audit", "searched", "--name", "司马"]) == 1


def test_a_name_matches_from_its_beginning_only(client, book):
    """ "明远" is the end of 欧阳明远's name: no match (a prefix rule, not a substring one); "欧阳明" finds him."""
    client.force_login(book["sup"])
    assert listed(client.post("/borrowers/", {"name": "明远"})) == []
    assert listed(client.post("/borrowers/", {"name": "欧阳明"})) == ["N1"]
    assert listed(client.post("/borrowers/", {"name": "ＮＯＮＥ"})) == []


def test_a_junior_cannot_find_a_borrower_outside_their_pools(client, book):
    """Clause: TEAM-3, PRV-1 — a junior searching "欧阳" finds N1 and N2, not N3 (senior pool); searching for N3
    by a longer name finds nothing, and the event records no match (nothing about N3 is disclosed)."""
    client.force_login(book["junior"])
    assert listed(client.post("/borrowers/", {"name": "欧阳"})) == ["N1", "N2"]
    before = list(CollectionCase.objects.order_by("pk").values()), list(Borrower.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    response = client.post("/borrowers/", {"name": "欧阳文博"})
    assert listed(response) == []
    assert "/borrowers/N3/" not in response.content.decode()  # (not "N3": a CSRF token may hold those two)
    # Only the search itself is recorded (every search is); no borrower or case changed.
    assert AuditEvent.objects.count() == events + 1
    last = AuditEvent.objects.order_by("-id").first()
    assert last.action == "portfolio.search_name"
    assert last.changes == {"name_hmac": [None, expected_hmac("欧阳文博")], "matches": [None, []]}
    after = list(CollectionCase.objects.order_by("pk").values()), list(Borrower.objects.order_by("pk").values())
    assert after == before


def test_a_role_without_portfolio_view_is_refused_and_nothing_changes(client, book):
    """Clause: AUTH-1, PRV-1 — an analyst (no portfolio.view) posting a name search: 403, no event."""
    events = AuditEvent.objects.count()
    client.force_login(make_user("analyst"))
    response = client.post("/borrowers/", {"name": "欧阳"})
    assert response.status_code == 403
    assert "/borrowers/N1/" not in response.content.decode()
    assert AuditEvent.objects.count() == events
    with pytest.raises(ActionDenied):
        actions.do_search_name("欧阳", actor=make_user("agency_user"), within=Borrower.objects.all())
    assert AuditEvent.objects.count() == events


def test_too_short_a_name_is_refused_with_a_message_and_not_recorded(client, book):
    client.force_login(book["sup"])
    response = client.post("/borrowers/", {"name": "欧"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert listed(response) == []
    assert "请至少输入姓名的 2 个字" in response.content.decode()
    assert not AuditEvent.objects.filter(action="portfolio.search_name").exists()


def test_more_matches_than_shown_says_so(client, book, monkeypatch):
    """With at most 2 shown, "欧阳" (3 matches) shows N1 and N2 and says there are more; the event records the
    two shown and that more matched."""
    monkeypatch.setattr(actions, "NAME_MATCHES_SHOWN", 2)
    client.force_login(book["sup"])
    response = client.post("/borrowers/", {"name": "欧阳"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert listed(response) == ["N1", "N2"]
    assert 'id="more-matches"' in response.content.decode()
    assert "仅显示前 2 位" in response.content.decode()
    event = AuditEvent.objects.get(action="portfolio.search_name")
    assert event.changes["matches"] == [None, ["N1", "N2"]]
    assert event.changes["more_matched"] == [None, True]


def test_a_name_search_costs_the_same_queries_for_1_or_3_matches(client, book):
    client.force_login(book["sup"])
    with CaptureQueriesContext(connection) as one:
        assert len(client.post("/borrowers/", {"name": "司马"}).context["rows"]) == 1
    with CaptureQueriesContext(connection) as three:
        assert len(client.post("/borrowers/", {"name": "欧阳"}).context["rows"]) == 3
    assert len(three) == len(one)
    assert CollectionCase.objects.count() == 3
