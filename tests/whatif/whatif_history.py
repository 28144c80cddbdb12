"""A short history for the what-if: a generated book run night after night, with what people do in between —
payments on overdue instalments, calls (some reaching nobody, some ending in a promise), a dispute hold placed and
lifted — each on its own business date, as the feed and the desk would record them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from arrears.collection.models import Call, CaseStatus, CollectionCase, Promise
from arrears.daily.actions import do_run_daily
from arrears.portfolio.models import Hold, Instalment
from arrears.portfolio.posting import allocate_payments
from book import build_book, nightly_run
from factories import make_payment, make_user

FIRST = date(2026, 11, 2)  # a Monday: the nights run to Sunday 11-08 (weekends and working days)
NIGHTS = 7


def _pay_overdue(rng: random.Random, day: date) -> None:
    """A few borrowers pay their oldest overdue instalment in full on `day` (posted as the feed posts it)."""
    overdue = list(
        Instalment.objects.filter(settled_on__isnull=True, due_date__lt=day, loan__status="active")
        .order_by("loan_id", "n")
        .distinct()
    )
    oldest = {}
    for inst in overdue:
        oldest.setdefault(inst.loan_id, inst)
    paying = rng.sample(sorted(oldest), k=min(3, len(oldest)))
    for loan_id in paying:
        inst = oldest[loan_id]
        make_payment(inst.loan, day, str((inst.principal_fen + inst.interest_fen + 5_000) / 100))
    allocate_payments(paying, business_date=day)


def _calls(rng: random.Random, day: date, collector) -> None:
    """Calls on some open cases at 10:00 Beijing time: no answer, or a promise of part of the arrears in 2 days."""
    cases = list(CollectionCase.objects.filter(status=CaseStatus.OPEN).order_by("pk"))
    for case in rng.sample(cases, k=min(6, len(cases))):
        promised = rng.random() < 0.4
        call = Call.objects.create(
            borrower_id=case.borrower_id,
            case=case,
            collector=collector,
            called_at=datetime.combine(day, time(2, 0), tzinfo=UTC),
            called_on=day,
            outcome="promised" if promised else "no_answer",
            next_action="call",
            next_follow_up_on=day + timedelta(days=2),
        )
        if promised:
            Promise.objects.create(
                borrower_id=case.borrower_id,
                case=case,
                amount_fen=10_000,
                made_on=day,
                due_on=day + timedelta(days=2),
                call=call,
            )


def run_history(seed: int = 11, borrowers: int = 45, experiment_from: date | None = None) -> list[date]:
    """The book built on FIRST, then NIGHTS nights run; returns the nights' dates. With `experiment_from`, a
    supervisor starts a champion/challenger experiment that morning (written reminders 5 days ahead for the
    borrowers without a case open from before, seed exp-replay, share 0.9999); the others stay with the champion."""
    rng = random.Random(seed)  # noqa: S311 - test data
    build_book(borrowers, seed, FIRST)
    collector = make_user("junior_collector")
    nights = [FIRST + timedelta(days=i) for i in range(NIGHTS)]
    hold = None
    for day in nights:
        if day > FIRST:
            _pay_overdue(rng, day)
            _calls(rng, day, collector)
        if day == FIRST + timedelta(days=2):
            case = CollectionCase.objects.filter(status=CaseStatus.OPEN).order_by("pk").first()
            hold = Hold.objects.create(
                borrower_id=case.borrower_id,
                kind="dispute",
                reason="says it was paid",
                starts_on=day,
                placed_by=collector,
            )
        if day == FIRST + timedelta(days=5) and hold is not None:
            hold.released_on, hold.released_by = day, collector
            hold.save()
        if day == experiment_from:
            from arrears.whatif.experiments import do_start_experiment

            boss = make_user("supervisor")
            text = "[reminders]\nadvance_days = 5\n"
            # Nearly every borrower without a case open from before: the arms hold whatever ids the database gave.
            do_start_experiment("五天前提醒", text, "0.9999", 10, actor=boss, today=day, seed="exp-replay")
        do_run_daily(day, actor=nightly_run())
    return nights
