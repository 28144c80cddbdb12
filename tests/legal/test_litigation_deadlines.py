"""The two deadlines of LIT-2 as pure date logic, at their edges, with the policy's parameters: the limitation
period before filing and the period for applying for enforcement, each warned before its last day."""

from __future__ import annotations

from datetime import date

import pytest

from arrears.legal import deadlines
from arrears.legal.deadlines import add_years, deadlines_of, enforcement, limitation, next_deadline
from arrears.policy.model import Legal

LEGAL = Legal()  # the defaults: 3 years, warned 90 days before; 2 years, warned 60 days before


def test_the_policy_defaults_are_the_ones_the_examples_use():
    """Clause: LIT-2 — limitation 3 years warned 90 days before; enforcement 2 years warned 60 days before."""
    assert (LEGAL.limitation_years, LEGAL.limitation_warning_days) == (3, 90)
    assert (LEGAL.enforcement_apply_years, LEGAL.enforcement_warning_days) == (2, 60)


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (date(2026, 12, 19), "running"),
        (date(2026, 12, 20), "warning"),  # 90 days before the last day
        (date(2027, 3, 20), "warning"),  # the last day: still in time
        (date(2027, 3, 21), "overdue"),
    ],
)
def test_limitation_ends_three_years_after_the_earliest_unpaid_due_date(on, state):
    """Clause: LIT-2 — earliest unpaid due 2024-03-20: the claim must be filed by 2027-03-20; warned from
    2026-12-20 while not filed."""
    found = limitation(date(2024, 3, 20), years=3, warning_days=90)
    assert (found.kind, found.starts_on, found.ends_on, found.warn_from) == (
        "limitation",
        date(2024, 3, 20),
        date(2027, 3, 20),
        date(2026, 12, 20),
    )
    assert found.state(on) == state


@pytest.mark.parametrize(
    ("on", "state"),
    [
        (date(2028, 4, 30), "running"),
        (date(2028, 5, 1), "warning"),  # 60 days before 2028-06-30
        (date(2028, 6, 30), "warning"),
        (date(2028, 7, 1), "overdue"),
    ],
)
def test_enforcement_must_be_applied_for_within_two_years_of_the_judgment_taking_effect(on, state):
    """Clause: LIT-2 — judgment effective 2026-06-30: enforcement applied for by 2028-06-30, warned from
    2028-05-01 while not applied for."""
    found = enforcement(date(2026, 6, 30), years=2, warning_days=60)
    assert (found.ends_on, found.warn_from) == (date(2028, 6, 30), date(2028, 5, 1))
    assert found.state(on) == state


def test_a_deadline_met_or_closed_warns_no_more():
    """Clause: LIT-2 — filed (even late) is met; a lawsuit closed before filing makes the deadline moot."""
    filed = limitation(date(2024, 3, 20), years=3, warning_days=90, filed_on=date(2027, 1, 5))
    assert (filed.state(date(2027, 3, 1)), filed.late) == ("met", False)
    late = limitation(date(2024, 3, 20), years=3, warning_days=90, filed_on=date(2027, 3, 22))
    assert (late.state(date(2027, 4, 1)), late.late) == ("met", True)
    closed = limitation(date(2024, 3, 20), years=3, warning_days=90, closed_on=date(2026, 5, 1))
    assert closed.state(date(2027, 4, 1)) == "moot"
    assert not closed.pending(date(2027, 4, 1))


def test_29_february_counts_to_28_february_in_a_common_year():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert limitation(date(2024, 2, 29), years=3, warning_days=90).warn_from == date(2026, 11, 30)


def test_nothing_to_count_from_gives_no_deadline():
    assert limitation(None, years=3, warning_days=90) is None
    assert enforcement(None, years=2, warning_days=60) is None


def test_the_next_deadline_is_the_nearest_one_not_met():
    """Clause: LIT-2 — before filing the limitation period; once filed and judged, the enforcement period."""
    before = deadlines_of(
        earliest_unpaid_due=date(2024, 3, 20),
        filed_on=None,
        judgment_effective_on=None,
        enforcement_applied_on=None,
        closed_on=None,
        legal=LEGAL,
    )
    assert [d.kind for d in before] == ["limitation"]
    assert next_deadline(before, date(2026, 1, 1)).ends_on == date(2027, 3, 20)
    judged = deadlines_of(
        earliest_unpaid_due=date(2024, 3, 20),
        filed_on=date(2026, 1, 20),
        judgment_effective_on=date(2026, 6, 30),
        enforcement_applied_on=None,
        closed_on=None,
        legal=LEGAL,
    )
    assert [(d.kind, d.state(date(2028, 5, 1))) for d in judged] == [("limitation", "met"), ("enforcement", "warning")]
    assert next_deadline(judged, date(2028, 5, 1)).kind == deadlines.ENFORCEMENT
    applied = deadlines_of(
        earliest_unpaid_due=date(2024, 3, 20),
        filed_on=date(2026, 1, 20),
        judgment_effective_on=date(2026, 6, 30),
        enforcement_applied_on=date(2026, 7, 10),
        closed_on=None,
        legal=LEGAL,
    )
    assert next_deadline(applied, date(2028, 5, 1)) is None


def test_the_periods_follow_the_policy_parameters():
    """Clause: LIT-2 — a bank's stricter version: 2 years warned 30 days before; enforcement 1 year, 10 days."""
    strict = Legal(
        limitation_years=2, limitation_warning_days=30, enforcement_apply_years=1, enforcement_warning_days=10
    )
    found = deadlines_of(
        earliest_unpaid_due=date(2024, 3, 20),
        filed_on=date(2025, 1, 6),
        judgment_effective_on=date(2026, 6, 30),
        enforcement_applied_on=None,
        closed_on=None,
        legal=strict,
    )
    assert [(d.ends_on, d.warn_from) for d in found] == [
        (date(2026, 3, 20), date(2026, 2, 18)),
        (date(2027, 6, 30), date(2027, 6, 20)),
    ]
