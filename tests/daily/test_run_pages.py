"""The run ledger pages: supervisors and administrators only; the report as the run left it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.accounts.permissions import Perm
from arrears.accounts.roles import ROLE_PERMISSIONS, RoleCode
from arrears.daily.actions import do_run_daily
from arrears.daily.models import Run, RunProblem
from arrears.portfolio.models import Instalment, Payment, PaymentAllocation
from arrears.portfolio.posting import allocate_payments
from book import nightly_run
from factories import make_borrower, make_loan, make_payment, make_user

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 20)


@pytest.fixture
def ran():
    late = make_loan(make_borrower(), start=date(2026, 1, 15), external_id="L-LATE")
    broken = make_loan(make_borrower(), start=date(2026, 1, 15), external_id="L-BROKEN")
    make_payment(broken, date(2026, 2, 15), "1023.72")
    allocate_payments([late.pk, broken.pk], business_date=AS_OF)
    PaymentAllocation.objects.create(
        payment=Payment.objects.get(loan=broken),
        instalment=Instalment.objects.get(loan=broken, n=2),
        component="interest",
        amount_fen=10**7,
    )
    do_run_daily(AS_OF, actor=nightly_run())
    return Run.objects.get()


@pytest.mark.parametrize("role", list(RoleCode))
def test_only_roles_with_the_permission_see_the_runs(client, ran, role):
    """Supervisors and administrators see the ledger; every other role is refused (403)."""
    if role == RoleCode.SYSTEM:
        return  # the nightly run never signs in
    client.force_login(make_user(role))
    allowed = Perm.VIEW_RUNS in ROLE_PERMISSIONS[role]
    assert allowed == (role in (RoleCode.SUPERVISOR, RoleCode.ADMINISTRATOR))
    for url in ("/runs/", f"/runs/{AS_OF}/"):
        assert client.get(url).status_code == (200 if allowed else 403), url


def test_the_report_shows_figures_changes_and_problems(client, ran):
    client.force_login(make_user("supervisor"))
    listing = client.get("/runs/").content.decode()
    assert "2026-03-20" in listing
    page = client.get(f"/runs/{AS_OF}/").content.decode()
    assert "L-BROKEN" in page
    assert "冲销金额超过该期本金或利息" in page  # the problem in words (stored in English by the run)
    assert "新开案件" in page  # the report's keys in words (issue 15), not `cases_opened`
    assert "cases_opened" not in page


def test_every_key_a_run_writes_has_words_in_chinese(client, ran):
    """The run report in zh-Hans: every count the run wrote (figures, decisions, rows, phases) is shown in
    words — no key of the report reaches the page."""
    from django.utils import translation

    from arrears.daily.labels import word

    keys = [*ran.changes, *ran.seconds]
    for part in ("by_class", "case_decisions", "tasks_due", "reminders"):
        keys += list(ran.summary.get(part, {}))
    with translation.override("zh-hans"):
        unworded = [key for key in keys if word(key) == key]
    assert keys
    assert unworded == []
    client.force_login(make_user("supervisor"))
    page = client.get(f"/runs/{AS_OF}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "新开案件" in page
    assert "写入" in page
    for key in keys:
        assert f"<th>{key}</th>" not in page
    assert RunProblem.objects.count() == 1
    assert client.get("/runs/2026-01-01/").status_code == 404
    assert client.get("/runs/not-a-date/").status_code == 404


def test_the_list_costs_the_same_queries_for_one_run_or_many(client, ran):
    client.force_login(make_user("administrator"))
    with CaptureQueriesContext(connection) as one:
        client.get("/runs/")
    for day in range(1, 10):
        Run.objects.create(business_date=date(2026, 2, day), status="done", started_at=ran.started_at)
    with CaptureQueriesContext(connection) as many:
        client.get("/runs/")
    assert len(many) == len(one)
