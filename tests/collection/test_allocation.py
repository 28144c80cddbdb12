"""Allocation of cases to collectors: pools, balance, stickiness, reassignment (TEAM-1..3, AUTH-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk import AS_OF, night, open_desk

from arrears.collection.allocation import Collector, Unowned, allocate, do_allocate_cases, do_reassign_cases
from arrears.collection.errors import CollectionError
from arrears.collection.models import Assignment, CollectionCase
from arrears.compliance.actions import ActionDenied
from arrears.compliance.models import AuditEvent
from factories import make_user


def test_largest_amount_first_to_the_collector_with_fewest_cases():
    """Clause: TEAM-3 — worked example: 900 and 500 go to A and B, then 400 to B (same count, smaller total),
    then 100 to A; each ends with 2 cases (A 1,000, B 900)."""
    cases = [Unowned(1, "junior", 90_000), Unowned(2, "junior", 50_000), Unowned(3, "junior", 40_000)]
    cases.append(Unowned(4, "junior", 10_000))
    owners = allocate(cases, [Collector(7, "junior"), Collector(8, "junior")])
    assert owners == {1: 7, 2: 8, 3: 8, 4: 7}


def test_existing_load_counts_and_pools_stay_apart():
    """Clause: TEAM-1, TEAM-2, TEAM-3 — A already holds 3 cases (1,000), so B takes 400, 300, 200; at 3 each B's
    total (900) is the smaller, so B takes 100 too; the senior case goes only to the senior collector; a pool without collectors leaves its case unowned."""
    owners = allocate(
        [
            Unowned(1, "junior", 100),
            Unowned(2, "junior", 200),
            Unowned(3, "junior", 300),
            Unowned(4, "junior", 400),
            Unowned(5, "senior", 50),
            Unowned(6, "supervisor", 10**9),
        ],
        [Collector(7, "junior", 3, 1_000), Collector(8, "junior"), Collector(9, "senior", 40, 10**9)],
    )
    assert owners == {4: 8, 3: 8, 2: 8, 1: 8, 5: 9}


def test_allocation_is_deterministic_and_balances_counts_within_one():
    """Clause: TEAM-3 — 101 cases over 4 collectors: 26/25/25/25, the same answer every time."""
    cases = [Unowned(i, "junior", (i * 7919) % 100_000 + 1) for i in range(1, 102)]
    collectors = [Collector(u, "junior") for u in (11, 12, 13, 14)]
    first = allocate(cases, collectors)
    assert first == allocate(list(reversed(cases)), collectors)
    per = sorted(list(first.values()).count(u) for u in (11, 12, 13, 14))
    assert per == [25, 25, 25, 26]


DESK = [
    ("J5", 5, "12000", "low"),
    ("J40", 40, "30000", "medium"),
    ("J45", 45, "8000", "low"),
    ("H10", 10, "12000", "high"),
    ("S75", 75, "20000", "low"),
    ("V100", 100, "60000", "low"),
]


@pytest.mark.django_db
def test_the_nightly_run_gives_every_case_a_collector_of_its_pool():
    """Clause: TEAM-1, TEAM-2, TEAM-3 — DPD 5/40/45 to junior collectors (balanced 2 and 1), the high-risk
    borrower at DPD 10 and DPD 75 to the senior collector, DPD 100 to the supervisor; audited."""
    desk = open_desk(DESK, {"junior_collector": 2, "senior_collector": 1, "supervisor": 1})
    cases = desk["cases"]
    pools = {ext: (c.pool, c.owner.role_id) for ext, c in cases.items()}
    assert pools == {
        "J5": ("junior", "junior_collector"),
        "J40": ("junior", "junior_collector"),
        "J45": ("junior", "junior_collector"),
        "H10": ("senior", "senior_collector"),
        "S75": ("senior", "senior_collector"),
        "V100": ("supervisor", "supervisor"),
    }
    juniors = [cases[e].owner.username for e in ("J5", "J40", "J45")]
    assert sorted(juniors.count(u.username) for u in desk["users"]["junior_collector"]) == [1, 2]
    # The largest junior case (J40, 30,000 principal) went first, to junior 1 (fewest cases, lowest id).
    assert cases["J40"].owner.username == "junior_collector-1"
    assert Assignment.objects.filter(kind="allocated").count() == 6
    assert AuditEvent.objects.filter(action="collection.allocate_case", basis__clause="TEAM-3").count() == 6


@pytest.mark.django_db
def test_a_case_stays_with_its_collector_and_follows_the_pool_when_it_moves():
    """Clause: TEAM-3 — the next nights keep every owner; when J45 crosses DPD 60 it leaves its junior collector
    for the senior pool; a deactivated collector's cases go to the other junior."""
    desk = open_desk(DESK, {"junior_collector": 2, "senior_collector": 1, "supervisor": 1})
    before = dict(CollectionCase.objects.values_list("borrower__external_id", "owner_id"))
    night(AS_OF + timedelta(days=1))
    assert dict(CollectionCase.objects.values_list("borrower__external_id", "owner_id")) == before
    assert Assignment.objects.count() == 6
    night(AS_OF + timedelta(days=16))  # J45 now at DPD 61
    j45 = CollectionCase.objects.select_related("owner").get(borrower__external_id="J45")
    assert (j45.pool, j45.owner.role_id) == ("senior", "senior_collector")
    moved = Assignment.objects.get(case=j45, kind="allocated", business_date=AS_OF + timedelta(days=16))
    assert (moved.from_owner_id, moved.pool) == (None, "senior")

    leaver = desk["users"]["junior_collector"][0]
    kept = desk["users"]["junior_collector"][1]
    leaver.is_active = False
    leaver.save()
    do_allocate_cases(actor=make_user("supervisor"), as_of=AS_OF + timedelta(days=16))
    assert not CollectionCase.objects.filter(owner=leaver, status="open").exists()
    assert set(CollectionCase.objects.filter(pool="junior", status="open").values_list("owner_id", flat=True)) == {
        kept.pk
    }


