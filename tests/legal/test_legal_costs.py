"""Legal costs of a lawsuit (Clause: LIT-2, KPI-2): recorded by legal officers, listed with their total, and
summed per case over a period for the cost rate; refusals change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from lawsuit import make_litigation, snapshot

from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from arrears.legal.court import do_record_cost, do_record_stage
from arrears.legal.errors import LegalError
from arrears.legal.queries_litigation import costs_of, legal_costs_per_case
from factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


@pytest.fixture
def officer():
    return make_user("legal_officer")


def cost(litigation, officer, kind, amount, on, note=""):
    return do_record_cost(litigation, kind=kind, amount=amount, incurred_on=on, today=TODAY, actor=officer, note=note)


def test_costs_are_listed_with_their_total(officer):
    """Clause: LIT-2, KPI-2 — court fee 712.50 at filing, a lawyer's fee 3,000.00 and a preservation fee 1,520.00:
    1,520.00 + 3,000.00 + 712.50 = 5,232.50, each audited."""
    litigation = make_litigation()
    do_record_stage(
        litigation,
        "filed",
        on=date(2026, 1, 20),
        today=TODAY,
        actor=officer,
        court="北京市朝阳区人民法院",
        claimed="65000.00",
        court_fee="712.50",
    )
    events = AuditEvent.objects.count()
    lawyer = cost(litigation, officer, "lawyer", "3000.00", date(2026, 2, 1), note="律师代理费")
    cost(litigation, officer, "preservation", "1520", date(2026, 1, 25))
    found = costs_of(litigation)
    assert [(c.kind, c.amount_fen, c.incurred_on) for c in found.items] == [
        ("court_fee", 71_250, date(2026, 1, 20)),
        ("preservation", 152_000, date(2026, 1, 25)),
        ("lawyer", 300_000, date(2026, 2, 1)),
    ]
    assert found.total_fen == 523_250
    assert (lawyer.case_id, lawyer.note, lawyer.recorded_by) == (litigation.case_id, "律师代理费", officer)
    recorded = list(AuditEvent.objects.filter(pk__gt=events).order_by("pk"))
    assert [(e.action, e.basis["clause"], e.changes["amount_fen"]) for e in recorded] == [
        ("legal.record_legal_cost", "LIT-2", [None, 300_000]),
        ("legal.record_legal_cost", "LIT-2", [None, 152_000]),
    ]


def test_costs_per_case_over_a_period(officer):
    """Clause: KPI-2 — legal costs per case incurred in January 2026 (both ends included): case A 3,000.00 +
    100.00 (31 January), case B 50.00 (1 January); A's 2,000.00 of 1 February and B's of 2025 are outside."""
    a = make_litigation(decided_on=date(2025, 12, 1))
    b = make_litigation(decided_on=date(2025, 12, 1))
    cost(a, officer, "lawyer", "3000.00", date(2026, 1, 10))
    cost(a, officer, "other", "100.00", date(2026, 1, 31))
    cost(a, officer, "lawyer", "2000.00", date(2026, 2, 1))
    cost(b, officer, "enforcement", "50.00", date(2026, 1, 1))
    cost(b, officer, "lawyer", "900.00", date(2025, 12, 31))
    assert legal_costs_per_case(date(2026, 1, 1), date(2026, 1, 31)) == {a.case_id: 310_000, b.case_id: 5_000}
    assert legal_costs_per_case(date(2026, 1, 1), date(2026, 1, 31), cases=[b.case_id]) == {b.case_id: 5_000}
    assert legal_costs_per_case(date(2027, 1, 1), date(2027, 12, 31)) == {}


@pytest.mark.parametrize(
    ("kind", "amount", "on", "message"),
    [
        ("lawyer", "0", date(2026, 2, 1), "above 0"),
        ("lawyer", "-3000", date(2026, 2, 1), "above 0"),
        ("lawyer", "３０００", date(2026, 2, 1), "digits 0–9"),
        ("lawyer", "30.005", date(2026, 2, 1), "at most two decimals"),
        ("lawyer", 3000.0, date(2026, 2, 1), "amount"),
        ("lawyer", "1" + "0" * 20, date(2026, 2, 1), "amount"),
        ("bribe", "3000", date(2026, 2, 1), "Choose the kind of cost"),
        ("lawyer", "3000", date(2026, 11, 2), "in the future"),
        ("lawyer", "3000", date(2026, 1, 9), "before the decision to sue"),
        ("lawyer", "3000", "2026-02-01", "as a date"),
    ],
)
def test_a_bad_cost_is_refused_with_nothing_written(officer, kind, amount, on, message):
    litigation = make_litigation()
    before = snapshot(litigation)
    with pytest.raises(LegalError, match=message):
        cost(litigation, officer, kind, amount, on)
    assert snapshot(litigation) == before


@pytest.mark.parametrize("role", ["supervisor", "senior_collector", "analyst"])
def test_roles_without_the_permission_record_no_cost(role):
    """Clause: LIT-2 — only legal officers record costs; nothing changes for anyone else."""
    litigation = make_litigation()
    before = snapshot(litigation)
    with pytest.raises(ActionDenied):
        cost(litigation, make_user(role), "lawyer", "3000.00", date(2026, 2, 1))
    assert snapshot(litigation) == before
