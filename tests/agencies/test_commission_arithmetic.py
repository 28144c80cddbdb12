"""The commission arithmetic, pure (Clause: LGL-2, KPI-2): recovered × rate ÷ 100, half-up to the fen, per placement
per calendar month; the covered days; no payment earns two commissions. Worked examples and properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.agencies.commissions import BadMonth, Month, Terms, commission_fen, covered_spans, pieces

PERCENTS = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n).scaleb(-2))  # 0.00 … 100.00
FEN = st.integers(min_value=0, max_value=10**13)


def test_a_worked_commission_to_the_fen():
    """Clause: LGL-2 — 12.50% of 3,456.78 yuan is 432.0975: 432.10 yuan; of 1,200.00 exactly 150.00."""
    assert commission_fen(345678, Decimal("12.50")) == 43210
    assert commission_fen(120000, Decimal("12.50")) == 15000
    assert commission_fen(50000, Decimal("12.50")) == 6250
    assert commission_fen(0, Decimal("12.50")) == 0
    assert commission_fen(345678, Decimal("0")) == 0
    assert commission_fen(345678, Decimal("100")) == 345678


def test_half_a_fen_rounds_up():
    """Clause: LGL-2 — at the half fen, up (not to even): 12.50% of 0.04 is 0.005 → 0.01; 50% of 0.01 → 0.01,
    of 0.03 → 0.02 (banker's rounding would give 0.02 here too, and 0.00 for the first two); just below the
    half, down: 12.49% of 0.04 is 0.004996 → 0.00."""
    assert commission_fen(4, Decimal("12.50")) == 1
    assert commission_fen(1, Decimal("50")) == 1
    assert commission_fen(3, Decimal("50")) == 2
    assert commission_fen(4, Decimal("12.49")) == 0
    assert commission_fen(12, Decimal("12.50")) == 2  # 1.5 fen → 2


def test_floats_and_nonsense_are_refused():
    with pytest.raises(TypeError):
        commission_fen(100, 12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        commission_fen(1.0, Decimal("12.50"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be >= 0"):
        commission_fen(-1, Decimal("12.50"))
    with pytest.raises(ValueError, match="percent <= 100"):
        commission_fen(100, Decimal("100.01"))


@given(FEN, PERCENTS)
def test_a_commission_never_exceeds_what_was_recovered_and_is_the_half_up_fen(recovered, percent):
    """Clause: LGL-2 — 0 ≤ commission ≤ recovered, and the commission is the exact product rounded half-up:
    within half a fen below, or exactly half a fen above."""
    commission = commission_fen(recovered, percent)
    assert 0 <= commission <= recovered
    exact = Decimal(recovered) * percent / 100
    assert Decimal("-0.5") < commission - exact <= Decimal("0.5")


@given(st.integers(min_value=0, max_value=10**12))
def test_half_up_at_every_half_fen(k):
    """Clause: LGL-2 — 50% of an odd number of fen 2k+1 is k + ½ fen: always k+1."""
    assert commission_fen(2 * k + 1, Decimal("50")) == k + 1


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-03", Month(2026, 3)), ("2026-12", Month(2026, 12)), ("0001-01", Month(1, 1)), ("9999-12", Month(9999, 12))],
)
def test_a_month_is_read_from_yyyy_mm(text, month):
    assert Month.parse(text) == month
    assert str(month) == text


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-3", "99999-01", "0000-01", "２０２６-03", "2026-03\x00", "2026-03 ", "", "abc"]
)
def test_a_bad_month_is_refused_saying_how_to_write_it(text):
    with pytest.raises(BadMonth, match="YYYY-MM"):
        Month.parse(text)


def test_months_know_their_days():
    assert (Month(2026, 2).first, Month(2026, 2).last) == (date(2026, 2, 1), date(2026, 2, 28))
    assert Month(2028, 2).last == date(2028, 2, 29)
    assert (Month(2026, 12).next(), Month(2026, 1).previous()) == (Month(2027, 1), Month(2025, 12))
    assert Month(9999, 12).last == date(9999, 12, 31)


def terms(pk, borrower, placed_on, days, ended_on=None, percent="12.50") -> Terms:
    return Terms(pk, borrower, placed_on, placed_on + timedelta(days=days - 1), ended_on, Decimal(percent))


def test_the_covered_days_end_with_the_period_or_the_recall_and_a_shared_day_stays_with_the_first():
    """Clause: LGL-2 — placed 10 March for 60 days: through 8 May; recalled 15 April: through 15 April (that day
    included); placed again with another agency on 15 April: from 16 April; a placement recalled the day it was
    placed on a day already covered covers nothing."""
    first = terms(1, 7, date(2026, 3, 10), 60, ended_on=date(2026, 4, 15))
    again = terms(2, 7, date(2026, 4, 15), 30)
    other = terms(3, 8, date(2026, 3, 10), 60)
    nothing = terms(4, 7, date(2026, 5, 14), 30, ended_on=date(2026, 5, 14))
    last = terms(5, 7, date(2026, 5, 14), 30)
    assert covered_spans([first, again, other, nothing, last]) == {
        1: (date(2026, 3, 10), date(2026, 4, 15)),
        2: (date(2026, 4, 16), date(2026, 5, 14)),
        3: (date(2026, 3, 10), date(2026, 5, 8)),
        5: (date(2026, 5, 15), date(2026, 6, 12)),
    }


def test_a_placement_spanning_two_months_is_split_at_the_month_end():
    """Clause: LGL-2, KPI-2 — placed 10 March, recalled 15 April, 12.50%: March 3,456.78 recovered (432.10), April
    1,200.00 (150.00); the payment before the placement (9 March) and after the recall (16 April) count for none."""
    paid = {7: {date(2026, 3, 9): 10000, date(2026, 3, 10): 345678, date(2026, 4, 1): 100000,
                date(2026, 4, 15): 20000, date(2026, 4, 16): 30000}}  # fmt: skip
    found = pieces(
        [terms(1, 7, date(2026, 3, 10), 60, ended_on=date(2026, 4, 15))], paid, date(2026, 3, 1), date(2026, 4, 30)
    )
    assert [(p.month, p.first, p.last, p.days, p.recovered_fen, p.commission_fen) for p in found] == [
        (Month(2026, 3), date(2026, 3, 10), date(2026, 3, 31), 22, 345678, 43210),
        (Month(2026, 4), date(2026, 4, 1), date(2026, 4, 15), 15, 120000, 15000),
    ]


DAYS = st.integers(min_value=0, max_value=120).map(lambda n: date(2026, 1, 1) + timedelta(days=n))


@st.composite
def books(draw):
    """Placements of up to three borrowers, one standing at a time per borrower (the last day of one, by its period
    or a recall, often the next one's first day), and payments on random days and on every first day."""
    placements, pk = [], 0
    for borrower in range(1, draw(st.integers(1, 3)) + 1):
        day = draw(DAYS)
        for _ in range(draw(st.integers(0, 3))):
            pk += 1
            days = draw(st.integers(1, 60))
            recalled = draw(st.none() | st.integers(0, days - 1))
            ended = None if recalled is None else day + timedelta(days=recalled)
            placements.append(terms(pk, borrower, day, days, ended, str(draw(PERCENTS))))
            end = day + timedelta(days=days - 1) if ended is None else ended
            day = end + timedelta(days=draw(st.sampled_from([0, 0, 1, 9])))  # 0: placed again on the last day
    paid = {borrower: draw(st.dictionaries(DAYS, st.integers(1, 10**9), max_size=20)) for borrower in range(1, 4)}
    for term in placements:  # a payment on each first day: the day two placements may share
        paid[term.borrower_id][term.placed_on] = draw(st.integers(1, 10**9))
    return sorted(placements, key=lambda t: (t.placed_on, t.placement_id)), paid


# Whole books of placements and payments: at most 1,000 examples even in CI's 10,000-example profile (each example
# is a book; the arithmetic's own properties above run the full count).
@settings(max_examples=min(settings().max_examples, 1000))
@given(books(), DAYS, DAYS)
def test_no_payment_counts_twice_and_months_add_up(book, one, other):
    """Clause: LGL-2, KPI-2 — for any placements and payments: each piece lies within one calendar month, its
    commission is at most what it recovered; the pieces recover exactly the payments dated on covered days, none
    twice; the pieces of a range are the pieces of its calendar months put together (so a month's costs are its
    statements' totals, and a year's the sum of its months')."""
    placements, paid = book
    since, until = min(one, other), max(one, other)
    found = pieces(placements, paid, since, until)
    for piece in found:
        assert Month.of(piece.first) == Month.of(piece.last) == piece.month
        assert since <= piece.first <= piece.last <= until
        assert 0 <= piece.commission_fen <= piece.recovered_fen
    spans = covered_spans(placements)
    covered = {
        (t.borrower_id, day)
        for t in placements
        if t.placement_id in spans
        for day, _fen in paid[t.borrower_id].items()
        if spans[t.placement_id][0] <= day <= spans[t.placement_id][1] and since <= day <= until
    }
    assert sum(p.recovered_fen for p in found) == sum(paid[b][d] for b, d in covered)
    by_month = []
    month = Month.of(since)
    while month.first <= until:
        by_month += pieces(placements, paid, max(since, month.first), min(until, month.last))
        month = month.next()
    assert sorted(by_month, key=lambda p: (p.placement_id, p.first)) == sorted(
        found, key=lambda p: (p.placement_id, p.first)
    )