@pytest.mark.django_db
def test_a_supervisor_reassigns_a_filtered_batch_with_a_reason():
    """Clause: TEAM-3, AUTH-3, AUTH-4 — every junior case to junior 2, one assignment and one event each."""
    desk = open_desk(DESK, {"junior_collector": 2, "senior_collector": 1, "supervisor": 1})
    supervisor = desk["users"]["supervisor"][0]
    target = desk["users"]["junior_collector"][1]
    batch = CollectionCase.objects.filter(pool="junior", status="open")
    already = batch.filter(owner=target).count()
    moved = do_reassign_cases(batch, target, actor=supervisor, reason="junior 1 on leave this week", as_of=AS_OF)
    assert moved == 3 - already
    assert set(batch.values_list("owner_id", flat=True)) == {target.pk}
    events = AuditEvent.objects.filter(action="collection.reassign_case")
    assert events.count() == moved
    assert {e.reason for e in events} == {"junior 1 on leave this week"}
    assert Assignment.objects.filter(kind="reassigned", by=supervisor).count() == moved


@pytest.mark.django_db
def test_reassignment_refusals_change_nothing():
    """Clause: TEAM-3, AUTH-1, AUTH-3 — a junior may not reassign; a senior case may not go to a junior; a
    reason is required. Owners, assignments and the ledger are as before each refusal."""
    desk = open_desk(DESK, {"junior_collector": 2, "senior_collector": 1, "supervisor": 1})
    junior = desk["users"]["junior_collector"][0]
    supervisor = desk["users"]["supervisor"][0]

    def state():
        owners = list(CollectionCase.objects.order_by("pk").values_list("owner_id", flat=True))
        return owners, Assignment.objects.count(), AuditEvent.objects.count()

    before = state()
    with pytest.raises(ActionDenied):
        do_reassign_cases(CollectionCase.objects.all(), junior, actor=junior, reason="mine now", as_of=AS_OF)
    senior_cases = CollectionCase.objects.filter(pool="senior")
    with pytest.raises(CollectionError, match="higher pool"):
        do_reassign_cases(senior_cases, junior, actor=supervisor, reason="training", as_of=AS_OF)
    with pytest.raises(CollectionError, match="reason"):
        do_reassign_cases(senior_cases, junior, actor=supervisor, reason="", as_of=AS_OF)
    with pytest.raises(ActionDenied):
        do_allocate_cases(actor=junior, as_of=AS_OF)
    assert state() == before
